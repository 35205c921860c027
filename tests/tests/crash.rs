//! Crashes. The relay killed with SIGKILL in the middle of a push loses no change it had
//! acknowledged, and once the phone retried it holds exactly one copy of every change. A phone
//! killed while it applies a pull reopens with a sound store whose cursors never pass a change it
//! lacks, and its next sync finishes.

use std::collections::{BTreeMap, BTreeSet};
use std::process::Stdio;
use std::sync::Arc;
use std::time::Duration;

use linli_core::sync::client::{SyncClient, SyncOptions, SyncPhase};
use linli_core::{DeviceIdentity, Linli};
use linli_e2e::{RelayProcess, TestRelay, change_hashes, door_to_door, morning_clock, whole_log};
use linli_relay::Database;
use linli_relay::admin::Admin;
use linli_relay::demo::{build_community, enrol_phone};
use linli_relay::storage::RelayStorage;
use linli_relay::storage::sqlite::SqliteStorage;
use tokio::io::{AsyncBufReadExt, BufReader};
use tokio::process::Command;
use tokio_util::sync::CancellationToken;

const RELAY_EXE: &str = env!("CARGO_BIN_EXE_relay-process");
const PHONE_EXE: &str = env!("CARGO_BIN_EXE_phone-process");

/// After how many acknowledged pushes the relay is killed, one kill each.
const KILL_AFTER_PUSHES: [usize; 3] = [2, 6, 12];

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_relay_killed_mid_push_keeps_every_acknowledged_change_once() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("relay.db");
    let database = Database::Sqlite(db.clone());
    let admin = Admin::open(&database, "office-admin").unwrap();
    let places = build_community(&admin).unwrap();
    let mut relay = RelayProcess::start(RELAY_EXE, &database, "127.0.0.1:0".parse().unwrap()).await;
    let addr = relay.addr;
    let url = relay.url();
    let clock = morning_clock();
    let wang = enrol_phone(
        &admin,
        &url,
        &dir.path().join("wang.db"),
        "lead-wang",
        "wang-phone",
        clock.clone(),
        None,
    )
    .await
    .unwrap();
    wang.sync().await.unwrap();
    let households = door_to_door(&wang.linli, &places.building3, 120);

    // Small pushes and patient retries: the sync outlives each restart.
    let client = Arc::new(
        SyncClient::new(SyncOptions {
            push_bytes: 2048,
            max_push_bytes: 2048,
            retries: 40,
            backoff: Duration::from_millis(50),
            max_backoff: Duration::from_millis(250),
            ..wang.client.options().clone()
        })
        .unwrap(),
    );
    let (pushes_tx, mut pushes) = tokio::sync::mpsc::unbounded_channel();
    let sync = {
        let (client, linli) = (client.clone(), wang.linli.clone());
        tokio::spawn(async move {
            let progress = move |p: linli_core::sync::client::SyncProgress| {
                if p.phase == SyncPhase::Push {
                    let _ = pushes_tx.send(p.done);
                }
            };
            client
                .sync(&linli, &progress, &CancellationToken::new())
                .await
        })
    };

    let mut seen = 0;
    for kill_after in KILL_AFTER_PUSHES {
        while seen < kill_after {
            pushes.recv().await.expect("the push goes on");
            seen += 1;
        }
        relay.kill().await;
        let waiting = wang.linli.outbox_len().unwrap();
        eprintln!("relay killed after {seen} pushes, {waiting} changes waiting");
        assert!(waiting > 0, "the relay died in the middle of the push");
        // Every change the phone no longer holds in its outbox was acknowledged: it must be on
        // the relay's disk although the relay never shut down.
        let outbox: BTreeSet<[u8; 32]> = wang
            .linli
            .outbox(0, 100_000)
            .unwrap()
            .into_iter()
            .map(|c| c.hash.0)
            .collect();
        let on_disk = SqliteStorage::open(&db).unwrap();
        let acknowledged: Vec<_> = change_hashes(&wang.linli)
            .into_iter()
            .filter(|h| !outbox.contains(h))
            .collect();
        for h in &acknowledged {
            assert!(
                on_disk.has_change(h).unwrap(),
                "acknowledged change {} lost",
                hex::encode(h)
            );
        }
        drop(on_disk);
        relay = RelayProcess::start(RELAY_EXE, &database, addr).await;
    }

    // The interrupted sync finishes by its retries (or, had they run out, the next one does).
    if sync.await.unwrap().is_err() {
        client
            .sync(&wang.linli, &|_| {}, &CancellationToken::new())
            .await
            .unwrap();
    }
    assert_eq!(wang.linli.outbox_len().unwrap(), 0);

    let storage = SqliteStorage::open(&db).unwrap();
    let log = whole_log(&storage);
    let mut copies: BTreeMap<[u8; 32], usize> = BTreeMap::new();
    for row in &log {
        *copies.entry(row.change.hash).or_default() += 1;
    }
    assert!(copies.values().all(|&n| n == 1), "a change stored twice");
    let phone = change_hashes(&wang.linli);
    assert!(phone.iter().all(|h| copies.contains_key(h)));
    let household_rows = log
        .iter()
        .filter(|r| households.contains(&r.change.doc_id))
        .count();
    let household_changes: usize = households
        .iter()
        .map(|h| wang.linli.changes_since(h, &[]).unwrap().len())
        .sum();
    assert_eq!(household_rows, household_changes);

    // Another lead of the building receives all of it through the restarted relay.
    let li = enrol_phone(
        &admin,
        &url,
        &dir.path().join("li.db"),
        "lead-li",
        "li-phone",
        clock,
        None,
    )
    .await
    .unwrap();
    li.sync().await.unwrap();
    for h in &households {
        assert_eq!(li.linli.heads(h).unwrap(), wang.linli.heads(h).unwrap());
    }
    assert_eq!(
        li.linli
            .households_in_building(&places.building3)
            .unwrap()
            .len(),
        households.len()
    );
    relay.kill().await;
}

