-- Browser logins: a user's argon2id password hash, and sessions keyed by
-- the SHA-256 of their cookie (the cookie itself is never stored).
ALTER TABLE users ADD COLUMN password TEXT NOT NULL DEFAULT '';

CREATE TABLE sessions (
    hash      BLOB    PRIMARY KEY,
    user_name TEXT    NOT NULL REFERENCES users (name),
    created   INTEGER NOT NULL,
    expires   INTEGER NOT NULL,
    revoked   INTEGER
);
