//! A push grows while the relay answers quickly; a grown request that fails is not sent again
//! at its grown size: the push goes on at the first size for the rest of the sync, and nothing
//! is lost. The phone talks to the relay through a proxy that fails every request larger than
//! the first size (a link that drops large uploads, as a weak signal in a stairwell does).

use std::time::Duration;

use axum::http::StatusCode;
use axum::response::IntoResponse;
use linli_core::sync::client::{SyncClient, SyncOptions};
use linli_e2e::proxy::SyncProxy;
use linli_e2e::{TestRelay, door_to_door};
use tokio_util::sync::CancellationToken;

/// The first push request's bound in bytes, in this test.
const FIRST_BYTES: usize = 8 * 1024;

/// Whether the flaky link drops a push request: every one larger than the first size.
fn dropped(changes: usize, bytes: usize) -> bool {
    bytes > FIRST_BYTES && changes > 1
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_grown_push_that_fails_goes_on_at_the_first_size() {
    let r = TestRelay::start().await;
    let wang = r.phone("lead-wang", "wang-phone").await;
    wang.sync().await.expect("first sync");
    door_to_door(&wang.linli, &r.places.building3, 150);
    let waiting = wang.linli.outbox_len().expect("outbox");
    assert!(waiting >= 300, "{waiting} changes to push");

    let proxy = SyncProxy::start(
        &r.url,
        Box::new(|seen| {
            dropped(seen.changes, seen.bytes)
                .then(|| StatusCode::SERVICE_UNAVAILABLE.into_response())
        }),
    )
    .await;

    // A first request of a few dozen changes that may grow sixteenfold.
    let client = SyncClient::new(SyncOptions {
        push_bytes: FIRST_BYTES,
        max_push_bytes: 128 * 1024,
        retries: 2,
        backoff: Duration::from_millis(20),
        ..SyncOptions::new(&proxy.url, &wang.client.options().token)
    })
    .expect("client");
    let summary = client
        .sync(&wang.linli, &|_| {}, &CancellationToken::new())
        .await;
    let pushes = proxy.pushes();
    proxy.stop().await;
    let summary = summary.expect("the sync outlives the failed request");

    let sizes: Vec<(usize, usize)> = pushes.iter().map(|p| (p.changes, p.bytes)).collect();
    // It grew once, failed, and never grew again in this sync.
    let failed: Vec<usize> = (0..pushes.len())
        .filter(|i| pushes[*i].answered_here)
        .collect();
    assert_eq!(failed.len(), 1, "grown requests: {sizes:?}");
    let after = &pushes[failed[0] + 1..];
    assert!(!after.is_empty(), "{sizes:?}");
    // (The request after it may arrive second: the phone sends the next one before the
    // last is answered.)
    assert!(
        after
            .iter()
            .take(2)
            .any(|p| p.first == pushes[failed[0]].first),
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
