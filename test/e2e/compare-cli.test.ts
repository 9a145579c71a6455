/**
 * `modelwatch compare` and `modelwatch model stage` as a user runs them: the data are seeded by opening the engine
 * in this process first (and closing it: the embedded engine serves one process at a time), then the CLI runs as
 * a child process on the same data directory.
 */
import assert from 'node:assert/strict'
import { mkdtempSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { before, describe, it } from 'node:test'
import type { ComparisonReport } from '../../services/compare/compare-versions.js'
import { openClickHouse } from '../../services/core/clickhouse/client.js'
import { migrate } from '../../services/core/clickhouse/migrations.js'
import { loadConfig } from '../../services/core/config.js'
import { runCli } from '../support/cli-process.js'
import { seedComparison } from '../support/compare-seed.js'

const env = { MODELWATCH_DATA_DIR: mkdtempSync(join(tmpdir(), 'modelwatch-compare-cli-')) }
const START = Date.UTC(2026, 2, 1, 10)
const PERIOD = ['--from', new Date(START).toISOString(), '--to', new Date(START + 3_600_000).toISOString()]

before(async () => {
  const ch = await openClickHouse(loadConfig(env).clickhouse)
  try {
    await migrate(ch)
    await seedComparison(ch, START, 600)
  } finally {
    await ch.close()
  }
})

describe('modelwatch compare', () => {
  it('--json prints the report: version 2 is better on ROC AUC, unpaired', async () => {
    const result = await runCli(['compare', '--model', 'churn', '--a', '1', '--b', '2', ...PERIOD, '--json'], env)
    assert.equal(result.code, 0, result.stderr)
    const report = JSON.parse(result.stdout) as ComparisonReport
    assert.equal(report.paired, false)
    assert.equal(report.metrics.find((m) => m.metric === 'roc_auc')?.verdict, 'better')
  })

  it('prints a table with a verdict per metric and the sequential test for a person', async () => {
    const result = await runCli(['compare', '--model', 'churn', '--a', '1', '--b', '2', ...PERIOD], env)
    assert.equal(result.code, 0, result.stderr)
    assert.match(result.stdout, /^churn: version 2 against 1, .*unpaired; labelled 600 \(a\) and 600 \(b\)/)
    assert.match(result.stdout, /roc_auc .*\| better /)
    assert.match(result.stdout, /sequential test \(mSPRT on accuracy, error rate ≤ 0\.05 however often you look\)/)
  })

  it('refuses bad flags with one line and exit 2', async () => {
    const noB = await runCli(['compare', '--model', 'churn', '--a', '1'], env)
    assert.equal(noB.code, 2)
    assert.match(noB.stderr, /^modelwatch: usage: modelwatch compare --model M --a V1 --b V2/)
    const badPaired = await runCli(['compare', '--model', 'churn', '--a', '1', '--b', '2', '--paired', 'maybe'], env)
    assert.equal(badPaired.code, 2)
    assert.match(badPaired.stderr, /^modelwatch: --paired: /)
    assert.equal(badPaired.stderr.trim().split('\n').length, 1)
  })
})

describe('modelwatch model stage', () => {
  it('records a stage change with the CLI user and the reason, and lists the history', async () => {
    const staged = await runCli(['model', 'stage', '--model', 'churn', '--version', '2', '--stage', 'challenger', '--reason', 'better AUC in the compare'], env)
    assert.equal(staged.code, 0, staged.stderr)
    assert.match(staged.stdout, /^churn version 2 is now challenger \(by cli:/)
    const history = await runCli(['model', 'stage', '--model', 'churn', '--version', '2', '--history', '--json'], env)
    assert.equal(history.code, 0, history.stderr)
    const rows = history.stdout.trim().split('\n').map((l) => JSON.parse(l) as { stage: string; reason: string })
    assert.deepEqual(rows.map((r) => [r.stage, r.reason]), [['challenger', 'better AUC in the compare']])
  })

  it('refuses an unknown stage and a missing reason with one line, exit 2', async () => {
    const bad = await runCli(['model', 'stage', '--model', 'churn', '--version', '2', '--stage', 'live', '--reason', 'x'], env)
    assert.equal(bad.code, 2)
    assert.match(bad.stderr, /^modelwatch: --stage: stage must be one of shadow, challenger, production, archived/)
    const noReason = await runCli(['model', 'stage', '--model', 'churn', '--version', '2', '--stage', 'production'], env)
    assert.equal(noReason.code, 2)
    assert.match(noReason.stderr, /^modelwatch: --reason: a reason is needed/)
  })
})
