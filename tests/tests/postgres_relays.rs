//! The relay on PostgreSQL, end to end: three relay processes over one database with phones
//! spread across them pushing into the same scope at once, and a SQLite relay moved into
//! PostgreSQL by `linli-relay migrate` serving the same pulls afterwards. Each test starts a
//! throw-away PostgreSQL server on 127.0.0.1.

use std::collections::BTreeSet;
use std::sync::Arc;

use linli_core::sync::client::{SyncClient, SyncOptions};
use linli_core::{DeviceIdentity, Linli};
use linli_e2e::postgres::TestPostgres;
use linli_e2e::{
    RelayProcess, TestRelay, change_hashes, door_to_door, morning_clock, ticket_input, whole_log,
};
use linli_relay::Database;
use linli_relay::admin::Admin;
use linli_relay::demo::{Phone, build_community, enrol_with_code};
use linli_relay::storage::RelayStorage;
use linli_relay::storage::postgres::PostgresStorage;
use tokio::process::Command;
use tokio_util::sync::CancellationToken;

const RELAY_EXE: &str = env!("CARGO_BIN_EXE_relay-process");
const INSTANCES: usize = 3;
const PHONES: usize = 6;
const ROUNDS: usize = 3;
const HOUSEHOLDS_PER_ROUND: usize = 12;

fn runtime() -> tokio::runtime::Runtime {
    tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .unwrap()
}

#[test]
fn three_relay_instances_on_one_database_lose_and_skip_nothing() {
    let pg = TestPostgres::start();
    let url = pg.create_database("district");
    let dir = tempfile::tempdir().unwrap();
    let at = |name: &str| Database::Postgres {
        url: url.clone(),
        state_dir: dir.path().join(name),
    };
    // The admin tools block on the database, so they run before the async part.
    let admin = Admin::open(&at("admin"), "office-admin").unwrap();
    let places = build_community(&admin).unwrap();
    let members: Vec<&str> = (0..PHONES)
        .map(|i| if i % 2 == 0 { "lead-wang" } else { "lead-li" })
        .collect();
    let codes: Vec<String> = members
        .iter()
        .map(|m| admin.create_code(m).unwrap().0)
        .collect();
    let office_code = admin.create_code("office-admin").unwrap().0;

    runtime().block_on(async {
        let mut relays = Vec::new();
        for i in 0..INSTANCES {
            let db = at(&format!("instance-{i}"));
            relays.push(RelayProcess::start(RELAY_EXE, &db, "127.0.0.1:0".parse().unwrap()).await);
        }
        let clock = morning_clock();
        let mut phones = Vec::new();
        for (i, (member, code)) in members.iter().zip(&codes).enumerate() {
            let relay = &relays[i % INSTANCES];
            let name = format!("phone-{i}");
            let path = dir.path().join(format!("{name}.db"));
            let phone = enrol_with_code(
                &relay.url(),
                code,
                &path,
                member,
                &name,
                clock.clone(),
                None,
            )
            .await
            .unwrap();
            phone.sync().await.unwrap();
            phones.push(Arc::new(phone));
        }
        let office_path = dir.path().join("office.db");
        let office = enrol_with_code(
            &relays[INSTANCES - 1].url(),
            &office_code,
            &office_path,
            "office-admin",
            "office",
            clock.clone(),
            None,
        )
        .await
        .unwrap();
        office.sync().await.unwrap();

        // Rounds of door-to-door work in 3号楼, each phone offline, then every phone pushes
        // through its own instance at once while the office keeps pulling from another.
        for round in 0..ROUNDS {
            for phone in &phones {
                door_to_door(&phone.linli, &places.building3, HOUSEHOLDS_PER_ROUND);
            }
            let pushes: Vec<_> = phones
                .iter()
                .map(|p| {
                    let p = p.clone();
                    tokio::spawn(async move { p.sync().await })
                })
                .collect();
            let mut office_pulls = 0;
            while !pushes.iter().all(|p| p.is_finished()) {
                office.sync().await.unwrap();
                office_pulls += 1;
            }
            for p in pushes {
                let summary = p.await.unwrap().unwrap();
                assert_eq!(summary.outbox_left, 0);
            }
            eprintln!("round {round}: office pulled {office_pulls} times during the pushes");
        }
        for phone in &phones {
            phone.sync().await.unwrap();
        }
        office.sync().await.unwrap();

        let log_url = url.clone();
        let log = tokio::task::spawn_blocking(move || {
            whole_log(&PostgresStorage::connect(&log_url).unwrap())
        })
        .await
        .unwrap();
        let logged: BTreeSet<[u8; 32]> = log.iter().map(|r| r.change.hash).collect();
        assert_eq!(logged.len(), log.len(), "a change logged twice");
        for phone in &phones {
            assert_eq!(
                change_hashes(&phone.linli),
                logged,
                "{} converged with the log",
                phone.name
            );
        }
        // The office followed the log with its cursors the whole time, never bootstrapping
        // again: had a cursor passed a row that committed late, that change would be missing.
        assert_eq!(change_hashes(&office.linli), logged);
        let building: Vec<i64> = log
            .iter()
            .filter(|r| r.change.scope == format!("building/{}", places.building3))
            .map(|r| r.seq)
            .collect();
        let expected: Vec<i64> = (1..=building.len() as i64).collect();
        assert_eq!(building, expected, "3号楼's numbers have no gap");
        assert!(
            building.len() >= PHONES * ROUNDS * HOUSEHOLDS_PER_ROUND,
            "{} changes in 3号楼",
            building.len()
        );
        eprintln!(
            "{} changes through {INSTANCES} instances from {PHONES} phones; 3号楼 seq 1..={}",
            log.len(),
            building.len()
        );
    });
}

