-- Model delivery (docs/federated.md#model-delivery): the versions the gateway published (their files
-- live in {dataDir}/models/{name}/{version}/), which version of each model is rolled out, and what
-- each device reported for each offer.
CREATE TABLE model_versions (
    name        TEXT    NOT NULL,
    version     BIGINT  NOT NULL,
    variant     TEXT    NOT NULL,
    sha256      TEXT    NOT NULL,
    bytes       BIGINT  NOT NULL,
    created_at  BIGINT  NOT NULL,
    source      TEXT    NOT NULL,
    PRIMARY KEY (name, version)
);
CREATE TABLE model_rollouts (
    name        TEXT    NOT NULL PRIMARY KEY,
    version     BIGINT  NOT NULL,
    updated_at  BIGINT  NOT NULL,
    updated_by  TEXT    NOT NULL
);
CREATE TABLE model_deployments (
    device_id   TEXT    NOT NULL,
    name        TEXT    NOT NULL,
    version     BIGINT  NOT NULL,
    state       TEXT    NOT NULL,
    reason      TEXT,
    message     TEXT,
    running     BIGINT,
    command_id  TEXT,
    updated_at  BIGINT  NOT NULL,
    PRIMARY KEY (device_id, name, version)
);
CREATE INDEX model_deployments_by_model ON model_deployments (name, version);
