//! The peer's side: automerge-repo's Rust implementation (samod, from crates.io) as a websocket
//! server with file-system storage, and its client doing the same work as a Linli phone: the
//! same records as automerge documents made of the same number of changes.

use std::path::Path;
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::{Duration, Instant};

use automerge::transaction::Transactable;
use automerge::{AutoCommit, Automerge, ObjType, ROOT};
use axum::Router;
use axum::extract::ws::WebSocketUpgrade;
use axum::routing::get;
use axum::serve::ListenerExt;
use futures::future::{BoxFuture, join_all};
use futures::{SinkExt, StreamExt};
use samod::storage::TokioFilesystemStorage;
use samod::{BackoffConfig, DialError, DialerHandle, DocHandle, DocumentId, Repo, Transport};
use tokio_tungstenite::tungstenite::{self, Message};

use crate::BenchError;
use crate::data::{self, Household, Record, Ticket};
use crate::linli_side::{ClientRun, timed};
use crate::wire::{self, Wire};

fn err(e: impl std::fmt::Display) -> BenchError {
    BenchError(format!("samod: {e}"))
}

async fn open_repo(dir: &Path, peer: &str) -> Repo {
    Repo::build_tokio()
        .with_storage(TokioFilesystemStorage::new(dir))
        .with_peer_id(peer.into())
        .load()
        .await
}

/// Serves a samod repo stored in `dir` on a free port of 127.0.0.1 until killed.
pub async fn serve(dir: &Path) -> Result<(), BenchError> {
    let repo = open_repo(dir, "relay").await;
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0")
        .await
        .map_err(err)?;
    let addr = listener.local_addr().map_err(err)?;
    let acceptor = repo
        .make_acceptor(format!("ws://{addr}/").parse().map_err(err)?)
        .map_err(err)?;
    let app = Router::new().route(
        "/",
        get(move |upgrade: WebSocketUpgrade| {
            let acceptor = acceptor.clone();
            async move {
                upgrade.on_upgrade(move |socket| async move {
                    if let Err(e) = acceptor.accept_axum(socket, None) {
                        eprintln!("samod server: {e:?}");
                    }
                })
            }
        }),
    );
    eprintln!("samod server listening addr={addr}");
    let listener = listener.tap_io(|tcp| {
        let _ = tcp.set_nodelay(true);
    });
    axum::serve(listener, app).await.map_err(err)
}

/// Websocket messages a client sent and received.
#[derive(Debug, Default)]
struct Messages {
    count: AtomicU64,
}

/// A websocket dialer with TCP_NODELAY and no TLS that counts the messages it carries.
struct CountingDialer {
    url: samod::Url,
    messages: Arc<Messages>,
}

impl samod::Dialer for CountingDialer {
    type Error = std::convert::Infallible;

    fn url(&self) -> samod::Url {
        self.url.clone()
    }

    fn connect(&self) -> BoxFuture<'static, Result<Transport, DialError<Self::Error>>> {
        let url = self.url.clone();
        let received = self.messages.clone();
        let sent = self.messages.clone();
        Box::pin(async move {
            let (ws, _) = tokio_tungstenite::connect_async_with_config(url.as_str(), None, true)
                .await
                .map_err(DialError::transient)?;
            let (sink, stream) = ws.split();
            let stream = stream.filter_map(move |message| {
                let out = match message {
                    Ok(Message::Binary(bytes)) => {
                        received.count.fetch_add(1, Ordering::SeqCst);
                        Some(Ok(bytes.to_vec()))
                    }
                    Ok(_) => None,
                    Err(e) => Some(Err(e)),
                };
                std::future::ready(out)
            });
            let sink = sink.with(move |bytes: Vec<u8>| {
                sent.count.fetch_add(1, Ordering::SeqCst);
                std::future::ready(Ok::<_, tungstenite::Error>(Message::Binary(bytes.into())))
            });
            Ok(Transport::new(Box::pin(stream), Box::pin(sink)))
        })
    }
}

