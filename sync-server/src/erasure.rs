//! Erasing a record everywhere (a resident's household at their request; gate days past the
//! community's retention): the admin tools remove the record's changes from the log and its
//! set-aside changes and keep a tombstone (its id, when, by whom: nothing personal). From the
//! tombstones, every store deletes the record for good: the relay's replica and the admin
//! store when they next follow the log, each phone at its next sync
//! (`SyncResponse::erased`). A change to an erased record pushed afterwards (by a phone that
//! was offline) is refused as `erased` and dropped, not set aside: keeping it would keep
//! what was erased.
//!
//! What copies a record's personal data goes with it: a household's needs (its address and
//! what the resident needs) and a ticket's work orders (what was reported, its photos).

use std::collections::{BTreeSet, HashSet};
use std::sync::Mutex;

use linli_core::sync::protocol::MAX_ERASED_PER_RESPONSE;
use linli_core::{DocKind, Linli};

use crate::admin::Admin;
use crate::error::RelayError;
use crate::relay::Relay;
use crate::storage::RelayStorage;

/// The erased documents a relay process knows of, and the position they go up to.
#[derive(Debug, Default)]
pub struct ErasedIndex {
    state: Mutex<(i64, HashSet<String>)>,
}

impl Relay {
    /// Those of `doc_ids` that were erased. The index first takes the erasures made since it
    /// last looked (by the admin tools, perhaps in another process), and the judge forgets
    /// its copies of those records.
    pub(crate) fn erased_among<'a>(
        &self,
        doc_ids: impl Iterator<Item = &'a str>,
    ) -> Result<BTreeSet<String>, RelayError> {
        let mut state = self.erased.state.lock().unwrap_or_else(|e| e.into_inner());
        loop {
            let fresh = self
                .storage
                .erased_after(state.0, MAX_ERASED_PER_RESPONSE)?;
            let Some(last) = fresh.last().map(|e| e.seq) else {
                break;
            };
            state.0 = last;
            let ids: Vec<String> = fresh.into_iter().map(|e| e.doc_id).collect();
            self.judge.forget(&ids);
            state.1.extend(ids);
        }
        Ok(doc_ids
            .filter(|d| state.1.contains(*d))
            .map(str::to_owned)
            .collect())
    }
}

/// Applies to `linli` (the replica, the admin store) every erasure it has not applied.
/// Returns how many records it held.
pub fn follow_erasures(storage: &dyn RelayStorage, linli: &Linli) -> Result<usize, RelayError> {
    let mut held = 0;
    loop {
        let fresh = storage.erased_after(linli.erased_seq()?, MAX_ERASED_PER_RESPONSE)?;
        if fresh.is_empty() {
            return Ok(held);
        }
        held += linli.apply_erasures(&fresh)?;
    }
}

/// What erasing a record did.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ErasedRecord {
    /// The record's kind.
    pub kind: DocKind,
    /// The tombstone's position.
    pub seq: i64,
    /// Changes removed from the log.
    pub log_rows: u64,
    /// Photos deleted with it: those no other record names.
    pub photos: u64,
    /// The records that copied its data, erased with it (a household's needs, a ticket's work
    /// orders).
    pub with: Vec<String>,
}

impl Admin {
    /// Erases the household, ticket or gate day `doc_id` everywhere (see the module
    /// documentation); the admin store deletes it at once.
    pub fn erase_record(&self, doc_id: &str, now_ms: i64) -> Result<ErasedRecord, RelayError> {
        let Some((kind, scope)) = self.storage().doc_binding(doc_id)? else {
            return Err(RelayError::bad_request(
                "unknown_record",
                format!("the log holds no record {doc_id}"),
            ));
        };
        if !matches!(
            kind,
            DocKind::Household | DocKind::Ticket | DocKind::GateLog | DocKind::Need | DocKind::Case
        ) {
            return Err(RelayError::bad_request(
                "not_erasable",
                format!(
                    "{doc_id} is a {}: only households, tickets, gate days, needs and work \
                     orders hold residents' data and are erased",
                    kind.as_str()
                ),
            ));
        }
        let by = self.linli().identity().member_id.clone();
        // The photos it names, read (from the whole log) before the admin store forgets it.
        let photos = match kind {
            DocKind::Ticket => {
                self.pull()?;
                self.linli().ticket(doc_id)?.state.photos
            }
            _ => Vec::new(),
        };
        // What copied its data goes first, so that no copy names its photos any more.
        let with = self.copies_of(doc_id, kind)?;
        for copy in &with {
            if let Some((_, copy_scope)) = self.storage().doc_binding(copy)? {
                self.storage()
                    .erase_document(copy, &copy_scope, &by, now_ms)?;
            }
        }
        let Some((seq, log_rows)) = self.storage().erase_document(doc_id, &scope, &by, now_ms)?
        else {
            return Err(RelayError::bad_request(
                "already_erased",
                format!("{doc_id} was erased already"),
            ));
        };
        self.pull()?;
        // A photo goes with the record unless another record (a merged duplicate) names it.
        let mut deleted = 0;
        for hash in &photos {
            if self.linli().documents_naming_photo(hash)?.is_empty() {
                self.storage().delete_blob(hash)?;
                deleted += 1;
            }
        }
        tracing::warn!(doc = %doc_id, kind = kind.as_str(), seq, log_rows, photos = deleted, by = %by, "record erased");
        Ok(ErasedRecord {
            kind,
            seq,
            log_rows,
            photos: deleted,
            with,
        })
    }

    /// The records holding a copy of `doc_id`'s data: a household's needs, a ticket's work
    /// orders.
    fn copies_of(&self, doc_id: &str, kind: DocKind) -> Result<Vec<String>, RelayError> {
        use linli_core::api::cases::OrderFilter;
        use linli_core::api::needs::NeedFilter;
        Ok(match kind {
            DocKind::Household => {
                self.pull()?;
                let filter = NeedFilter {
                    household_id: Some(doc_id.to_owned()),
                    ..NeedFilter::default()
                };
                self.linli()
                    .needs(&filter)?
                    .into_iter()
                    .map(|n| n.id)
                    .collect()
            }
            DocKind::Ticket => {
                let filter = OrderFilter {
                    ticket_id: Some(doc_id.to_owned()),
                    ..OrderFilter::default()
                };
                self.linli()
                    .orders(&filter)?
                    .into_iter()
                    .map(|o| o.id)
                    .collect()
            }
            _ => Vec::new(),
        })
    }
}
