-- The outbox carries its changes' bytes, and the table of every change goes: a received
-- change lives in its document's snapshot and was never read from it, and a change the relay
-- acknowledged is never sent again. A local edit now writes one row, and an acknowledgement
-- deletes one.
CREATE TABLE outbox_with_bytes (
    seq    INTEGER PRIMARY KEY AUTOINCREMENT,
    hash   BLOB NOT NULL UNIQUE,
    doc_id TEXT NOT NULL,
    bytes  BLOB NOT NULL
) STRICT;
INSERT INTO outbox_with_bytes (seq, hash, doc_id, bytes)
    SELECT o.seq, o.hash, o.doc_id, c.bytes FROM outbox o JOIN changes c ON c.hash = o.hash;
DROP TABLE outbox;
ALTER TABLE outbox_with_bytes RENAME TO outbox;
DROP TABLE changes;
