/**
 * `npm run bench:compare`: how long `compareVersions` takes over many labelled predictions on the embedded engine
 * (binary classification: every metric, so DeLong's O(n log n) components and the bootstrap's B × n draws in
 * TypeScript are included), next to the monitor's one-window performance query over the same rows. Prints
 * figures and ratios; asserts nothing.
 *
 * Data, generated inside ClickHouse deterministically (hashes of the row number, as bench/drift.ts): `--rows`
 * predictions (default 1,000,000) with labels, split half and half between versions 1 and 2 (unpaired), and the
 * same number again as `--rows`/2 events scored by both versions 3 and 4 (paired). Scores: logit ~ N(±μ, 1).
 *
 * usage: npm run bench:compare -- [--rows N] [--runs N]
 */
import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { parseArgs } from 'node:util'
import { bootstrapMeanDifference } from '../services/compare/bootstrap.js'
import { compareVersions } from '../services/compare/compare-versions.js'
import { delongIndependent, structuralComponents } from '../services/compare/delong.js'
import { openClickHouse } from '../services/core/clickhouse/client.js'
import { migrate } from '../services/core/clickhouse/migrations.js'
import { loadConfig } from '../services/core/config.js'
import { predictionLabelsSql } from '../services/core/events/prediction-labels.js'
import { saveModel } from '../services/monitor/models/registry.js'
import { computePerformance } from '../services/monitor/performance/index.js'

const { values } = parseArgs({ options: { rows: { type: 'string', default: '1000000' }, runs: { type: 'string', default: '3' } } })
const ROWS = Number(values.rows)
const RUNS = Number(values.runs)
const START = Date.UTC(2026, 0, 1)
const PERIOD = { from: START, to: START + 3_600_000 }

const median = (xs: number[]): number => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)] ?? Number.NaN
async function time(what: string, fn: () => Promise<unknown>): Promise<number> {
  await fn() // warm-up
  const runs: number[] = []
  for (let i = 0; i < RUNS; i++) {
    const t0 = performance.now()
    await fn()
    runs.push((performance.now() - t0) / 1000)
  }
  const m = median(runs)
  console.log(`${what.padEnd(58)} ${m.toFixed(3)} s (median of ${RUNS})`)
  return m
}

// y = hash bit; logit = ±μ + N(0, 1) by Box–Muller from two hashes; μ = 1 for versions 1 and 3, 1.2 for 2 and 4.
const NORMAL = `sqrt(-2 * log((sipHash64(number, 1) % 1000000000 + 1) / 1000000001)) * cos(2 * pi() * (sipHash64(number, 2) % 1000000000) / 1000000000)`
const predictionsSql = (eventExpr: string, versionExpr: string, muExpr: string, yExpr: string) => `
  INSERT INTO predictions (event_id, model, model_version, timestamp, score, source, kafka_partition, kafka_offset)
  SELECT concat('e', toString(${eventExpr})), 'bench', ${versionExpr}, fromUnixTimestamp64Milli(toInt64(${START} + number % 3600000)),
         1 / (1 + exp(-(if(${yExpr} = 1, 1, -1) * ${muExpr} + ${NORMAL}))), 'http', -1, -1
  FROM numbers(${ROWS})`
const labelsSql = (events: number, yExpr: string) => `
  INSERT INTO ground_truth (event_id, model, timestamp, label_class, source, kafka_partition, kafka_offset)
  SELECT concat('e', toString(number)), '', fromUnixTimestamp64Milli(toInt64(${START + 3_600_000})), toString(${yExpr}), 'http', -1, -1
  FROM numbers(${events})`

const dir = mkdtempSync(join(tmpdir(), 'bench-compare-'))
const ch = await openClickHouse(loadConfig({ MODELWATCH_DATA_DIR: dir, CLICKHOUSE_DATABASE: 'bench_compare' }).clickhouse)
try {
  await migrate(ch)
  await saveModel(ch, { name: 'bench', task: 'binary_classification', positive_class: '1', features: [{ name: 'x', kind: 'numeric' }] })
  // unpaired: events 0..ROWS-1, even to version 1, odd to version 2; paired: events ROWS.. scored by 3 and 4
  const y = (e: string) => `(sipHash64(${e}, 0) % 2)`
  await ch.client.command({ query: predictionsSql('number', "if(number % 2 = 0, '1', '2')", 'if(number % 2 = 0, 1.0, 1.2)', y('number')) })
  const pairedEvent = `(${ROWS} + number % ${ROWS / 2})`
  await ch.client.command({ query: predictionsSql(pairedEvent, `if(number < ${ROWS / 2}, '3', '4')`, `if(number < ${ROWS / 2}, 1.0, 1.2)`, y(pairedEvent)) })
  await ch.client.command({ query: labelsSql(ROWS + ROWS / 2, y('number')) })
  console.log(`${ROWS.toLocaleString('en')} labelled predictions per comparison, embedded engine`)

  const unpaired = await time('compareVersions, unpaired (1 vs 2)', () => compareVersions(ch, { model: 'bench', a: '1', b: '2', ...PERIOD }))
  const paired = await time('compareVersions, paired (3 vs 4)', () => compareVersions(ch, { model: 'bench', a: '3', b: '4', ...PERIOD }))
  const source = {
    sql: `SELECT p.model_version AS grp, p.score AS score, p.probabilities AS probabilities, p.predicted_class AS predicted_class, p.value AS value, l.label_class AS label_class, CAST(NULL, 'Nullable(Float64)') AS label_value
          FROM (SELECT * FROM predictions FINAL WHERE model = 'bench' AND model_version IN ('1', '2')) AS p
          LEFT JOIN (${predictionLabelsSql('model', "SELECT event_id FROM predictions WHERE model = {model:String} AND model_version IN ('1', '2')")}) AS l ON l.event_id = p.event_id`,
    params: { model: 'bench' },
  }
  const monitor = await time("monitor's performance query over the same rows (1 and 2)", () => computePerformance(ch, source, { kind: 'binary_classification', positiveClass: '1' }))

  // the TypeScript part alone, on arrays of the same size
  const n = ROWS / 2
  const arrays = (shift: number) => {
    const labels = new Uint8Array(n)
    const scores = new Float64Array(n)
    for (let i = 0; i < n; i++) {
      labels[i] = (i * 7919) % 2
      scores[i] = ((i * 2654435761) % 1000003) / 1000003 + (labels[i] === 1 ? shift : 0)
    }
    return { labels, scores }
  }
  const a = arrays(0.1)
  const b = arrays(0.12)
  const delong = await time(`DeLong components + test, 2 × ${n.toLocaleString('en')} scores (TS)`, async () => delongIndependent(structuralComponents(a), structuralComponents(b), 0.05))
  const bootstrap = await time(`bootstrap, B = 1000, 2 × ${n.toLocaleString('en')} losses (TS)`, async () => bootstrapMeanDifference(a.scores, b.scores, { alpha: 0.05 }))
  console.log(`ratios: unpaired / monitor query ${(unpaired / monitor).toFixed(1)}×, paired / monitor query ${(paired / monitor).toFixed(1)}×, bootstrap share of unpaired ${((100 * bootstrap) / unpaired).toFixed(0)} %, DeLong share ${((100 * delong) / unpaired).toFixed(0)} %`)
} finally {
  await ch.close()
  rmSync(dir, { recursive: true, force: true })
}
