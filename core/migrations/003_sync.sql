-- Sync bookkeeping on a device: how far it has pulled each scope from the relay, and the
-- photos it holds (by sha-256), with whether the relay has them yet.

CREATE TABLE sync_cursors (
    scope TEXT PRIMARY KEY,
    seq   INTEGER NOT NULL
) STRICT;

CREATE TABLE photos (
    hash     TEXT PRIMARY KEY,   -- sha-256, lowercase hex
    bytes    BLOB NOT NULL,
    added_ms INTEGER NOT NULL,
    uploaded INTEGER NOT NULL DEFAULT 0
) STRICT;
CREATE INDEX photos_pending ON photos (uploaded, added_ms);

-- Projection: the photos each ticket references (a photo may not have arrived yet).
CREATE TABLE p_ticket_photos (
    doc_id TEXT NOT NULL,
    hash   TEXT NOT NULL,
    PRIMARY KEY (doc_id, hash)
) STRICT;
CREATE INDEX p_ticket_photos_hash ON p_ticket_photos (hash);

-- Projection: every field of every record that holds concurrent values, so that a device can
-- say how many conflicts are open without opening each record.
CREATE TABLE p_conflicts (
    doc_id TEXT NOT NULL,
    path   TEXT NOT NULL,   -- keys from the root joined by '/'
    values_count INTEGER NOT NULL,
    PRIMARY KEY (doc_id, path)
) STRICT;
