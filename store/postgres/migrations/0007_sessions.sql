-- Browser logins: a user's argon2id password hash, and sessions keyed by
-- the SHA-256 of their cookie (the cookie itself is never stored).
ALTER TABLE users ADD COLUMN password text NOT NULL DEFAULT '';

CREATE TABLE sessions (
    hash      bytea       PRIMARY KEY,
    user_name text        NOT NULL REFERENCES users (name),
    created   timestamptz NOT NULL,
    expires   timestamptz NOT NULL,
    revoked   timestamptz
);
