//! What a push does while a request travels: the last answer is kept (its outbox rows
//! deleted, its cursors and mark written) and the outbox rows the next request will carry are
//! read ahead, each on a blocking thread. Between two large requests the phone then only
//! builds the next one: deleting thousands of answered rows and reading thousands of new ones
//! took it about a tenth of the relay's time for each request, with the relay idle meanwhile.
//!
//! Once a request of the push's steady size has been answered, and the relay takes it, the
//! next request is sent while the last is still being judged ([`Sent`], following it: see
//! `linli_relay::push_order`): the relay judges it as soon as the one before is stored,
//! instead of waiting for the phone to read the answer and send again.

use std::collections::BTreeMap;
use std::sync::Arc;
use std::time::Instant;

use tokio_util::sync::CancellationToken;

use super::client::{LOG_MARK, SyncClient, SyncError, SyncResult, mark_value, stored_mark};
use super::protocol::{
    self, Cursor, DEVICE_STATUS_HEADER, DeviceStatus, FOLLOWS_HEADER, LogMark, SyncRequest,
    SyncResponse, change_key,
};
use super::push_size::PushSize;
use crate::api::Linli;
use crate::error::Error;
use crate::store::RemoteChange;

/// The outbox rows the relay has answered, and what is kept of an answer that brought nothing
/// to apply (deleting the answered rows, the cursors and the mark) while it is written on a
/// blocking thread: the next request is read from after those rows and sent meanwhile, with
/// the cursors and mark being written.
#[derive(Default)]
pub(super) struct Acknowledging {
    /// The last outbox row the relay answered in this sync (0: none yet).
    pub(super) answered_through: i64,
    /// The cursors being written.
    cursors: Vec<Cursor>,
    /// The mark being written, when the answer changed it.
    mark: Option<Option<LogMark>>,
    running: Option<tokio::task::JoinHandle<crate::Result<usize>>>,
}

impl Acknowledging {
    /// Starts keeping an answer: the outbox rows up to `ack_seq` go, and `cursors` and `mark`
    /// are written (the last answer has settled).
    pub(super) fn start(
        &mut self,
        linli: &Arc<Linli>,
        ack_seq: Option<i64>,
        cursors: Vec<Cursor>,
        mark: Option<Option<LogMark>>,
    ) {
        let linli = Arc::clone(linli);
        let (kept_cursors, kept_mark) = (cursors.clone(), mark);
        self.cursors = cursors;
        self.mark = mark;
        self.running = Some(tokio::task::spawn_blocking(move || {
            let settings: Vec<(&str, String)> = kept_mark
                .map(|m| (LOG_MARK, mark_value(m)))
                .into_iter()
                .collect();
            linli.keep_answer(ack_seq, &kept_cursors, &settings)
        }));
    }

    /// The mark and the cursors the next request starts from: the stored ones, with those
    /// being written over them.
    pub(super) fn position(&self, linli: &Linli) -> crate::Result<(Option<LogMark>, Vec<Cursor>)> {
        let mark = match &self.mark {
            Some(mark) => *mark,
            None => stored_mark(linli)?,
        };
        let mut cursors: BTreeMap<String, i64> = linli
            .cursors()?
            .into_iter()
            .map(|c| (c.scope, c.seq))
            .collect();
        for c in &self.cursors {
            let seq = cursors.entry(c.scope.clone()).or_insert(c.seq);
            *seq = (*seq).max(c.seq);
        }
        let cursors = cursors
            .into_iter()
            .map(|(scope, seq)| Cursor { scope, seq })
            .collect();
        Ok((mark, cursors))
    }

    /// Waits for the answer being written, if any.
    pub(super) async fn settle(&mut self) -> SyncResult<()> {
        let Some(running) = self.running.take() else {
            return Ok(());
        };
        self.cursors.clear();
        self.mark = None;
        running
            .await
            .map_err(|e| SyncError::Local(Error::document("sync", e)))?
            .map_err(SyncError::Local)?;
        Ok(())
    }
}

/// Outbox rows read ahead of the request that will carry them: those after `after`, within
/// the largest bounds that request may have.
pub(super) struct ReadAhead {
    after: i64,
    rows: Vec<(i64, RemoteChange)>,
    /// Whether the bounds left rows after them.
    full: bool,
}

impl ReadAhead {
    /// Starts reading the outbox rows after `after` within `bounds`.
    pub(super) fn start(
        linli: &Arc<Linli>,
        after: i64,
        bounds: PushSize,
    ) -> tokio::task::JoinHandle<crate::Result<ReadAhead>> {
        let linli = Arc::clone(linli);
        tokio::task::spawn_blocking(move || {
            let (rows, full) = outbox_chunk(&linli, after, bounds)?;
            Ok(ReadAhead { after, rows, full })
        })
    }

    /// The rows of a request after `after` bounded by `size` (at least one), and whether the
    /// bounds cut the outbox short; `None` when these rows were read from elsewhere.
    pub(super) fn take(
        self,
        after: i64,
        size: PushSize,
    ) -> Option<(Vec<(i64, RemoteChange)>, bool)> {
        if self.after != after {
            return None;
        }
        let mut rows = self.rows;
        let mut held = 0usize;
        let mut taken = 0;
        for (_, change) in &rows {
            held = held.saturating_add(change.bytes.len());
            if taken > 0 && (taken >= size.changes || held > size.bytes) {
                break;
            }
            taken += 1;
        }
        let cut = taken < rows.len();
        rows.truncate(taken);
        Some((rows, cut || self.full))
    }
}

