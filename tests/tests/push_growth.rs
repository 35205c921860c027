//! A push grows while the relay answers quickly; a grown request that fails is not sent again
//! at its grown size: the push goes on at the first size for the rest of the sync, and nothing
//! is lost. The phone talks to the relay through a proxy that fails every request larger than
//! the first size (a link that drops large uploads, as a weak signal in a stairwell does).

use std::sync::{Arc, Mutex};
use std::time::Duration;

use axum::body::{Body, to_bytes};
use axum::extract::{Request, State};
use axum::http::{StatusCode, header};
use axum::response::{IntoResponse, Response};
use linli_core::sync::client::{SyncClient, SyncOptions};
use linli_core::sync::protocol::{self, SyncRequest};
use linli_e2e::{TestRelay, door_to_door};
use tokio_util::sync::CancellationToken;

/// The first push request's bound in bytes, in this test.
const FIRST_BYTES: usize = 8 * 1024;

/// A push request as the proxy saw it.
#[derive(Debug, Clone)]
struct Seen {
    changes: usize,
    bytes: usize,
    first: Vec<u8>,
    failed: bool,
}

/// Forwards every request to the relay, noting each sync request's push, and answers 503 to
/// every one larger than the first size.
struct FlakyProxy {
    relay: String,
    http: reqwest::Client,
    pushes: Mutex<Vec<Seen>>,
}

async fn forward(State(proxy): State<Arc<FlakyProxy>>, request: Request) -> Response {
    let (parts, body) = request.into_parts();
    let Ok(bytes) = to_bytes(body, 64 << 20).await else {
        return StatusCode::BAD_REQUEST.into_response();
    };
    if parts.uri.path() == "/v1/sync"
        && let Ok(sync) = protocol::decode::<SyncRequest>(&bytes)
        && let Some(first) = sync.push.first()
    {
        let pushed: usize = sync.push.iter().map(|c| c.bytes.len()).sum();
        let failed = pushed > FIRST_BYTES && sync.push.len() > 1;
        proxy.pushes.lock().expect("pushes").push(Seen {
            changes: sync.push.len(),
            bytes: pushed,
            first: first.bytes.clone(),
            failed,
        });
        if failed {
            return StatusCode::SERVICE_UNAVAILABLE.into_response();
        }
    }
    let mut outgoing = proxy
        .http
        .request(parts.method, format!("{}{}", proxy.relay, parts.uri));
    for (name, value) in &parts.headers {
        if name != header::HOST && name != header::CONTENT_LENGTH {
            outgoing = outgoing.header(name, value);
        }
    }
    let Ok(answer) = outgoing.body(bytes).send().await else {
        return StatusCode::BAD_GATEWAY.into_response();
    };
    let (status, headers) = (answer.status(), answer.headers().clone());
    let body = answer.bytes().await.unwrap_or_default();
    let mut response = Response::new(Body::from(body));
    *response.status_mut() = status;
    *response.headers_mut() = headers;
    response
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_grown_push_that_fails_goes_on_at_the_first_size() {
    let r = TestRelay::start().await;
    let wang = r.phone("lead-wang", "wang-phone").await;
    wang.sync().await.expect("first sync");
    door_to_door(&wang.linli, &r.places.building3, 150);
    let waiting = wang.linli.outbox_len().expect("outbox");
    assert!(waiting >= 300, "{waiting} changes to push");

    let proxy = Arc::new(FlakyProxy {
        relay: r.url.clone(),
        http: reqwest::Client::new(),
        pushes: Mutex::new(Vec::new()),
    });
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0")
        .await
        .expect("bind the proxy");
    let url = format!("http://{}", listener.local_addr().expect("address"));
    let app = axum::Router::new()
        .fallback(forward)
        .with_state(Arc::clone(&proxy));
    let stop = CancellationToken::new();
    let stopped = stop.clone();
    let serving = tokio::spawn(async move {
        axum::serve(listener, app)
            .with_graceful_shutdown(async move { stopped.cancelled().await })
            .await
    });

    // A first request of a few dozen changes that may grow sixteenfold.
    let client = SyncClient::new(SyncOptions {
        push_bytes: FIRST_BYTES,
        max_push_bytes: 128 * 1024,
        retries: 2,
        backoff: Duration::from_millis(20),
        ..SyncOptions::new(&url, &wang.client.options().token)
    })
    .expect("client");
    let summary = client
        .sync(&wang.linli, &|_| {}, &CancellationToken::new())
        .await;
    stop.cancel();
    let _ = serving.await;
    let summary = summary.expect("the sync outlives the failed request");

    let pushes = proxy.pushes.lock().expect("pushes").clone();
    let sizes: Vec<(usize, usize)> = pushes.iter().map(|p| (p.changes, p.bytes)).collect();
    // It grew once, failed, and never grew again in this sync.
    let failed: Vec<usize> = (0..pushes.len()).filter(|i| pushes[*i].failed).collect();
    assert_eq!(failed.len(), 1, "grown requests: {sizes:?}");
    let after = &pushes[failed[0] + 1..];
    assert!(!after.is_empty(), "{sizes:?}");
    assert_eq!(
        after[0].first, pushes[failed[0]].first,
        "the push went on from the failed request's first change"
    );
    assert!(
        after
            .iter()
            .all(|p| p.bytes <= FIRST_BYTES || p.changes == 1),
        "after the failure every request kept to the first size: {sizes:?}"
    );
    assert_eq!(summary.outbox_left, 0);
    assert_eq!(wang.linli.outbox_len().expect("outbox"), 0);
    // Every change reached the relay, whatever the failed request carried.
    let logged: std::collections::BTreeSet<[u8; 32]> =
        linli_e2e::whole_log(r.relay.storage.as_ref())
            .iter()
            .map(|c| c.change.hash)
            .collect();
    assert!(linli_e2e::change_hashes(&wang.linli).is_subset(&logged));
}
