//! The decisions every storage backend makes the same way, kept apart from SQL: whether an
//! enrolment code can be redeemed, whether a document's binding matches a pushed change, and
//! what a blob chunk does to the bytes its device already sent, within the photo quotas.

use std::collections::BTreeMap;

use axum::http::StatusCode;
use linli_core::DocKind;
use linli_core::api::photos::{MAX_PHOTO_BYTES, sha256_of};

use super::{BlobChunk, BlobQuota, BlobState, BlobUsage, LogChange};
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

/// The documents an append has bound or checked already, with whether each is erased: a
/// document's later changes in the same push are checked against its first one instead of
/// asking the database again (a push of a new record's five changes asked ten times).
#[derive(Debug, Default)]
pub struct Bound<'a>(BTreeMap<&'a str, (DocKind, &'a str, bool)>);

impl<'a> Bound<'a> {
    /// Whether `change`'s document is erased; `bind` (which binds a new document, or checks
    /// the stored binding, and says whether the document is erased) runs for a document's
    /// first change of the append only.
    pub fn erased(
        &mut self,
        change: &'a LogChange,
        bind: impl FnOnce() -> Result<bool, RelayError>,
    ) -> Result<bool, RelayError> {
        if let Some((kind, scope, erased)) = self.0.get(change.doc_id.as_str()) {
            same_binding(change, kind.as_str(), scope)?;
            return Ok(*erased);
        }
        let erased = bind()?;
        self.0
            .insert(&change.doc_id, (change.kind, &change.scope, erased));
        Ok(erased)
    }
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
    /// Store these bytes as the device's upload (complete or not) and answer with the state;
    /// a complete upload is the blob, and the other devices' unfinished uploads of it go.
    Store {
        /// All bytes of this device's upload so far.
        bytes: Vec<u8>,
        /// Whether they are all of it, verified.
        complete: bool,
        /// The state to answer with.
        state: BlobState,
    },
    /// The complete bytes do not match the hash: delete the device's upload, then fail with
    /// this.
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

/// Bytes as a person reads them.
fn mib(bytes: u64) -> String {
    format!("{:.1} MiB", bytes as f64 / (1024.0 * 1024.0))
}

/// Whether an upload of `total` bytes fits the quota, given what is kept now (`usage`), of
/// which `replaced` bytes are the device's own unfinished upload of this photo, which the
/// upload replaces. The announced size counts from the first chunk, so that a photo that
/// cannot fit is refused before its bytes travel.
pub fn check_quota(
    quota: BlobQuota,
    usage: BlobUsage,
    replaced: u64,
    total: u64,
) -> Result<(), RelayError> {
    let full =
        |message: String| RelayError::new(StatusCode::INSUFFICIENT_STORAGE, "photo_quota", message);
    let device = usage.device.saturating_sub(replaced);
    if device.saturating_add(total) > quota.per_device {
        return Err(full(format!(
            "this device keeps {} of photos at the relay and may keep at most {}: this photo \
             ({}) does not fit",
            mib(device),
            mib(quota.per_device),
            mib(total)
        )));
    }
    let all = usage.all.saturating_sub(replaced);
    if all.saturating_add(total) > quota.total {
        return Err(full(format!(
            "the relay's photo storage is full ({} of {}): this photo ({}) does not fit; ask \
             the office to make room",
            mib(all),
            mib(quota.total),
            mib(total)
        )));
    }
    Ok(())
}

/// Appends `chunk` to its device's upload, given what is stored for that device (`stored`:
/// the complete blob, whoever uploaded it, or else the device's own unfinished upload) and
/// what every device keeps (`usage`). Offset 0 starts the device's upload over, whatever it
/// had; any other offset continues it, with the same announced size, exactly where it ends
/// (409 `wrong_offset` otherwise, and nothing changes). Another device's upload is never
/// read here, so it can neither be continued nor disturbed.
pub fn blob_write(
    stored: Option<StoredBlob>,
    chunk: &BlobChunk<'_>,
    usage: BlobUsage,
    quota: BlobQuota,
) -> Result<BlobWrite, RelayError> {
    let (hash, offset, total, bytes) = (chunk.hash, chunk.offset, chunk.total, chunk.bytes);
    check_blob_size(total)?;
    let (mut have, replaced) = match stored {
        Some((_, b, true)) => {
            return Ok(BlobWrite::AlreadyComplete(BlobState::Complete {
                size: b.len() as u64,
            }));
        }
        Some((_, b, false)) if offset == 0 => (Vec::new(), b.len() as u64),
        Some((t, b, false)) if t == total && offset == b.len() as u64 => {
            let len = b.len() as u64;
            (b, len)
        }
        None if offset == 0 => (Vec::new(), 0),
        mismatch => {
            let (have, of) = mismatch.map_or((0, total), |(t, b, _)| (b.len(), t));
            return Err(RelayError::new(
                StatusCode::CONFLICT,
                "wrong_offset",
                format!(
                    "this device's upload of the photo has {have} of {of} bytes; continue from \
                     there with that size, or start again from offset 0 (not {offset} of \
                     {total})"
                ),
            ));
        }
    };
    if have.len() as u64 + bytes.len() as u64 > total {
        return Err(RelayError::bad_request(
            "photo_too_long",
            "more bytes than the photo's announced size",
        ));
    }
    check_quota(quota, usage, replaced, total)?;
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

#[cfg(test)]
mod tests {
    use super::*;

    fn logged(doc_id: &str, kind: DocKind, scope: &str) -> LogChange {
        LogChange {
            hash: [0; 32],
            doc_id: doc_id.into(),
            kind,
            scope: scope.into(),
            bytes: Vec::new(),
        }
    }

    #[test]
    fn a_document_is_bound_once_per_append_and_its_later_changes_must_match() {
        let first = logged("hh-1", DocKind::Household, "building:b1");
        let second = logged("hh-1", DocKind::Household, "building:b1");
        let elsewhere = logged("hh-1", DocKind::Household, "building:b2");
        let erased = logged("hh-2", DocKind::Household, "building:b1");
        let again = logged("hh-2", DocKind::Household, "building:b1");
        let mut asked = 0;
        let mut bound = Bound::default();
        let mut ask = |answer: bool| {
            asked += 1;
            Ok(answer)
        };
        assert!(!bound.erased(&first, || ask(false)).expect("bound"));
        assert!(!bound.erased(&second, || ask(false)).expect("same binding"));
        let mismatch = bound
            .erased(&elsewhere, || ask(false))
            .expect_err("another scope");
        assert_eq!(mismatch.code, "scope_mismatch");
        assert!(bound.erased(&erased, || ask(true)).expect("erased"));
        assert!(bound.erased(&again, || ask(false)).expect("still erased"));
        assert_eq!(asked, 2, "the database is asked once per document");
    }

    fn chunk<'a>(hash: &'a str, offset: u64, total: u64, bytes: &'a [u8]) -> BlobChunk<'a> {
        BlobChunk {
            hash,
            device_id: "phone",
            offset,
            total,
            bytes,
        }
    }

    #[test]
    fn offset_zero_starts_over_and_any_other_must_continue() {
        let photo = b"0123456789";
        let hash = sha256_of(photo);
        let none = BlobUsage::default();
        let mine = Some((10, photo[..4].to_vec(), false));
        let again = blob_write(
            mine.clone(),
            &chunk(&hash, 0, 10, &photo[..2]),
            none,
            BlobQuota::UNLIMITED,
        )
        .unwrap();
        assert!(matches!(again, BlobWrite::Store { ref bytes, .. } if bytes == b"01"));
        for (offset, total) in [(3, 10), (4, 11), (5, 10)] {
            let refused = blob_write(
                mine.clone(),
                &chunk(&hash, offset, total, &photo[4..5]),
                none,
                BlobQuota::UNLIMITED,
            )
            .unwrap_err();
            assert_eq!(refused.code, "wrong_offset", "{offset} of {total}");
        }
        let done = blob_write(
            mine,
            &chunk(&hash, 4, 10, &photo[4..]),
            none,
            BlobQuota::UNLIMITED,
        )
        .unwrap();
        assert!(matches!(done, BlobWrite::Store { complete: true, .. }));
    }

    #[test]
    fn quotas_count_the_announced_size_less_what_it_replaces() {
        let quota = BlobQuota {
            per_device: 100,
            total: 150,
        };
        let usage = BlobUsage {
            device: 80,
            all: 120,
        };
        assert!(check_quota(quota, usage, 0, 20).is_ok());
        let device = check_quota(quota, usage, 0, 21).unwrap_err();
        assert_eq!(
            (device.status, device.code),
            (StatusCode::INSUFFICIENT_STORAGE, "photo_quota")
        );
        assert!(check_quota(quota, usage, 30, 50).is_ok(), "its own upload");
        let all = check_quota(
            quota,
            BlobUsage {
                device: 0,
                all: 120,
            },
            0,
            31,
        )
        .unwrap_err();
        assert!(all.message.contains("full"), "{}", all.message);
    }
}
