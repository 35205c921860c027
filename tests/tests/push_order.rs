//! A phone sends its next push request while the relay still judges the last one, naming it
//! (`linli-follows`); the relay judges it once the one it follows is stored. Nothing is lost
//! or logged out of order, a request whose predecessor never arrives is answered
//! `follows_unanswered` without being judged, and the phone then sends it again.

use std::collections::BTreeSet;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::Duration;

use axum::http::StatusCode;
use axum::response::IntoResponse;
use linli_core::api::directory::RoleInput;
use linli_core::records::directory::Role;
use linli_core::sync::client::{SyncClient, SyncOptions, SyncResult, SyncSummary};
use linli_core::sync::protocol::{
    self, FOLLOWS_HEADER, FOLLOWS_UNANSWERED, MEDIA_TYPE, PROTOCOL_VERSION, SyncRequest,
    VERSION_HEADER, change_key,
};
use linli_e2e::proxy::{Seen, SyncProxy};
use linli_e2e::{TestRelay, change_hashes, door_to_door, forger, whole_log};
use linli_relay::demo::Phone;
use linli_relay::relay::Limits;
use linli_relay::storage::LogChange;
use tokio_util::sync::CancellationToken;

/// The push requests' bound in bytes, in these tests: a few dozen changes each, not growing.
const PUSH_BYTES: usize = 8 * 1024;

fn client(url: &str, token: &str) -> SyncClient {
    SyncClient::new(SyncOptions {
        push_bytes: PUSH_BYTES,
        max_push_bytes: PUSH_BYTES,
        retries: 2,
        backoff: Duration::from_millis(20),
        ..SyncOptions::new(url, token)
    })
    .expect("client")
}

/// A client for `url` that puts one change in each push request (every change is larger
/// than its bound), whatever the changes weigh.
fn one_change_a_request(url: &str, token: &str) -> SyncClient {
    SyncClient::new(SyncOptions {
        push_bytes: 1,
        max_push_bytes: 1,
        ..SyncOptions::new(url, token)
    })
    .expect("client")
}

/// Syncs `linli` through a proxy that sees its push requests, with the client `make` builds
/// for the proxy's address: the sync's result and the push requests seen.
async fn sync_seen(
    r: &TestRelay,
    linli: &Arc<linli_core::Linli>,
    make: impl FnOnce(&str) -> SyncClient,
) -> (SyncResult<SyncSummary>, Vec<Seen>) {
    let proxy = SyncProxy::start(&r.url, Box::new(|_| None)).await;
    let summary = make(&proxy.url)
        .sync(linli, &|_| {}, &CancellationToken::new())
        .await;
    let pushes = proxy.pushes();
    proxy.stop().await;
    (summary, pushes)
}

/// A refusal as the relay words it, answered by the proxy: `status`, the error `code` and,
/// when given, `Retry-After`.
fn refusal(status: StatusCode, code: &str, retry_after: Option<&str>) -> axum::response::Response {
    let body = serde_json::to_vec(&protocol::ErrorBody {
        error: code.into(),
        message: code.into(),
    })
    .expect("json");
    let mut response = (
        status,
        [(axum::http::header::CONTENT_TYPE, "application/json")],
        body,
    )
        .into_response();
    if let Some(secs) = retry_after {
        response.headers_mut().insert(
            axum::http::header::RETRY_AFTER,
            axum::http::HeaderValue::from_str(secs).expect("header"),
        );
    }
    response
}

/// A relay and lead Wang's phone, synced once, then holding `households` new households of
/// 3号楼 with a visit each, not pushed yet.
async fn wang_with_households(households: usize) -> (TestRelay, Phone) {
    let r = TestRelay::start().await;
    let wang = r.phone("lead-wang", "wang-phone").await;
    wang.sync().await.expect("first sync");
    door_to_door(&wang.linli, &r.places.building3, households);
    (r, wang)
}

/// The hashes the relay logged.
fn logged(r: &TestRelay) -> BTreeSet<[u8; 32]> {
    whole_log(r.relay.storage.as_ref())
        .iter()
        .map(|c| c.change.hash)
        .collect()
}

