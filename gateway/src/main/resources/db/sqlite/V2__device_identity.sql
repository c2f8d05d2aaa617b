-- Device identity (issue 3): enrolled keys and device tokens, one-time enrollment tokens, API tokens.
-- Every token is 32 random bytes; only its SHA-256 is stored (a plain hash is right for high-entropy
-- secrets: there is nothing to brute-force). Times: epoch milliseconds.

-- One row per device the registry knows: enrolled (key and token set) or only disabled by an admin.
-- state: 'enabled' or 'disabled'. kid: hex of the first 16 bytes of SHA-256 over public_key (SPKI DER).
-- psk: the device's DTLS pre-shared key (HMAC-SHA256 of the token, see DevicePsk): a DTLS PSK server
-- must know the key itself, so this column is secret: keep the data directory private.
CREATE TABLE device_credentials (
    device_id   TEXT   NOT NULL PRIMARY KEY,
    kid         TEXT   UNIQUE,
    public_key  BLOB,
    token_hash  BLOB,
    psk         BLOB,
    state       TEXT   NOT NULL DEFAULT 'enabled',
    created_at  BIGINT NOT NULL,
    enrolled_at BIGINT,
    rekeyed_at  BIGINT,
    updated_at  BIGINT NOT NULL
);

-- One-time enrollment tokens; device_id restricts a token to one device (re-key tokens always do).
CREATE TABLE enrollment_tokens (
    token_hash BLOB   NOT NULL PRIMARY KEY,
    created_at BIGINT NOT NULL,
    expires_at BIGINT NOT NULL,
    used_at    BIGINT,
    created_by TEXT   NOT NULL,
    device_id  TEXT,
    purpose    TEXT   NOT NULL DEFAULT 'enroll'
);
CREATE INDEX enrollment_tokens_device ON enrollment_tokens (device_id);

-- Web API bearer tokens. role: viewer, operator or admin.
CREATE TABLE api_tokens (
    id         INTEGER PRIMARY KEY,
    token_hash BLOB   NOT NULL UNIQUE,
    name       TEXT   NOT NULL,
    role       TEXT   NOT NULL,
    created_at BIGINT NOT NULL,
    last_used  BIGINT,
    revoked_at BIGINT
);