/// The outbox rows after `after` within `size` (at least one), and whether the bounds cut the
/// outbox short.
pub(super) fn outbox_chunk(
    linli: &Linli,
    after: i64,
    size: PushSize,
) -> crate::Result<(Vec<(i64, RemoteChange)>, bool)> {
    let (waiting, full) = linli.outbox_within(after, size.changes, size.bytes)?;
    Ok((
        waiting.into_iter().map(|c| (c.seq, c.change)).collect(),
        full,
    ))
}

/// A sync request on its way, its answer awaited by a task of its own so that the next request
/// can be sent before it comes. Dropped, it stops waiting: the relay may still store what it
/// carried, and the next request carries it again (a change the log holds passes).
pub(super) struct Sent {
    /// The request.
    pub(super) request: SyncRequest,
    /// The last outbox row it carries.
    pub(super) last_seq: Option<i64>,
    /// Whether the outbox held rows after it.
    pub(super) full: bool,
    /// The bounds its rows were read within.
    pub(super) bounds: PushSize,
    /// Whether it is larger than a first request (sent once, without retries).
    pub(super) grown: bool,
    /// Whether it follows a request not answered when it was sent: its answer holds no page.
    pub(super) follows: bool,
    /// When it was sent.
    pub(super) sent: Instant,
    answer: tokio::task::JoinHandle<SyncResult<(SyncResponse, reqwest::header::HeaderMap)>>,
}

/// What a request sent carries beside itself.
pub(super) struct Carrying {
    /// The last outbox row it carries.
    pub(super) last_seq: Option<i64>,
    /// Whether the outbox held rows after it.
    pub(super) full: bool,
    /// The bounds its rows were read within.
    pub(super) bounds: PushSize,
    /// Whether it is larger than a first request.
    pub(super) grown: bool,
}

impl Sent {
    /// Sends `request` with `status`, naming the request it `follows` if any, trying again up
    /// to `retries` times when the network fails.
    pub(super) fn send(
        client: &SyncClient,
        request: SyncRequest,
        carrying: Carrying,
        status: &DeviceStatus,
        follows: Option<&Sent>,
        retries: u32,
        cancel: &CancellationToken,
    ) -> Sent {
        let body = protocol::encode(&request);
        let mut headers = vec![(DEVICE_STATUS_HEADER, status.to_header())];
        let follows_last = follows
            .and_then(|f| f.request.push.last())
            .map(|last| hex::encode(change_key(&last.bytes)));
        let follows = follows_last.is_some();
        headers.extend(follows_last.map(|key| (FOLLOWS_HEADER, key)));
        let (client, cancel) = (client.clone(), cancel.clone());
        let answer = tokio::spawn(async move {
            client
                .post("/v1/sync", body, &headers, retries, &cancel)
                .await
        });
        Sent {
            request,
            last_seq: carrying.last_seq,
            full: carrying.full,
            bounds: carrying.bounds,
            grown: carrying.grown,
            follows,
            sent: Instant::now(),
            answer,
        }
    }

    /// The relay's answer, and whether the relay takes requests that follow one not yet
    /// answered.
    pub(super) async fn answer(&mut self) -> SyncResult<(SyncResponse, bool)> {
        let (answer, headers) = (&mut self.answer)
            .await
            .map_err(|e| SyncError::Local(Error::document("sync", e)))??;
        Ok((answer, headers.contains_key(FOLLOWS_HEADER)))
    }
}

impl Drop for Sent {
    fn drop(&mut self) {
        self.answer.abort();
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn change(n: usize) -> RemoteChange {
        RemoteChange {
            doc_id: format!("d{n}"),
            kind: crate::DocKind::Household,
            scope: "building:b".into(),
            bytes: vec![0; 10],
        }
    }

    fn ahead(after: i64, n: usize, full: bool) -> ReadAhead {
        ReadAhead {
            after,
            rows: (0..n).map(|i| (after + 1 + i as i64, change(i))).collect(),
            full,
        }
    }

    fn size(changes: usize, bytes: usize) -> PushSize {
        PushSize { changes, bytes }
    }

    #[test]
    fn rows_read_ahead_are_cut_to_the_request_s_bounds() {
        let (rows, full) = ahead(7, 10, false)
            .take(7, size(4, 1000))
            .expect("same start");
        assert_eq!(rows.iter().map(|r| r.0).collect::<Vec<_>>(), [8, 9, 10, 11]);
        assert!(full, "rows were left");
        let (rows, full) = ahead(7, 10, false)
            .take(7, size(100, 35))
            .expect("same start");
        assert_eq!(rows.len(), 3, "bytes bound the request too");
        assert!(full);
        // At least one, however small the bounds.
        let (rows, _) = ahead(7, 10, false).take(7, size(1, 1)).expect("same start");
        assert_eq!(rows.len(), 1);
    }

    #[test]
    fn rows_read_ahead_tell_whether_the_outbox_held_more() {
        let (rows, full) = ahead(0, 5, false)
            .take(0, size(8, 1000))
            .expect("same start");
        assert_eq!((rows.len(), full), (5, false));
        let (rows, full) = ahead(0, 5, true)
            .take(0, size(8, 1000))
            .expect("same start");
        assert_eq!((rows.len(), full), (5, true));
    }

    #[test]
    fn rows_read_ahead_from_elsewhere_are_not_used() {
        assert!(ahead(7, 10, false).take(9, size(4, 1000)).is_none());
    }
}
