/**
 * `modelwatch apply -f monitors.yaml` as a user runs it: a dry run that writes nothing, the first apply,
 * a second apply that changes nothing, an edit shown field by field, --prune, and an invalid file refused
 * with every problem named (exit 2).
 */
import assert from 'node:assert/strict'
import { mkdtempSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { describe, it } from 'node:test'
import { runCli } from '../support/cli-process.js'

const MONITORS = `
monitors:
  - name: churn.auc-drop
    model: churn
    statistic: roc_auc
    condition: { drop: 10%, against: previous, windows: 6 }
    min_samples: 200
    severity: critical
    channels: [ops]
  - name: churn.feature-drift
    model: churn
    statistic: drift:psi
    column: "*"
    condition: { above: 0.2 }
    channels: [ops]
channels:
  - { name: ops, type: slack, url_env: MODELWATCH_CHANNEL_SECRET_SLACK_OPS }
silences:
  - id: weekend
    matchers: [{ name: model, value: churn }]
    starts_at: 2026-01-03T00:00:00Z
    ends_at: 2030-01-05T00:00:00Z
`

describe('modelwatch apply', () => {
  it('plans with --dry-run, applies once, then finds nothing to change; edits and --prune show as such', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'modelwatch-apply-'))
    const env = { MODELWATCH_DATA_DIR: join(dir, 'data') }
    const file = join(dir, 'monitors.yaml')
    writeFileSync(file, MONITORS)
    const created = await runCli(['model', 'create', '--name', 'churn', '--task', 'binary_classification', '--positive-class', '1', '--features', 'tenure:numeric,plan:categorical'], env)
    assert.equal(created.code, 0, created.stderr)

    const dry = await runCli(['apply', '-f', file, '--dry-run'], env)
    assert.equal(dry.code, 0, dry.stderr)
    assert.match(dry.stdout, /^\+ churn\.auc-drop +created$/m)
    assert.match(dry.stdout, /^\+ churn\.feature-drift +created$/m)
    assert.match(dry.stdout, /^monitors: 2 created, 0 changed, 0 unchanged, 0 deleted$/m)
    assert.match(dry.stdout, /^silences: 1 created/m)
    assert.match(dry.stdout, /^\+ ops +created$/m)
    assert.match(dry.stdout, /^channels: 1 created, 0 changed, 0 unchanged, 0 deleted$/m)
    assert.match(dry.stdout, /^dry run: nothing written$/m)
    const stored = await runCli(['sql', 'SELECT count() AS n FROM monitors'], env)
    assert.match(stored.stdout, /^0$/m, 'the dry run wrote nothing')

    const first = await runCli(['apply', '-f', file], env)
    assert.equal(first.code, 0, first.stderr)
    assert.match(first.stdout, /^monitors: 2 created, 0 changed, 0 unchanged, 0 deleted$/m)
    const second = await runCli(['apply', '-f', file], env)
    assert.equal(second.code, 0, second.stderr)
    assert.match(second.stdout, /^= churn\.auc-drop +unchanged$/m)
    assert.match(second.stdout, /^monitors: 0 created, 0 changed, 2 unchanged, 0 deleted$/m)
    assert.match(second.stdout, /^silences: 0 created, 0 changed, 1 unchanged/m)

    writeFileSync(file, MONITORS.replace('{ above: 0.2 }', '{ above: 0.25 }').replace(/  - name: churn\.auc-drop[\s\S]*?channels: \[ops\]\n/, ''))
    const edited = await runCli(['apply', '-f', file, '--prune'], env)
    assert.equal(edited.code, 0, edited.stderr)
    assert.match(edited.stdout, /^~ churn\.feature-drift +changed: condition\.above 0\.2 -> 0\.25$/m)
    assert.match(edited.stdout, /^- churn\.auc-drop +deleted$/m)
    const live = await runCli(['sql', 'SELECT name FROM monitors FINAL WHERE NOT deleted ORDER BY name'], env)
    assert.match(live.stdout, /churn\.feature-drift\n\(1 row/)
  })

  it('refuses an invalid file with exit 2, naming the file, each entry and field, and writes nothing', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'modelwatch-apply-'))
    const file = join(dir, 'bad.yaml')
    writeFileSync(file, 'monitors:\n  - name: a\n    model: churn\n    statistic: drift:psi\n    condition: { above: 0.2 }\n  - name: b\n    model: churn\n    statistic: volume\n    condition: { drop: 50%, against: reference }\n')
    const result = await runCli(['apply', '-f', file], { MODELWATCH_DATA_DIR: join(dir, 'data') })
    assert.equal(result.code, 2)
    assert.equal(result.stderr.trim().split('\n').length, 1, result.stderr)
    assert.match(result.stderr, /^modelwatch: .*bad\.yaml: monitors\[0\] \(a\): column: drift:psi needs a column.*; monitors\[1\] \(b\): condition\.against: /)
  })

  it('refuses a monitor on a model that is not registered', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'modelwatch-apply-'))
    const file = join(dir, 'm.yaml')
    writeFileSync(file, 'monitors:\n  - { name: a, model: nope, statistic: volume, condition: { below: 10 } }\n')
    const result = await runCli(['apply', '-f', file], { MODELWATCH_DATA_DIR: join(dir, 'data') })
    assert.equal(result.code, 2)
    assert.match(result.stderr, /m\.yaml: monitors\[0\] \(a\): model: no model named "nope"/)
  })

  it('stores channels like monitors (diff, --dry-run, --prune of what apply wrote) and refuses monitors naming a channel that would not exist', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'modelwatch-apply-'))
    const env = { MODELWATCH_DATA_DIR: join(dir, 'data') }
    const file = join(dir, 'channels.yaml')
    const created = await runCli(['model', 'create', '--name', 'churn', '--task', 'regression', '--features', 'tenure:numeric'], env)
    assert.equal(created.code, 0, created.stderr)
    const monitor = '  - { name: vol, model: churn, statistic: volume, condition: { below: 10 }, channels: [retrain] }\n'
    const hook = '  - { name: retrain, type: webhook, url: "https://ci.example.com/hook", signing_secret_env: MODELWATCH_CHANNEL_SECRET_RETRAIN }\n'
    const mail = '  - { name: oncall, type: email, to: [oncall@example.com] }\n'

    writeFileSync(file, `monitors:\n${monitor}`)
    const missing = await runCli(['apply', '-f', file], env)
    assert.equal(missing.code, 2)
    assert.match(missing.stderr, /channels\.yaml: monitors\[0\] \(vol\): channels\[0\]: no channel named "retrain"; declare it under channels: /)

    writeFileSync(file, `monitors:\n${monitor}channels:\n${hook}${mail}`)
    const dry = await runCli(['apply', '-f', file, '--dry-run'], env)
    assert.equal(dry.code, 0, dry.stderr)
    assert.match(dry.stdout, /^channels: 2 created, 0 changed, 0 unchanged, 0 deleted$/m)
    assert.match((await runCli(['sql', 'SELECT count() AS n FROM notification_channels'], env)).stdout, /^0$/m, 'the dry run wrote nothing')
    assert.equal((await runCli(['apply', '-f', file], env)).code, 0)
    const same = await runCli(['apply', '-f', file], env)
    assert.match(same.stdout, /^channels: 0 created, 0 changed, 2 unchanged, 0 deleted$/m)

    writeFileSync(file, `monitors:\n${monitor}channels:\n${hook.replace('/hook', '/v2')}`)
    const pruned = await runCli(['apply', '-f', file, '--prune'], env)
    assert.equal(pruned.code, 0, pruned.stderr)
    assert.match(pruned.stdout, /^~ retrain +changed: url "https:\/\/ci\.example\.com\/hook" -> "https:\/\/ci\.example\.com\/v2"$/m)
    assert.match(pruned.stdout, /^- oncall +deleted$/m)
    const live = await runCli(['sql', 'SELECT name, origin FROM notification_channels FINAL ORDER BY name'], env)
    assert.match(live.stdout, /^retrain \| apply\n\(1 row\)/m)

    // An empty file prunes the monitor and the channel it names together.
    writeFileSync(file, 'channels: []\n')
    const emptied = await runCli(['apply', '-f', file, '--prune'], env)
    assert.equal(emptied.code, 0, emptied.stderr)
    assert.match(emptied.stdout, /^- retrain +deleted$/m)
    assert.match(emptied.stdout, /^- vol +deleted$/m)
  })
})

