-- Champion/challenger comparisons written after monitor passes (services/compare/comparison-runs.ts). Idempotent
-- statements only (see 001).
--
-- One row per metric and evaluation: each evaluation covers the period since the challenger's stage began up to
-- the end of the model's latest closed window, so a version pair has one row per metric per closed window. The
-- sequential test's state is on the key metric's row (services/compare: accuracy for classifiers, mae for
-- regression). The one comment in single quotes with escapes: ClickHouse reads double quotes as an identifier.
-- Queried by the comparison monitors (services/alerting/comparison-series.ts) and the dashboards.
CREATE TABLE IF NOT EXISTS comparison_results
(
    model LowCardinality(String),
    champion LowCardinality(String) COMMENT 'version a: the production version',
    challenger LowCardinality(String) COMMENT 'version b: the shadow or challenger version',
    segment LowCardinality(String),
    paired UInt8 COMMENT '1 when compared on shadow pairs (same event_id), 0 for split traffic',
    metric LowCardinality(String) COMMENT 'accuracy, precision, recall, roc_auc, log_loss, mae, rmse, ...',
    period_start DateTime64(3, 'UTC') COMMENT 'start of the compared period (since the challenger started)',
    period_end DateTime64(3, 'UTC') COMMENT 'end of the compared period (the window end this evaluation covers)',
    n_champion UInt64,
    n_challenger UInt64,
    value_champion Nullable(Float64),
    value_champion_low Nullable(Float64),
    value_champion_high Nullable(Float64),
    value_challenger Nullable(Float64),
    value_challenger_low Nullable(Float64),
    value_challenger_high Nullable(Float64),
    difference Nullable(Float64) COMMENT 'challenger − champion',
    difference_low Nullable(Float64),
    difference_high Nullable(Float64),
    p_value Nullable(Float64),
    p_value_adjusted Nullable(Float64) COMMENT 'Benjamini–Hochberg across the metrics of this evaluation',
    verdict LowCardinality(String) COMMENT 'better, worse, no_significant_difference, not_enough_data',
    sequential_p_value Nullable(Float64) COMMENT 'always-valid p-value of the sequential test (key metric only; NULL for others)',
    sequential_low Nullable(Float64) COMMENT 'confidence sequence for the difference, lower bound',
    sequential_high Nullable(Float64),
    sequential_alpha Nullable(Float64),
    sequential_concluded LowCardinality(String) COMMENT '\'\', \'better\' or \'worse\' once the sequential test concludes',
    samples_needed Nullable(Float64) COMMENT 'per version, for the minimum detectable effect',
    computed_at DateTime64(3, 'UTC')
)
ENGINE = ReplacingMergeTree(computed_at)
PARTITION BY toYYYYMM(period_end)
ORDER BY (model, champion, challenger, segment, metric, period_end);
