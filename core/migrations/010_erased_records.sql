-- Records this store erased at the office's request: changes that arrive for them later (a
-- page read before the erasure) are dropped instead of making the record again.
CREATE TABLE erased_records (
    doc_id TEXT PRIMARY KEY
) STRICT;
