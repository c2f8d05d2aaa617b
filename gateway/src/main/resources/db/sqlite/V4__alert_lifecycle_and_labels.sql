-- Issue 6: alerts with a lifecycle (open -> acknowledged -> resolved) raised by rules' alert actions,
-- deduplicated by key; operator labels on devices. Times: epoch milliseconds.

-- dedup_key: the rule's deduplication identity (rule/device/metric); NULL for alerts raised without one.
-- count: firings the alert stands for; last_seen: the latest of them.
ALTER TABLE alerts ADD COLUMN dedup_key TEXT;
ALTER TABLE alerts ADD COLUMN count BIGINT NOT NULL DEFAULT 1;
ALTER TABLE alerts ADD COLUMN last_seen BIGINT;
ALTER TABLE alerts ADD COLUMN acknowledged_at BIGINT;
ALTER TABLE alerts ADD COLUMN acknowledged_by TEXT;
ALTER TABLE alerts ADD COLUMN resolved_at BIGINT;
ALTER TABLE alerts ADD COLUMN resolved_by TEXT;
ALTER TABLE alerts ADD COLUMN note TEXT;
UPDATE alerts SET last_seen = created_at;
-- 'closed' became 'resolved'; when it was closed was never recorded, so resolved_at stays NULL.
UPDATE alerts SET state = 'resolved' WHERE state = 'closed';
-- At most one unresolved alert per key: a repeat firing bumps it instead of adding a row.
CREATE UNIQUE INDEX alerts_dedup_unresolved ON alerts (dedup_key) WHERE dedup_key IS NOT NULL AND state <> 'resolved';

-- Device labels (name=value) an operator gives a device, for scoping rules; replaced as a whole.
CREATE TABLE device_labels (
    device_id  TEXT   NOT NULL,
    name       TEXT   NOT NULL,
    value      TEXT   NOT NULL,
    updated_at BIGINT NOT NULL,
    PRIMARY KEY (device_id, name)
);
