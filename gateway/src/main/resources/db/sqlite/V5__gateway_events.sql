-- Events the gateway raises itself (issue 6): stream insights, type 'insight'. Unlike device events
-- they carry no device sequence. name: what the event is about (an insight's metric); message: the
-- summary; body: a JSON object with the rest (confidence, suggested actions, statistics, trend,
-- forecast). ts: the event time it refers to; created_at: when the gateway made it (epoch ms).
CREATE TABLE gateway_events (
    id         INTEGER PRIMARY KEY,
    device_id  TEXT   NOT NULL,
    type       TEXT   NOT NULL,
    name       TEXT   NOT NULL,
    severity   TEXT   NOT NULL,
    message    TEXT   NOT NULL,
    body       TEXT   NOT NULL,
    ts         BIGINT NOT NULL,
    created_at BIGINT NOT NULL
);
CREATE INDEX gateway_events_type_device_name ON gateway_events (type, device_id, name, id);
