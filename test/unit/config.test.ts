import assert from 'node:assert/strict'
import { describe, it } from 'node:test'
import { loadConfig } from '../../services/core/config.js'
import { ConfigError } from '../../services/core/errors.js'

describe('loadConfig', () => {
  it('uses the documented defaults for an empty environment: embedded engine, default topics', () => {
    const config = loadConfig({})
    assert.equal(config.kafka, undefined)
    assert.equal(config.clickhouse.url, undefined)
    assert.equal(config.clickhouse.dataDir, './data')
    assert.deepEqual(config.topics, { predictions: 'modelwatch.predictions', groundTruth: 'modelwatch.ground-truth', deadLetter: 'modelwatch.dlq' })
    assert.equal(config.ingest.consumerGroup, 'modelwatch-ingest')
  })

  it('splits KAFKA_BROKERS on commas and trims', () => {
    assert.deepEqual(loadConfig({ KAFKA_BROKERS: ' a:1, b:2 ,' }).kafka?.brokers, ['a:1', 'b:2'])
  })

  it('names every bad variable in one error', () => {
    assert.throws(
      () => loadConfig({ MODELWATCH_BATCH_SIZE: 'lots', CLICKHOUSE_URL: 'ftp://x', MODELWATCH_TOPIC_DLQ: 'bad topic' }),
      (error: unknown) =>
        error instanceof ConfigError &&
        /MODELWATCH_BATCH_SIZE/.test(error.message) &&
        /CLICKHOUSE_URL must be an http\(s\) URL/.test(error.message) &&
        /MODELWATCH_TOPIC_DLQ must be a valid Kafka topic name/.test(error.message),
    )
  })

  it('never echoes a secret value in its error', () => {
    assert.throws(
      () => loadConfig({ KAFKA_SASL_MECHANISM: 'gssapi', KAFKA_SASL_PASSWORD: 'hunter2', CLICKHOUSE_URL: 'not a url' }),
      (error: unknown) => error instanceof ConfigError && !error.message.includes('hunter2') && /KAFKA_SASL_MECHANISM/.test(error.message),
    )
  })

  it('requires SASL credentials when a mechanism is set', () => {
    assert.throws(() => loadConfig({ KAFKA_BROKERS: 'a:1', KAFKA_SASL_MECHANISM: 'scram-sha-256' }), /KAFKA_SASL_USERNAME and KAFKA_SASL_PASSWORD are required/)
    const config = loadConfig({ KAFKA_BROKERS: 'a:1', KAFKA_SASL_MECHANISM: 'scram-sha-512', KAFKA_SASL_USERNAME: 'u', KAFKA_SASL_PASSWORD: 'p' })
    assert.deepEqual(config.kafka?.sasl, { mechanism: 'scram-sha-512', username: 'u', password: 'p' })
  })

  it('reads the webhook allow-list as networks, and refuses what is not one', () => {
    assert.deepEqual(loadConfig({ MODELWATCH_WEBHOOK_ALLOWED_NETWORKS: '10.20.0.0/16, 127.0.0.1,::1' }).delivery.allowedNetworks, ['10.20.0.0/16', '127.0.0.1', '::1'])
    assert.deepEqual(loadConfig({}).delivery.allowedNetworks, [])
    assert.throws(() => loadConfig({ MODELWATCH_WEBHOOK_ALLOWED_NETWORKS: '10.0.0.0/33' }), /MODELWATCH_WEBHOOK_ALLOWED_NETWORKS.*CIDR/)
    assert.throws(() => loadConfig({ MODELWATCH_WEBHOOK_ALLOWED_NETWORKS: 'intranet.example.com' }), /MODELWATCH_WEBHOOK_ALLOWED_NETWORKS/)
  })
})
