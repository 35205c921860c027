-- Vehicles that left and parcels that were collected: each gate entry keeps what it is about
-- (a vehicle's plate; for a collection, the parcel's entry id), so that the vehicles still
-- inside and the parcels still waiting are found by an index, across the gate's days.
ALTER TABLE p_gate_entries ADD COLUMN subject TEXT;
CREATE INDEX p_gate_entries_subject ON p_gate_entries (gate_id, kind, subject)
    WHERE subject IS NOT NULL;

INSERT OR REPLACE INTO meta (key, value) VALUES ('projections_stale', '1');
