-- A write appends its changes to the document's increments instead of rewriting the whole
-- snapshot: a record with a long history costs no more to write than a new one. Loading reads
-- the snapshot, then the increments in order; when they outgrow the snapshot, the document is
-- saved whole again and its increments are dropped.
CREATE TABLE doc_increments (
    seq    INTEGER PRIMARY KEY AUTOINCREMENT,
    doc_id TEXT NOT NULL,
    bytes  BLOB NOT NULL
) STRICT;
CREATE INDEX doc_increments_doc ON doc_increments (doc_id, seq);
ALTER TABLE documents ADD COLUMN tail_bytes INTEGER NOT NULL DEFAULT 0;

-- A household's visits are read a page at a time, by time: each row knows where its visit is
-- in the document's list.
ALTER TABLE p_visits ADD COLUMN position INTEGER NOT NULL DEFAULT 0;
CREATE INDEX p_visits_doc_time ON p_visits (doc_id, at_ms, visit_id);
-- A household's last watch check and its open follow-ups, found without reading its visits.
CREATE INDEX p_visits_doc_checks ON p_visits (doc_id, at_ms) WHERE is_check = 1;
CREATE INDEX p_visits_doc_open ON p_visits (doc_id) WHERE follow_up_open = 1;

-- A ticket's derived state, kept so that an appended event is applied to it alone.
ALTER TABLE p_tickets ADD COLUMN state TEXT NOT NULL DEFAULT '';

-- The rows above are filled by projecting the documents again, once, at the next open.
INSERT OR REPLACE INTO meta (key, value) VALUES ('projections_stale', '1');
