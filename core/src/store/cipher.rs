//! Encryption at rest. A phone's store is a SQLCipher database keyed with a 256-bit key that
//! the app keeps in the platform's key store (Android Keystore, iOS Keychain): SQLCipher's raw
//! key form, so no passphrase is stretched and an open costs no key derivation. Every page of
//! the file and of its WAL is encrypted and authenticated, photos included (they live in the
//! store's tables).
//!
//! This module unlocks a connection (a wrong key is [`Error::WrongKey`], found before anything
//! is written), tells a plain store from an encrypted one by its header, and re-encrypts a store
//! file into a new one that then takes its place: a plain store the first time it is opened
//! with a key, or an encrypted one for a key rotation ([`crate::Linli::rekey`]).

use std::fs::{File, OpenOptions};
use std::io::{Read, Seek, SeekFrom, Write};
use std::path::{Path, PathBuf};

use rusqlite::{Connection, ErrorCode, OpenFlags};

use crate::error::{self, Error, Result};

/// The length of a store key, in bytes.
pub const STORE_KEY_LEN: usize = 32;

/// What a plain SQLite file starts with; an encrypted one starts with its random salt.
const PLAIN_HEADER: &[u8; 16] = b"SQLite format 3\0";

const HMAC: &str = "HMAC_SHA256";

/// A store's 256-bit encryption key. Its bytes are overwritten when it is dropped and never
/// printed.
pub struct StoreKey([u8; STORE_KEY_LEN]);

impl StoreKey {
    /// The key from its 32 bytes, as the app keeps them.
    pub fn from_bytes(bytes: &[u8]) -> Result<StoreKey> {
        let array: [u8; STORE_KEY_LEN] = bytes.try_into().map_err(|_| {
            Error::invalid(
                "key",
                error::ErrorCode::Malformed,
                format!(
                    "a store key has {STORE_KEY_LEN} bytes, not {} (存储密钥应为 256 位)",
                    bytes.len()
                ),
            )
        })?;
        Ok(StoreKey(array))
    }

    /// A new random key, from the operating system's generator.
    pub fn generate() -> StoreKey {
        StoreKey(rand::random())
    }

    /// The key's bytes.
    pub fn as_bytes(&self) -> &[u8] {
        &self.0
    }

    /// SQLCipher's raw-key literal, `x'…'`: the key is used as it is, not derived from a
    /// passphrase. Overwritten when dropped.
    fn literal(&self) -> Secret {
        Secret(format!("x'{}'", hex::encode(self.0)))
    }
}

impl Drop for StoreKey {
    fn drop(&mut self) {
        wipe(&mut self.0);
    }
}

impl std::fmt::Debug for StoreKey {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("StoreKey(…)")
    }
}

/// A string holding key material, overwritten when dropped.
struct Secret(String);

impl Drop for Secret {
    fn drop(&mut self) {
        let bytes = std::mem::take(&mut self.0).into_bytes();
        let mut bytes = bytes;
        wipe(&mut bytes);
    }
}

/// Overwrites `bytes` with zeros in a way the optimiser keeps (the buffer is read back
/// through `black_box`).
fn wipe(bytes: &mut [u8]) {
    bytes.fill(0);
    std::hint::black_box(&*bytes);
}

/// Unlocks `conn` with `key` (none for a plain store) and proves it by reading the schema:
/// the first read that decrypts a page. A wrong key, no key for an encrypted store or a key
/// for a file that is no store at all is [`Error::WrongKey`]; nothing has been written then.
pub(crate) fn unlock(conn: &Connection, key: Option<&StoreKey>) -> Result<()> {
    if let Some(key) = key {
        let literal = key.literal();
        let pragma = Secret(format!("PRAGMA key = \"{}\";", literal.0));
        conn.execute_batch(&pragma.0)?;
        conn.execute_batch(&format!("PRAGMA cipher_hmac_algorithm = {HMAC};"))?;
    }
    match conn.query_row("SELECT count(*) FROM sqlite_master", [], |r| {
        r.get::<_, i64>(0)
    }) {
        Ok(_) => Ok(()),
        Err(e) if e.sqlite_error_code() == Some(ErrorCode::NotADatabase) => Err(Error::WrongKey),
        Err(e) => Err(e.into()),
    }
}

