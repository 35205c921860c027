-- Records the office erased (a resident's household at their request, gate days past their
-- retention): their changes left the log, and this tombstone (an id, when, by whom; nothing
-- personal) tells every store to delete them. The document stays bound in `docs`, so that it
-- cannot be made again under the same id.
CREATE TABLE erased_docs (
    seq       INTEGER PRIMARY KEY AUTOINCREMENT,
    doc_id    TEXT NOT NULL UNIQUE,
    erased_ms INTEGER NOT NULL,
    erased_by TEXT NOT NULL
) STRICT;
