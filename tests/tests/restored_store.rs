//! A phone's store restored from a backup or copied to another phone: the relay refuses a change
//! that repeats an (actor, seq) with other content (`duplicate_seq`) and never logs it; the
//! restored store takes a new actor with the relay's consent, pushes what it holds and pulls
//! back what it lost; a copy whose twin took over is told so and can export its unsent work,
//! which the office imports. A phone whose member was deactivated is told so plainly.

use std::path::{Path, PathBuf};
use std::sync::Arc;

use linli_core::api::households::VisitInput;
use linli_core::sync::client::{SyncClient, SyncError, SyncOptions, SyncSummary, enrol};
use linli_core::{DeviceIdentity, Linli};
use linli_e2e::{TestRelay, door_to_door, whole_log};
use linli_relay::set_aside::EXPORTED;
use sha2::Digest;
use tokio_util::sync::CancellationToken;

/// An install: a store on disk and the enrolment it was made with.
struct Install {
    path: PathBuf,
    identity: DeviceIdentity,
    actor: String,
    token: String,
    url: String,
}

impl Install {
    async fn enrol(r: &TestRelay, member: &str, name: &str) -> Install {
        let (code, _) = r.admin.create_code(member).expect("code");
        let actor = Linli::new_actor_id();
        let e = enrol(&r.url, &code, name, &actor).await.expect("enrol");
        Install {
            path: r.phone_path(name),
            identity: DeviceIdentity {
                member_id: e.member_id,
                device_id: e.device_id,
            },
            actor,
            token: e.token,
            url: r.url.clone(),
        }
    }

    /// Opens the store at `path` (this install's, or a copy of it) as the app does: with the
    /// actor enrolment bound.
    fn open_at(&self, r: &TestRelay, path: &Path) -> (Arc<Linli>, SyncClient) {
        let linli = Linli::open_with_actor(
            path,
            self.identity.clone(),
            r.clock.clone(),
            Some(&self.actor),
            None,
        )
        .expect("open");
        let client = SyncClient::new(SyncOptions::new(self.url.clone(), self.token.clone()))
            .expect("client");
        (Arc::new(linli), client)
    }

    fn open(&self, r: &TestRelay) -> (Arc<Linli>, SyncClient) {
        self.open_at(r, &self.path)
    }
}

async fn sync(linli: &Arc<Linli>, client: &SyncClient) -> Result<SyncSummary, SyncError> {
    client.sync(linli, &|_| {}, &CancellationToken::new()).await
}

/// Copies a closed store's files (the database and any WAL beside it) from `from` to `to`.
fn copy_store(from: &Path, to: &Path) {
    for suffix in ["", "-wal", "-shm"] {
        let mut src = from.as_os_str().to_owned();
        src.push(suffix);
        let mut dst = to.as_os_str().to_owned();
        dst.push(suffix);
        let _ = std::fs::remove_file(&dst);
        if Path::new(&src).exists() {
            std::fs::copy(&src, &dst).expect("copy the store");
        }
    }
}

fn visit(linli: &Linli, household: &str, needs: &str) {
    linli
        .log_visit(
            household,
            &VisitInput {
                needs: needs.to_owned(),
                ..VisitInput::default()
            },
        )
        .expect("log a visit");
}

fn needs_of(linli: &Linli, household: &str) -> Vec<String> {
    linli
        .household(household)
        .expect("household")
        .visits
        .iter()
        .map(|v| v.needs.clone())
        .collect()
}