/// A deterministic pseudo-random sequence for the kill points.
fn next(seed: &mut u64) -> u64 {
    *seed = seed
        .wrapping_mul(6364136223846793005)
        .wrapping_add(1442695040888963407);
    *seed >> 33
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_phone_killed_while_applying_a_pull_reopens_sound_and_finishes() {
    let r = TestRelay::start().await;
    let office = r.phone("office-admin", "office-pc").await;
    let li = r.phone("lead-li", "li-phone").await;
    office.sync().await.unwrap();
    li.sync().await.unwrap();
    let token = li.client.options().token.clone();
    let identity = li.linli.identity().clone();
    let path = r.phone_path("li-phone");
    drop(li);

    let mut households = door_to_door(&office.linli, &r.places.building5, 150);
    households.extend(door_to_door(&office.linli, &r.places.building3, 50));
    office.sync().await.unwrap();

    let mut seed = 0x5eed_u64;
    let mut kills = 0;
    loop {
        let mut phone = Command::new(PHONE_EXE)
            .arg("--store")
            .arg(&path)
            .args(["--server", &r.url, "--token", &token])
            .args(["--member", &identity.member_id])
            .args(["--device", &identity.device_id])
            .args(["--page-bytes", "1024"])
            .stdout(Stdio::piped())
            .kill_on_drop(true)
            .spawn()
            .unwrap();
        let mut lines = BufReader::new(phone.stdout.take().unwrap()).lines();
        let kill_after = 1 + next(&mut seed) % 20;
        let mut pages = 0;
        let mut finished = false;
        while let Some(line) = lines.next_line().await.unwrap() {
            if line.starts_with("done") {
                finished = true;
                break;
            }
            if line.starts_with("Pull") {
                pages += 1;
                if pages == kill_after {
                    // Land the kill anywhere in the next page's fetch or apply.
                    tokio::time::sleep(Duration::from_micros(next(&mut seed) % 3000)).await;
                    phone.start_kill().unwrap();
                    break;
                }
            }
        }
        let status = phone.wait().await.unwrap();
        if finished {
            assert!(status.success());
            break;
        }
        kills += 1;
        assert!(kills < 100, "the pull never finished");
        check_sound(&r, &path, &identity);
    }
    eprintln!("phone killed {kills} times");
    assert!(kills >= 3, "the phone was killed {kills} times");

    let li = Linli::open(&path, identity.clone(), r.clock.clone()).unwrap();
    assert!(li.check_integrity().unwrap().is_empty());
    for h in &households {
        assert_eq!(li.heads(h).unwrap(), office.linli.heads(h).unwrap());
    }
    assert_eq!(li.outbox_len().unwrap(), 0);
    assert_eq!(li.held_count().unwrap(), 0);
}

/// A store left by a killed phone: SQLite finds nothing wrong, the projections equal a rebuild
/// from the documents, and every change the relay logged up to each cursor is in the store.
fn check_sound(r: &TestRelay, path: &std::path::Path, identity: &DeviceIdentity) {
    let li = Linli::open(path, identity.clone(), r.clock.clone()).unwrap();
    assert_eq!(li.check_integrity().unwrap(), Vec::<String>::new());
    let projected = li.projection_dump().unwrap();
    li.rebuild_projections().unwrap();
    assert_eq!(li.projection_dump().unwrap(), projected);
    let held = change_hashes(&li);
    for cursor in li.cursors().unwrap() {
        let rows = r
            .relay
            .storage
            .read_scope(&cursor.scope, 0, usize::MAX, usize::MAX)
            .unwrap();
        for row in rows.iter().filter(|row| row.seq <= cursor.seq) {
            assert!(
                held.contains(&row.change.hash),
                "the cursor of {} passed change {} it does not hold",
                cursor.scope,
                row.seq
            );
        }
    }
}
