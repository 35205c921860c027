//! The wire format between phones and the relay: typed messages encoded with postcard and
//! compressed with deflate, behind a four-byte magic and a protocol version, so that a relay
//! can refuse a phone it does not understand with a clear message instead of misreading it.
//! Errors travel as small JSON bodies (`{"error": code, "message": text}`) that a person can
//! read with curl.

use std::io::{Read, Write};

use flate2::Compression;
use flate2::read::DeflateDecoder;
use flate2::write::DeflateEncoder;
use serde::de::DeserializeOwned;
use serde::{Deserialize, Serialize};

use crate::doc::DocKind;
pub use crate::store::RemoteChange;

/// The protocol version this build speaks.
pub const PROTOCOL_VERSION: u16 = 2;
/// The media type of encoded messages.
pub const MEDIA_TYPE: &str = "application/vnd.linli.sync";
/// The header that carries the protocol version on every request.
pub const VERSION_HEADER: &str = "linli-protocol";
/// The first bytes of every encoded message.
pub const MAGIC: &[u8; 4] = b"LNLI";
/// The most bytes a message may decompress to.
pub const MAX_DECODED_BYTES: u64 = 64 * 1024 * 1024;

/// Why a message could not be decoded.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum DecodeError {
    /// The body does not start with the magic.
    #[error("the body is not a Linli sync message (bad magic)")]
    BadMagic,
    /// The body is of a protocol version this build does not speak.
    #[error("protocol version {found} is not supported (this side speaks {PROTOCOL_VERSION})")]
    UnsupportedVersion {
        /// The version found.
        found: u16,
    },
    /// Decompressing or decoding failed.
    #[error("the message is corrupt or truncated: {0}")]
    Corrupt(String),
    /// The body decompresses to more than [`MAX_DECODED_BYTES`].
    #[error("the message decompresses to more than {MAX_DECODED_BYTES} bytes")]
    TooLarge,
}

/// Encodes `message`.
pub fn encode<T: Serialize>(message: &T) -> Vec<u8> {
    let body = postcard::to_stdvec(message).unwrap_or_default();
    let mut out = Vec::with_capacity(body.len() / 2 + 8);
    out.extend_from_slice(MAGIC);
    out.extend_from_slice(&PROTOCOL_VERSION.to_be_bytes());
    let mut encoder = DeflateEncoder::new(out, Compression::fast());
    // Writing into a Vec cannot fail.
    let _ = encoder.write_all(&body);
    encoder.finish().unwrap_or_default()
}

/// Decodes a message, checking magic, version and size.
pub fn decode<T: DeserializeOwned>(bytes: &[u8]) -> Result<T, DecodeError> {
    let rest = bytes.strip_prefix(MAGIC).ok_or(DecodeError::BadMagic)?;
    let (version, body) = rest
        .split_first_chunk::<2>()
        .ok_or_else(|| DecodeError::Corrupt("no version".into()))?;
    let found = u16::from_be_bytes(*version);
    if found != PROTOCOL_VERSION {
        return Err(DecodeError::UnsupportedVersion { found });
    }
    let mut plain = Vec::new();
    DeflateDecoder::new(body)
        .take(MAX_DECODED_BYTES + 1)
        .read_to_end(&mut plain)
        .map_err(|e| DecodeError::Corrupt(e.to_string()))?;
    if plain.len() as u64 > MAX_DECODED_BYTES {
        return Err(DecodeError::TooLarge);
    }
    postcard::from_bytes(&plain).map_err(|e| DecodeError::Corrupt(e.to_string()))
}

/// An error body.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ErrorBody {
    /// A stable code, e.g. `device_revoked`, `scope_forbidden`.
    pub error: String,
    /// What was wrong, for a person.
    pub message: String,
}

/// The error code of a revoked device.
pub const DEVICE_REVOKED: &str = "device_revoked";

/// How far a device has pulled one scope: the relay's sequence number of the last change seen.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize)]
pub struct Cursor {
    /// Scope.
    pub scope: String,
    /// Sequence number.
    pub seq: i64,
}

/// Changes a device lacks to apply changes it holds: asked for by hash.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Wanted {
    /// Document id.
    pub doc_id: String,
    /// Change hashes.
    pub hashes: Vec<[u8; 32]>,
}

/// `POST /v1/enrol`: a one-time code exchanged for a device token.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct EnrolRequest {
    /// The code the office printed.
    pub code: String,
    /// The device's name, e.g. "王建国的手机".
    pub device_name: String,
    /// The automerge actor id (hex) this device writes with.
    pub actor_id: String,
}

/// The answer to an enrolment.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct EnrolResponse {
    /// The device token: send as `Authorization: Bearer <token>`.
    pub token: String,
    /// The member.
    pub member_id: String,
    /// The device id the relay assigned.
    pub device_id: String,
    /// The member's roles as `(role code, place id)`.
    pub roles: Vec<(String, String)>,
    /// The scopes the member may read now.
    pub scopes: Vec<String>,
}