/// Proves that `key` (none for a plain store) opens the existing store at `path`, through a
/// read-only connection: a read-write one that failed would still, when closed, fold a WAL
/// left behind into the file, so a wrong key would change the file's bytes.
pub(crate) fn probe(path: &Path, key: Option<&StoreKey>) -> Result<()> {
    if !path.exists() {
        return Ok(());
    }
    let conn = Connection::open_with_flags(
        path,
        OpenFlags::SQLITE_OPEN_READ_ONLY | OpenFlags::SQLITE_OPEN_NO_MUTEX,
    )?;
    unlock(&conn, key)
}

/// Whether the file at `path` is a plain (unencrypted) SQLite database with content. A file
/// that does not exist or is empty is a new store, not a plain one.
pub(crate) fn is_plain(path: &Path) -> Result<bool> {
    let mut file = match File::open(path) {
        Ok(file) => file,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(false),
        Err(e) => return Err(io("store", path, e)),
    };
    let mut header = [0u8; 16];
    match file.read_exact(&mut header) {
        Ok(()) => Ok(&header == PLAIN_HEADER),
        Err(e) if e.kind() == std::io::ErrorKind::UnexpectedEof => Ok(false),
        Err(e) => Err(io("store", path, e)),
    }
}

/// The file a re-encryption writes before it takes the store's place.
pub(crate) fn rewrite_path(path: &Path) -> PathBuf {
    let mut name = path.as_os_str().to_owned();
    name.push("-rekey");
    PathBuf::from(name)
}

/// Re-encrypts the store at `path`, unlocked with `from` (none: a plain store), into a new
/// file keyed with `to` that then replaces it: every table, index and the schema version are
/// copied (`sqlcipher_export`), the copy is complete on disk before an atomic rename puts it
/// in place, and the old file's bytes are overwritten with zeros afterwards. A crash before the
/// rename leaves the old store as it was (the half-written copy is removed at the next try);
/// after it, the new one. The caller holds the store's lock: nothing else has it open.
pub(crate) fn rewrite(path: &Path, from: Option<&StoreKey>, to: &StoreKey) -> Result<()> {
    let target = rewrite_path(path);
    remove_if_present(&target)?;
    remove_if_present(&suffixed(&target, "-journal"))?;
    probe(path, from)?;
    {
        let conn = Connection::open(path)?;
        unlock(&conn, from)?;
        // What the WAL holds goes into the file first: the old WAL is deleted with the file.
        conn.query_row("PRAGMA wal_checkpoint(TRUNCATE)", [], |_| Ok(()))?;
        let version: i64 = conn.pragma_query_value(None, "user_version", |r| r.get(0))?;
        let literal = to.literal();
        conn.execute(
            "ATTACH DATABASE ?1 AS rekeyed KEY ?2",
            rusqlite::params![target.to_string_lossy(), literal.0],
        )?;
        conn.execute_batch(&format!("PRAGMA rekeyed.cipher_hmac_algorithm = {HMAC};"))?;
        conn.query_row("SELECT sqlcipher_export('rekeyed')", [], |_| Ok(()))?;
        conn.execute_batch(&format!(
            "PRAGMA rekeyed.user_version = {version}; DETACH DATABASE rekeyed;"
        ))?;
    }
    // The old file stays reachable through this handle after the rename, to be scrubbed.
    let mut old = OpenOptions::new()
        .write(true)
        .open(path)
        .map_err(|e| io("store", path, e))?;
    std::fs::rename(&target, path).map_err(|e| io("store", path, e))?;
    if let Some(dir) = path.parent().filter(|d| !d.as_os_str().is_empty()) {
        // The rename itself is made durable (a directory fsync; not possible everywhere).
        if let Ok(dir) = File::open(dir) {
            let _ = dir.sync_all();
        }
    }
    for stale in ["-wal", "-shm"] {
        remove_if_present(&suffixed(path, stale))?;
    }
    scrub(&mut old).map_err(|e| io("store", path, e))
}

