-- The relay's tables on PostgreSQL, shared by every relay instance: the change log of every
-- scope, which scope each document lives in, enrolled devices and enrolment codes, and photo
-- blobs.

-- The last sequence number of each scope. A push locks the rows of its scopes (in scope order,
-- so two pushes never wait on each other in a cycle) and holds them until it commits: the next
-- writer of a scope takes its numbers only after the previous one is visible, so no reader
-- ever sees a later seq of a scope before an earlier one, whichever instance wrote them.
CREATE TABLE scope_heads (
    scope TEXT PRIMARY KEY,
    seq   BIGINT NOT NULL
);

CREATE TABLE log (
    scope       TEXT NOT NULL,
    seq         BIGINT NOT NULL,
    hash        BYTEA NOT NULL UNIQUE,
    doc_id      TEXT NOT NULL,
    kind        TEXT NOT NULL,
    device_id   TEXT NOT NULL,
    bytes       BYTEA NOT NULL,
    received_ms BIGINT NOT NULL,
    PRIMARY KEY (scope, seq)
);

CREATE TABLE docs (
    doc_id TEXT PRIMARY KEY,
    kind   TEXT NOT NULL,
    scope  TEXT NOT NULL
);

CREATE TABLE devices (
    device_id  TEXT PRIMARY KEY,
    member_id  TEXT NOT NULL,
    name       TEXT NOT NULL,
    actor_id   TEXT NOT NULL UNIQUE,
    token_hash BYTEA NOT NULL UNIQUE,   -- sha-256 of the token; the token itself is never stored
    created_ms BIGINT NOT NULL,
    revoked_ms BIGINT
);

CREATE TABLE enrol_codes (
    code       TEXT PRIMARY KEY,
    member_id  TEXT NOT NULL,
    created_ms BIGINT NOT NULL,
    expires_ms BIGINT NOT NULL,
    used_by    TEXT
);

CREATE TABLE blobs (
    hash     TEXT PRIMARY KEY,   -- sha-256, lowercase hex
    total    BIGINT NOT NULL,
    bytes    BYTEA NOT NULL,     -- what has arrived so far
    complete BOOLEAN NOT NULL DEFAULT FALSE
);
