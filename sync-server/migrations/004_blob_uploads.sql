-- Photo uploads belong to the device that makes them. A blob row is one device's upload of a
-- photo: unfinished while `complete` is 0, and the photo itself once complete (then the device
-- is the one whose upload completed it, which its quota counts). Another device sending the
-- same photo with another size or from another offset has a row of its own, so that it can
-- neither continue nor disturb the first device's upload; the first upload to complete is the
-- photo, and the other devices' unfinished uploads of it are dropped.
--
-- Unfinished uploads kept before this migration have no device: they are dropped, and their
-- phones start those photos again from the beginning (a device's HEAD shows only its own
-- upload). Complete photos are kept, with no device.
CREATE TABLE blobs_by_device (
    hash      TEXT NOT NULL,      -- sha-256, lowercase hex
    device_id TEXT NOT NULL,      -- the uploading device ('' for a photo kept from before)
    total     INTEGER NOT NULL,
    bytes     BLOB NOT NULL,      -- what has arrived so far
    complete  INTEGER NOT NULL DEFAULT 0,
    PRIMARY KEY (hash, device_id)
) STRICT;
INSERT INTO blobs_by_device (hash, device_id, total, bytes, complete)
    SELECT hash, '', total, bytes, 1 FROM blobs WHERE complete = 1;
DROP TABLE blobs;
ALTER TABLE blobs_by_device RENAME TO blobs;
-- One complete photo per hash.
CREATE UNIQUE INDEX blobs_complete ON blobs (hash) WHERE complete = 1;
-- A device's bytes, for its quota.
CREATE INDEX blobs_device ON blobs (device_id);