/// A phone that talks to another relay with the same device token and store.
fn moved(phone: &Phone, server: &str) -> SyncClient {
    SyncClient::new(SyncOptions::new(
        server,
        phone.client.options().token.clone(),
    ))
    .unwrap()
}

async fn sync(linli: &Arc<Linli>, client: &SyncClient) -> linli_core::sync::client::SyncSummary {
    client
        .sync(linli, &|_| {}, &CancellationToken::new())
        .await
        .unwrap()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_migrated_relay_serves_the_same_pulls() {
    let (pg, url) = tokio::task::spawn_blocking(|| {
        let pg = TestPostgres::start();
        let url = pg.create_database("moved");
        (pg, url)
    })
    .await
    .unwrap();
    let relay = TestRelay::start().await;
    let wang = relay.phone("lead-wang", "wang").await;
    let li = relay.phone("lead-li", "li").await;
    // A second device of li's that has written nothing: a store of its own pulls all of li's work.
    let reader = relay.phone("lead-li", "li-reader").await;
    wang.sync().await.unwrap();
    li.sync().await.unwrap();
    door_to_door(&wang.linli, &relay.places.building3, 40);
    let photo_bytes = "\u{89}PNG 3号楼楼道照片".as_bytes().to_vec();
    let photo = wang.linli.add_photo(&photo_bytes).unwrap();
    let mut ticket = ticket_input("3号楼楼道堆放杂物");
    ticket.photos = vec![photo.clone()];
    wang.linli.report_ticket(&ticket).unwrap();
    wang.sync().await.unwrap();
    li.sync().await.unwrap();
    door_to_door(&li.linli, &relay.places.building5, 25);
    li.sync().await.unwrap();
    wang.sync().await.unwrap();
    // An erased household, an actor retired, a report kept: they move too.
    let erased = wang
        .linli
        .households_in_building(&relay.places.building3)
        .unwrap()
        .remove(0)
        .id;
    relay.admin.erase_record(&erased, 5_000).unwrap();
    wang.sync().await.unwrap();
    li.sync().await.unwrap();
    let storage = relay.relay.storage.clone();
    let spare = relay.phone("vol-wu", "spare").await;
    let retired = spare.linli.actor_id();
    assert!(
        storage
            .replace_actor(
                &spare.linli.identity().device_id,
                &retired,
                &Linli::new_actor_id(),
                6_000
            )
            .unwrap()
    );
    storage
        .archive_report("2026-10-01", "# 日报", "分类,项目,对象,数值\n", 7_000)
        .unwrap();
    let tombstones = storage.erased_after(0, 100).unwrap();

    let sqlite = relay.dir.path().join("relay.db");
    let out = Command::new(RELAY_EXE)
        .args(["migrate", "--from"])
        .arg(format!("sqlite:{}", sqlite.display()))
        .args(["--to", &url])
        .output()
        .await
        .unwrap();
    let report = String::from_utf8_lossy(&out.stdout);
    assert!(
        out.status.success(),
        "{report}{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(report.contains("迁移完成"), "{report}");
    // Running it again changes nothing: the move is idempotent.
    let again = Command::new(RELAY_EXE)
        .args([
            "migrate",
            "--from",
            &sqlite.display().to_string(),
            "--to",
            &url,
        ])
        .output()
        .await
        .unwrap();
    assert!(String::from_utf8_lossy(&again.stdout).contains("(0 new)"));
    assert!(report.contains("1 erased records"), "{report}");
    let target = {
        let url = url.clone();
        tokio::task::spawn_blocking(move || PostgresStorage::connect(&url).unwrap())
            .await
            .unwrap()
    };
    let (moved_tombstones, moved_actor, moved_report, next) = tokio::task::spawn_blocking({
        let device = spare.linli.identity().device_id.clone();
        let retired = retired.clone();
        move || {
            let moved = target.erased_after(0, 100).unwrap();
            let actor = target.actor_retired(&device, &retired).unwrap();
            let report = target.archived_report("2026-10-01").unwrap();
            // A record erased after the move takes the next position.
            let next = target
                .erase_document("later", "building/x", "office-admin", 8_000)
                .unwrap();
            (moved, actor, report, next)
        }
    })
    .await
    .unwrap();
    assert_eq!(moved_tombstones, tombstones);
    assert_eq!(moved_actor, Some(6_000));
    assert_eq!(moved_report.map(|(md, _)| md), Some("# 日报".to_owned()));
    assert_eq!(next.map(|(seq, _)| seq), Some(tombstones[0].seq + 1));

    let state = tempfile::tempdir().unwrap();
    let db = Database::Postgres {
        url: url.clone(),
        state_dir: state.path().to_path_buf(),
    };
    let moved_relay = RelayProcess::start(RELAY_EXE, &db, "127.0.0.1:0".parse().unwrap()).await;

    // The same device pulls everything from each relay into an empty store: the same result.
    let mut pulled = Vec::new();
    for (name, server) in [("old", relay.url.clone()), ("new", moved_relay.url())] {
        let linli = Arc::new(
            Linli::open_with_actor(
                &state.path().join(format!("fresh-{name}.db")),
                DeviceIdentity {
                    member_id: "lead-li".into(),
                    device_id: reader.linli.identity().device_id.clone(),
                },
                relay.clock.clone(),
                Some(&reader.linli.actor_id()),
                None,
            )
            .unwrap(),
        );
        sync(&linli, &moved(&reader, &server)).await;
        pulled.push(change_hashes(&linli));
    }
    assert_eq!(pulled[0], pulled[1]);
    assert_eq!(pulled[1], change_hashes(&li.linli));

    // Phones carry on with the new relay: their tokens and cursors are still good, so wang
    // receives only li's new work.
    let li_new = moved(&li, &moved_relay.url());
    let wang_new = moved(&wang, &moved_relay.url());
    door_to_door(&li.linli, &relay.places.building3, 5);
    let pushed = sync(&li.linli, &li_new).await;
    assert_eq!(pushed.outbox_left, 0);
    let before = change_hashes(&wang.linli).len();
    let summary = sync(&wang.linli, &wang_new).await;
    assert_eq!(summary.bootstrapped_docs, 0);
    assert_eq!(
        summary.pulled, pushed.pushed,
        "only the new changes came down"
    );
    assert_eq!(
        change_hashes(&wang.linli).len(),
        before + pushed.pushed as usize
    );
    let storage = tokio::task::spawn_blocking(move || {
        let s = PostgresStorage::connect(&url).unwrap();
        (s.blob(&photo).unwrap(), s.log_len().unwrap())
    })
    .await
    .unwrap();
    assert_eq!(storage.0.unwrap(), photo_bytes);
    assert_eq!(storage.1 as usize, change_hashes(&li.linli).len());
    drop(pg);
}
