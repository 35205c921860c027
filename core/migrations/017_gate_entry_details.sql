-- What the gate day's lists show of an entry besides its summary: a visitor's pass type and
-- the address visited (the building or lane's id and the unit and room as named; the
-- building's name is read from the directory's places when the row is read), and an
-- incident's severity.
ALTER TABLE p_gate_entries ADD COLUMN pass TEXT;
ALTER TABLE p_gate_entries ADD COLUMN severity TEXT;
ALTER TABLE p_gate_entries ADD COLUMN visit_building TEXT;
ALTER TABLE p_gate_entries ADD COLUMN visit_room TEXT;

INSERT OR REPLACE INTO meta (key, value) VALUES ('projections_stale', '1');
