//! The decisions every storage backend makes the same way, kept apart from SQL: whether an
//! enrolment code can be redeemed, whether a document's binding matches a pushed change, and
//! what a blob chunk does to the bytes already received.

use axum::http::StatusCode;
use linli_core::api::photos::{MAX_PHOTO_BYTES, sha256_of};

use super::{BlobState, LogChange};
use crate::error::RelayError;

/// The member a code enrols, if the code is known, unused and unexpired. `row` is the code's
/// (member, expires_ms, used_by) as stored.
pub fn redeemable(
    row: Option<(String, i64, Option<String>)>,
    now_ms: i64,
) -> Result<String, RelayError> {
    let unusable =
        |message: &str| RelayError::new(StatusCode::UNAUTHORIZED, "bad_code", message.to_owned());
    match row {
        None => Err(unusable("unknown enrolment code")),
        Some((_, _, Some(_))) => Err(unusable("this enrolment code was used already")),
        Some((_, expires, None)) if expires <= now_ms => {
            Err(unusable("this enrolment code has expired"))
        }
        Some((member, _, None)) => Ok(member),
    }
}

/// The error for an actor id another device holds.
pub fn actor_taken() -> RelayError {
    RelayError::new(
        StatusCode::CONFLICT,
        "actor_taken",
        "this actor id belongs to another device",
    )
}

/// Checks a pushed change against the kind and scope its document is bound to.
pub fn same_binding(change: &LogChange, kind: &str, scope: &str) -> Result<(), RelayError> {
    if kind == change.kind.as_str() && scope == change.scope {
        return Ok(());
    }
    Err(RelayError::new(
        StatusCode::CONFLICT,
        "scope_mismatch",
        format!(
            "document {} is a {kind} in scope {scope}, not a {} in {}",
            change.doc_id,
            change.kind.as_str(),
            change.scope
        ),
    ))
}

/// A blob as stored: its announced size, the bytes so far, and whether it is complete.
pub type StoredBlob = (u64, Vec<u8>, bool);

/// What to do with a blob after a chunk arrived.
#[derive(Debug)]
pub enum BlobWrite {
    /// It was complete already: nothing to write.
    AlreadyComplete(BlobState),
    /// Store these bytes (complete or not) and answer with the state.
    Store {
        /// All bytes received so far.
        bytes: Vec<u8>,
        /// Whether they are all of it, verified.
        complete: bool,
        /// The state to answer with.
        state: BlobState,
    },
    /// The complete bytes do not match the hash: delete what is stored, then fail with this.
    Discard(RelayError),
}

/// Checks the announced size of a photo.
pub fn check_blob_size(total: u64) -> Result<(), RelayError> {
    if total == 0 || total > MAX_PHOTO_BYTES as u64 {
        return Err(RelayError::new(
            StatusCode::PAYLOAD_TOO_LARGE,
            "photo_too_large",
            format!("a photo must be 1 to {MAX_PHOTO_BYTES} bytes, not {total}"),
        ));
    }
    Ok(())
}

/// Appends the chunk `bytes` at `offset` to the blob `hash` of `total` bytes, given what is
/// stored. A stored partial blob of another announced size is started over.
pub fn blob_write(
    stored: Option<StoredBlob>,
    hash: &str,
    offset: u64,
    total: u64,
    bytes: &[u8],
) -> Result<BlobWrite, RelayError> {
    check_blob_size(total)?;
    let mut have = match stored {
        Some((_, b, true)) => {
            return Ok(BlobWrite::AlreadyComplete(BlobState::Complete {
                size: b.len() as u64,
            }));
        }
        Some((t, b, false)) if t == total => b,
        _ => Vec::new(),
    };
    if offset != have.len() as u64 {
        return Err(RelayError::new(
            StatusCode::CONFLICT,
            "wrong_offset",
            format!(
                "the relay has {} bytes of this photo; continue from there, not {offset}",
                have.len()
            ),
        ));
    }
    if have.len() as u64 + bytes.len() as u64 > total {
        return Err(RelayError::bad_request(
            "photo_too_long",
            "more bytes than the photo's announced size",
        ));
    }
    have.extend_from_slice(bytes);
    let complete = have.len() as u64 == total;
    if complete && sha256_of(&have) != hash {
        return Ok(BlobWrite::Discard(RelayError::new(
            StatusCode::UNPROCESSABLE_ENTITY,
            "photo_hash_mismatch",
            format!("the photo's bytes do not match its sha-256 {hash}; upload it again"),
        )));
    }
    let state = if complete {
        BlobState::Complete { size: total }
    } else {
        BlobState::Partial {
            received: have.len() as u64,
            total,
        }
    };
    Ok(BlobWrite::Store {
        bytes: have,
        complete,
        state,
    })
}

/// The state of a stored blob.
pub fn blob_state(stored: Option<(u64, u64, bool)>) -> BlobState {
    match stored {
        None => BlobState::Absent,
        Some((_, len, true)) => BlobState::Complete { size: len },
        Some((total, len, false)) => BlobState::Partial {
            received: len,
            total,
        },
    }
}
