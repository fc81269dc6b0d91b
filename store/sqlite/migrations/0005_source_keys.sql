-- Signed reports: a source may require that every report carry an Ed25519
-- signature by one of its registered keys.
ALTER TABLE sources ADD COLUMN require_signature INTEGER NOT NULL DEFAULT 0;

CREATE TABLE source_keys (
    source     TEXT    NOT NULL REFERENCES sources (id),
    key_id     TEXT    NOT NULL,
    public_key BLOB    NOT NULL,   -- 32 bytes, Ed25519
    added      INTEGER NOT NULL,
    PRIMARY KEY (source, key_id)
);