/// Overwrites the whole of `file` with zeros and flushes it to the disk.
fn scrub(file: &mut File) -> std::io::Result<()> {
    let len = file.metadata()?.len();
    file.seek(SeekFrom::Start(0))?;
    let zeros = vec![0u8; 1 << 16];
    let mut left = len;
    while left > 0 {
        let n = left.min(zeros.len() as u64) as usize;
        file.write_all(&zeros[..n])?;
        left -= n as u64;
    }
    file.sync_all()
}

fn suffixed(path: &Path, suffix: &str) -> PathBuf {
    let mut name = path.as_os_str().to_owned();
    name.push(suffix);
    PathBuf::from(name)
}

fn remove_if_present(path: &Path) -> Result<()> {
    match std::fs::remove_file(path) {
        Ok(()) => Ok(()),
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(()),
        Err(e) => Err(io("store", path, e)),
    }
}

fn io(what: &str, path: &Path, e: std::io::Error) -> Error {
    Error::document(what, format!("{}: {e}", path.display()))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn table_rows(conn: &Connection) -> i64 {
        conn.query_row("SELECT count(*) FROM t", [], |r| r.get(0))
            .unwrap()
    }

    #[test]
    fn a_key_has_32_bytes_and_never_prints() {
        assert!(StoreKey::from_bytes(&[7u8; 31]).is_err());
        assert!(StoreKey::from_bytes(&[7u8; 33]).is_err());
        let key = StoreKey::from_bytes(&[0xab; 32]).unwrap();
        assert_eq!(format!("{key:?}"), "StoreKey(…)");
        assert_ne!(
            StoreKey::generate().as_bytes(),
            StoreKey::generate().as_bytes()
        );
    }

    #[test]
    fn wrong_or_missing_key_is_told_apart_from_storage_errors() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("s.db");
        let key = StoreKey::generate();
        {
            let conn = Connection::open(&path).unwrap();
            unlock(&conn, Some(&key)).unwrap();
            conn.execute_batch("CREATE TABLE t (x TEXT); INSERT INTO t VALUES ('王秀英');")
                .unwrap();
        }
        assert!(!is_plain(&path).unwrap());
        let bytes = std::fs::read(&path).unwrap();
        assert!(!bytes.windows(9).any(|w| w == "王秀英".as_bytes()));

        let conn = Connection::open(&path).unwrap();
        assert!(matches!(
            unlock(&conn, Some(&StoreKey::generate())),
            Err(Error::WrongKey)
        ));
        let conn = Connection::open(&path).unwrap();
        assert!(matches!(unlock(&conn, None), Err(Error::WrongKey)));
        let conn = Connection::open(&path).unwrap();
        unlock(&conn, Some(&key)).unwrap();
        assert_eq!(table_rows(&conn), 1);
    }

    #[test]
    fn a_plain_file_is_rewritten_encrypted_with_everything_in_it() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("s.db");
        {
            let conn = Connection::open(&path).unwrap();
            conn.execute_batch(
                "PRAGMA journal_mode = WAL; PRAGMA user_version = 9;
                 CREATE TABLE t (x TEXT); CREATE INDEX t_x ON t (x);
                 INSERT INTO t VALUES ('王秀英'), ('13800000001');",
            )
            .unwrap();
            assert!(is_plain(&path).unwrap());
        }
        let key = StoreKey::generate();
        rewrite(&path, None, &key).unwrap();
        assert!(!is_plain(&path).unwrap());
        assert!(!rewrite_path(&path).exists());
        let conn = Connection::open(&path).unwrap();
        unlock(&conn, Some(&key)).unwrap();
        assert_eq!(table_rows(&conn), 2);
        let version: i64 = conn
            .pragma_query_value(None, "user_version", |r| r.get(0))
            .unwrap();
        assert_eq!(version, 9);
        drop(conn);

        let next = StoreKey::generate();
        rewrite(&path, Some(&key), &next).unwrap();
        let conn = Connection::open(&path).unwrap();
        assert!(matches!(unlock(&conn, Some(&key)), Err(Error::WrongKey)));
        let conn = Connection::open(&path).unwrap();
        unlock(&conn, Some(&next)).unwrap();
        assert_eq!(table_rows(&conn), 2);
    }
}
