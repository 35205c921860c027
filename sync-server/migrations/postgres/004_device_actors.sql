-- A device's store can be restored from a backup or copied: it then writes changes that
-- repeat (actor, seq) pairs the log holds. The relay counts the changes each device's
-- current actor wrote (a store holding fewer of its own changes than the log is a restored
-- or copied one), and a device whose store turned out so takes a new actor: the old one is
-- retired, never to write again, and changes pushed before `actor_since_ms` are sent back
-- to the device, whose new store may lack them.
ALTER TABLE devices ADD COLUMN authored BIGINT NOT NULL DEFAULT 0;
ALTER TABLE devices ADD COLUMN actor_since_ms BIGINT NOT NULL DEFAULT 0;

CREATE TABLE retired_actors (
    actor_id   TEXT PRIMARY KEY,
    device_id  TEXT NOT NULL,
    retired_ms BIGINT NOT NULL
);
