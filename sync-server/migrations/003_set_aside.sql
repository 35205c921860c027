-- Changes the relay refused: kept out of the log that devices pull, with the device and
-- member that pushed them, the refusal's code and reason, and when. The office admits one
-- (it is then appended to the log under the office's authority) or discards it; either
-- decision is recorded, and the change itself is kept.
CREATE TABLE set_aside (
    hash        BLOB PRIMARY KEY,
    doc_id      TEXT NOT NULL,
    kind        TEXT NOT NULL,
    scope       TEXT NOT NULL,
    bytes       BLOB NOT NULL,
    device_id   TEXT NOT NULL,
    member_id   TEXT NOT NULL,
    code        TEXT NOT NULL,
    reason      TEXT NOT NULL,
    received_ms INTEGER NOT NULL,
    decision    TEXT,              -- NULL (waiting), 'admitted' or 'discarded'
    decided_by  TEXT,
    decided_ms  INTEGER
) STRICT;
CREATE INDEX set_aside_waiting ON set_aside (decision, received_ms);
