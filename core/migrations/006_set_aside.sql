-- Changes set aside: received changes this core could not apply (a newer app's shape, a
-- corrupt or hostile change), and this device's own changes the relay refused. Each keeps
-- its bytes, so that nothing is lost, and why, so that a person can be told. The document
-- they belong to stays as it was without them; everything else keeps syncing.
CREATE TABLE set_aside (
    hash       BLOB PRIMARY KEY,
    doc_id     TEXT NOT NULL,
    kind       TEXT NOT NULL,
    scope      TEXT NOT NULL,
    bytes      BLOB NOT NULL,
    origin     TEXT NOT NULL,      -- 'received' or 'refused'
    code       TEXT NOT NULL,      -- a stable code, e.g. 'cannot_apply', 'role_forbidden'
    reason     TEXT NOT NULL,      -- for a person
    at_ms      INTEGER NOT NULL
) STRICT;
CREATE INDEX set_aside_doc ON set_aside (doc_id);
