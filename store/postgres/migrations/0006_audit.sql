-- Who did what, when: every authenticated request, every change, every
-- read of a COMMISSION or REL TO record. Append-only; committed to the
-- ledger like any record.
CREATE TABLE audit (
    sequence bigint      PRIMARY KEY,
    at       timestamptz NOT NULL,
    actor    text        NOT NULL,
    org      text        NOT NULL,
    token    text        NOT NULL,
    action   text        NOT NULL,
    target   text        NOT NULL,
    detail   text        NOT NULL
);
CREATE TRIGGER audit_append_only BEFORE UPDATE OR DELETE ON audit
    FOR EACH ROW EXECUTE FUNCTION refuse_change();
