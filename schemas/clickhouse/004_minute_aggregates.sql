-- Per-minute counts that drift statistics over bins read as a cheap merge (services/monitor/aggregates/).
-- Idempotent statements only (see 001).
--
-- Exactness: materialized views see every insert into `predictions`. A retried batch (same
-- insert_deduplication_token) is dropped before the views run, but a redelivery cut into different batches is
-- counted twice here while `predictions FINAL` sees it once. The monitor therefore compares these counts with
-- the exact counts of its raw-row query for the same window and uses the raw bins when they differ
-- (docs/statistics.md, "Which path computes what").

-- One row per (model, version, minute, column, bucket); SummingMergeTree adds n up, so sum(n) over any set of
-- minutes is exact with or without merges.
--   column __events__, bucket ''            every prediction (the denominator of missing shares)
--   a categorical feature, bucket category  non-missing values per category (reference_id '')
--   a numeric feature, bucket below/0…9/above  non-missing values binned against reference_id's edges: 0…9 = the
--                                           number of decile edges < v, below/above = outside the reference's
--                                           [min, max] (they belong to bins 0 and 9 respectively)
CREATE TABLE IF NOT EXISTS minute_counts
(
    model LowCardinality(String),
    model_version LowCardinality(String),
    minute DateTime('UTC'),
    column LowCardinality(String),
    reference_id String COMMENT 'numeric bins: the reference whose edges binned them; empty otherwise',
    bucket String,
    n UInt64
)
ENGINE = SummingMergeTree
PARTITION BY toYYYYMM(minute)
ORDER BY (model, model_version, minute, column, reference_id, bucket)
SETTINGS non_replicated_deduplication_window = 10000;

-- The edges numeric values of a model version are binned against: the reference's 9 deciles (numpy's linear
-- quantiles, as services/monitor/drift/numeric.ts computes them) and its min and max. Written when the monitor
-- first meets a version's reference; the latest row per column wins.
CREATE TABLE IF NOT EXISTS reference_edges
(
    model String,
    version String,
    column String,
    reference_id String,
    edges Array(Float64),
    lo Float64,
    hi Float64,
    written_at DateTime64(3, 'UTC') DEFAULT now64(3)
)
ENGINE = ReplacingMergeTree(written_at)
ORDER BY (model, version, column);

-- The reference side of the same counts, per reference: numeric buckets as above, categorical per category,
-- and __rows__ (bucket '') the reference's row count.
CREATE TABLE IF NOT EXISTS reference_counts
(
    reference_id String,
    column String,
    bucket String,
    n UInt64
)
ENGINE = ReplacingMergeTree
ORDER BY (reference_id, column, bucket);

CREATE MATERIALIZED VIEW IF NOT EXISTS minute_events_mv TO minute_counts AS
SELECT model, model_version, toStartOfMinute(timestamp) AS minute, '__events__' AS column, '' AS reference_id, '' AS bucket, count() AS n
FROM predictions
GROUP BY model, model_version, minute;

CREATE MATERIALIZED VIEW IF NOT EXISTS minute_categories_mv TO minute_counts AS
SELECT model, model_version, toStartOfMinute(timestamp) AS minute, kv.1 AS column, '' AS reference_id, assumeNotNull(kv.2) AS bucket, count() AS n
FROM predictions
ARRAY JOIN categorical_features AS kv
WHERE kv.2 IS NOT NULL
GROUP BY model, model_version, minute, column, bucket;

CREATE MATERIALIZED VIEW IF NOT EXISTS minute_numeric_bins_mv TO minute_counts AS
SELECT
    p.model AS model, p.model_version AS model_version, toStartOfMinute(p.timestamp) AS minute, p.column AS column, e.reference_id AS reference_id,
    multiIf(p.value < e.lo, 'below', p.value > e.hi, 'above', toString(arrayCount(x -> x < p.value, e.edges))) AS bucket,
    count() AS n
FROM
(
    SELECT model, model_version, timestamp, kv.1 AS column, assumeNotNull(kv.2) AS value
    FROM predictions
    ARRAY JOIN numeric_features AS kv
    WHERE kv.2 IS NOT NULL AND isFinite(assumeNotNull(kv.2))
) AS p
INNER JOIN (SELECT model, version, column, reference_id, edges, lo, hi FROM reference_edges FINAL) AS e
    ON e.model = p.model AND e.version = p.model_version AND e.column = p.column
GROUP BY model, model_version, minute, column, reference_id, bucket;
