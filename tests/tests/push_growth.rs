//! A push grows while the relay answers quickly; a grown request that fails is not sent again
//! at its grown size: the push goes on from the first size, and nothing is lost. The phone
//! talks to the relay through a proxy that fails the first grown request once (a signal lost in
//! a stairwell after a fast start).

use std::sync::atomic::{AtomicBool, Ordering};
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

/// Forwards every request to the relay, noting how many changes each sync request pushes, and
/// answers 503 to the first one that pushes more than the first did.
struct FlakyProxy {
    relay: String,
    http: reqwest::Client,
    pushes: Mutex<Vec<usize>>,
    failed: AtomicBool,
}

async fn forward(State(proxy): State<Arc<FlakyProxy>>, request: Request) -> Response {
    let (parts, body) = request.into_parts();
    let Ok(bytes) = to_bytes(body, 64 << 20).await else {
        return StatusCode::BAD_REQUEST.into_response();
    };
    if parts.uri.path() == "/v1/sync" {
        let pushed = protocol::decode::<SyncRequest>(&bytes).map_or(0, |r| r.push.len());
        if pushed > 0 {
            let mut pushes = proxy.pushes.lock().expect("pushes");
            let grown = pushes.first().is_some_and(|first| pushed > *first);
            pushes.push(pushed);
            if grown && !proxy.failed.swap(true, Ordering::SeqCst) {
                return StatusCode::SERVICE_UNAVAILABLE.into_response();
            }
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
async fn a_grown_push_that_fails_goes_on_from_the_first_size() {
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
        failed: AtomicBool::new(false),
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
        push_bytes: 8 * 1024,
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
    assert!(
        proxy.failed.load(Ordering::SeqCst),
        "a request grew: {pushes:?}"
    );
    let first = pushes[0];
    let failed_at = pushes
        .iter()
        .position(|n| *n > first)
        .expect("a grown request");
    assert!(
        pushes[failed_at + 1] <= first,
        "after the grown request failed, the next carried {} changes (the first {first}): \
         {pushes:?}",
        pushes[failed_at + 1]
    );
    assert_eq!(summary.outbox_left, 0);
    assert_eq!(wang.linli.outbox_len().expect("outbox"), 0);
    // Every change reached the relay once, whatever the failed request carried.
    let logged = linli_e2e::whole_log(r.relay.storage.as_ref());
    let hashes = linli_e2e::change_hashes(&wang.linli);
    let logged_hashes: std::collections::BTreeSet<[u8; 32]> =
        logged.iter().map(|c| c.change.hash).collect();
    assert!(hashes.is_subset(&logged_hashes));
    assert_eq!(logged.len(), logged_hashes.len(), "no change logged twice");
}
