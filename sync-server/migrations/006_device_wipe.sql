-- A revoked device the office also had erased (a lost or stolen phone): at its next contact
-- the phone is told to erase its data. A device revoked without it keeps its data, so that its
-- unsent work can be exported for the office.
ALTER TABLE devices ADD COLUMN wipe INTEGER NOT NULL DEFAULT 0;
