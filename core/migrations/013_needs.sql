-- The needs list (需求清单): each need's row with where it stands and who holds it, and each
-- service with its minutes, for the lists of those who serve and the month's hours per member
-- and per co-building unit.
CREATE TABLE p_needs (
    doc_id        TEXT PRIMARY KEY,
    household_id  TEXT NOT NULL,
    building_id   TEXT NOT NULL,
    area_id       TEXT NOT NULL,
    address       TEXT NOT NULL,
    category      TEXT NOT NULL,
    urgency       TEXT NOT NULL,
    description   TEXT NOT NULL,
    recorded_by   TEXT NOT NULL,
    recorded_ms   INTEGER NOT NULL,
    status        TEXT NOT NULL,
    claimed_by    TEXT,
    claimed_unit  TEXT,
    claimed_ms    INTEGER,
    confirmed_ms  INTEGER,
    minutes       INTEGER NOT NULL,
    last_ms       INTEGER NOT NULL
) STRICT;
CREATE INDEX p_needs_open ON p_needs (status, area_id, recorded_ms DESC);
CREATE INDEX p_needs_claimed_by ON p_needs (claimed_by) WHERE claimed_by IS NOT NULL;

CREATE TABLE p_need_services (
    doc_id    TEXT NOT NULL,
    idx       INTEGER NOT NULL,
    member_id TEXT NOT NULL,
    unit      TEXT,
    at_ms     INTEGER NOT NULL,
    minutes   INTEGER NOT NULL,
    confirmed INTEGER NOT NULL,
    PRIMARY KEY (doc_id, idx)
) STRICT;
CREATE INDEX p_need_services_at ON p_need_services (at_ms);
