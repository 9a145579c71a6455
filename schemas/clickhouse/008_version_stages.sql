-- Lifecycle stages of model versions. Idempotent statements only (see 001).
--
-- Append-only: every stage change is a row saying who made it (the API token's name, or cli:<user>), when and
-- why; the latest row per (model, version) is the version's current stage, and the history is never rewritten.
CREATE TABLE IF NOT EXISTS version_stages
(
    model String,
    version String,
    stage LowCardinality(String) COMMENT 'shadow, challenger (canary), production or archived',
    changed_by String COMMENT 'API token name, or cli:<user name>',
    reason String,
    changed_at DateTime64(3, 'UTC') DEFAULT now64(3)
)
ENGINE = MergeTree
ORDER BY (model, version, changed_at);
