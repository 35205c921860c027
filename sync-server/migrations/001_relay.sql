-- The relay's own database: the change log of every scope, which scope each document lives in,
-- enrolled devices and enrolment codes, and photo blobs.

-- One row per change. `seq` is assigned in commit order: SQLite has one writer at a time, and
-- each push is one IMMEDIATE transaction, so no reader ever sees a later seq before an earlier one.
CREATE TABLE log (
    seq         INTEGER PRIMARY KEY AUTOINCREMENT,
    hash        BLOB NOT NULL UNIQUE,
    doc_id      TEXT NOT NULL,
    kind        TEXT NOT NULL,
    scope       TEXT NOT NULL,
    device_id   TEXT NOT NULL,
    bytes       BLOB NOT NULL,
    received_ms INTEGER NOT NULL
) STRICT;
CREATE INDEX log_scope_seq ON log (scope, seq);

CREATE TABLE docs (
    doc_id TEXT PRIMARY KEY,
    kind   TEXT NOT NULL,
    scope  TEXT NOT NULL
) STRICT;

CREATE TABLE devices (
    device_id  TEXT PRIMARY KEY,
    member_id  TEXT NOT NULL,
    name       TEXT NOT NULL,
    actor_id   TEXT NOT NULL UNIQUE,
    token_hash BLOB NOT NULL UNIQUE,   -- sha-256 of the token; the token itself is never stored
    created_ms INTEGER NOT NULL,
    revoked_ms INTEGER
) STRICT;

CREATE TABLE enrol_codes (
    code       TEXT PRIMARY KEY,
    member_id  TEXT NOT NULL,
    created_ms INTEGER NOT NULL,
    expires_ms INTEGER NOT NULL,
    used_by    TEXT
) STRICT;

CREATE TABLE blobs (
    hash     TEXT PRIMARY KEY,   -- sha-256, lowercase hex
    total    INTEGER NOT NULL,
    bytes    BLOB NOT NULL,      -- what has arrived so far
    complete INTEGER NOT NULL DEFAULT 0
) STRICT;
