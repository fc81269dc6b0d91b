-- Who acts in the mechanism: organisations (whose codes REL TO markings
-- name), their users with roles, and the users' API tokens. A token's
-- secret is never stored, only its SHA-256.
CREATE TABLE organisations (
    code       text        PRIMARY KEY,
    name       text        NOT NULL,
    kind       text        NOT NULL,
    commission boolean     NOT NULL,
    created    timestamptz NOT NULL
);

CREATE TABLE users (
    name     text        PRIMARY KEY,
    org      text        NOT NULL REFERENCES organisations (code),
    roles    text        NOT NULL,   -- comma-separated
    disabled boolean     NOT NULL,
    created  timestamptz NOT NULL
);

CREATE TABLE tokens (
    id        text        PRIMARY KEY,
    user_name text        NOT NULL REFERENCES users (name),
    hash      bytea       NOT NULL,
    scopes    text        NOT NULL,    -- comma-separated actions
    created   timestamptz NOT NULL,
    expires   timestamptz NOT NULL,
    revoked   timestamptz              -- NULL while valid
);
CREATE INDEX tokens_by_user ON tokens (user_name);