describe('bounds through the CLI', () => {
  it('refuses one model, monitor, silence or channel past its MODELWATCH_MAX_* setting with exit 2 and the setting named, writing nothing', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'modelwatch-apply-'))
    const env = { MODELWATCH_DATA_DIR: join(dir, 'data'), MODELWATCH_MAX_MODELS: '1', MODELWATCH_MAX_MONITORS: '1', MODELWATCH_MAX_SILENCES: '1', MODELWATCH_MAX_CHANNELS: '1' }
    const model = (name: string) => runCli(['model', 'create', '--name', name, '--task', 'regression', '--features', 'tenure:numeric'], env)
    assert.equal((await model('churn')).code, 0)
    const second = await model('eta')
    assert.equal(second.code, 2)
    assert.match(second.stderr, /^modelwatch: at most 1 registered models \(MODELWATCH_MAX_MODELS\): 1 exist and this would add 1/)

    const monitor = (name: string) => `  - { name: ${name}, model: churn, statistic: volume, condition: { below: 10 } }\n`
    const silence = (id: string) => `  - { id: ${id}, matchers: [{ name: model, value: churn }], starts_at: 2026-01-01T00:00:00Z, ends_at: 2099-01-01T00:00:00Z }\n`
    const channel = (name: string) => `  - { name: ${name}, type: email, to: [oncall@example.com] }\n`
    const file = join(dir, 'monitors.yaml')
    writeFileSync(file, `monitors:\n${monitor('a')}silences:\n${silence('s1')}channels:\n${channel('c1')}`)
    const atLimit = await runCli(['apply', '-f', file], env)
    assert.equal(atLimit.code, 0, atLimit.stderr)
    const onePast: [string, string][] = [
      [`monitors:\n${monitor('a')}${monitor('b')}`, 'MODELWATCH_MAX_MONITORS'],
      [`silences:\n${silence('s1')}${silence('s2')}`, 'MODELWATCH_MAX_SILENCES'],
      [`channels:\n${channel('c1')}${channel('c2')}`, 'MODELWATCH_MAX_CHANNELS'],
    ]
    for (const [extra, setting] of onePast) {
      writeFileSync(file, extra)
      const past = await runCli(['apply', '-f', file, '--dry-run'], env)
      assert.equal(past.code, 2, past.stdout)
      assert.match(past.stderr, new RegExp(`^modelwatch: at most 1 .* \\(${setting}\\): 1 exist and this would add 1`))
    }
  })
})
