-- What people do to alerts and channels through the API and `modelwatch apply` (services/alerting).
-- Idempotent statements only (see 001): columns are added IF NOT EXISTS, with defaults, so rows written
-- before this migration read as "never acknowledged", "nobody" and "written by the API".

-- An acknowledgement: who took the alert on, when, and why. It stops repeat notifications of the current
-- firing; a new firing (a later started_at) starts unacknowledged.
ALTER TABLE alerts ADD COLUMN IF NOT EXISTS acknowledged_at Nullable(DateTime64(3, 'UTC')) AFTER last_notified_at;
ALTER TABLE alerts ADD COLUMN IF NOT EXISTS acknowledged_by String DEFAULT '' AFTER acknowledged_at;
ALTER TABLE alerts ADD COLUMN IF NOT EXISTS ack_comment String DEFAULT '' AFTER acknowledged_by;

-- Who caused an event (the API token's name for acknowledged and manual resolved events; '' for the engine)
-- and the comment they gave.
ALTER TABLE alert_events ADD COLUMN IF NOT EXISTS actor String DEFAULT '' AFTER notification_ids;
ALTER TABLE alert_events ADD COLUMN IF NOT EXISTS comment String DEFAULT '' AFTER actor;

-- Who wrote a channel's latest definition: api or apply; `apply --prune` removes only what apply wrote.
ALTER TABLE notification_channels ADD COLUMN IF NOT EXISTS origin LowCardinality(String) DEFAULT 'api' AFTER spec;