/// Each request naming another names one seen before it (by its last change).
fn assert_follows_earlier(pushes: &[Seen]) {
    let keys: Vec<String> = pushes
        .iter()
        .map(|p| hex::encode(change_key(&p.last)))
        .collect();
    for (i, p) in pushes.iter().enumerate() {
        if let Some(follows) = &p.follows {
            assert!(
                keys.iter().enumerate().any(|(j, k)| j != i && k == follows),
                "request {i} follows a request never sent"
            );
        }
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_next_push_request_is_sent_while_the_last_is_judged() {
    let (r, wang) = wang_with_households(150).await;
    let token = wang.client.options().token.clone();
    let (summary, pushes) = sync_seen(&r, &wang.linli, |url| client(url, &token)).await;
    let summary = summary.expect("sync");

    let followers = pushes.iter().filter(|p| p.follows.is_some()).count();
    assert!(
        pushes.len() >= 4 && followers == pushes.len() - 2,
        "after the first answer every request but the next follows the one before: \
         {followers} of {}",
        pushes.len()
    );
    assert_follows_earlier(&pushes);
    assert_eq!(summary.outbox_left, 0);
    assert_eq!(wang.linli.outbox_len().expect("outbox"), 0);
    assert!(change_hashes(&wang.linli).is_subset(&logged(&r)));

    // Another lead of the building reads every household as the phone wrote it.
    let li = r.phone("lead-li", "li-phone").await;
    li.sync().await.expect("li syncs");
    assert_eq!(
        li.linli
            .households_in_building(&r.places.building3)
            .expect("list")
            .len(),
        wang.linli
            .households_in_building(&r.places.building3)
            .expect("list")
            .len()
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_request_the_relay_did_not_take_in_order_is_sent_again() {
    let (r, wang) = wang_with_households(150).await;
    // The first request that follows another is answered as if the one before had failed.
    let answered_one = AtomicBool::new(false);
    let proxy = SyncProxy::start(
        &r.url,
        Box::new(move |seen| {
            let first = seen.follows.is_some() && !answered_one.swap(true, Ordering::SeqCst);
            first.then(|| refusal(StatusCode::CONFLICT, FOLLOWS_UNANSWERED, None))
        }),
    )
    .await;
    let summary = client(&proxy.url, &wang.client.options().token)
        .sync(&wang.linli, &|_| {}, &CancellationToken::new())
        .await;
    let pushes = proxy.pushes();
    proxy.stop().await;
    let summary = summary.expect("the sync goes on past the refused request");

    let refused: Vec<&Seen> = pushes.iter().filter(|p| p.answered_here).collect();
    assert_eq!(refused.len(), 1, "one request answered by the proxy");
    let again = pushes
        .iter()
        .filter(|p| !p.answered_here && p.first == refused[0].first)
        .count();
    assert_eq!(again, 1, "its changes were sent again");
    let ahead_after = pushes
        .iter()
        .skip_while(|p| !p.answered_here)
        .skip(1)
        .filter(|p| p.follows.is_some())
        .count();
    assert!(
        ahead_after <= 1,
        "after it, only the request already on its way went ahead: {ahead_after}"
    );
    assert_eq!(summary.outbox_left, 0);
    assert!(change_hashes(&wang.linli).is_subset(&logged(&r)));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn refused_changes_sent_ahead_are_set_aside_and_the_rest_stored() {
    let r = TestRelay::start().await;
    let office = r.phone("office-admin", "office-pc").await;
    office.sync().await.expect("office syncs");
    let wang = r.phone("lead-wang", "wang-phone").await;
    wang.sync().await.expect("first sync");
    // Wang's store, built to skip its own checks: honest door-to-door work around two
    // directory edits only the office may make, the second building on the first, in requests
    // of one change each (the second goes while the first is judged, whatever the changes
    // weigh).
    let f = forger(&r, &office.linli, &wang, "wang");
    let before = door_to_door(&f, &r.places.building3, 40);
    let grant = |member: &str| {
        f.grant_role(
            member,
            &RoleInput {
                role: Role::Volunteer,
                places: vec![],
            },
        )
        .expect("the forger writes anything");
    };
    grant("lead-li");
    grant("gate-zhao");
    let after = door_to_door(&f, &r.places.building3, 20);

    let f_store = Arc::new(f);
    let token = wang.client.options().token.clone();
    let (summary, pushes) = sync_seen(&r, &f_store, |url| one_change_a_request(url, &token)).await;
    let summary = summary.expect("the refusals stop nothing else");
    assert!(pushes.iter().filter(|p| p.follows.is_some()).count() > 10);
    assert_eq!(summary.outbox_left, 0);

    // Every household's work is logged; neither directory edit is.
    let log = whole_log(r.relay.storage.as_ref());
    let logged_docs: BTreeSet<&str> = log.iter().map(|c| c.change.doc_id.as_str()).collect();
    for h in before.iter().chain(&after) {
        assert!(logged_docs.contains(h.as_str()), "household {h} not logged");
    }
    let directory_changes = |by: &str| {
        log.iter()
            .filter(|c| c.change.kind == linli_core::DocKind::Directory && c.device_id == by)
            .count()
    };
    assert_eq!(directory_changes(&wang.linli.identity().device_id), 0);
    // Both edits are kept aside (the first builds on the office's grant, which the relay never
    // received: it is refused, and the second with it), on the relay and on the phone.
    let aside = r.relay.storage.set_aside_list(false).expect("set aside");
    let directory_aside = aside
        .iter()
        .filter(|a| a.change.kind == linli_core::DocKind::Directory)
        .count();
    assert_eq!(directory_aside, 2, "{aside:?}");
    assert!(f_store.set_aside_count().expect("count") >= 2);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn changes_past_the_push_bound_go_one_a_request_and_wait_when_the_relay_limits_the_device() {
    // 60 changes, each larger than a request may carry: one change a request, past the
    // relay's burst for one device (40 at once, then 20 a second).
    let (r, wang) = wang_with_households(20).await;
    let waiting = wang.linli.outbox_len().expect("outbox") as usize;
    let token = wang.client.options().token.clone();
    let (summary, pushes) =
        sync_seen(&r, &wang.linli, |url| one_change_a_request(url, &token)).await;
    let summary = summary.expect("a limited rate slows the push, it does not stop it");
    assert_eq!(summary.outbox_left, 0);
    assert!(change_hashes(&wang.linli).is_subset(&logged(&r)));
    assert!(pushes.iter().all(|p| p.changes == 1));
    // Each change goes once, and again only after the relay's `429` and a pause: not hundreds
    // of times at once.
    assert!(
        pushes.len() < 2 * waiting,
        "{} requests for {waiting} changes",
        pushes.len()
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_phone_asked_to_wait_waits_as_long_as_it_is_asked() {
    let (r, wang) = wang_with_households(5).await;
    // In front of the relay, a limit that turns away every push request for a second after
    // the first, with `Retry-After: 1`.
    let since: std::sync::Mutex<Option<std::time::Instant>> = std::sync::Mutex::new(None);
    let proxy = SyncProxy::start(
        &r.url,
        Box::new(move |_| {
            let mut since = since.lock().expect("lock");
            let first = *since.get_or_insert_with(std::time::Instant::now);
            (first.elapsed() < Duration::from_secs(1))
                .then(|| refusal(StatusCode::TOO_MANY_REQUESTS, "rate_limited", Some("1")))
        }),
    )
    .await;
    // Its own pause between tries is a millisecond: only the relay's word makes it wait.
    let summary = SyncClient::new(SyncOptions {
        retries: 2,
        backoff: Duration::from_millis(1),
        ..SyncOptions::new(&proxy.url, &wang.client.options().token)
    })
    .expect("client")
    .sync(&wang.linli, &|_| {}, &CancellationToken::new())
    .await;
    let pushes = proxy.pushes();
    proxy.stop().await;
    let summary = summary.expect("waited, then pushed");
    assert_eq!(summary.outbox_left, 0);
    assert!(change_hashes(&wang.linli).is_subset(&logged(&r)));
    assert_eq!(
        pushes.iter().filter(|p| p.answered_here).count(),
        1,
        "one request turned away, the next sent after the pause"
    );
}

/// A push request of what `linli`'s outbox holds besides `sent`.
fn outbox_request(linli: &linli_core::Linli, sent: &[linli_core::RemoteChange]) -> SyncRequest {
    SyncRequest {
        push: linli
            .outbox(0, 100)
            .expect("outbox")
            .into_iter()
            .map(|c| c.change)
            .filter(|c| !sent.contains(c))
            .collect(),
        page_bytes: 1 << 20,
        actor: linli.actor_id(),
        ..SyncRequest::default()
    }
}

/// A sync request of `token` pushing `push`, naming `follows` in the header as given.
async fn push_following(url: &str, token: &str, request: &SyncRequest, follows: &str) -> u16 {
    let answer = linli_e2e::http_client()
        .post(format!("{url}/v1/sync"))
        .header(reqwest::header::CONTENT_TYPE, MEDIA_TYPE)
        .header(VERSION_HEADER, PROTOCOL_VERSION.to_string())
        .header(FOLLOWS_HEADER, follows)
        .bearer_auth(token)
        .body(protocol::encode(request))
        .send()
        .await
        .expect("relay reachable");
    let status = answer.status().as_u16();
    let body = answer.bytes().await.expect("body");
    if status != 200 {
        let error: protocol::ErrorBody = serde_json::from_slice(&body).expect("error body");
        return match error.error.as_str() {
            FOLLOWS_UNANSWERED => 1409,
            "bad_follows" => 1400,
            _ => status,
        };
    }
    status
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_request_whose_predecessor_is_not_stored_is_not_judged() {
    let r = TestRelay::start_with(Limits {
        follow_wait: Duration::from_millis(200),
        ..Limits::default()
    })
    .await;
    let wang = r.phone("lead-wang", "wang-phone").await;
    wang.sync().await.expect("first sync");
    door_to_door(&wang.linli, &r.places.building3, 3);
    let request = outbox_request(&wang.linli, &[]);
    let token = wang.client.options().token.clone();
    let before = logged(&r).len();

    // Named by a key no request of this device ended with: not judged, nothing logged.
    let unknown = hex::encode([9u8; 32]);
    assert_eq!(
        push_following(&r.url, &token, &request, &unknown).await,
        1409
    );
    assert_eq!(
        push_following(&r.url, &token, &request, "not-hex").await,
        1400
    );
    assert_eq!(logged(&r).len(), before, "nothing of them was logged");

    // Once a request ending with the named change is stored, the one following it is judged.
    let (head, tail) = request.push.split_at(2);
    let first = SyncRequest {
        push: head.to_vec(),
        ..request.clone()
    };
    let follower = SyncRequest {
        push: tail.to_vec(),
        ..request.clone()
    };
    let key = hex::encode(change_key(&head[1].bytes));
    let waiting = tokio::spawn({
        let (url, token) = (r.url.clone(), token.clone());
        async move { push_following(&url, &token, &follower, &key).await }
    });
    let answer = linli_e2e::post_raw(
        &r.url,
        "/v1/sync",
        Some(&token),
        &PROTOCOL_VERSION.to_string(),
        protocol::encode(&first),
    )
    .await;
    assert_eq!(answer.status, 200);
    assert_eq!(waiting.await.expect("follower"), 200);
    assert_eq!(logged(&r).len(), before + request.push.len());

    // A request naming one whose last change is logged (as after a relay restart, which
    // forgets what it saw) is judged at once, though the device's last request was another.
    door_to_door(&wang.linli, &r.places.building3, 1);
    let later = outbox_request(&wang.linli, &request.push);
    assert!(!later.push.is_empty());
    let logged_key = hex::encode(change_key(&head[1].bytes));
    assert_eq!(
        push_following(&r.url, &token, &later, &logged_key).await,
        200
    );
    assert_eq!(
        logged(&r).len(),
        before + request.push.len() + later.push.len()
    );

    // Stored by another relay instance on the same database: found in the log while waiting,
    // though this process never saw it.
    door_to_door(&wang.linli, &r.places.building3, 1);
    let sent: Vec<_> = request.push.iter().chain(&later.push).cloned().collect();
    let next = outbox_request(&wang.linli, &sent);
    let (head, waiting) = follow_first(&r.url, &token, &next);
    tokio::time::sleep(Duration::from_millis(50)).await;
    store_elsewhere(&r, &wang.linli, &head);
    assert_eq!(waiting.await.expect("follower"), 200);

    // A device revoked while its request waits is refused when the wait ends.
    door_to_door(&wang.linli, &r.places.building3, 1);
    let sent: Vec<_> = sent.iter().chain(&next.push).cloned().collect();
    let last = outbox_request(&wang.linli, &sent);
    let (head, waiting) = follow_first(&r.url, &token, &last);
    let tail = &last.push[1..];
    tokio::time::sleep(Duration::from_millis(50)).await;
    assert!(
        r.relay
            .storage
            .revoke(&wang.linli.identity().device_id, 1)
            .expect("revoke")
    );
    store_elsewhere(&r, &wang.linli, &head);
    assert_eq!(waiting.await.expect("follower"), 401);
    let tail_logged = tail.iter().any(|c| {
        whole_log(r.relay.storage.as_ref())
            .iter()
            .any(|l| l.change.bytes == c.bytes)
    });
    assert!(
        !tail_logged,
        "nothing of the revoked device's waiting request"
    );
}

/// Sends the changes of `request` after its first as a request following one that ends with
/// its first (not sent); returns that first change and the status of the request sent.
fn follow_first(
    url: &str,
    token: &str,
    request: &SyncRequest,
) -> (Vec<linli_core::RemoteChange>, tokio::task::JoinHandle<u16>) {
    let (head, tail) = request.push.split_at(1);
    let key = hex::encode(change_key(&head[0].bytes));
    let follower = SyncRequest {
        push: tail.to_vec(),
        ..request.clone()
    };
    let (url, token) = (url.to_owned(), token.to_owned());
    let waiting = tokio::spawn(async move { push_following(&url, &token, &follower, &key).await });
    (head.to_vec(), waiting)
}

/// Appends `phone`'s `changes` straight into the relay's storage, as another relay instance
/// on the same database would.
fn store_elsewhere(r: &TestRelay, phone: &linli_core::Linli, changes: &[linli_core::RemoteChange]) {
    let logged: Vec<LogChange> = changes
        .iter()
        .map(|c| LogChange {
            hash: automerge::Change::from_bytes(c.bytes.clone())
                .expect("a change")
                .hash()
                .0,
            doc_id: c.doc_id.clone(),
            kind: c.kind,
            scope: c.scope.clone(),
            bytes: c.bytes.clone(),
        })
        .collect();
    r.relay
        .storage
        .append_authored(
            &phone.identity().device_id,
            &logged,
            &phone.actor_id(),
            &[],
            0,
        )
        .expect("append");
}
