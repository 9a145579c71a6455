/**
 * Uploads to a ClickHouse server over HTTP: file() would read the server's filesystem, so the client
 * streams the file's bytes to a staging table. Same rows, same checks as on the embedded engine, and no
 * staging table is left behind, whether the upload is stored or refused.
 */
import assert from 'node:assert/strict'
import { mkdtempSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { after, before, describe, it } from 'node:test'
import { openClickHouse, type ClickHouse } from '../../services/core/clickhouse/client.js'
import { migrate } from '../../services/core/clickhouse/migrations.js'
import { loadConfig } from '../../services/core/config.js'
import { saveModel } from '../../services/monitor/models/registry.js'
import { uploadReference } from '../../services/monitor/references/index.js'
import { CHURN_ROWS, churnModel, fixture, storedRows } from '../fixtures/references/fixtures.js'
import { startClickHouseHttpServer, type ClickHouseHttpServer } from '../support/clickhouse-http-server.js'
import { count, uniqueName } from '../support/harness.js'

let server: ClickHouseHttpServer
let ch: ClickHouse

before(async () => {
  server = await startClickHouseHttpServer({ path: mkdtempSync(join(tmpdir(), 'modelwatch-ref-http-')) })
  ch = await openClickHouse(loadConfig({ CLICKHOUSE_URL: server.url, CLICKHOUSE_DATABASE: uniqueName('ref_http') }).clickhouse)
  await migrate(ch)
})
after(async () => {
  await ch?.close()
  await server?.stop()
})

const stagingTables = (): Promise<number> => count(ch, "SELECT count() AS n FROM system.tables WHERE database = currentDatabase() AND startsWith(name, 'reference_upload_')")

describe('uploadReference over HTTP', () => {
  it('stores CSV, Parquet and Arrow files sent from the client, and refuses bad ones, leaving no staging table', async () => {
    assert.equal(ch.mode, 'http')
    const model = await saveModel(ch, churnModel(uniqueName('m')))
    for (const [i, file] of ['churn.csv', 'churn.parquet', 'churn.arrow', 'churn-stream.ipc'].entries()) {
      const result = await uploadReference(ch, { model, version: `v${i}`, file: fixture(file) })
      assert.equal(result.rows, 5, file)
      assert.deepEqual(await storedRows(ch, result.referenceId), CHURN_ROWS, file)
    }
    await assert.rejects(uploadReference(ch, { model, version: 'x', file: fixture('wrong-type.csv') }), /column tenure_months \(numeric feature\): 1 value is not a number/)
    await assert.rejects(uploadReference(ch, { model, version: 'x', file: fixture('nan.parquet') }), /column monthly_spend \(numeric feature\): 1 value is NaN or Infinity/)
    await assert.rejects(uploadReference(ch, { model, version: 'x', file: fixture('missing-feature.csv') }), /no column for feature monthly_spend/)
    assert.equal(await stagingTables(), 0)
  })
})
