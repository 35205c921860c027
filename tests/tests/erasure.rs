//! Erasing a resident's household everywhere: the relay's log, replica and admin store, and
//! every phone, one of them offline at the time, whose later change to the household is
//! refused and dropped while its other work is accepted.

use std::path::Path;

use linli_core::api::households::{ResidentInput, VisitInput};
use linli_core::api::photos::Photo;
use linli_e2e::{TestRelay, door_to_door, ticket_input, whole_log};
use linli_relay::demo::Phone;

const NAME: &str = "独居老人甄秀兰";
const PHONE: &str = "13911112222";

/// Every file under `dir` holding one of `needles`, with the needle.
fn files_holding(dir: &Path, needles: &[&str]) -> Vec<(String, String)> {
    let mut found = Vec::new();
    let mut stack = vec![dir.to_path_buf()];
    while let Some(d) = stack.pop() {
        for entry in std::fs::read_dir(&d).expect("read dir").flatten() {
            let path = entry.path();
            if path.is_dir() {
                stack.push(path);
                continue;
            }
            let Ok(bytes) = std::fs::read(&path) else {
                continue;
            };
            for needle in needles {
                if bytes.windows(needle.len()).any(|w| w == needle.as_bytes()) {
                    found.push((path.display().to_string(), (*needle).to_owned()));
                }
            }
        }
    }
    found
}

