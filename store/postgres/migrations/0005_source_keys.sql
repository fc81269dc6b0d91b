-- Signed reports: a source may require that every report carry an Ed25519
-- signature by one of its registered keys.
ALTER TABLE sources ADD COLUMN require_signature boolean NOT NULL DEFAULT false;

CREATE TABLE source_keys (
    source     text        NOT NULL REFERENCES sources (id),
    key_id     text        NOT NULL,
    public_key bytea       NOT NULL,   -- 32 bytes, Ed25519
    added      timestamptz NOT NULL,
    PRIMARY KEY (source, key_id)
);
