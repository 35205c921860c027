-- Departments' work orders (派单): each order's row with its state, and its steps with the
-- whole step kept as JSON, so that a ticket's state, which takes the steps of its current
-- order in time order with its own events, is derived again from rows alone when either
-- side changes. A ticket's events keep their whole event for the same reason; its row names
-- the department it is with and the leader in charge.
ALTER TABLE p_tickets ADD COLUMN unit TEXT;
ALTER TABLE p_tickets ADD COLUMN leader TEXT;
CREATE INDEX p_tickets_leader ON p_tickets (leader) WHERE leader IS NOT NULL;
ALTER TABLE p_ticket_events ADD COLUMN body TEXT;

CREATE TABLE p_cases (
    doc_id         TEXT PRIMARY KEY,
    ticket_id      TEXT NOT NULL,
    unit           TEXT NOT NULL,
    dispatched_by  TEXT NOT NULL,
    dispatched_ms  INTEGER NOT NULL,
    category       TEXT NOT NULL,
    place_text     TEXT NOT NULL,
    description    TEXT NOT NULL,
    responsible    TEXT,
    leader         TEXT,
    level          TEXT NOT NULL,
    reply_due_ms   INTEGER,
    resolve_due_ms INTEGER,
    status         TEXT NOT NULL,
    is_open        INTEGER NOT NULL,
    replied_ms     INTEGER,
    resolved_ms    INTEGER,
    event_count    INTEGER NOT NULL,
    last_event_ms  INTEGER NOT NULL
) STRICT;
CREATE INDEX p_cases_ticket ON p_cases (ticket_id);
CREATE INDEX p_cases_unit ON p_cases (unit, is_open, last_event_ms DESC);

CREATE TABLE p_case_events (
    doc_id    TEXT NOT NULL,
    idx       INTEGER NOT NULL,
    ticket_id TEXT NOT NULL,
    event_id  TEXT NOT NULL,
    action    TEXT NOT NULL,
    author    TEXT NOT NULL,
    at_ms     INTEGER NOT NULL,
    body      TEXT NOT NULL,
    PRIMARY KEY (doc_id, idx)
) STRICT;
CREATE INDEX p_case_events_ticket ON p_case_events (ticket_id);

INSERT OR REPLACE INTO meta (key, value) VALUES ('projections_stale', '1');
