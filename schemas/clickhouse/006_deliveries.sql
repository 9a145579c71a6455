-- Notification channels and the delivery outbox (services/alerting). Idempotent statements only (see 001).

-- One row per save or delete of a channel; the latest row per name wins, and a delete is a tombstone
-- (is_deleted = 1) that FINAL hides. The spec holds no secret: it names the environment variables that do.
CREATE TABLE IF NOT EXISTS notification_channels
(
    name String,
    type LowCardinality(String) COMMENT 'slack, email or webhook',
    spec String COMMENT 'the channel spec as JSON (services/alerting/channel-spec.ts)',
    is_deleted UInt8 DEFAULT 0,
    updated_at DateTime64(3, 'UTC') DEFAULT now64(3)
)
ENGINE = ReplacingMergeTree(updated_at, is_deleted)
ORDER BY name;

-- The outbox and the delivery log in one append-only table: a notification is written here (status pending,
-- seq 0) before anything is sent, and every attempt appends its outcome with the next seq. A delivery's state
-- is its row with the highest seq; a second enqueue of the same notification id (a race) adds another seq-0
-- row, which never outranks a later state, so one notification is one delivery. Every row carries the payload
-- (compression makes the repeats cheap) so the latest row alone is the whole delivery. Rows expire 90 days
-- after the notification was created, all rows of a delivery together.
CREATE TABLE IF NOT EXISTS deliveries
(
    id String COMMENT 'the notification id, also the receiver''s Idempotency-Key',
    seq UInt32 COMMENT '0 when enqueued, then 1, 2, ... per attempt',
    channel String,
    channel_type LowCardinality(String) COMMENT 'slack, email or webhook ('''' when the channel was unknown at enqueue)',
    group_key String,
    notification_status LowCardinality(String) COMMENT 'firing or resolved',
    status LowCardinality(String) COMMENT 'pending, retrying, delivered or dead',
    attempts UInt32 COMMENT 'attempts made so far',
    next_attempt_at DateTime64(3, 'UTC') COMMENT 'when a pending or retrying delivery is due',
    last_error String COMMENT 'why the last attempt failed; never a secret or a Slack URL',
    response_status Nullable(UInt16) COMMENT 'HTTP status (or SMTP reply code) of the last attempt',
    payload String COMMENT 'the Notification as JSON' CODEC(ZSTD(3)),
    created_at DateTime64(3, 'UTC') COMMENT 'when the notification was enqueued',
    updated_at DateTime64(3, 'UTC')
)
ENGINE = MergeTree
PARTITION BY toYYYYMM(created_at)
ORDER BY (id, seq, updated_at)
TTL toDateTime(created_at) + INTERVAL 90 DAY;
