/**
 * The README's main job in its short mode (`modelwatch demo --short`), as CI runs it: the scripted story is
 * replayed through the real pipeline (Kafka, ingest, monitor, alerting, local webhook and SMTP receivers), and
 * what the demo injected is detected and alerted, and nothing else is:
 *  - churn's feature drift from simulated minute 8 → dataset drift in those windows only, and the
 *    churn.dataset-drift monitor fires for both versions;
 *  - delivery_eta's slower deliveries from minute 10 → the delivery_eta.mae monitor fires;
 *  - the churn AUC floor and delivery_eta's dataset drift stay quiet; the malformed burst lands in dead_letters.
 * Each alert is delivered once to the signed webhook and once by email, and the champion/challenger report finds
 * churn's version 2 better (it is, by construction), with the sequential test concluded.
 */
import assert from 'node:assert/strict'
import { readdirSync, readFileSync } from 'node:fs'
import { join } from 'node:path'
import { describe, it } from 'node:test'
import { openClickHouse } from '../../services/core/clickhouse/client.js'
import { loadConfig } from '../../services/core/config.js'
import { DEMO_SCENARIO } from '../../services/cli/commands/demo.js'
import { runCli } from '../support/cli-process.js'
import { rows, testDataDir, testEnv } from '../support/harness.js'

describe('modelwatch demo --short', () => {
  it('detects and alerts the injected drift and performance drop, and nothing else', { timeout: 300_000 }, async () => {
    const dataDir = testDataDir()
    const env = testEnv({ MODELWATCH_DATA_DIR: dataDir })
    const result = await runCli(['demo', '--short'], env)
    assert.equal(result.code, 0, `demo failed:\n${result.stdout.slice(-3000)}\n${result.stderr.slice(-3000)}`)
    assert.match(result.stdout, /summary: 3 alert\(s\) firing/)
    // Version 2 is truly better (it knows what monthly spend does); the report says so and the sequential test concluded.
    assert.match(result.stdout, /^roc_auc .* better /m)
    assert.match(result.stdout, /sequential test \(mSPRT on \w+[^)]*\): b better/)

    const ch = await openClickHouse(loadConfig({ ...env, MODELWATCH_DATA_DIR: dataDir }).clickhouse)
    try {
      const firing = await rows<{ monitor: string; model_version: string }>(
        ch,
        "SELECT monitor, model_version FROM alerts FINAL WHERE status IN ('firing', 'pending') ORDER BY monitor, model_version",
      )
      assert.deepEqual(firing, [
        { monitor: 'churn.dataset-drift', model_version: '1' },
        { monitor: 'churn.dataset-drift', model_version: '2' },
        { monitor: 'delivery_eta.mae', model_version: '1' },
      ])

      // Dataset drift exactly in the drifted windows: minute index = window's offset from the first window.
      const drift = await rows<{ model: string; minute: number; drifted: number }>(
        ch,
        `SELECT model, toUInt32((toUnixTimestamp(window_start) - (SELECT toUnixTimestamp(min(window_start)) FROM drift_metrics)) / 60) AS minute, max(drifted) AS drifted
         FROM drift_metrics FINAL WHERE column = '__dataset__' AND segment = '' GROUP BY model, minute ORDER BY model, minute`,
      )
      for (const d of drift) {
        const expected = d.model === 'churn' && d.minute >= DEMO_SCENARIO.driftFrom ? 1 : 0
        assert.equal(d.drifted, expected, `${d.model} minute ${d.minute}: dataset drift ${d.drifted}, expected ${expected}`)
      }
      assert.equal(drift.filter((d) => d.model === 'churn').length, DEMO_SCENARIO.minutes)

      const [dead] = await rows<{ n: number }>(ch, 'SELECT count() AS n FROM dead_letters FINAL')
      assert.equal(Number(dead?.n), 42)
    } finally {
      await ch.close()
    }

    const webhooks = readFileSync(join(dataDir, 'demo', 'webhooks.log'), 'utf8').trim().split('\n').map((l) => JSON.parse(l) as { signature: string; idempotency_key: string })
    assert.equal(webhooks.length, 3, 'one webhook per firing alert group')
    assert.ok(webhooks.every((w) => w.signature === 'valid'), 'every webhook verifies')
    assert.equal(new Set(webhooks.map((w) => w.idempotency_key)).size, 3)
    assert.equal(readdirSync(join(dataDir, 'demo', 'inbox')).length, 3, 'one email per firing alert group')
  })
})
