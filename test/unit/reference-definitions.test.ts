import assert from 'node:assert/strict'
import { mkdtempSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { describe, it } from 'node:test'
import { resultLine } from '../../services/cli/commands/reference.js'
import { ModelwatchError } from '../../services/core/errors.js'
import { decideAssignment } from '../../services/monitor/references/assign.js'
import { definitionReferenceId, uploadReferenceId } from '../../services/monitor/references/reference-id.js'
import { describeDefinition, parseDefinition, sourceText, type ReferenceDefinition } from '../../services/monitor/references/reference-kind.js'
import { checkRollingWindows, checkWindow, parseInstant } from '../../services/monitor/references/window-definition.js'

const model = { name: 'churn', task: 'regression' as const, features: [{ name: 'x', kind: 'numeric' as const }] }

describe('reference ids', () => {
  it('hash the definition canonically: key order does not matter, content does', () => {
    const a = definitionReferenceId({ kind: 'rolling', model: 'churn', windows: 7 })
    assert.match(a, /^[0-9a-f]{16}$/)
    assert.equal(definitionReferenceId({ windows: 7, model: 'churn', kind: 'rolling' }), a)
    assert.notEqual(definitionReferenceId({ kind: 'rolling', model: 'churn', windows: 8 }), a)
    assert.notEqual(definitionReferenceId({ kind: 'rolling', model: 'other', windows: 7 }), a)
  })

  it('hash an upload with how it is read: same bytes, same id; other bytes, model or features, another id', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'modelwatch-ref-id-'))
    writeFileSync(join(dir, 'a.csv'), 'x\n1\n')
    writeFileSync(join(dir, 'copy.csv'), 'x\n1\n')
    writeFileSync(join(dir, 'b.csv'), 'x\n2\n')
    const id = await uploadReferenceId(model, join(dir, 'a.csv'))
    assert.match(id, /^[0-9a-f]{16}$/)
    assert.equal(await uploadReferenceId(model, join(dir, 'copy.csv')), id, 'the name of the file is not content')
    assert.notEqual(await uploadReferenceId(model, join(dir, 'b.csv')), id)
    assert.notEqual(await uploadReferenceId({ ...model, name: 'other' }, join(dir, 'a.csv')), id)
    assert.notEqual(await uploadReferenceId({ ...model, features: [{ name: 'x', kind: 'categorical' }] }, join(dir, 'a.csv')), id)
  })
})

describe('reference definitions', () => {
  const definitions: ReferenceDefinition[] = [
    { kind: 'upload', source: { file: 'train.csv' } },
    { kind: 'window', source: { version: '3', from: '2026-01-01T00:00:00.000Z', to: '2026-01-08T00:00:00.000Z' } },
    { kind: 'rolling', source: { windows: 1 } },
  ]

  it('round-trip through the stored kind and source columns', () => {
    for (const definition of definitions) assert.deepEqual(parseDefinition(definition.kind, sourceText(definition)), definition)
    assert.equal(sourceText(definitions[0]!), 'train.csv', 'an upload stores its file name as is')
    assert.throws(() => parseDefinition('magic', '{}'), /unknown kind "magic"/)
  })

  it('describe themselves in a few words', () => {
    assert.deepEqual(definitions.map(describeDefinition), [
      'upload train.csv',
      'window 2026-01-01T00:00:00.000Z to 2026-01-08T00:00:00.000Z of version 3',
      'rolling: the previous 1 window',
    ])
  })
})

