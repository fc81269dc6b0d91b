-- Webhooks: subscriptions to the procedure records' notifications, the
-- deliveries owed to them (stored before the first attempt, so a restart
-- resumes them), and every attempt: the delivery log.
CREATE TABLE webhook_subscriptions (
    id          TEXT    PRIMARY KEY,
    url         TEXT    NOT NULL,
    secret      TEXT    NOT NULL,   -- signs deliveries; kept as given, never shown again
    org         TEXT    NOT NULL,   -- whose reader decides what it is sent
    roles       TEXT    NOT NULL,   -- comma-separated
    feed_cursor INTEGER NOT NULL,   -- last procedure sequence whose deliveries are queued
    created     INTEGER NOT NULL,   -- µs since the epoch
    created_by  TEXT    NOT NULL,
    deactivated INTEGER             -- µs; NULL while active
) STRICT;

CREATE TABLE webhook_deliveries (
    sequence     INTEGER PRIMARY KEY,
    id           TEXT    NOT NULL UNIQUE,
    subscription TEXT    NOT NULL REFERENCES webhook_subscriptions (id),
    event        TEXT    NOT NULL,
    record_key   TEXT    NOT NULL,
    record       INTEGER NOT NULL,   -- the record's procedure sequence
    body         BLOB    NOT NULL,
    state        TEXT    NOT NULL CHECK (state IN ('pending', 'delivered', 'failed')),
    attempts     INTEGER NOT NULL,
    next_attempt INTEGER NOT NULL,   -- µs
    created      INTEGER NOT NULL    -- µs
) STRICT;
CREATE INDEX webhook_deliveries_due ON webhook_deliveries (state, next_attempt);
CREATE INDEX webhook_deliveries_subscription ON webhook_deliveries (subscription, sequence);

CREATE TABLE webhook_attempts (
    delivery     TEXT    NOT NULL REFERENCES webhook_deliveries (id),
    attempt      INTEGER NOT NULL,
    subscription TEXT    NOT NULL,
    record_key   TEXT    NOT NULL,
    status       INTEGER NOT NULL,   -- 0: no answer
    error        TEXT    NOT NULL,
    at           INTEGER NOT NULL,   -- µs
    state        TEXT    NOT NULL,
    next_attempt INTEGER,            -- µs; NULL when none follows
    PRIMARY KEY (delivery, attempt)
) STRICT, WITHOUT ROWID;

CREATE TRIGGER webhook_attempts_no_update BEFORE UPDATE ON webhook_attempts
BEGIN SELECT RAISE(ABORT, 'the delivery log is append-only'); END;
CREATE TRIGGER webhook_attempts_no_delete BEFORE DELETE ON webhook_attempts
BEGIN SELECT RAISE(ABORT, 'the delivery log is append-only'); END;
