-- Events as ingested. Every statement here must be idempotent (IF NOT EXISTS): two processes may migrate at once.
--
-- Exactly-once: Kafka delivers at least once, so a redelivered event may be inserted twice.
--  * A retried insert of the same batch carries the same insert_deduplication_token (topic/partition/offset
--    ranges) and is dropped by ClickHouse itself (non_replicated_deduplication_window below).
--  * A redelivery after a crash may cut batches differently; those duplicates share the sorting key and
--    ReplacingMergeTree collapses them. Queries that count read `FINAL` (or the views below), so they
--    see each event once even before the background merge has run.

CREATE TABLE IF NOT EXISTS predictions
(
    event_id String,
    model LowCardinality(String),
    model_version LowCardinality(String),
    timestamp DateTime64(3, 'UTC'),
    numeric_features Map(LowCardinality(String), Nullable(Float64)),
    categorical_features Map(LowCardinality(String), Nullable(String)),
    score Nullable(Float64),
    probabilities Map(LowCardinality(String), Float64),
    predicted_class Nullable(String),
    value Nullable(Float64),
    segments Map(LowCardinality(String), String),
    source LowCardinality(String) COMMENT 'kafka or http',
    kafka_partition Int32 COMMENT '-1 when not from Kafka',
    kafka_offset Int64 COMMENT '-1 when not from Kafka',
    ingested_at DateTime64(3, 'UTC') DEFAULT now64(3)
)
ENGINE = ReplacingMergeTree
PARTITION BY toYYYYMM(timestamp)
-- (model, model_version, event_id) identifies a prediction: a shadow version scoring the same request shares
-- the event_id but not the version. The hour bucket in the key lets window queries skip granules.
ORDER BY (model, model_version, toStartOfHour(timestamp), event_id)
SETTINGS non_replicated_deduplication_window = 10000;

-- Ground truth: one label per event_id. A later label for the same event_id replaces an earlier one
-- (ReplacingMergeTree keeps the row with the greatest timestamp). No partition key, so a correction that
-- arrives months later still collapses with the label it corrects.
CREATE TABLE IF NOT EXISTS ground_truth
(
    event_id String,
    model LowCardinality(String) COMMENT 'empty when the event did not name one',
    timestamp DateTime64(3, 'UTC'),
    label_class Nullable(String),
    label_value Nullable(Float64),
    source LowCardinality(String),
    kafka_partition Int32,
    kafka_offset Int64,
    ingested_at DateTime64(3, 'UTC') DEFAULT now64(3)
)
ENGINE = ReplacingMergeTree(timestamp)
ORDER BY event_id
SETTINGS non_replicated_deduplication_window = 10000;

-- Events set aside by ingest, one row per Kafka message (the dead-letter topic holds the original bytes).
CREATE TABLE IF NOT EXISTS dead_letters
(
    reason LowCardinality(String),
    detail String,
    topic LowCardinality(String),
    partition Int32,
    offset Int64,
    model LowCardinality(String) COMMENT 'when the payload named one, else empty',
    size_bytes UInt32,
    payload_preview String COMMENT 'first 512 bytes as UTF-8, for a first look',
    received_at DateTime64(3, 'UTC') DEFAULT now64(3)
)
ENGINE = ReplacingMergeTree
PARTITION BY toYYYYMM(received_at)
ORDER BY (topic, partition, offset)
SETTINGS non_replicated_deduplication_window = 10000;

-- Each prediction with its label, whichever arrived first. Exactly-once: predictions through FINAL,
-- labels collapsed to the latest per event_id by argMax (exact whether or not merges have run).
CREATE VIEW IF NOT EXISTS labelled_predictions AS
SELECT
    p.*,
    l.label_class AS label_class,
    l.label_value AS label_value,
    l.label_timestamp AS label_timestamp
FROM predictions AS p FINAL
LEFT JOIN
(
    SELECT
        event_id,
        argMax(label_class, timestamp) AS label_class,
        argMax(label_value, timestamp) AS label_value,
        toNullable(max(timestamp)) AS label_timestamp
    FROM ground_truth
    GROUP BY event_id
) AS l USING (event_id);
