#!/usr/bin/env node
// The installed CLI runs the compiled code (npm install builds it via the `prepare` script).
import '../dist/services/cli/main.js'
