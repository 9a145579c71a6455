-- What the monitor writes, per model × version × segment × window: performance metrics, drift and data
-- quality. Grafana, the API and alert rules read these tables; their columns are a stable interface
-- (documented in docs/monitor-tables.md). A window is recomputed as late labels arrive: each computation
-- writes new rows with a later computed_at, and ReplacingMergeTree keeps the latest (read with FINAL).
-- segment is '' for all traffic, or 'key=value' for one segment tag.

CREATE TABLE IF NOT EXISTS window_metrics
(
    model LowCardinality(String),
    model_version LowCardinality(String),
    segment LowCardinality(String),
    window_seconds UInt32,
    window_start DateTime64(3, 'UTC'),
    window_end DateTime64(3, 'UTC'),
    metric LowCardinality(String) COMMENT 'count, labelled, label_coverage, accuracy, roc_auc, mae, ... (docs/statistics.md)',
    value Nullable(Float64) COMMENT 'NULL when undefined for the window (e.g. AUC of a single-class window)',
    is_final UInt8 COMMENT '1 once coverage reached the model''s final_coverage or final_max_delay passed',
    computed_at DateTime64(3, 'UTC')
)
ENGINE = ReplacingMergeTree(computed_at)
PARTITION BY toYYYYMM(window_start)
ORDER BY (model, model_version, segment, window_seconds, metric, window_start);

CREATE TABLE IF NOT EXISTS drift_metrics
(
    model LowCardinality(String),
    model_version LowCardinality(String),
    segment LowCardinality(String),
    window_seconds UInt32,
    window_start DateTime64(3, 'UTC'),
    window_end DateTime64(3, 'UTC'),
    reference_id String,
    column LowCardinality(String) COMMENT 'a feature, __prediction__, __label__, or __dataset__ for the dataset-level verdict',
    kind LowCardinality(String) COMMENT 'numeric, categorical or dataset',
    n_reference UInt64,
    n_current UInt64,
    missing_share Nullable(Float64),
    psi Nullable(Float64),
    jensen_shannon Nullable(Float64),
    ks_statistic Nullable(Float64),
    ks_p_value Nullable(Float64),
    wasserstein Nullable(Float64),
    wasserstein_normed Nullable(Float64),
    chi2_statistic Nullable(Float64),
    chi2_p_value Nullable(Float64),
    new_category_share Nullable(Float64),
    drift_method LowCardinality(String),
    drift_score Nullable(Float64) COMMENT 'the value the decision used; for __dataset__ the drifted share of columns',
    drifted UInt8,
    computed_at DateTime64(3, 'UTC')
)
ENGINE = ReplacingMergeTree(computed_at)
PARTITION BY toYYYYMM(window_start)
ORDER BY (model, model_version, segment, window_seconds, column, window_start);

CREATE TABLE IF NOT EXISTS data_quality
(
    model LowCardinality(String),
    model_version LowCardinality(String),
    segment LowCardinality(String),
    window_seconds UInt32,
    window_start DateTime64(3, 'UTC'),
    window_end DateTime64(3, 'UTC'),
    column LowCardinality(String) COMMENT 'a feature, or __events__ for window-level figures',
    metric LowCardinality(String) COMMENT 'missing_share, out_of_range_share, new_category_share, events, expected_events, volume_ratio, rejected:<reason>',
    value Nullable(Float64),
    computed_at DateTime64(3, 'UTC')
)
ENGINE = ReplacingMergeTree(computed_at)
PARTITION BY toYYYYMM(window_start)
ORDER BY (model, model_version, segment, window_seconds, column, metric, window_start);

-- The monitor's own bookkeeping: when each model's windows were last computed, for catch-up after downtime
-- and for finding windows whose labels changed since.
CREATE TABLE IF NOT EXISTS monitor_state
(
    model String,
    window_seconds UInt32,
    last_pass_at DateTime64(3, 'UTC'),
    updated_at DateTime64(3, 'UTC') DEFAULT now64(3)
)
ENGINE = ReplacingMergeTree(updated_at)
ORDER BY (model, window_seconds);