fn dial(
    repo: &Repo,
    addr: &str,
    messages: &Arc<Messages>,
) -> Result<DialerHandle<std::convert::Infallible>, BenchError> {
    let dialer = CountingDialer {
        url: format!("ws://{addr}/").parse().map_err(err)?,
        messages: messages.clone(),
    };
    repo.dial(
        BackoffConfig {
            max_retries: Some(3),
            ..BackoffConfig::default()
        },
        Arc::new(dialer),
    )
    .map_err(err)
}

/// Builds record `i` as a document made of the changes a phone would make: a household
/// registered then visited three times, a ticket reported, accepted, replied to twice and then replied to or
/// resolved, as on Linli's side.
pub fn document(i: usize) -> Result<Automerge, BenchError> {
    let mut doc = AutoCommit::new();
    match data::record(i) {
        Record::Household(h) => household(&mut doc, &h),
        Record::Ticket(t) => ticket(&mut doc, &t),
    }
    .map_err(err)?;
    Ok(doc.document().clone())
}

fn household(doc: &mut AutoCommit, h: &Household) -> Result<(), automerge::AutomergeError> {
    doc.put(ROOT, "building", format!("{}号楼", h.building + 1))?;
    doc.put(ROOT, "unit", h.unit.as_str())?;
    doc.put(ROOT, "room", h.room.as_str())?;
    doc.put(ROOT, "phone", h.phone.as_str())?;
    doc.put(ROOT, "name", h.name.as_str())?;
    doc.put(ROOT, "birth_year", i64::from(h.birth_year))?;
    doc.put(ROOT, "address", h.address.as_str())?;
    doc.put(ROOT, "living_alone", h.living_alone)?;
    let visits = doc.put_object(ROOT, "visits", ObjType::List)?;
    doc.commit();
    for (n, v) in h.visits.iter().enumerate() {
        let visit = doc.insert_object(&visits, n, ObjType::Map)?;
        doc.put(&visit, "at_ms", 1_795_392_000_000i64 + n as i64 * 60_000)?;
        doc.put(&visit, "outcome", "met")?;
        doc.put(&visit, "needs", v.needs.as_str())?;
        doc.put(&visit, "temperature_c", v.temperature_c)?;
        doc.commit();
    }
    Ok(())
}

fn ticket(doc: &mut AutoCommit, t: &Ticket) -> Result<(), automerge::AutomergeError> {
    doc.put(ROOT, "category", "fire_safety")?;
    doc.put(ROOT, "place", format!("{}号楼", t.building + 1))?;
    doc.put(ROOT, "place_text", t.place_text.as_str())?;
    doc.put(ROOT, "description", t.description.as_str())?;
    let events = doc.put_object(ROOT, "events", ObjType::List)?;
    let last = if t.resolved { "resolved" } else { "replied" };
    let steps =
        [("reported", ""), ("accepted", "")]
            .into_iter()
            .chain(t.replies.iter().enumerate().map(|(k, r)| {
                (
                    if k + 1 == t.replies.len() {
                        last
                    } else {
                        "replied"
                    },
                    r.as_str(),
                )
            }));
    for (n, (kind, note)) in steps.enumerate() {
        let event = doc.insert_object(&events, n, ObjType::Map)?;
        doc.put(&event, "kind", kind)?;
        doc.put(&event, "note", note)?;
        doc.put(&event, "at_ms", 1_795_392_000_000i64 + n as i64 * 60_000)?;
        doc.commit();
    }
    Ok(())
}

/// Creates `n` records in the repo at `dir` (before any connection) and writes their ids to
/// `ids`, one per line, in record order.
pub async fn create(
    dir: &Path,
    n: usize,
    ids: &Path,
    progress: &dyn Fn(usize),
) -> Result<(), BenchError> {
    let repo = open_repo(dir, "phone").await;
    let mut out = Vec::with_capacity(n);
    for start in (0..n).step_by(200) {
        let docs = (start..(start + 200).min(n))
            .map(document)
            .collect::<Result<Vec<_>, _>>()?;
        for handle in join_all(docs.into_iter().map(|d| repo.create(d))).await {
            out.push(handle.map_err(err)?.document_id().to_string());
        }
        progress(out.len());
    }
    repo.stop().await;
    std::fs::write(ids, out.join("\n")).map_err(err)
}

