-- Documents, their changes, the outbox and changes held for missing dependencies.
CREATE TABLE meta (
    key   TEXT PRIMARY KEY,
    value TEXT NOT NULL
) STRICT;

CREATE TABLE documents (
    doc_id     TEXT PRIMARY KEY,
    kind       TEXT NOT NULL,
    scope      TEXT NOT NULL,
    snapshot   BLOB NOT NULL,
    updated_ms INTEGER NOT NULL
) STRICT;
CREATE INDEX documents_kind ON documents (kind);
CREATE INDEX documents_scope ON documents (scope);

-- Every change of every document, local or received: what sync exports by heads.
CREATE TABLE changes (
    hash   BLOB PRIMARY KEY,
    doc_id TEXT NOT NULL,
    bytes  BLOB NOT NULL
) STRICT;
CREATE INDEX changes_doc ON changes (doc_id);

-- Local changes not yet acknowledged by the relay, in the order they were made.
CREATE TABLE outbox (
    seq    INTEGER PRIMARY KEY AUTOINCREMENT,
    hash   BLOB NOT NULL UNIQUE,
    doc_id TEXT NOT NULL
) STRICT;

-- Received changes whose dependencies have not arrived yet.
CREATE TABLE held_changes (
    hash        BLOB PRIMARY KEY,
    doc_id      TEXT NOT NULL,
    kind        TEXT NOT NULL,
    scope       TEXT NOT NULL,
    bytes       BLOB NOT NULL,
    received_ms INTEGER NOT NULL
) STRICT;
CREATE INDEX held_changes_doc ON held_changes (doc_id);
