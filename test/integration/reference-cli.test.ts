/**
 * `modelwatch reference ...` as a user runs it: one line per action, exit 2 with one line for a refusal.
 * The model is seeded by opening the engine in this process first (and closing it: the embedded engine
 * serves one process at a time), then the CLI runs as a child process on the same data directory.
 */
import assert from 'node:assert/strict'
import { mkdtempSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join, relative } from 'node:path'
import { before, describe, it } from 'node:test'
import { openClickHouse } from '../../services/core/clickhouse/client.js'
import { migrate } from '../../services/core/clickhouse/migrations.js'
import { loadConfig } from '../../services/core/config.js'
import { saveModel } from '../../services/monitor/models/registry.js'
import { churnModel, fixture } from '../fixtures/references/fixtures.js'
import { runCli } from '../support/cli-process.js'

const env = { MODELWATCH_DATA_DIR: mkdtempSync(join(tmpdir(), 'modelwatch-ref-cli-')) }

before(async () => {
  const ch = await openClickHouse(loadConfig(env).clickhouse)
  try {
    await migrate(ch)
    await saveModel(ch, churnModel('churn'))
  } finally {
    await ch.close()
  }
})

function assertOneLine(text: string, pattern: RegExp): void {
  const lines = text.trim().split('\n')
  assert.equal(lines.length, 1, `one line, got:\n${text}`)
  assert.match(lines[0] ?? '', pattern)
}

describe('modelwatch reference', () => {
  it('uploads, finds the same content already stored, refuses another file without --replace, lists', async () => {
    // A path relative to the working directory (the repository root, where tests run).
    const upload = await runCli(['reference', 'upload', '--model', 'churn', '--version', '3', '--file', relative(process.cwd(), fixture('churn.csv'))], env)
    assert.equal(upload.code, 0, upload.stderr)
    assertOneLine(upload.stdout, /^reference ([0-9a-f]{16}) \(upload churn\.csv\): 5 rows stored; version 3 of churn now compares against it \(ignored columns: customer_id\)$/)
    const id = /reference ([0-9a-f]{16})/.exec(upload.stdout)?.[1] ?? ''

    const again = await runCli(['reference', 'upload', '--model', 'churn', '--version', '3', '--file', fixture('churn.csv')], env)
    assert.equal(again.code, 0, again.stderr)
    assertOneLine(again.stdout, new RegExp(`^reference ${id} \\(upload churn\\.csv\\): already stored \\(5 rows\\); version 3 of churn already compares against it$`))

    const other = await runCli(['reference', 'upload', '--model', 'churn', '--version', '3', '--file', fixture('churn-v2.csv')], env)
    assert.equal(other.code, 2)
    assert.equal(other.stdout, '')
    assertOneLine(other.stderr, new RegExp(`^modelwatch: version 3 of churn already compares against reference ${id} \\(uploaded .* from churn\\.csv\\); pass --replace to switch$`))

    const replaced = await runCli(['reference', 'upload', '--model', 'churn', '--version', '3', '--file', fixture('churn-v2.csv'), '--replace'], env)
    assert.equal(replaced.code, 0, replaced.stderr)
    assertOneLine(replaced.stdout, new RegExp(`^reference [0-9a-f]{16} \\(upload churn-v2\\.csv\\): 3 rows stored; version 3 of churn now compares against it instead of ${id}$`))

    const rolling = await runCli(['reference', 'rolling', '--model', 'churn', '--version', '4', '--windows', '7'], env)
    assert.equal(rolling.code, 0, rolling.stderr)
    assertOneLine(rolling.stdout, /^reference [0-9a-f]{16} \(rolling: the previous 7 windows\): recorded; version 4 of churn now compares against it$/)

    const list = await runCli(['reference', 'list', '--model', 'churn', '--json'], env)
    assert.equal(list.code, 0, list.stderr)
    const listed = list.stdout.trim().split('\n').map((line) => JSON.parse(line) as { referenceId: string; rowCount: number; versions: string[]; definition: { kind: string } })
    assert.deepEqual(
      listed.map((r) => [r.definition.kind, r.rowCount, r.versions]),
      [
        ['upload', 5, []],
        ['upload', 3, ['3']],
        ['rolling', 0, ['4']],
      ],
    )
    const table = await runCli(['reference', 'list', '--model', 'churn'], env)
    assert.match(table.stdout, /^reference_id +\| definition +\| rows \| created_at +\| versions\n/)
    assert.match(table.stdout, /\n[0-9a-f]{16} \| rolling: the previous 7 windows \| +0 \| \S+ \| 4\n/)
    assert.match(table.stdout, /\(3 rows\)\n$/)
  })

  it('reports usage mistakes, a bad file and an unknown model as one line, exit 2', async () => {
    const cases: [string[], RegExp][] = [
      [['reference', 'upload', '--model', 'churn', '--version', '3'], /^modelwatch: reference upload needs --file/],
      [['reference', 'window', '--model', 'churn', '--version', '3', '--from', '2026-01-01T00:00', '--to', '2026-01-02'], /^modelwatch: --from must be an ISO 8601 date or time with a zone/],
      [['reference', 'rolling', '--model', 'churn', '--version', '3', '--windows', 'seven'], /^modelwatch: --windows must be a positive whole number/],
      [['reference', 'frobnicate'], /^modelwatch: unknown reference action "frobnicate"/],
      [['reference', 'upload', '--model', 'churn', '--version', '5', '--file', fixture('wrong-type.csv')], /^modelwatch: reference file wrong-type\.csv: column tenure_months \(numeric feature\): 1 value is not a number, e\.g\. "twelve"$/],
      [['reference', 'upload', '--model', 'nope', '--version', '1', '--file', fixture('churn.csv')], /^modelwatch: no model named "nope"/],
      [['reference', 'window', '--model', 'churn', '--version', '1', '--from', '2026-01-01', '--to', '2026-01-02'], /^modelwatch: no predictions of churn version 1 from 2026-01-01T00:00:00\.000Z to 2026-01-02T00:00:00\.000Z/],
    ]
    for (const [args, pattern] of cases) {
      const result = await runCli(args, env)
      assert.equal(result.code, 2, `${args.join(' ')}: ${result.stderr}`)
      const lines = result.stderr.trim().split('\n')
      assert.equal(lines.length, 1, `${args.join(' ')}: one line, got:\n${result.stderr}`)
      assert.match(lines[0] ?? '', pattern, args.join(' '))
    }
  })
})
