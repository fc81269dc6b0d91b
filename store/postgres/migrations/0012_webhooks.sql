-- Webhooks: subscriptions to the procedure records' notifications, the
-- deliveries owed to them (stored before the first attempt, so a restart
-- resumes them), and every attempt: the delivery log.
CREATE TABLE webhook_subscriptions (
    id          text        PRIMARY KEY,
    url         text        NOT NULL,
    secret      text        NOT NULL,   -- signs deliveries; kept as given, never shown again
    org         text        NOT NULL,   -- whose reader decides what it is sent
    roles       text[]      NOT NULL,
    feed_cursor bigint      NOT NULL,   -- last procedure sequence whose deliveries are queued
    created     timestamptz NOT NULL,
    created_by  text        NOT NULL,
    deactivated timestamptz             -- NULL while active
);

CREATE TABLE webhook_deliveries (
    sequence     bigint      GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    id           text        NOT NULL UNIQUE,
    subscription text        NOT NULL REFERENCES webhook_subscriptions (id),
    event        text        NOT NULL,
    record_key   text        NOT NULL,
    record       bigint      NOT NULL,   -- the record's procedure sequence
    body         bytea       NOT NULL,
    state        text        NOT NULL CHECK (state IN ('pending', 'delivered', 'failed')),
    attempts     integer     NOT NULL,
    next_attempt timestamptz NOT NULL,
    created      timestamptz NOT NULL
);
CREATE INDEX webhook_deliveries_due ON webhook_deliveries (state, next_attempt);
CREATE INDEX webhook_deliveries_subscription ON webhook_deliveries (subscription, sequence);

CREATE TABLE webhook_attempts (
    delivery     text        NOT NULL REFERENCES webhook_deliveries (id),
    attempt      integer     NOT NULL,
    subscription text        NOT NULL,
    record_key   text        NOT NULL,
    status       integer     NOT NULL,   -- 0: no answer
    error        text        NOT NULL,
    at           timestamptz NOT NULL,
    state        text        NOT NULL,
    next_attempt timestamptz,            -- NULL when none follows
    PRIMARY KEY (delivery, attempt)
);

CREATE TRIGGER webhook_attempts_append_only BEFORE UPDATE OR DELETE ON webhook_attempts
    FOR EACH ROW EXECUTE FUNCTION refuse_change();
CREATE TRIGGER webhook_attempts_no_truncate BEFORE TRUNCATE ON webhook_attempts
    FOR EACH STATEMENT EXECUTE FUNCTION refuse_change();