describe('windows', () => {
  it('parses instants only with a zone (a date alone is UTC midnight)', () => {
    assert.equal(parseInstant('--from', '2026-03-01').toISOString(), '2026-03-01T00:00:00.000Z')
    assert.equal(parseInstant('--from', '2026-03-01T12:30:00+02:00').toISOString(), '2026-03-01T10:30:00.000Z')
    assert.equal(parseInstant('--to', '2026-03-01T12:30:00.250Z').toISOString(), '2026-03-01T12:30:00.250Z')
    for (const text of ['2026-03-01T12:30:00', '2026-02-30', 'yesterday', '1767225600000', '']) {
      assert.throws(() => parseInstant('--from', text), (e: unknown) => e instanceof ModelwatchError && e.message.startsWith('--from must be an ISO 8601 date or time with a zone'), text)
    }
  })

  it('refuses windows that are empty by construction or not over', () => {
    const now = new Date('2026-06-01T00:00:00Z')
    checkWindow(new Date('2026-05-01Z'), new Date('2026-06-01T00:00:00Z'), now)
    assert.throws(() => checkWindow(new Date('2026-05-02Z'), new Date('2026-05-01Z'), now), /must end after it starts/)
    assert.throws(() => checkWindow(new Date('2026-05-01Z'), new Date('2026-05-01Z'), now), /must end after it starts/)
    assert.throws(() => checkWindow(new Date('2026-05-01Z'), new Date('2026-06-02Z'), now), /must be in the past: --to 2026-06-02T00:00:00\.000Z is after now/)
    assert.throws(() => checkWindow(new Date(Number.NaN), new Date('2026-05-01Z'), now), /valid --from and --to/)
  })

  it('accepts 1 to 8760 rolling windows', () => {
    checkRollingWindows(1)
    checkRollingWindows(8760)
    for (const n of [0, -1, 1.5, 8761, Number.NaN]) assert.throws(() => checkRollingWindows(n), /--windows must be a whole number from 1 to 8760/)
  })
})

describe('assignment', () => {
  const target = { model: 'churn', version: '3' }
  const current = {
    referenceId: 'aaaa',
    assignedAt: '2026-01-02T00:00:00.000Z',
    definition: { kind: 'upload', source: { file: 'train.csv' } } as const,
    rowCount: 1000,
    createdAt: '2026-01-01T00:00:00.000Z',
  }

  it('assigns a version without a reference, keeps the same one, and switches only with replace', () => {
    assert.deepEqual(decideAssignment(undefined, 'bbbb', false, target), { assign: true, previous: undefined })
    assert.deepEqual(decideAssignment(current, 'aaaa', false, target), { assign: false })
    assert.deepEqual(decideAssignment(current, 'aaaa', true, target), { assign: false })
    assert.deepEqual(decideAssignment(current, 'bbbb', true, target), { assign: true, previous: 'aaaa' })
    assert.throws(
      () => decideAssignment(current, 'bbbb', false, target),
      (e: unknown) =>
        e instanceof ModelwatchError &&
        e.message === 'version 3 of churn already compares against reference aaaa (uploaded 2026-01-01T00:00:00.000Z from train.csv); pass --replace to switch',
    )
    const rolling = { ...current, definition: { kind: 'rolling', source: { windows: 7 } } as const }
    assert.throws(() => decideAssignment(rolling, 'bbbb', false, target), /reference aaaa \(rolling: the previous 7 windows, defined 2026-01-01T00:00:00\.000Z\); pass --replace/)
  })

  it('prints one line per action', () => {
    const upload: ReferenceDefinition = { kind: 'upload', source: { file: 'a.csv' } }
    assert.equal(resultLine({ referenceId: 'r', rows: 5, created: true, assigned: true }, upload, 'churn', '3'), 'reference r (upload a.csv): 5 rows stored; version 3 of churn now compares against it')
    assert.equal(resultLine({ referenceId: 'r', rows: 1, created: false, assigned: false }, upload, 'churn', '3'), 'reference r (upload a.csv): already stored (1 row); version 3 of churn already compares against it')
    assert.equal(
      resultLine({ referenceId: 'r', rows: 0, created: true, assigned: true, replaced: 'q' }, { kind: 'rolling', source: { windows: 2 } }, 'churn', '3'),
      'reference r (rolling: the previous 2 windows): recorded; version 3 of churn now compares against it instead of q',
    )
  })
})
