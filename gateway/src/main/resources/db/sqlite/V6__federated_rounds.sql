-- Federated learning (issue 7): the global model, its rounds and the updates of the open round, so a
-- gateway restart resumes where it stopped. Times are epoch milliseconds.
-- fl_model: one row: the model trained, its global version and flat weights (float32 little-endian),
-- the last round number started, the strategy spec and its server-side state (name -> float32 array).
CREATE TABLE fl_model (
    id             INTEGER PRIMARY KEY CHECK (id = 1),
    model          TEXT    NOT NULL,
    version        INTEGER NOT NULL,
    last_round     INTEGER NOT NULL,
    weights        BLOB    NOT NULL,
    strategy       TEXT    NOT NULL,
    strategy_state BLOB    NOT NULL,
    updated_at     BIGINT  NOT NULL
);
-- fl_rounds: one row per round. outcome: open, aggregated or abandoned. selected, contributors: JSON
-- arrays of device ids; rejected: JSON object device -> reason; metrics: JSON object; plan: the
-- training plan's JSON map. version: the global version after the round (NULL while open).
CREATE TABLE fl_rounds (
    round        INTEGER PRIMARY KEY,
    outcome      TEXT    NOT NULL,
    version_from INTEGER NOT NULL,
    version      INTEGER,
    selected     TEXT    NOT NULL,
    contributors TEXT    NOT NULL DEFAULT '[]',
    rejected     TEXT    NOT NULL DEFAULT '{}',
    examples     BIGINT  NOT NULL DEFAULT 0,
    metrics      TEXT    NOT NULL DEFAULT '{}',
    plan         TEXT    NOT NULL,
    reason       TEXT    NOT NULL DEFAULT '',
    started_at   BIGINT  NOT NULL,
    deadline     BIGINT  NOT NULL,
    closed_at    BIGINT
);
-- fl_updates: the accepted updates of the open round (deleted when it closes): the delta as float32
-- little-endian, the example count and the device's metrics (JSON).
CREATE TABLE fl_updates (
    round       INTEGER NOT NULL,
    device_id   TEXT    NOT NULL,
    examples    BIGINT  NOT NULL,
    metrics     TEXT    NOT NULL,
    delta       BLOB    NOT NULL,
    received_at BIGINT  NOT NULL,
    PRIMARY KEY (round, device_id)
);
