-- Alerting (services/alerting): monitors (rules), the state of each alert, its append-only history, and
-- silences. Idempotent statements only (see 001). Timestamps are the evaluation clock's, so a replayed or
-- tested evaluation orders its rows by the time it evaluated, not by when the row was written.

-- One row per monitor definition; a later row of the same name replaces the earlier one (read with FINAL).
-- Deleting writes a tombstone (deleted = 1), so `apply --prune` and the API leave a trace, and default
-- monitors a user deleted are not created again.
CREATE TABLE IF NOT EXISTS monitors
(
    name String,
    model LowCardinality(String),
    spec String COMMENT 'the monitor as JSON, validated by services/alerting/monitor-spec.ts',
    origin LowCardinality(String) COMMENT 'apply, default or api: who wrote this version',
    deleted UInt8,
    updated_at DateTime64(3, 'UTC')
)
ENGINE = ReplacingMergeTree(updated_at)
ORDER BY name;

-- The current state of every alert, one row per fingerprint (sha256 of monitor, model, version, segment,
-- column); each evaluation that changes it writes a new row with a later updated_at.
CREATE TABLE IF NOT EXISTS alerts
(
    fingerprint String,
    monitor String,
    model LowCardinality(String),
    model_version LowCardinality(String),
    segment LowCardinality(String),
    column LowCardinality(String),
    statistic LowCardinality(String),
    severity LowCardinality(String),
    status LowCardinality(String) COMMENT 'inactive, pending, firing or resolved',
    breaches UInt32 COMMENT 'consecutive breaching windows so far',
    last_breached UInt8 COMMENT 'whether the window last evaluated breached',
    value Nullable(Float64),
    baseline Nullable(Float64),
    threshold Float64,
    condition String,
    window_start DateTime64(3, 'UTC'),
    window_end DateTime64(3, 'UTC'),
    window_seconds UInt32,
    is_final UInt8,
    reference_id String,
    n_current Nullable(Float64),
    n_reference Nullable(Float64),
    started_at Nullable(DateTime64(3, 'UTC')) COMMENT 'when the current (or last) firing began',
    resolved_at Nullable(DateTime64(3, 'UTC')),
    last_notified_at Nullable(DateTime64(3, 'UTC')),
    updated_at DateTime64(3, 'UTC')
)
ENGINE = ReplacingMergeTree(updated_at)
ORDER BY fingerprint;

-- Every transition and notification decision, never rewritten.
CREATE TABLE IF NOT EXISTS alert_events
(
    fingerprint String,
    monitor String,
    model LowCardinality(String),
    model_version LowCardinality(String),
    segment LowCardinality(String),
    column LowCardinality(String),
    event LowCardinality(String) COMMENT 'pending, firing, repeat, resolved or inactive',
    status_from LowCardinality(String),
    status_to LowCardinality(String),
    value Nullable(Float64),
    window_start DateTime64(3, 'UTC'),
    muted_by String COMMENT 'empty, silence:<id> or inhibited:<fingerprint>',
    notification_ids Array(String),
    at DateTime64(3, 'UTC')
)
ENGINE = MergeTree
ORDER BY (fingerprint, at);

-- Silences: matchers over an alert's labels and a time range. Expiring one early writes a later row.
CREATE TABLE IF NOT EXISTS silences
(
    id String,
    matchers String COMMENT 'JSON array of {name, op, value}; op is =, != or =~',
    starts_at DateTime64(3, 'UTC'),
    ends_at DateTime64(3, 'UTC'),
    created_by String,
    comment String,
    updated_at DateTime64(3, 'UTC')
)
ENGINE = ReplacingMergeTree(updated_at)
ORDER BY id;