fn read_ids(ids: &Path) -> Result<Vec<DocumentId>, BenchError> {
    std::fs::read_to_string(ids)
        .map_err(err)?
        .lines()
        .map(|l| l.parse().map_err(|e| err(format!("{l}: {e:?}"))))
        .collect()
}

async fn find_all(repo: &Repo, ids: &[DocumentId]) -> Result<Vec<DocHandle>, BenchError> {
    join_all(ids.iter().map(|id| repo.find(id.clone())))
        .await
        .into_iter()
        .map(|h| {
            h.map_err(err)?
                .ok_or_else(|| err("a document was not found"))
        })
        .collect()
}

/// Awaits every future, telling on standard error how many are done every 5 s.
async fn all_with_progress<T: Send + 'static>(
    futures: impl IntoIterator<Item = impl Future<Output = T> + Send + 'static>,
    what: &str,
) -> Vec<T> {
    let mut pending: futures::stream::FuturesUnordered<_> =
        futures.into_iter().map(tokio::spawn).collect();
    let total = pending.len();
    let mut out = Vec::with_capacity(total);
    let mut tick = tokio::time::interval(Duration::from_secs(5));
    tick.tick().await;
    loop {
        tokio::select! {
            next = pending.next() => match next {
                Some(Ok(v)) => out.push(v),
                Some(Err(e)) => eprintln!("  samod: a wait failed: {e}"),
                None => return out,
            },
            _ = tick.tick() => eprintln!("  samod: {}/{total} {what}", out.len()),
        }
    }
}

/// Indices of `k` household records, after skipping the first `skip` households.
fn households(k: usize, skip: usize) -> Vec<usize> {
    (0..)
        .filter(|i| matches!(data::record(*i), Record::Household(_)))
        .skip(skip)
        .take(k)
        .collect()
}

/// Changes the phone of `handles` offline; returns the raw bytes of the changes.
fn change_phones(handles: &[&DocHandle], round: usize) -> u64 {
    handles
        .iter()
        .enumerate()
        .map(|(i, h)| {
            h.with_document(|doc| {
                let mut tx = doc.transaction();
                let _ = tx.put(ROOT, "phone", format!("139{round:04}{i:04}"));
                tx.commit();
                doc.get_last_local_change()
                    .map_or(0, |c| c.raw_bytes().len() as u64)
            })
        })
        .sum()
}

/// Connects through a counting proxy and waits until the server has every change of
/// `changed`; then waits for the conversation to go quiet and counts what it cost.
async fn send_changes(
    repo: &Repo,
    server: &str,
    changed: &[&DocHandle],
    raw_bytes: u64,
) -> Result<ClientRun, BenchError> {
    let target = server.parse().map_err(err)?;
    let (proxy, wire) = wire::proxy(target).await?;
    let messages = Arc::new(Messages::default());
    let (dialer, wall_s, cpu_s) = timed(async {
        let dialer = dial(repo, &proxy.to_string(), &messages)?;
        dialer
            .established()
            .await
            .map_err(|e| err(format!("{e:?}")))?;
        let conn = dialer.connection_id().ok_or_else(|| err("not connected"))?;
        join_all(changed.iter().map(|h| h.they_have_our_changes(conn))).await;
        Ok(dialer)
    })
    .await?;
    // The peer may go on exchanging messages about other documents: count them all.
    let mut last = (messages.count.load(Ordering::SeqCst), Instant::now());
    let settle = Instant::now();
    while last.1.elapsed() < Duration::from_millis(500)
        && settle.elapsed() < Duration::from_secs(120)
    {
        tokio::time::sleep(Duration::from_millis(50)).await;
        let now = messages.count.load(Ordering::SeqCst);
        if now != last.0 {
            last = (now, Instant::now());
        }
    }
    dialer.close();
    let wire: Wire = wire.read();
    Ok(ClientRun {
        wall_s,
        cpu_s,
        records: changed.len() as u64,
        changes: changed.len() as u64,
        raw_bytes,
        wire,
        messages: last.0,
    })
}

