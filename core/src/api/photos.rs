//! Photos: bytes kept on the device by sha-256, outside the documents that reference them.
//! A photo taken here waits to be uploaded; a photo a ticket references but that has not
//! arrived yet is shown as pending, never as an error. Which documents name a photo (and so
//! who may fetch or upload it: see [`Linli::documents_naming_photo`]) is read from the
//! projections.

use rusqlite::{OptionalExtension, params};
use sha2::{Digest, Sha256};

use super::Linli;
use crate::error::{Error, ErrorCode, Result};
use crate::records::validate;
use crate::scope::Scope;

/// The largest photo accepted, in bytes (the relay enforces the same limit).
pub const MAX_PHOTO_BYTES: usize = 8 * 1024 * 1024;

/// A photo as the device has it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Photo {
    /// The bytes are here.
    Available(Vec<u8>),
    /// Referenced, but the bytes have not arrived yet: show "photo pending" (照片待同步).
    Pending,
}

/// The sha-256 of `bytes`, lowercase hex.
pub fn sha256_of(bytes: &[u8]) -> String {
    hex::encode(Sha256::digest(bytes))
}

/// Whether documents of `scope` may name photos: today only tickets do. A kind that starts
/// naming photos adds its scopes here and its projection to [`Linli::documents_naming_photo`].
pub fn scope_may_name_photos(scope: &Scope) -> bool {
    matches!(scope, Scope::Tickets)
}

/// Checks a photo's size.
pub fn check_photo_size(len: usize) -> Result<()> {
    if len == 0 || len > MAX_PHOTO_BYTES {
        return Err(Error::invalid(
            "photo",
            ErrorCode::PhotoSize,
            format!("a photo must be 1 byte to {MAX_PHOTO_BYTES} bytes, this one is {len}"),
        ));
    }
    Ok(())
}

impl Linli {
    /// Keeps a photo taken on this device; returns its sha-256 to attach to a record. It is
    /// uploaded by the next sync, after the records that reference it.
    pub fn add_photo(&self, bytes: &[u8]) -> Result<String> {
        check_photo_size(bytes.len())?;
        let hash = sha256_of(bytes);
        let now = self.now().timestamp_millis();
        self.write(|w| {
            w.tx().execute(
                "INSERT OR IGNORE INTO photos (hash, bytes, added_ms, uploaded) \
                 VALUES (?1, ?2, ?3, 0)",
                params![hash, bytes, now],
            )?;
            Ok(())
        })?;
        Ok(hash)
    }

    /// The photo named `sha256`: its bytes, or pending.
    pub fn photo(&self, sha256: &str) -> Result<Photo> {
        let hash = validate::sha256_hex("sha256", sha256)?;
        let bytes: Option<Vec<u8>> = self.store.read(|c| {
            Ok(
                c.query_row("SELECT bytes FROM photos WHERE hash = ?1", [&hash], |r| {
                    r.get(0)
                })
                .optional()?,
            )
        })?;
        Ok(bytes.map_or(Photo::Pending, Photo::Available))
    }

    /// Stores a photo received from the relay, checked against its name.
    pub fn store_received_photo(&self, sha256: &str, bytes: &[u8]) -> Result<()> {
        let hash = validate::sha256_hex("sha256", sha256)?;
        check_photo_size(bytes.len())?;
        if sha256_of(bytes) != hash {
            return Err(Error::invalid(
                "photo",
                ErrorCode::PhotoMismatch,
                format!("the bytes received for photo {hash} do not match its sha-256"),
            ));
        }
        let now = self.now().timestamp_millis();
        self.write(|w| {
            w.tx().execute(
                "INSERT OR IGNORE INTO photos (hash, bytes, added_ms, uploaded) \
                 VALUES (?1, ?2, ?3, 1)",
                params![hash, bytes, now],
            )?;
            Ok(())
        })
    }

    /// Photos taken here that a record names and the relay does not have yet, oldest first. A
    /// photo no record names (taken for a report that was never sent) is nobody's unsent work:
    /// the relay would not take it, and no count of what waits includes it.
    pub fn photos_to_upload(&self) -> Result<Vec<String>> {
        self.hashes(
            "SELECT p.hash FROM photos p WHERE p.uploaded = 0 \
             AND EXISTS (SELECT 1 FROM p_ticket_photos t WHERE t.hash = p.hash) \
             ORDER BY p.added_ms, p.hash",
        )
    }

    /// Marks a photo as safely at the relay.
    pub fn mark_photo_uploaded(&self, sha256: &str) -> Result<()> {
        self.write(|w| {
            w.tx()
                .execute("UPDATE photos SET uploaded = 1 WHERE hash = ?1", [sha256])?;
            Ok(())
        })
    }

    /// The documents that name photo `sha256`, with their scopes, in document order (tickets,
    /// by their photos and their photo-added events). Whoever may read one of those scopes may
    /// fetch the photo, and whoever may write one may upload it.
    pub fn documents_naming_photo(&self, sha256: &str) -> Result<Vec<(String, String)>> {
        self.store.read(|c| {
            let mut stmt = c.prepare_cached(
                "SELECT t.doc_id, d.scope FROM p_ticket_photos t \
                 JOIN documents d ON d.doc_id = t.doc_id WHERE t.hash = ?1 ORDER BY t.doc_id",
            )?;
            let rows = stmt.query_map([sha256], |r| Ok((r.get(0)?, r.get(1)?)))?;
            Ok(rows.collect::<rusqlite::Result<Vec<_>>>()?)
        })
    }

    /// Photos that records on this device reference but whose bytes have not arrived.
    pub fn missing_photos(&self) -> Result<Vec<String>> {
        self.hashes(
            "SELECT DISTINCT t.hash FROM p_ticket_photos t \
             LEFT JOIN photos p ON p.hash = t.hash WHERE p.hash IS NULL ORDER BY t.hash",
        )
    }

    fn hashes(&self, sql: &str) -> Result<Vec<String>> {
        self.store.read(|c| {
            let mut stmt = c.prepare_cached(sql)?;
            let rows = stmt.query_map([], |r| r.get::<_, String>(0))?;
            Ok(rows.collect::<rusqlite::Result<Vec<_>>>()?)
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_photo_is_named_by_its_sha256() {
        assert_eq!(
            sha256_of(b"abc"),
            "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad"
        );
    }

    #[test]
    fn empty_and_oversized_photos_are_refused() {
        assert!(check_photo_size(0).is_err());
        assert!(check_photo_size(MAX_PHOTO_BYTES + 1).is_err());
        assert!(check_photo_size(MAX_PHOTO_BYTES).is_ok());
    }
}
