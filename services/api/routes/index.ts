/**
 * Every resource of the API. A new resource is a file in this folder exporting a `MountRoutes`, and one line here.
 */
import type { MountRoutes } from '../deps.js'
import { eventRoutes } from './events.js'
import { healthRoutes } from './health.js'
import { modelRoutes } from './models.js'
import { resultRoutes } from './results.js'

export const ROUTES: readonly MountRoutes[] = [healthRoutes, modelRoutes, resultRoutes, eventRoutes]
