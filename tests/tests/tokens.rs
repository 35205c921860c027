//! Enrolment codes and device tokens: the relay keeps only digests of both, and a device can
//! rotate its token (the old one stops working at once; a revoked device cannot).

use linli_core::sync::client::{SyncClient, SyncError, SyncOptions};
use linli_e2e::TestRelay;
use linli_relay::relay::{code_digest, normalise_code};
use tokio_util::sync::CancellationToken;

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn codes_are_kept_as_digests_and_tokens_rotate() {
    let r = TestRelay::start().await;
    let (code, _) = r.admin.create_code("lead-wang").unwrap();
    let stored = r.relay.storage.enrol_codes().unwrap();
    assert!(
        stored
            .iter()
            .all(|c| c.code != code && c.code != normalise_code(&code)),
        "a code is stored in the clear"
    );
    assert!(
        stored
            .iter()
            .any(|c| c.code == code_digest(&normalise_code(&code)))
    );

    let wang = r.phone("lead-wang", "wang-phone").await;
    wang.sync().await.unwrap();
    let cancel = CancellationToken::new();
    let fresh = wang
        .client
        .rotate_token(&wang.linli, &cancel)
        .await
        .unwrap();
    assert_ne!(fresh, wang.client.options().token);
    let old = wang.client.sync(&wang.linli, &|_| {}, &cancel).await;
    assert!(
        matches!(old, Err(SyncError::Unauthorized(_))),
        "the old token still works: {old:?}"
    );
    let renewed = SyncClient::new(SyncOptions::new(&r.url, fresh)).unwrap();
    renewed.sync(&wang.linli, &|_| {}, &cancel).await.unwrap();

    // A revoked device gets no new token.
    let li = r.phone("lead-li", "li-phone").await;
    li.sync().await.unwrap();
    let device = li.linli.identity().device_id.clone();
    assert!(r.relay.storage.revoke(&device, 1).unwrap());
    let refused = li.client.rotate_token(&li.linli, &cancel).await;
    assert!(
        matches!(refused, Err(SyncError::DeviceRevoked(_))),
        "{refused:?}"
    );
    assert!(!li.linli.documents().unwrap().is_empty(), "kept: not wiped");

    // One revoked for erasure is erased when it asks for a token, as when it syncs.
    let wu = r.phone("vol-wu", "wu-phone").await;
    wu.sync().await.unwrap();
    assert!(!wu.linli.documents().unwrap().is_empty());
    let device = wu.linli.identity().device_id.clone();
    assert!(r.relay.storage.revoke(&device, 1).unwrap());
    assert!(r.relay.storage.set_wipe(&device).unwrap());
    let wiped = wu.client.rotate_token(&wu.linli, &cancel).await;
    assert!(matches!(wiped, Err(SyncError::DeviceWiped(_))), "{wiped:?}");
    assert!(wu.linli.documents().unwrap().is_empty(), "erased");
}
