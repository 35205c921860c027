-- Each scope's highest sequence number, kept with every append: every request reads the heads,
-- and a skip scan over the log's index cost two index descents per scope (1,000 scopes: most
-- of a reconnect).
CREATE TABLE scope_heads (
    scope TEXT PRIMARY KEY,
    seq   INTEGER NOT NULL
) STRICT, WITHOUT ROWID;
INSERT INTO scope_heads (scope, seq) SELECT scope, MAX(seq) FROM log GROUP BY scope;
