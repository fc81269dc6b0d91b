-- Who acts in the mechanism: organisations (whose codes REL TO markings
-- name), their users with roles, and the users' API tokens. A token's
-- secret is never stored, only its SHA-256.
CREATE TABLE organisations (
    code       TEXT    PRIMARY KEY,
    name       TEXT    NOT NULL,
    kind       TEXT    NOT NULL,
    commission INTEGER NOT NULL,
    created    INTEGER NOT NULL
);

CREATE TABLE users (
    name     TEXT    PRIMARY KEY,
    org      TEXT    NOT NULL REFERENCES organisations (code),
    roles    TEXT    NOT NULL,   -- comma-separated
    disabled INTEGER NOT NULL,
    created  INTEGER NOT NULL
);

CREATE TABLE tokens (
    id      TEXT    PRIMARY KEY,
    user_name TEXT  NOT NULL REFERENCES users (name),
    hash    BLOB    NOT NULL,
    scopes  TEXT    NOT NULL,    -- comma-separated actions
    created INTEGER NOT NULL,
    expires INTEGER NOT NULL,
    revoked INTEGER              -- NULL while valid
);
CREATE INDEX tokens_by_user ON tokens (user_name);
