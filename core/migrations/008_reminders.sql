-- The office's reminders (民情日志), kept in the directory, as lists and today's list read them.
CREATE TABLE p_reminders (
    reminder_id  TEXT PRIMARY KEY,
    doc_id       TEXT NOT NULL,
    what         TEXT NOT NULL,
    place_id     TEXT,
    owner_member TEXT,
    owner_role   TEXT,
    first_due    TEXT NOT NULL,   -- local YYYY-MM-DD
    lead_days    INTEGER NOT NULL,
    repeat       TEXT NOT NULL,
    created_by   TEXT NOT NULL,
    created_ms   INTEGER NOT NULL
) STRICT;
CREATE INDEX p_reminders_doc ON p_reminders (doc_id);

-- Each occurrence marked done, by its due date.
CREATE TABLE p_reminder_done (
    reminder_id TEXT NOT NULL,
    due         TEXT NOT NULL,
    doc_id      TEXT NOT NULL,
    by_member   TEXT NOT NULL,
    at_ms       INTEGER NOT NULL,
    PRIMARY KEY (reminder_id, due)
) STRICT;
CREATE INDEX p_reminder_done_doc ON p_reminder_done (doc_id);
CREATE INDEX p_reminder_done_at ON p_reminder_done (at_ms);

INSERT OR REPLACE INTO meta (key, value) VALUES ('projections_stale', '1');
