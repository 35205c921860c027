-- Joint actions (联合行动): each plan's row and the departments taking part, which the relay
-- reads to let a department's staff read and write the joint actions of their department.
CREATE TABLE p_joints (
    doc_id      TEXT PRIMARY KEY,
    title       TEXT NOT NULL,
    planned_ms  INTEGER NOT NULL,
    steps       INTEGER NOT NULL,
    steps_done  INTEGER NOT NULL,
    first_start INTEGER,
    next_start  INTEGER
) STRICT;

CREATE TABLE p_joint_units (
    doc_id TEXT NOT NULL,
    unit   TEXT NOT NULL,
    PRIMARY KEY (doc_id, unit)
) STRICT;
CREATE INDEX p_joint_units_unit ON p_joint_units (unit);
