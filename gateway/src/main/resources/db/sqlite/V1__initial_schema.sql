-- Devices: one row per device ever heard from; the latest status replaces the status columns.
CREATE TABLE devices (
    id          TEXT    NOT NULL PRIMARY KEY,
    first_seen  BIGINT  NOT NULL,
    last_seen   BIGINT  NOT NULL,
    transport   TEXT    NOT NULL,
    messages    BIGINT  NOT NULL DEFAULT 0,
    readings    BIGINT  NOT NULL DEFAULT 0,
    state       TEXT,
    boot_id     BIGINT,
    uptime_ms   BIGINT,
    heap_bytes  BIGINT,
    samples     BIGINT,
    counters    TEXT,
    status_time BIGINT
);

-- Sequenced uplink messages: the primary key makes the store exactly-once per (device, boot, seq).
CREATE TABLE messages (
    device_id   TEXT    NOT NULL,
    boot_id     BIGINT  NOT NULL,
    seq         BIGINT  NOT NULL,
    kind        TEXT    NOT NULL,
    received_at BIGINT  NOT NULL,
    transport   TEXT    NOT NULL,
    PRIMARY KEY (device_id, boot_id, seq)
);

-- Per boot of a device: highest seq and count received; highest - count = messages missing.
CREATE TABLE boots (
    device_id  TEXT   NOT NULL,
    boot_id    BIGINT NOT NULL,
    max_seq    BIGINT NOT NULL,
    received   BIGINT NOT NULL,
    first_seen BIGINT NOT NULL,
    last_seen  BIGINT NOT NULL,
    PRIMARY KEY (device_id, boot_id)
);

-- Readings: one row per SenML record; exactly one of the value columns, or only sum_value, is set.
-- boot_id/seq are NULL for third-party packs that carry no sequence. ts: epoch milliseconds.
CREATE TABLE readings (
    id         INTEGER PRIMARY KEY,
    device_id  TEXT    NOT NULL,
    boot_id    BIGINT,
    seq        BIGINT,
    idx        INTEGER NOT NULL,
    name       TEXT    NOT NULL,
    unit       TEXT    NOT NULL,
    num_value  DOUBLE PRECISION,
    bool_value SMALLINT,
    str_value  TEXT,
    data_value BLOB,
    sum_value  DOUBLE PRECISION,
    ts         BIGINT  NOT NULL
);
CREATE INDEX readings_device_name_ts ON readings (device_id, name, ts);
CREATE INDEX readings_name_ts ON readings (name, ts);
CREATE INDEX readings_device_ts ON readings (device_id, ts);

CREATE TABLE events (
    id          INTEGER PRIMARY KEY,
    device_id   TEXT   NOT NULL,
    boot_id     BIGINT NOT NULL,
    seq         BIGINT NOT NULL,
    ts          BIGINT NOT NULL,
    type        TEXT   NOT NULL,
    severity    TEXT   NOT NULL,
    name        TEXT   NOT NULL,
    message     TEXT   NOT NULL,
    attributes  TEXT   NOT NULL,
    received_at BIGINT NOT NULL
);
CREATE INDEX events_device_ts ON events (device_id, ts);

CREATE TABLE alerts (
    id         INTEGER PRIMARY KEY,
    device_id  TEXT             NOT NULL,
    rule       TEXT             NOT NULL,
    metric     TEXT             NOT NULL,
    value      DOUBLE PRECISION NOT NULL,
    threshold  DOUBLE PRECISION NOT NULL,
    severity   TEXT             NOT NULL,
    message    TEXT             NOT NULL,
    reading_ts BIGINT           NOT NULL,
    created_at BIGINT           NOT NULL,
    state      TEXT             NOT NULL DEFAULT 'open'
);
CREATE INDEX alerts_device_created ON alerts (device_id, created_at);
CREATE INDEX alerts_state_created ON alerts (state, created_at);

CREATE TABLE commands (
    id             TEXT   NOT NULL PRIMARY KEY,
    device_id      TEXT   NOT NULL,
    name           TEXT   NOT NULL,
    args           TEXT   NOT NULL,
    issued_at      BIGINT NOT NULL,
    state          TEXT   NOT NULL,
    created_at     BIGINT NOT NULL,
    updated_at     BIGINT NOT NULL,
    result_message TEXT
);
CREATE INDEX commands_device_created ON commands (device_id, created_at);
CREATE INDEX commands_state ON commands (state);