/// What one push process measured: the cold push, then a reconnect with every record loaded.
#[derive(Debug, Clone, serde::Serialize, serde::Deserialize)]
pub struct PushRuns {
    /// The cold push of every record.
    pub push: ClientRun,
    /// Reconnecting after `k` records changed offline, all records loaded.
    pub reconnect_loaded: ClientRun,
}

/// Loads every record of the repo at `dir`, connects to `server` and times until the server
/// has them all; then disconnects, changes `k` records and times the reconnect.
pub async fn push(dir: &Path, ids: &Path, server: &str, k: usize) -> Result<PushRuns, BenchError> {
    let repo = open_repo(dir, "phone").await;
    let ids = read_ids(ids)?;
    let handles = find_all(&repo, &ids).await?;
    let messages = Arc::new(Messages::default());
    let (dialer, wall_s, cpu_s) = timed(async {
        let dialer = dial(&repo, server, &messages)?;
        dialer
            .established()
            .await
            .map_err(|e| err(format!("{e:?}")))?;
        let conn = dialer.connection_id().ok_or_else(|| err("not connected"))?;
        all_with_progress(
            handles.iter().map(|h| h.they_have_our_changes(conn)),
            "acknowledged",
        )
        .await;
        Ok(dialer)
    })
    .await?;
    let push = ClientRun {
        wall_s,
        cpu_s,
        records: handles.len() as u64,
        changes: handles.len() as u64,
        messages: messages.count.load(Ordering::SeqCst),
        ..ClientRun::default()
    };
    // Offline: the dialer closes its connection (it does not report when; give it a moment).
    dialer.close();
    tokio::time::sleep(Duration::from_millis(200)).await;
    let changed: Vec<&DocHandle> = households(k, 0).iter().map(|i| &handles[*i]).collect();
    let raw = change_phones(&changed, 1);
    let reconnect_loaded = send_changes(&repo, server, &changed, raw).await?;
    repo.stop().await;
    Ok(PushRuns {
        push,
        reconnect_loaded,
    })
}

/// An empty repo at `dir` connects to `server` and finds every record of `ids`.
pub async fn fetch(dir: &Path, ids: &Path, server: &str) -> Result<ClientRun, BenchError> {
    let repo = open_repo(dir, "fresh-phone").await;
    let ids = read_ids(ids)?;
    let messages = Arc::new(Messages::default());
    let (found, wall_s, cpu_s) = timed(async {
        let dialer = dial(&repo, server, &messages)?;
        dialer
            .established()
            .await
            .map_err(|e| err(format!("{e:?}")))?;
        find_all(&repo, &ids).await
    })
    .await?;
    repo.stop().await;
    Ok(ClientRun {
        wall_s,
        cpu_s,
        records: found.len() as u64,
        changes: found.len() as u64,
        messages: messages.count.load(Ordering::SeqCst),
        ..ClientRun::default()
    })
}

/// A restarted client: loads only `k` records of the repo at `dir`, changes them and times
/// the reconnect.
pub async fn reconnect(
    dir: &Path,
    ids: &Path,
    server: &str,
    k: usize,
) -> Result<ClientRun, BenchError> {
    let repo = open_repo(dir, "phone").await;
    let all = read_ids(ids)?;
    let ids: Vec<DocumentId> = households(k, k).iter().map(|i| all[*i].clone()).collect();
    let handles = find_all(&repo, &ids).await?;
    let changed: Vec<&DocHandle> = handles.iter().collect();
    let raw = change_phones(&changed, 2);
    let run = send_changes(&repo, server, &changed, raw).await?;
    repo.stop().await;
    Ok(run)
}

#[cfg(test)]
mod tests {
    use super::*;
    use automerge::ReadDoc;

    #[test]
    fn documents_hold_the_records_in_as_many_changes_as_a_phone_makes() {
        let h = document(0).expect("household");
        assert_eq!(h.get_changes(&[]).len(), 4);
        let (phone, _) = h.get(ROOT, "phone").expect("read").expect("phone");
        assert_eq!(phone.as_str(), Some("13800000000"));
        let t = document(9).expect("ticket");
        assert_eq!(t.get_changes(&[]).len(), 5);
        assert_eq!(households(3, 8), vec![8, 10, 11]);
    }
}
