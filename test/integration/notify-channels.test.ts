/**
 * The channels store on the real engine: save, list, get, replace (latest wins), delete (a tombstone), and
 * invalid specs refused with the field named.
 */
import assert from 'node:assert/strict'
import { after, before, describe, it } from 'node:test'
import { deleteChannel, findChannel, getChannel, listChannels, saveChannel } from '../../services/alerting/channels-store.js'
import { openClickHouse, type ClickHouse } from '../../services/core/clickhouse/client.js'
import { migrate } from '../../services/core/clickhouse/migrations.js'
import { loadConfig } from '../../services/core/config.js'
import { testDataDir, uniqueName } from '../support/harness.js'

describe('notification channels store', () => {
  let ch: ClickHouse

  before(async () => {
    ch = await openClickHouse(loadConfig({ MODELWATCH_DATA_DIR: testDataDir(), CLICKHOUSE_DATABASE: uniqueName('notify_channels') }).clickhouse)
    await migrate(ch)
  })

  after(async () => ch.close())

  it('saves, replaces, lists and deletes channels; the latest definition wins and a delete hides the channel', async () => {
    const saved = await saveChannel(ch, { name: 'retrain', type: 'webhook', url: 'https://ci.example.com/hook' }, 1000)
    assert.equal(saved.type === 'webhook' && saved.template, 'generic')
    await saveChannel(ch, { name: 'oncall', type: 'email', to: ['oncall@example.com'] }, 1000)
    await saveChannel(ch, { name: 'retrain', type: 'webhook', url: 'https://ci.example.com/v2', template: 'airflow_dag_run', token_env: 'MODELWATCH_CHANNEL_SECRET_AIRFLOW_TOKEN' }, 2000)
    assert.deepEqual((await listChannels(ch)).map((c) => c.name), ['oncall', 'retrain'])
    assert.deepEqual(await getChannel(ch, 'retrain'), { name: 'retrain', type: 'webhook', url: 'https://ci.example.com/v2', template: 'airflow_dag_run', token_env: 'MODELWATCH_CHANNEL_SECRET_AIRFLOW_TOKEN' })

    assert.equal(await deleteChannel(ch, 'retrain', 3000), true)
    assert.equal(await deleteChannel(ch, 'retrain', 4000), false)
    assert.equal(await findChannel(ch, 'retrain'), undefined)
    await assert.rejects(getChannel(ch, 'retrain'), { code: 'NOT_FOUND', message: 'no notification channel named "retrain"' })
    assert.deepEqual((await listChannels(ch)).map((c) => c.name), ['oncall'])

    // Saved again after the delete, it is back.
    await saveChannel(ch, { name: 'retrain', type: 'slack', url_env: 'MODELWATCH_CHANNEL_SECRET_SLACK' }, 5000)
    assert.equal((await getChannel(ch, 'retrain')).type, 'slack')
  })

  it('refuses an invalid spec, naming the field', async () => {
    await assert.rejects(saveChannel(ch, { name: 'x', type: 'email', to: [] }), { code: 'USAGE', message: /invalid channel: to: an email channel needs at least one address/ })
    await assert.rejects(saveChannel(ch, { name: 'y', type: 'slack', url_env: 'https://hooks.slack.com/services/T/B/secret' }), { code: 'USAGE', message: /url_env: must name a variable set aside for channel secrets/ })
    await assert.rejects(saveChannel(ch, { name: 'z', type: 'webhook', url: 'ftp://example.com/' }), { code: 'USAGE', message: /invalid channel: url/ })
  })
})
