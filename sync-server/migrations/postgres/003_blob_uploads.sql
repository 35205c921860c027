-- Photo uploads belong to the device that makes them (see the SQLite migration 004 for the
-- meaning of each row): unfinished uploads kept from before have no device and are dropped,
-- complete photos are kept with no device.
DELETE FROM blobs WHERE NOT complete;
ALTER TABLE blobs ADD COLUMN device_id TEXT NOT NULL DEFAULT '';
ALTER TABLE blobs DROP CONSTRAINT blobs_pkey;
ALTER TABLE blobs ADD PRIMARY KEY (hash, device_id);
CREATE UNIQUE INDEX blobs_complete ON blobs (hash) WHERE complete;
CREATE INDEX blobs_device ON blobs (device_id);
