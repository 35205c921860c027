-- Each resident with how they live here and when they came and went (户籍 / 租户 / 流动, move-in
-- and move-out, a returnee's arrival): the building list filters on them, the report counts the
-- day's arrivals and departures.
CREATE TABLE p_residents (
    resident_id  TEXT NOT NULL,
    doc_id       TEXT NOT NULL,
    building_id  TEXT NOT NULL,
    status       TEXT NOT NULL,
    moved_in     TEXT,
    moved_out    TEXT,
    arrived_from TEXT NOT NULL,
    arrived_on   TEXT,
    PRIMARY KEY (doc_id, resident_id)
) STRICT;
CREATE INDEX p_residents_building ON p_residents (building_id, status);
CREATE INDEX p_residents_arrived ON p_residents (arrived_on) WHERE arrived_on IS NOT NULL;

INSERT OR REPLACE INTO meta (key, value) VALUES ('projections_stale', '1');