/// A point of the relay's log up to which a device has pulled every scope it may read, as the
/// relay named it in a drained answer. Only a relay whose sequence numbers are one order over
/// every scope (SQLite's single writer) names marks.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct LogMark {
    /// Every change with a sequence number up to this one, in a scope the device could read
    /// then, has reached the device.
    pub seq: i64,
    /// The directory's (`community` scope's) head then: while it stands, the device may read
    /// the same scopes.
    pub directory: i64,
}

/// `POST /v1/sync`: push a part of the outbox and pull a page.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct SyncRequest {
    /// Local changes for the relay.
    pub push: Vec<RemoteChange>,
    /// Where the device stands in each scope. Without `since`, scopes not named start from
    /// zero; with it, they stand at the mark, and a device names only the cursors past it.
    pub cursors: Vec<Cursor>,
    /// The last mark the relay gave this device, if it still holds.
    pub since: Option<LogMark>,
    /// Changes asked for by hash.
    pub want: Vec<Wanted>,
    /// The most change bytes wanted in the answer.
    pub page_bytes: u32,
}

/// The answer to a sync request.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct SyncResponse {
    /// Pushed changes the relay stored now.
    pub stored: u32,
    /// Pushed changes it already had.
    pub duplicates: u32,
    /// Changes after the cursors, oldest first within each scope.
    pub changes: Vec<RemoteChange>,
    /// The cursors to keep once `changes` are applied.
    pub cursors: Vec<Cursor>,
    /// Whether more changes wait after this page.
    pub more: bool,
    /// Changes asked for by hash that the relay has and the device may read.
    pub wanted: Vec<RemoteChange>,
    /// When nothing more waits: the point of the log the device now stands at, to send as
    /// `since` next time (none from a relay that cannot name one).
    pub mark: Option<LogMark>,
    /// The request's `since` no longer holds (the directory changed, or this relay cannot use
    /// marks): nothing was pulled; ask again with every cursor and no `since`.
    pub resend_cursors: bool,
}

/// `POST /v1/bootstrap`: a page of document snapshots for a device with no history.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct BootstrapRequest {
    /// Continue after this document id.
    pub after_doc: Option<String>,
    /// The most snapshot bytes wanted in the answer.
    pub page_bytes: u32,
}

/// One document's snapshot with its full history.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct SnapshotDoc {
    /// Document id.
    pub doc_id: String,
    /// Kind.
    pub kind: DocKind,
    /// Scope.
    pub scope: String,
    /// `Automerge::save` output.
    pub snapshot: Vec<u8>,
}

/// A page of snapshots.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct BootstrapResponse {
    /// Snapshots, by document id.
    pub docs: Vec<SnapshotDoc>,
    /// The relay sequence number the snapshots include, per readable scope: pull after it.
    pub cursors: Vec<Cursor>,
    /// The last document of this page when more follow.
    pub next_after: Option<String>,
}

#[cfg(test)]
mod tests {
    use super::*;

    fn sample() -> SyncRequest {
        SyncRequest {
            push: vec![RemoteChange {
                doc_id: "01JABC".into(),
                kind: DocKind::Ticket,
                scope: "tickets".into(),
                bytes: vec![7; 300],
            }],
            cursors: vec![Cursor {
                scope: "community".into(),
                seq: 42,
            }],
            since: Some(LogMark {
                seq: 41,
                directory: 3,
            }),
            want: vec![],
            page_bytes: 1 << 20,
        }
    }

    #[test]
    fn messages_round_trip_and_compress() {
        let bytes = encode(&sample());
        assert!(bytes.len() < 300, "{} bytes", bytes.len());
        assert_eq!(decode::<SyncRequest>(&bytes).unwrap(), sample());
    }

    #[test]
    fn bad_bodies_are_named() {
        let good = encode(&sample());
        assert_eq!(
            decode::<SyncRequest>(b"{\"json\":1}"),
            Err(DecodeError::BadMagic)
        );
        let mut future = good.clone();
        future[4..6].copy_from_slice(&9u16.to_be_bytes());
        assert_eq!(
            decode::<SyncRequest>(&future),
            Err(DecodeError::UnsupportedVersion { found: 9 })
        );
        for cut in [5, 8, good.len() / 2, good.len() - 1] {
            assert!(
                matches!(
                    decode::<SyncRequest>(&good[..cut]),
                    Err(DecodeError::Corrupt(_))
                ),
                "cut at {cut}"
            );
        }
    }

    #[test]
    fn a_decompression_bomb_is_refused() {
        let huge = vec![0u8; (MAX_DECODED_BYTES + 10) as usize];
        let mut out = MAGIC.to_vec();
        out.extend_from_slice(&PROTOCOL_VERSION.to_be_bytes());
        let mut e = DeflateEncoder::new(out, Compression::fast());
        e.write_all(&huge).unwrap();
        let bomb = e.finish().unwrap();
        assert_eq!(decode::<SyncRequest>(&bomb), Err(DecodeError::TooLarge));
    }
}
