-- Monthly evaluation rounds (评议): each round's state and its result by the counting rules,
-- kept as JSON for the day-end report of the day it closed.
CREATE TABLE p_rounds (
    doc_id     TEXT PRIMARY KEY,
    month      TEXT NOT NULL,
    opened_ms  INTEGER NOT NULL,
    closed_ms  INTEGER,
    ratings    INTEGER NOT NULL,
    votes      INTEGER NOT NULL,
    result     TEXT NOT NULL
) STRICT;
CREATE INDEX p_rounds_closed ON p_rounds (closed_ms) WHERE closed_ms IS NOT NULL;
