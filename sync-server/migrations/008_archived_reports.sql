-- The day-end reports of days whose gate days were erased at the end of their retention:
-- counts and staff names only, kept so that the report of a past day still gives its figures.
CREATE TABLE archived_reports (
    date        TEXT PRIMARY KEY,   -- local YYYY-MM-DD
    markdown    TEXT NOT NULL,
    csv         TEXT NOT NULL,
    archived_ms INTEGER NOT NULL
) STRICT;
