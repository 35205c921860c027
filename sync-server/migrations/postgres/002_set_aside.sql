-- Changes the relay refused (see the SQLite migration 003 for the meaning of each column).
CREATE TABLE set_aside (
    hash        BYTEA PRIMARY KEY,
    doc_id      TEXT NOT NULL,
    kind        TEXT NOT NULL,
    scope       TEXT NOT NULL,
    bytes       BYTEA NOT NULL,
    device_id   TEXT NOT NULL,
    member_id   TEXT NOT NULL,
    code        TEXT NOT NULL,
    reason      TEXT NOT NULL,
    received_ms BIGINT NOT NULL,
    decision    TEXT,
    decided_by  TEXT,
    decided_ms  BIGINT
);
CREATE INDEX set_aside_waiting ON set_aside (decision, received_ms);
