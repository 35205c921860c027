-- The community's pass-signing key (Ed25519, the 32 secret bytes): one row, made when the first
-- pass is issued. Its public half travels in the directory.
CREATE TABLE pass_key (
    id         INTEGER PRIMARY KEY CHECK (id = 1),
    secret     BLOB NOT NULL,
    created_ms INTEGER NOT NULL
) STRICT;
