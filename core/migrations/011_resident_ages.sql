-- Each resident's name and birth year beside how they live here: the office asks its own
-- questions of the residents (aged 90 and over, by tag, building, visits and watch state)
-- from projections, never from the documents one by one.
ALTER TABLE p_residents ADD COLUMN name TEXT NOT NULL DEFAULT '';
ALTER TABLE p_residents ADD COLUMN birth_year INTEGER;
CREATE INDEX p_residents_birth_year ON p_residents (birth_year) WHERE birth_year IS NOT NULL;

INSERT OR REPLACE INTO meta (key, value) VALUES ('projections_stale', '1');
