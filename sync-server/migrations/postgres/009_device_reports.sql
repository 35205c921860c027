-- What each phone said of itself at its last sync: its app's version and what it still held
-- (changes not yet uploaded, photos not yet uploaded, open conflicts). One row a device, the
-- latest; the office's devices page reads it.
CREATE TABLE device_reports (
    device_id   TEXT PRIMARY KEY,
    at_ms       BIGINT NOT NULL,
    app_version TEXT NOT NULL,
    outbox      BIGINT NOT NULL,
    photos      BIGINT NOT NULL,
    conflicts   BIGINT NOT NULL
);