fn visit(phone: &Phone, household: &str, needs: &str) {
    phone
        .linli
        .log_visit(
            household,
            &VisitInput {
                needs: needs.into(),
                ..VisitInput::default()
            },
        )
        .expect("visit");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_erased_household_is_gone_from_the_relay_and_every_phone() {
    let r = TestRelay::start().await;
    let office = r.phone("office-admin", "office-pc").await;
    let wang = r.phone("lead-wang", "wang-phone").await;
    let li = r.phone("lead-li", "li-phone").await;
    for p in [&office, &wang, &li] {
        p.sync().await.expect("the directory");
    }
    let households = door_to_door(&wang.linli, &r.places.building3, 2);
    let erased = households[0].clone();
    wang.linli
        .add_resident(
            &erased,
            &ResidentInput {
                name: NAME.into(),
                birth_year: Some(1941),
                phone: PHONE.into(),
            },
        )
        .expect("resident");
    visit(&wang, &erased, "甄秀兰需要代购降压药");
    // The need copies the household's address and what the resident needs: it goes with it.
    let need = wang
        .linli
        .record_need(&linli_core::api::needs::NeedInput {
            household_id: erased.clone(),
            description: format!("{NAME}需要代购降压药"),
            ..Default::default()
        })
        .expect("need");
    for p in [&wang, &office, &li] {
        p.sync().await.expect("sync");
    }
    assert!(
        li.linli
            .household(&erased)
            .expect("li holds it")
            .residents
            .values()
            .any(|resident| resident.name == NAME)
    );

    // li goes offline and keeps working: on the household to be erased, and in 5号楼.
    visit(&li, &erased, "离线时的走访");
    let elsewhere = door_to_door(&li.linli, &r.places.building5, 1);

    // Before: the resident is in the files of the relay (log, replica, admin store) and the
    // phones.
    r.relay
        .replica
        .feed(r.relay.storage.as_ref())
        .expect("the replica follows");
    r.admin.pull().expect("admin");
    let before = files_holding(r.dir.path(), &[NAME, PHONE]);
    for file in [
        "relay.db",
        "relay.office.db",
        "harness-admin.db",
        "wang-phone.db",
        "li-phone.db",
    ] {
        assert!(
            before.iter().any(|(path, _)| path.contains(file)),
            "{file} in {before:?}"
        );
    }

    let logged_before = whole_log(r.relay.storage.as_ref()).len();
    let need_rows = whole_log(r.relay.storage.as_ref())
        .iter()
        .filter(|c| c.change.doc_id == need)
        .count();
    assert!(need_rows > 0);
    let done = r.admin.erase_record(&erased, 5_000).expect("erase");
    assert!(done.log_rows >= 3, "{done:?}");
    assert_eq!(done.with, vec![need.clone()]);
    assert_eq!(
        whole_log(r.relay.storage.as_ref()).len(),
        logged_before - done.log_rows as usize - need_rows,
        "the household's changes and the need's"
    );
    assert!(
        whole_log(r.relay.storage.as_ref())
            .iter()
            .all(|c| c.change.doc_id != erased)
    );
    assert_eq!(
        r.admin.erase_record(&erased, 6_000).unwrap_err().code,
        "already_erased"
    );
    assert_eq!(
        r.admin
            .erase_record(&r.places.building3, 6_000)
            .unwrap_err()
            .code,
        "unknown_record",
        "a place is no record of the log"
    );

    for p in [&wang, &office] {
        let summary = p.sync().await.expect("sync");
        assert_eq!(summary.records_erased, 2, "{summary:?}");
        assert!(summary.line_zh().contains("删除记录 2 条"));
        assert!(p.linli.household(&erased).is_err());
        assert!(p.linli.need(&need).is_err());
        // The other household stays.
        assert!(p.linli.household(&households[1]).is_ok());
    }
    r.relay
        .replica
        .feed(r.relay.storage.as_ref())
        .expect("the replica follows");
    assert!(r.relay.replica.linli().household(&erased).is_err());

    // li comes back: its change to the erased household is refused and dropped, the rest
    // accepted.
    let summary = li.sync().await.expect("li syncs");
    assert_eq!(
        (summary.dropped_erased, summary.records_erased),
        (1, 2),
        "{summary:?}"
    );
    assert!(summary.line_zh().contains("1 条修改因记录已被删除而作废"));
    assert_eq!(summary.outbox_left, 0);
    assert!(li.linli.household(&erased).is_err());
    assert!(li.linli.set_aside_changes().expect("list").is_empty());
    assert!(
        r.admin.set_aside(true).expect("relay list").is_empty(),
        "an erased record's change is not kept aside"
    );
    office.sync().await.expect("office");
    assert!(office.linli.household(&elsewhere[0]).is_ok());
    assert!(
        whole_log(r.relay.storage.as_ref())
            .iter()
            .all(|c| c.change.doc_id != erased)
    );

    // Nothing of the resident is left in any file of the relay or the phones.
    r.admin.pull().expect("admin");
    let found = files_holding(r.dir.path(), &[NAME, PHONE, "甄秀兰需要代购降压药"]);
    assert!(found.is_empty(), "{found:?}");
}

/// An erased ticket's photos leave the relay's blobs and the phones, except a photo another
/// record still names.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_erased_tickets_photos_go_with_it_unless_another_record_names_them() {
    let r = TestRelay::start().await;
    let wang = r.phone("lead-wang", "wang-phone").await;
    let li = r.phone("lead-li", "li-phone").await;
    let own = wang
        .linli
        .add_photo(b"only this ticket's photo: a door")
        .unwrap();
    let shared = wang.linli.add_photo(b"a photo two tickets name").unwrap();
    let mut erased = ticket_input("楼道里堆放了纸箱");
    erased.photos = vec![own.clone(), shared.clone()];
    let erased = wang.linli.report_ticket(&erased).unwrap();
    let mut kept = ticket_input("楼道灯坏了");
    kept.photos = vec![shared.clone()];
    let kept = wang.linli.report_ticket(&kept).unwrap();
    wang.sync().await.unwrap();
    // Dispatched to a department: its work order copies the report and the photos.
    let city = r
        .admin
        .run(|l| {
            l.add_place(
                linli_core::records::directory::PlaceKind::Department,
                "城管中队",
                None,
            )
        })
        .unwrap();
    let order = r.admin.run(|l| l.dispatch_ticket(&erased, &city)).unwrap();
    li.sync().await.unwrap();
    for hash in [&own, &shared] {
        assert!(r.relay.storage.blob(hash).unwrap().is_some());
        assert!(matches!(li.linli.photo(hash).unwrap(), Photo::Available(_)));
    }

    let done = r.admin.erase_record(&erased, 5_000).expect("erase");
    assert_eq!(done.photos, 1, "{done:?}");
    assert_eq!(
        done.with,
        vec![order.clone()],
        "the work order goes with it"
    );
    assert!(
        whole_log(r.relay.storage.as_ref())
            .iter()
            .all(|c| c.change.doc_id != order)
    );
    assert!(r.relay.storage.blob(&own).unwrap().is_none());
    assert!(r.relay.storage.blob(&shared).unwrap().is_some());
    for p in [&wang, &li] {
        p.sync().await.unwrap();
        assert!(!matches!(p.linli.photo(&own).unwrap(), Photo::Available(_)));
        assert!(matches!(
            p.linli.photo(&shared).unwrap(),
            Photo::Available(_)
        ));
        assert!(p.linli.ticket(&kept).is_ok());
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn only_households_tickets_and_gate_days_are_erased() {
    let r = TestRelay::start().await;
    let directory = whole_log(r.relay.storage.as_ref())
        .into_iter()
        .find(|c| c.change.kind == linli_core::DocKind::Directory)
        .expect("the directory is logged")
        .change
        .doc_id;
    assert_eq!(
        r.admin.erase_record(&directory, 1_000).unwrap_err().code,
        "not_erasable"
    );
}

/// The store's files (the database and its WAL) hold none of `needles`.
fn store_holds(path: &Path, needles: &[&str]) -> bool {
    ["", "-wal"].iter().any(|suffix| {
        let mut file = path.as_os_str().to_owned();
        file.push(suffix);
        std::fs::read(&file).is_ok_and(|bytes| {
            needles
                .iter()
                .any(|n| bytes.windows(n.len()).any(|w| w == n.as_bytes()))
        })
    })
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn signing_out_pushes_first_and_says_what_would_be_lost_offline() {
    use linli_core::sync::client::{SyncClient, SyncOptions};
    use tokio_util::sync::CancellationToken;
    let r = TestRelay::start().await;
    let wang = r.phone("lead-wang", "wang-phone").await;
    let li = r.phone("lead-li", "li-phone").await;
    for p in [&wang, &li] {
        p.sync().await.expect("directory");
        let households = door_to_door(&p.linli, &r.places.building3, 1);
        p.linli
            .add_resident(
                &households[0],
                &ResidentInput {
                    name: NAME.into(),
                    birth_year: None,
                    phone: PHONE.into(),
                },
            )
            .expect("resident");
    }
    let cancel = CancellationToken::new();

    // Online: what wang holds goes to the relay, then the store is erased and the token dies.
    let waiting = wang.linli.outbox_len().expect("outbox");
    let logged = whole_log(r.relay.storage.as_ref()).len();
    let done = wang
        .client
        .sign_out(&wang.linli, false, &cancel)
        .await
        .expect("sign out");
    assert_eq!((done.erased, done.unsent), (true, 0));
    assert_eq!(
        whole_log(r.relay.storage.as_ref()).len(),
        logged + waiting as usize
    );
    assert!(wang.linli.documents().expect("docs").is_empty());
    assert!(!store_holds(&r.phone_path("wang-phone"), &[NAME, PHONE]));
    let device = r
        .relay
        .storage
        .devices()
        .expect("devices")
        .into_iter()
        .find(|d| d.device_id == wang.linli.identity().device_id)
        .expect("device");
    assert!(device.revoked_ms.is_some(), "the token no longer works");

    // Offline: nothing is erased until the person insists, and they are told what is lost.
    let mut options = SyncOptions::new("http://127.0.0.1:9", &li.client.options().token);
    options.retries = 0;
    let offline = SyncClient::new(options).expect("client");
    let waiting = li.linli.outbox_len().expect("outbox");
    assert!(waiting > 0);
    let asked = offline
        .sign_out(&li.linli, false, &cancel)
        .await
        .expect("answers");
    assert_eq!((asked.erased, asked.unsent), (false, waiting));
    assert!(store_holds(&r.phone_path("li-phone"), &[NAME]));
    let forced = offline
        .sign_out(&li.linli, true, &cancel)
        .await
        .expect("forced");
    assert_eq!((forced.erased, forced.unsent), (true, waiting));
    assert!(li.linli.documents().expect("docs").is_empty());
    assert!(!store_holds(&r.phone_path("li-phone"), &[NAME, PHONE]));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_admin_tools_export_a_resident_and_erase_the_household() {
    let r = TestRelay::start().await;
    let wang = r.phone("lead-wang", "wang-phone").await;
    wang.sync().await.expect("directory");
    let households = door_to_door(&wang.linli, &r.places.building3, 1);
    wang.linli
        .add_resident(
            &households[0],
            &ResidentInput {
                name: NAME.into(),
                birth_year: Some(1941),
                phone: PHONE.into(),
            },
        )
        .expect("resident");
    wang.sync().await.expect("sync");
    let cli = |args: &[&str]| r.admin_cli(env!("CARGO_BIN_EXE_relay-process"), args);
    let (ok, csv, err) = cli(&[
        "resident-export",
        "--household",
        &households[0],
        "--format",
        "csv",
    ]);
    assert!(ok, "{err}");
    assert!(csv.starts_with("\u{feff}类别,编号,时间,内容"), "{csv}");
    assert!(csv.contains(NAME) && csv.contains(PHONE), "{csv}");
    let (ok, json, err) = cli(&["resident-export", "--household", &households[0]]);
    assert!(
        ok && json.contains("\"format\": \"linli-resident/1\""),
        "{err}"
    );

    let (ok, said, err) = cli(&["erase", "--record", &households[0]]);
    assert!(ok && said.contains("已删除"), "{err}");
    let (ok, _, err) = cli(&["resident-export", "--household", &households[0]]);
    assert!(!ok && err.contains("not found"), "{err}");
    let summary = wang.sync().await.expect("sync");
    assert_eq!(summary.records_erased, 1);
}
