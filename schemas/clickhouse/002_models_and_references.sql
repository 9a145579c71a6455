-- Monitored models, their versions, and reference data. Idempotent statements only (see 001).

-- One row per model definition; a later definition of the same name replaces the earlier one.
CREATE TABLE IF NOT EXISTS models
(
    name String,
    task LowCardinality(String) COMMENT 'binary_classification, multiclass_classification or regression',
    positive_class Nullable(String),
    features String COMMENT 'JSON array of {name, kind}; kind numeric or categorical',
    default_window_seconds UInt32,
    final_coverage Float64 COMMENT 'a window is final once this share of its predictions is labelled',
    final_max_delay_seconds UInt32 COMMENT 'or once this long has passed since the window ended',
    drift_options String COMMENT 'JSON: drift thresholds and method overrides, default and per feature',
    updated_at DateTime64(3, 'UTC') DEFAULT now64(3)
)
ENGINE = ReplacingMergeTree(updated_at)
ORDER BY name;

-- Reference data sets: uploaded files or past production windows, identified by content hash.
CREATE TABLE IF NOT EXISTS reference_sets
(
    reference_id String COMMENT 'sha256 of the content (uploads) or of the definition (windows), 16 hex digits',
    model String,
    kind LowCardinality(String) COMMENT 'upload, window or rolling',
    source String COMMENT 'file name, or the window definition as JSON',
    row_count UInt64,
    created_at DateTime64(3, 'UTC') DEFAULT now64(3)
)
ENGINE = ReplacingMergeTree
ORDER BY (model, reference_id);

-- The rows of uploaded and fixed-window references, in the shape of labelled predictions.
CREATE TABLE IF NOT EXISTS reference_rows
(
    reference_id String,
    numeric_features Map(LowCardinality(String), Nullable(Float64)),
    categorical_features Map(LowCardinality(String), Nullable(String)),
    score Nullable(Float64),
    probabilities Map(LowCardinality(String), Float64),
    predicted_class Nullable(String),
    value Nullable(Float64),
    label_class Nullable(String),
    label_value Nullable(Float64)
)
ENGINE = MergeTree
ORDER BY reference_id;

-- Which reference a model version is compared against. Append-only: the latest assignment wins and the
-- history stays, so a reference is never replaced silently.
CREATE TABLE IF NOT EXISTS model_versions
(
    model String,
    version String,
    reference_id String,
    assigned_at DateTime64(3, 'UTC') DEFAULT now64(3),
    note String
)
ENGINE = MergeTree
ORDER BY (model, version, assigned_at);