/// No two logged changes share an actor and sequence number within a document.
fn no_repeated_seq(r: &TestRelay) {
    let mut seen = std::collections::BTreeSet::new();
    for c in whole_log(r.relay.storage.as_ref()) {
        let change = automerge::Change::from_bytes(c.change.bytes).expect("decodes");
        assert!(
            seen.insert((c.change.doc_id, change.actor_id().clone(), change.seq())),
            "the log repeats an (actor, seq) pair"
        );
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_restored_store_takes_a_new_actor_and_gets_back_what_it_lost() {
    let r = TestRelay::start().await;
    let wang = Install::enrol(&r, "lead-wang", "wang-phone").await;
    let backup = r.dir.path().join("wang-backup.db");
    let households = {
        let (linli, client) = wang.open(&r);
        sync(&linli, &client).await.expect("the directory");
        let households = door_to_door(&linli, &r.places.building3, 2);
        sync(&linli, &client).await.expect("first sync");
        households
    };
    copy_store(&wang.path, &backup);
    let lost_household = {
        let (linli, client) = wang.open(&r);
        visit(&linli, &households[0], "备份之后：换灯泡");
        visit(&linli, &households[0], "备份之后：送药");
        let lost = door_to_door(&linli, &r.places.building3, 1).remove(0);
        sync(&linli, &client).await.expect("sync after the backup");
        lost
    };
    // The phone is restored from the backup and writes on, offline, before it syncs.
    copy_store(&backup, &wang.path);
    let (linli, client) = wang.open(&r);
    let old_actor = linli.actor_id();
    visit(&linli, &households[0], "恢复之后：量血压");
    let summary = sync(&linli, &client).await.expect("sync after the restore");

    assert!(summary.actor_replaced, "{summary:?}");
    assert_ne!(linli.actor_id(), old_actor);
    // What the backup lacked came back.
    let needs = needs_of(&linli, &households[0]);
    assert!(needs.iter().any(|n| n == "备份之后：换灯泡"), "{needs:?}");
    assert!(needs.iter().any(|n| n == "备份之后：送药"), "{needs:?}");
    linli
        .household(&lost_household)
        .expect("the lost household came back");
    // The visit that repeated a sequence number is set aside, on the phone and at the relay,
    // with a code that says why; it never entered the log.
    let aside = linli.set_aside_changes().expect("set aside");
    assert!(aside.iter().any(|s| s.code == "duplicate_seq"), "{aside:?}");
    let relay_aside = r
        .relay
        .storage
        .set_aside_list(false)
        .expect("relay set aside");
    assert!(relay_aside.iter().any(|s| s.code == "duplicate_seq"));
    no_repeated_seq(&r);

    // The new actor writes and syncs cleanly; another reader of the scope syncs as before.
    visit(&linli, &households[0], "恢复之后：再次走访");
    let again = sync(&linli, &client)
        .await
        .expect("sync with the new actor");
    assert_eq!(again.outbox_left, 0);
    assert!(!again.actor_replaced);
    assert_eq!(linli.set_aside_count().expect("count"), aside.len() as u64);
    let office = r.phone("office-admin", "office-pc").await;
    office.sync().await.expect("the office syncs");
    let seen = needs_of(&office.linli, &households[0]);
    assert!(seen.iter().any(|n| n == "恢复之后：再次走访"), "{seen:?}");
    assert!(seen.iter().any(|n| n == "备份之后：送药"), "{seen:?}");
    no_repeated_seq(&r);

    // The app opens the store with the actor enrolment bound, as before.
    drop(linli);
    let (reopened, _) = wang.open(&r);
    assert_ne!(reopened.actor_id(), old_actor);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_restored_store_that_wrote_nothing_pulls_what_it_lost() {
    let r = TestRelay::start().await;
    let wang = Install::enrol(&r, "lead-wang", "wang-phone").await;
    let backup = r.dir.path().join("wang-backup.db");
    let households = {
        let (linli, client) = wang.open(&r);
        sync(&linli, &client).await.expect("the directory");
        let households = door_to_door(&linli, &r.places.building3, 1);
        sync(&linli, &client).await.expect("first sync");
        households
    };
    copy_store(&wang.path, &backup);
    {
        let (linli, client) = wang.open(&r);
        visit(&linli, &households[0], "备份之后：修水管");
        sync(&linli, &client).await.expect("sync after the backup");
    }
    copy_store(&backup, &wang.path);
    let (linli, client) = wang.open(&r);
    assert_eq!(needs_of(&linli, &households[0]).len(), 1);
    let summary = sync(&linli, &client).await.expect("sync after the restore");
    assert!(summary.actor_replaced);
    assert!(
        needs_of(&linli, &households[0])
            .iter()
            .any(|n| n == "备份之后：修水管")
    );
    assert_eq!(linli.set_aside_count().expect("count"), 0);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_copy_whose_twin_took_over_is_told_so_and_its_export_is_imported() {
    let r = TestRelay::start().await;
    let wang = Install::enrol(&r, "lead-wang", "wang-phone").await;
    let twin_path = r.dir.path().join("wang-twin.db");
    let households = {
        let (linli, client) = wang.open(&r);
        sync(&linli, &client).await.expect("the directory");
        let households = door_to_door(&linli, &r.places.building3, 2);
        sync(&linli, &client).await.expect("first sync");
        households
    };
    copy_store(&wang.path, &twin_path);
    let (first, first_client) = wang.open(&r);
    let (twin, twin_client) = wang.open_at(&r, &twin_path);
    // Both copies write the same household; the twin syncs first.
    visit(&twin, &households[0], "副本：楼道堆物");
    sync(&twin, &twin_client).await.expect("the twin syncs");
    visit(&first, &households[0], "原机：独居老人");
    let summary = sync(&first, &first_client).await.expect("the first syncs");
    assert!(summary.actor_replaced, "{summary:?}");
    // The twin now writes with a retired actor: told so, nothing of it logged.
    visit(&twin, &households[1], "副本：未送出的走访");
    let logged = whole_log(r.relay.storage.as_ref()).len();
    let err = sync(&twin, &twin_client)
        .await
        .expect_err("the twin is cut off");
    assert!(matches!(err, SyncError::StoreReplaced(_)), "{err}");
    assert_eq!(whole_log(r.relay.storage.as_ref()).len(), logged);

    // Its unsent work goes to the office through an export.
    let export = twin.export_unsent(&wang.token).expect("export");
    let parsed = linli_core::api::unsent::read_unsent(&export).expect("reads back");
    assert_eq!(parsed.device_id, wang.identity.device_id);
    assert!(parsed.changes.iter().any(|c| c.action == "visit.log"));
    assert!(parsed.records.iter().any(|rec| rec.doc_id == households[1]));
    let imported = r
        .admin
        .import_unsent(&export, false, 1_000)
        .expect("the office imports it");
    assert_eq!(imported.set_aside, parsed.changes.len());
    assert!(imported.foreign.is_empty());
    let again = r.admin.import_unsent(&export, false, 2_000).expect("again");
    assert_eq!((again.set_aside, again.known), (0, parsed.changes.len()));
    let waiting: Vec<_> = r
        .admin
        .set_aside(false)
        .expect("list")
        .into_iter()
        .filter(|s| s.code == EXPORTED)
        .collect();
    assert_eq!(waiting.len(), parsed.changes.len());
    let hash = hex::encode(waiting[0].change.hash);
    r.admin.admit(&hash, 3_000).expect("the office admits it");
    sync(&first, &first_client).await.expect("the first syncs");
    let needs = needs_of(&first, &households[1]);
    assert!(needs.iter().any(|n| n == "副本：未送出的走访"), "{needs:?}");
    no_repeated_seq(&r);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_export_counts_only_when_its_device_sealed_it() {
    use linli_core::api::unsent::read_unsent;
    use linli_relay::set_aside::EXPORTED_UNVERIFIED;
    let r = TestRelay::start().await;
    let wang = r.phone("lead-wang", "wang-phone").await;
    let li = r.phone("lead-li", "li-phone").await;
    wang.sync().await.expect("the directory");
    door_to_door(&wang.linli, &r.places.building3, 1);
    let export = wang
        .linli
        .export_unsent(&wang.client.options().token)
        .expect("export");
    let refused = |json: &str| {
        r.admin
            .import_unsent(json, false, 1_000)
            .expect_err("refused")
            .code
    };
    let json = |e: &linli_core::api::unsent::UnsentExport| serde_json::to_string(e).expect("json");

    // Anyone who can read the log could write wang's actor and name into a file: without the
    // seal of wang's token it is refused, and so is one sealed with another device's token.
    let mut unsealed = read_unsent(&export).expect("reads");
    unsealed.seal.clear();
    assert_eq!(refused(&json(&unsealed)), "unverified_export");
    let mut li_sealed = unsealed.clone();
    let li_key: [u8; 32] = sha2::Sha256::digest(li.client.options().token.as_bytes()).into();
    li_sealed.seal = li_sealed.seal_with(&li_key);
    assert_eq!(refused(&json(&li_sealed)), "unverified_export");
    // A sealed export whose claims were changed afterwards: another device, another scope.
    let mut moved = read_unsent(&export).expect("reads");
    moved.device_id = li.linli.identity().device_id.clone();
    assert_eq!(refused(&json(&moved)), "unverified_export");
    let mut rescoped = read_unsent(&export).expect("reads");
    rescoped.changes[0].scope = "b:elsewhere".into();
    assert_eq!(refused(&json(&rescoped)), "unverified_export");
    // Bytes that do not match their hash are refused.
    let mut broken = read_unsent(&export).expect("reads");
    broken.changes[0].hash = "00".repeat(32);
    assert!(r.admin.import_unsent(&json(&broken), true, 1_000).is_err());
    // Forced, changes not in the device's own name stay out; the rest wait, marked unverified.
    let forced = r
        .admin
        .import_unsent(&json(&moved), true, 1_000)
        .expect("forced");
    // Only the records' first changes (which name no one) are not in wang's name.
    let in_wang_s_name = moved
        .changes
        .iter()
        .filter(|c| c.member == "lead-wang")
        .count();
    assert!(in_wang_s_name > 0);
    assert_eq!(forced.foreign.len(), in_wang_s_name);
    assert_eq!(forced.set_aside, moved.changes.len() - in_wang_s_name);
    let forced = r
        .admin
        .import_unsent(&json(&unsealed), true, 1_000)
        .expect("forced");
    assert_eq!(forced.set_aside + forced.known, unsealed.changes.len());
    let waiting = r.admin.set_aside(false).expect("list");
    assert!(
        waiting
            .iter()
            .all(|s| s.code == EXPORTED_UNVERIFIED && s.reason.contains("author not verified"))
    );
    assert!(!waiting.is_empty());
    // The sealed export itself imports (its changes are known by now).
    let sealed = r
        .admin
        .import_unsent(&export, false, 2_000)
        .expect("sealed");
    assert_eq!(sealed.known, unsealed.changes.len());
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_deactivated_member_is_told_so_and_exports_the_unsent_work() {
    let r = TestRelay::start().await;
    let office = r.phone("office-admin", "office-pc").await;
    let wang = r.phone("lead-wang", "wang-phone").await;
    wang.sync().await.expect("the directory");
    let households = door_to_door(&wang.linli, &r.places.building3, 1);
    wang.sync().await.expect("first sync");
    visit(&wang.linli, &households[0], "停用前最后一次走访");
    office.sync().await.expect("office");
    office
        .linli
        .deactivate_member("lead-wang")
        .expect("deactivate");
    office.sync().await.expect("office pushes");
    let err = wang
        .client
        .sync(&wang.linli, &|_| {}, &CancellationToken::new())
        .await
        .expect_err("cut off");
    assert!(matches!(err, SyncError::MemberDeactivated(_)), "{err}");
    assert!(err.to_string().contains("停用"));
    // Nothing of the push was judged: the outbox is kept whole.
    assert_eq!(wang.linli.outbox_len().expect("outbox"), 1);
    let export = wang
        .linli
        .export_unsent(&wang.client.options().token)
        .expect("export");
    let imported = r
        .admin
        .import_unsent(&export, false, 1_000)
        .expect("import");
    assert_eq!(imported.set_aside, 1);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_replacement_asked_again_after_a_lost_answer_stands() {
    use linli_core::sync::protocol::{self, ActorRequest, PROTOCOL_VERSION};
    let r = TestRelay::start().await;
    let wang = Install::enrol(&r, "lead-wang", "wang-phone").await;
    let v = PROTOCOL_VERSION.to_string();
    let ask = |new_actor: String| {
        let (url, token, old_actor) = (r.url.clone(), wang.token.clone(), wang.actor.clone());
        let v = v.clone();
        async move {
            linli_e2e::post_raw(
                &url,
                "/v1/actor",
                Some(&token),
                &v,
                protocol::encode(&ActorRequest {
                    old_actor,
                    new_actor,
                }),
            )
            .await
            .status
        }
    };
    let new_actor = Linli::new_actor_id();
    assert_eq!(ask(new_actor.clone()).await, 200);
    assert_eq!(ask(new_actor).await, 200, "the same answer again");
    assert_eq!(
        ask(Linli::new_actor_id()).await,
        409,
        "the old actor is retired"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_device_takes_new_actors_only_so_often() {
    use linli_core::sync::protocol::{self, ActorRequest, PROTOCOL_VERSION};
    let r = TestRelay::start().await;
    let wang = Install::enrol(&r, "lead-wang", "wang-phone").await;
    let cap = r.relay.limits.max_actor_replacements;
    let mut old_actor = wang.actor.clone();
    for round in 0..=cap {
        let new_actor = Linli::new_actor_id();
        let answer = linli_e2e::post_raw(
            &r.url,
            "/v1/actor",
            Some(&wang.token),
            &PROTOCOL_VERSION.to_string(),
            protocol::encode(&ActorRequest {
                old_actor: old_actor.clone(),
                new_actor: new_actor.clone(),
            }),
        )
        .await;
        if round < cap {
            assert_eq!(answer.status, 200, "replacement {round}");
            old_actor = new_actor;
        } else {
            assert_eq!(
                (answer.status, answer.code.as_str()),
                (403, "too_many_replacements")
            );
        }
    }
    let devices = r.relay.storage.devices().expect("devices");
    let device = devices
        .iter()
        .find(|d| d.device_id == wang.identity.device_id)
        .expect("device");
    assert_eq!(device.actor_id, old_actor, "the last granted actor stands");
}
