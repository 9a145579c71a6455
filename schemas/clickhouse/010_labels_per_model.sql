-- Ground truth keyed by (model, event_id) instead of event_id alone: two models that share an event id keep a
-- label each (the old key let ReplacingMergeTree collapse them into one). `model` is '' when the event named none.
-- Which label a prediction takes: services/core/events/prediction-labels.ts; the view at the end says the same.
--
-- A sorting key cannot be changed in place, so the rows move to a new table that then takes the name: copy,
-- EXCHANGE (atomic: readers and writers always find a `ground_truth`), then bring across what was written to the
-- old table during the copy. The migration runner applies this under its lock (one process at a time). A run that
-- stops at any statement leaves a state the next run completes, without losing or doubling a row:
--  * stopped before the exchange: `ground_truth_next` is a partial copy, dropped and made again.
--  * stopped after it: `ground_truth_next` is the old table, whose rows missing from `ground_truth` are brought
--    across first (the first INSERT below).
--  * stopped after the last statement but before the runner recorded it: the whole file runs again on the new
--    table, which copies it once more into a fresh table of the same layout.
-- "Missing" compares whole rows among those ingested from an hour before the newest row of `ground_truth` on:
-- rows written during the copy are at most seconds older than that (ingested_at is the server's insert time).

-- Reads `ground_truth_next` when it exists and is empty when it does not, so the recovery below is one statement
-- whatever state a previous run left.
CREATE TABLE IF NOT EXISTS ground_truth_next_if_any
(
    event_id String,
    model LowCardinality(String),
    timestamp DateTime64(3, 'UTC'),
    label_class Nullable(String),
    label_value Nullable(Float64),
    source LowCardinality(String),
    kafka_partition Int32,
    kafka_offset Int64,
    ingested_at DateTime64(3, 'UTC')
)
ENGINE = Merge(currentDatabase(), '^ground_truth_next$');

INSERT INTO ground_truth (event_id, model, timestamp, label_class, label_value, source, kafka_partition, kafka_offset, ingested_at)
SELECT event_id, model, timestamp, label_class, label_value, source, kafka_partition, kafka_offset, ingested_at
FROM ground_truth_next_if_any
WHERE ingested_at >= (SELECT max(ingested_at) - INTERVAL 1 HOUR FROM ground_truth)
  AND (event_id, model, timestamp, label_class, label_value, source, kafka_partition, kafka_offset, ingested_at) NOT IN (
      SELECT event_id, model, timestamp, label_class, label_value, source, kafka_partition, kafka_offset, ingested_at
      FROM ground_truth
      WHERE ingested_at >= (SELECT max(ingested_at) - INTERVAL 1 HOUR FROM ground_truth))
SETTINGS transform_null_in = 1;

DROP TABLE IF EXISTS ground_truth_next SYNC;

CREATE TABLE ground_truth_next
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
-- One label per (model, event_id); a later one for the same pair replaces an earlier one. No partition key,
-- so a correction that arrives months later still collapses with the label it corrects.
ORDER BY (model, event_id)
SETTINGS non_replicated_deduplication_window = 10000;

INSERT INTO ground_truth_next (event_id, model, timestamp, label_class, label_value, source, kafka_partition, kafka_offset, ingested_at)
SELECT event_id, model, timestamp, label_class, label_value, source, kafka_partition, kafka_offset, ingested_at
FROM ground_truth;

EXCHANGE TABLES ground_truth AND ground_truth_next;

-- What reached the old table while it was being copied: the same statement as the recovery above.
INSERT INTO ground_truth (event_id, model, timestamp, label_class, label_value, source, kafka_partition, kafka_offset, ingested_at)
SELECT event_id, model, timestamp, label_class, label_value, source, kafka_partition, kafka_offset, ingested_at
FROM ground_truth_next_if_any
WHERE ingested_at >= (SELECT max(ingested_at) - INTERVAL 1 HOUR FROM ground_truth)
  AND (event_id, model, timestamp, label_class, label_value, source, kafka_partition, kafka_offset, ingested_at) NOT IN (
      SELECT event_id, model, timestamp, label_class, label_value, source, kafka_partition, kafka_offset, ingested_at
      FROM ground_truth
      WHERE ingested_at >= (SELECT max(ingested_at) - INTERVAL 1 HOUR FROM ground_truth))
SETTINGS transform_null_in = 1;

DROP TABLE ground_truth_next SYNC;

DROP TABLE ground_truth_next_if_any SYNC;

-- Each prediction with its label, whichever arrived first: among the labels of its event that name its model
-- (`own`) or none (`anyone`), the latest; at equal times the one naming the model. Predictions through FINAL,
-- labels collapsed by argMax, so each event is seen once whether or not merges have run.
CREATE OR REPLACE VIEW labelled_predictions AS
SELECT * EXCEPT (label), label.1 AS label_class, label.2 AS label_value, label.3 AS label_timestamp
FROM
(
    SELECT
        p.*,
        if(coalesce(own_at, toDateTime64(0, 3, 'UTC')) >= coalesce(anyone_at, toDateTime64(0, 3, 'UTC')), own_label, anyone_label) AS label
    FROM predictions AS p FINAL
    LEFT JOIN
    (
        SELECT model AS own_model, event_id AS own_event_id, max(timestamp) AS own_at,
               argMax((label_class, label_value, toNullable(timestamp)), (timestamp, ingested_at)) AS own_label
        FROM ground_truth
        WHERE model != ''
        GROUP BY model, event_id
    ) AS own ON own_model = p.model AND own_event_id = p.event_id
    LEFT JOIN
    (
        SELECT event_id AS anyone_event_id, max(timestamp) AS anyone_at,
               argMax((label_class, label_value, toNullable(timestamp)), (timestamp, ingested_at)) AS anyone_label
        FROM ground_truth
        WHERE model = ''
        GROUP BY event_id
    ) AS anyone ON anyone_event_id = p.event_id
);
