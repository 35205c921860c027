-- Projections: the indexed rows every list, badge view and report reads. They are derived from
-- the documents and can be rebuilt from them at any time.
CREATE TABLE p_community (
    community_id       TEXT PRIMARY KEY,
    doc_id             TEXT NOT NULL,
    name               TEXT NOT NULL,
    utc_offset_minutes INTEGER NOT NULL
) STRICT;

CREATE TABLE p_places (
    place_id  TEXT PRIMARY KEY,
    doc_id    TEXT NOT NULL,
    kind      TEXT NOT NULL,
    name      TEXT NOT NULL,
    parent_id TEXT
) STRICT;
CREATE INDEX p_places_kind ON p_places (kind, parent_id);

CREATE TABLE p_members (
    member_id TEXT PRIMARY KEY,
    doc_id    TEXT NOT NULL,
    name      TEXT NOT NULL,
    phone     TEXT NOT NULL,
    active    INTEGER NOT NULL
) STRICT;

CREATE TABLE p_member_roles (
    member_id TEXT NOT NULL,
    role      TEXT NOT NULL,
    place_id  TEXT NOT NULL,  -- '' for roles that cover no place
    doc_id    TEXT NOT NULL,
    PRIMARY KEY (member_id, role, place_id)
) STRICT;
CREATE INDEX p_member_roles_place ON p_member_roles (place_id, role);

CREATE TABLE p_households (
    doc_id             TEXT PRIMARY KEY,
    building_id        TEXT NOT NULL,
    unit               TEXT NOT NULL,
    room               TEXT NOT NULL,
    phone              TEXT NOT NULL,
    residents          TEXT NOT NULL,
    tags               TEXT NOT NULL,
    watch_frequency    TEXT,
    watch_n            INTEGER,
    checks_per_day     REAL,
    created_ms         INTEGER NOT NULL,
    visit_count        INTEGER NOT NULL,
    last_visit_ms      INTEGER,
    last_visit_outcome TEXT,
    last_visit_lead    TEXT,
    last_check_ms      INTEGER,
    check_due_ms       INTEGER,
    check_overdue_ms   INTEGER
) STRICT;
CREATE INDEX p_households_building ON p_households (building_id, unit, room);
CREATE INDEX p_households_due ON p_households (check_due_ms) WHERE check_due_ms IS NOT NULL;

CREATE TABLE p_visits (
    visit_id         TEXT PRIMARY KEY,
    doc_id           TEXT NOT NULL,
    building_id      TEXT NOT NULL,
    lead             TEXT NOT NULL,
    at_ms            INTEGER NOT NULL,
    outcome          TEXT NOT NULL,
    is_check         INTEGER NOT NULL,
    health_concern   INTEGER NOT NULL,
    follow_up_due    TEXT,
    follow_up_open   INTEGER NOT NULL,
    follow_up_note   TEXT NOT NULL
) STRICT;
CREATE INDEX p_visits_doc ON p_visits (doc_id);
CREATE INDEX p_visits_at ON p_visits (at_ms);
CREATE INDEX p_visits_follow_up ON p_visits (follow_up_due) WHERE follow_up_open = 1;

CREATE TABLE p_tickets (
    doc_id        TEXT PRIMARY KEY,
    category      TEXT NOT NULL,
    place_kind    TEXT NOT NULL,
    place_ref     TEXT NOT NULL,
    place_text    TEXT NOT NULL,
    description   TEXT NOT NULL,
    channel       TEXT NOT NULL,
    reporter      TEXT NOT NULL,
    reported_ms   INTEGER NOT NULL,
    status        TEXT NOT NULL,
    is_open       INTEGER NOT NULL,
    level         TEXT NOT NULL,
    responsible   TEXT,
    department    TEXT,
    reply_due_ms  INTEGER,
    resolve_due_ms INTEGER,
    replied_ms    INTEGER,
    resolved_ms   INTEGER,
    merged_into   TEXT,
    event_count   INTEGER NOT NULL,
    photo_count   INTEGER NOT NULL,
    last_event_ms INTEGER NOT NULL
) STRICT;
CREATE INDEX p_tickets_open ON p_tickets (is_open, level, status);
CREATE INDEX p_tickets_category ON p_tickets (category);
CREATE INDEX p_tickets_place ON p_tickets (place_ref);
CREATE INDEX p_tickets_responsible ON p_tickets (responsible);
CREATE INDEX p_tickets_reporter ON p_tickets (reporter);

CREATE TABLE p_ticket_events (
    doc_id   TEXT NOT NULL,
    idx      INTEGER NOT NULL,
    event_id TEXT NOT NULL,
    action   TEXT NOT NULL,
    author   TEXT NOT NULL,
    at_ms    INTEGER NOT NULL,
    level_to TEXT,
    PRIMARY KEY (doc_id, idx)
) STRICT;
CREATE INDEX p_ticket_events_at ON p_ticket_events (at_ms, action);

CREATE TABLE p_roster_slots (
    doc_id    TEXT NOT NULL,
    gate_id   TEXT NOT NULL,
    shift_id  TEXT NOT NULL,
    slot_id   TEXT NOT NULL,
    role      TEXT NOT NULL,
    position  INTEGER NOT NULL,
    label     TEXT NOT NULL,
    start_ms  INTEGER NOT NULL,
    end_ms    INTEGER NOT NULL,
    member_id TEXT,
    PRIMARY KEY (doc_id, shift_id, slot_id)
) STRICT;
CREATE INDEX p_roster_slots_gate ON p_roster_slots (gate_id, start_ms);
CREATE INDEX p_roster_slots_start ON p_roster_slots (start_ms);

CREATE TABLE p_swaps (
    swap_id     TEXT PRIMARY KEY,
    doc_id      TEXT NOT NULL,
    gate_id     TEXT NOT NULL,
    shift_id    TEXT NOT NULL,
    slot_id     TEXT NOT NULL,
    from_member TEXT NOT NULL,
    to_member   TEXT NOT NULL,
    status      TEXT NOT NULL,
    requested_ms INTEGER NOT NULL
) STRICT;
CREATE INDEX p_swaps_gate ON p_swaps (gate_id, status);

CREATE TABLE p_gate_entries (
    entry_id    TEXT PRIMARY KEY,
    doc_id      TEXT NOT NULL,
    gate_id     TEXT NOT NULL,
    kind        TEXT NOT NULL,
    at_ms       INTEGER NOT NULL,
    recorded_by TEXT NOT NULL,
    member_id   TEXT,
    from_member TEXT,
    shift_id    TEXT,
    slot_id     TEXT,
    flagged     INTEGER NOT NULL,
    summary     TEXT NOT NULL
) STRICT;
CREATE INDEX p_gate_entries_doc ON p_gate_entries (doc_id);
CREATE INDEX p_gate_entries_gate ON p_gate_entries (gate_id, at_ms);
CREATE INDEX p_gate_entries_at ON p_gate_entries (at_ms, kind);
