//! Hostile and buggy phones against the relay over HTTP, table-driven: each row is a change
//! crafted with raw automerge or with a core that acts with rights the member does not have,
//! pushed by an enrolled device beside one honest change of its own. For every row the relay
//! answers 200, refuses the crafted change with the expected code and sets it aside, stores
//! the honest change, leaves the log otherwise as it was, and every phone keeps syncing.
//! The office then sees the set-aside changes and admits or discards them.

use automerge::transaction::Transactable;
use automerge::{AutoCommit, ObjType, ROOT, ReadDoc, ScalarValue};
use linli_core::api::households::{HouseholdInput, VisitInput};
use linli_core::doc::ChangeNote;
use linli_core::sync::client::{SyncClient, SyncOptions};
use linli_core::sync::protocol::{self, PROTOCOL_VERSION, SyncRequest, SyncResponse};
use linli_core::{DeviceIdentity, Linli, RemoteChange};
use linli_e2e::{
    TestRelay, copy_history, forger, post_raw, reattributed, take_outbox, ticket_input,
};
use linli_relay::demo::Phone;

/// A change made with raw automerge on the office's copy of `doc_id`, by `phone`'s actor
/// and named for its member and device.
fn raw(
    office: &Linli,
    phone: &Phone,
    doc_id: &str,
    f: impl FnOnce(&mut AutoCommit),
) -> RemoteChange {
    let (kind, scope, mut doc) = office.document_copy(doc_id).unwrap().unwrap();
    doc.set_actor(automerge::ActorId::try_from(phone.linli.actor_id().as_str()).unwrap());
    let heads = doc.get_heads();
    f(&mut doc);
    let me = phone.linli.identity();
    let note = ChangeNote {
        member: me.member_id.clone(),
        device: me.device_id.clone(),
        action: "crafted".into(),
    };
    doc.commit_with(
        automerge::transaction::CommitOptions::default().with_message(note.to_message()),
    );
    let change = doc.get_changes(&heads).pop().expect("a change");
    RemoteChange {
        doc_id: doc_id.to_owned(),
        kind,
        scope,
        bytes: change.raw_bytes().to_vec(),
    }
}

async fn push(r: &TestRelay, phone: &Phone, changes: Vec<RemoteChange>) -> SyncResponse {
    let token = phone.client.options().token.clone();
    let answer = post_raw(
        &r.url,
        "/v1/sync",
        Some(&token),
        &PROTOCOL_VERSION.to_string(),
        protocol::encode(&SyncRequest {
            push: changes,
            page_bytes: 1024,
            ..SyncRequest::default()
        }),
    )
    .await;
    assert_eq!(
        answer.status,
        200,
        "{}",
        String::from_utf8_lossy(&answer.body)
    );
    protocol::decode(&answer.body).unwrap()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn crafted_changes_are_refused_one_by_one_and_set_aside() {
    let r = TestRelay::start().await;
    let p = r.places.clone();
    let office = r.phone("office-admin", "office-pc").await;
    office.sync().await.unwrap();
    let household = office
        .linli
        .register_household(&HouseholdInput {
            building_id: p.building3.clone(),
            room: "101".into(),
            phone: "13900000000".into(),
            ..HouseholdInput::default()
        })
        .unwrap();
    office
        .linli
        .log_visit(&household, &VisitInput::default())
        .unwrap();
    let ticket = office
        .linli
        .report_ticket(&ticket_input("电梯坏了"))
        .unwrap();
    office
        .linli
        .register_vehicle(&p.east_gate, "沪A00001", "送货")
        .unwrap();
    let gate_log = office
        .linli
        .documents()
        .unwrap()
        .into_iter()
        .find(|d| d.doc_id.starts_with("gatelog:"))
        .unwrap()
        .doc_id;
    office.sync().await.unwrap();

    let wang = r.phone("lead-wang", "wang-phone").await;
    let vol = r.phone("vol-wu", "vol-phone").await;
    let guard = r.phone("guard-sun", "guard-phone").await;
    for phone in [&wang, &vol, &guard] {
        phone.sync().await.unwrap();
    }
    let wang_forger = forger(&r, &office.linli, &wang, "wang");
    let vol_forger = forger(&r, &office.linli, &vol, "vol");
    let li_on_wang = Linli::open_with_actor(
        &r.phone_path("li-on-wang"),
        DeviceIdentity {
            member_id: "lead-li".into(),
            device_id: wang.linli.identity().device_id.clone(),
        },
        r.clock.clone(),
        Some(&wang.linli.actor_id()),
        None,
    )
    .unwrap();
    copy_history(&office.linli, &li_on_wang);
    let wang_device = wang.linli.identity().device_id.clone();

    type Craft<'a> = Box<dyn Fn() -> Vec<RemoteChange> + 'a>;
    // What, who pushes, the crafted changes, the expected code. A row's crafted changes may
    // begin with honest ones (`HONEST_FIRST` below) that must pass.
    let rows: Vec<(&str, &Phone, Craft<'_>, &str)> = vec![
        (
            "a change naming another member",
            &wang,
            Box::new(|| {
                wang_forger
                    .log_visit(&household, &VisitInput::default())
                    .unwrap();
                reattributed(take_outbox(&wang_forger), "office-admin", &wang_device)
            }),
            "forged_attribution",
        ),
        (
            "a visit naming another lead",
            &wang,
            Box::new(|| {
                li_on_wang
                    .log_visit(&household, &VisitInput::default())
                    .unwrap();
                reattributed(take_outbox(&li_on_wang), "lead-wang", &wang_device)
            }),
            "forged_attribution",
        ),
        (
            "a volunteer building the roster",
            &vol,
            Box::new(|| {
                let now = vol_forger.now();
                vol_forger
                    .add_shift(
                        &p.east_gate,
                        "夜班",
                        now,
                        now + chrono::Duration::hours(8),
                        1,
                    )
                    .unwrap();
                take_outbox(&vol_forger)
                    .into_iter()
                    .filter(|c| !c.bytes.is_empty())
                    .collect()
            }),
            "role_forbidden",
        ),
        (
            "a lead writing another building",
            &wang,
            Box::new(|| {
                wang_forger
                    .register_household(&HouseholdInput {
                        building_id: p.building5.clone(),
                        room: "502".into(),
                        ..HouseholdInput::default()
                    })
                    .unwrap();
                take_outbox(&wang_forger)
            }),
            "scope_forbidden",
        ),
        (
            "a volunteer resolving a ticket",
            &vol,
            Box::new(|| {
                vol_forger.resolve_ticket(&ticket, "已修好").unwrap();
                take_outbox(&vol_forger)
            }),
            "role_forbidden",
        ),
        (
            "a visit removed",
            &wang,
            Box::new(|| {
                vec![raw(&office.linli, &wang, &household, |d| {
                    let visits = d.get(ROOT, "visits").unwrap().unwrap().1;
                    d.delete(&visits, 0).unwrap();
                })]
            }),
            "append_only",
        ),
        (
            "a gate entry rewritten",
            &guard,
            Box::new(|| {
                vec![raw(&office.linli, &guard, &gate_log, |d| {
                    let entries = d.get(ROOT, "entries").unwrap().unwrap().1;
                    let entry = d.get(&entries, 0).unwrap().unwrap().1;
                    d.put(&entry, "at_ms", 1).unwrap();
                })]
            }),
            "append_only",
        ),
        (
            "a record's fields deleted",
            &wang,
            Box::new(|| {
                vec![raw(&office.linli, &wang, &household, |d| {
                    d.delete(ROOT, "residents").unwrap();
                })]
            }),
            "root_deleted",
        ),
        (
            "an integer where the record has text",
            &wang,
            Box::new(|| {
                vec![raw(&office.linli, &wang, &household, |d| {
                    d.put(ROOT, "building_id", ScalarValue::Int(3)).unwrap();
                })]
            }),
            "bad_shape",
        ),
        (
            "maps nested 100,000 deep",
            &wang,
            Box::new(|| {
                vec![raw(&office.linli, &wang, &household, |d| {
                    let mut obj = d.put_object(ROOT, "deep", ObjType::Map).unwrap();
                    for _ in 0..100_000 {
                        obj = d.put_object(&obj, "x", ObjType::Map).unwrap();
                    }
                })]
            }),
            "too_large",
        ),
        (
            "a room number of a million characters",
            &wang,
            Box::new(|| {
                vec![raw(&office.linli, &wang, &household, |d| {
                    d.put(ROOT, "room", "1".repeat(1_000_000)).unwrap();
                })]
            }),
            "too_large",
        ),
        (
            "maps nested 40 deep",
            &wang,
            Box::new(|| {
                vec![raw(&office.linli, &wang, &household, |d| {
                    let mut obj = d.put_object(ROOT, "deep", ObjType::Map).unwrap();
                    for _ in 0..40 {
                        obj = d.put_object(&obj, "x", ObjType::Map).unwrap();
                    }
                })]
            }),
            "too_deep",
        ),
        (
            "a repeated actor and sequence number",
            &wang,
            Box::new(|| {
                // Two changes made from the same state by the same actor, as a store restored
                // from a backup makes them: the first is honest.
                let first = raw(&office.linli, &wang, &household, |d| {
                    d.put(ROOT, "unit", "1").unwrap();
                });
                let again = raw(&office.linli, &wang, &household, |d| {
                    d.put(ROOT, "unit", "2").unwrap();
                });
                vec![first, again]
            }),
            "duplicate_seq",
        ),
        (
            "a logged change pushed again under a new document in another building",
            &wang,
            Box::new(|| {
                let logged = linli_e2e::whole_log(r.relay.storage.as_ref())
                    .into_iter()
                    .find(|c| c.change.doc_id == household)
                    .unwrap();
                vec![RemoteChange {
                    doc_id: "01JSTOLEN00000000000000000".into(),
                    kind: logged.change.kind,
                    scope: format!("building/{}", p.building5),
                    bytes: logged.change.bytes,
                }]
            }),
            "scope_forbidden",
        ),
        (
            "a change that names another document's change as its dependency",
            &wang,
            Box::new(|| {
                let elsewhere = linli_e2e::whole_log(r.relay.storage.as_ref())
                    .into_iter()
                    .find(|c| c.change.doc_id == ticket)
                    .unwrap();
                let mut c = raw(&office.linli, &wang, &household, |d| {
                    d.put(ROOT, "unit", "7").unwrap();
                });
                let mut expanded = automerge::Change::from_bytes(c.bytes.clone())
                    .unwrap()
                    .decode();
                expanded.deps = vec![automerge::ChangeHash(elsewhere.change.hash)];
                c.bytes = automerge::Change::from(expanded).bytes().to_vec();
                vec![c]
            }),
            "missing_dependency",
        ),
        (
            "a change for a document the relay does not know",
            &wang,
            Box::new(|| {
                let mut c = raw(&office.linli, &wang, &household, |d| {
                    d.put(ROOT, "unit", "9").unwrap();
                });
                c.doc_id = "01JUNKNOWN0000000000000000".into();
                vec![c]
            }),
            "unknown_document",
        ),
    ];

    for (what, attacker, craft, expected) in &rows {
        let crafted = craft();
        let honest_first = usize::from(what.starts_with("a repeated actor"));
        assert!(!crafted.is_empty(), "{what}: nothing crafted");
        attacker.linli.report_ticket(&ticket_input(what)).unwrap();
        let honest = take_outbox(&attacker.linli);
        let before = r.relay.storage.log_len().unwrap();
        let mut changes = crafted.clone();
        changes.extend(honest.clone());
        let answer = push(&r, attacker, changes).await;
        let codes: Vec<&str> = answer.refused.iter().map(|x| x.code.as_str()).collect();
        assert!(
            !codes.is_empty()
                && codes.iter().all(|c| {
                    *c == *expected || *c == "depends_on_refused" || *c == "unknown_document"
                })
                && codes.contains(expected),
            "{what}: refused {codes:?}, expected {expected}"
        );
        let honest_hashes: Vec<[u8; 32]> = honest
            .iter()
            .map(|c| {
                automerge::Change::from_bytes(c.bytes.clone())
                    .unwrap()
                    .hash()
                    .0
            })
            .collect();
        assert!(
            answer
                .refused
                .iter()
                .all(|x| !honest_hashes.contains(&x.hash)),
            "{what}: the honest change was refused"
        );
        // What entered the log: the honest changes, and a crafted document's deterministic
        // first change (which any member who may write the scope may push), nothing else.
        let refused_hashes: Vec<[u8; 32]> = answer.refused.iter().map(|x| x.hash).collect();
        for (i, c) in crafted.iter().enumerate() {
            let change = automerge::Change::from_bytes(c.bytes.clone()).unwrap();
            if i < honest_first {
                assert!(
                    !refused_hashes.contains(&change.hash().0),
                    "{what}: honest change refused"
                );
            } else if !refused_hashes.contains(&change.hash().0) {
                assert_eq!(
                    *change.actor_id(),
                    linli_core::doc::genesis_actor(&c.doc_id),
                    "{what}: only a first change of the crafted ones passes"
                );
            }
        }
        let after = r.relay.storage.log_len().unwrap();
        assert_eq!(
            after - before,
            (crafted.len() + honest.len() - answer.refused.len()) as u64,
            "{what}: only the honest changes entered the log"
        );
        for phone in [&office, &wang, &vol, &guard] {
            phone
                .sync()
                .await
                .unwrap_or_else(|e| panic!("{what}: {} cannot sync: {e}", phone.name));
        }
        assert!(
            r.relay
                .storage
                .doc_binding("01JSTOLEN00000000000000000")
                .unwrap()
                .is_none(),
            "{what}: a refused change bound a document"
        );
        let h = office.linli.household(&household).unwrap();
        assert_eq!(h.visits.len(), 1, "{what}: the household is untouched");
        assert_eq!(h.building_id, p.building3);
    }

    // The office sees every refused change, and decides.
    let waiting = r.admin.set_aside(false).unwrap();
    assert!(waiting.len() >= rows.len(), "{} set aside", waiting.len());
    let resolve = waiting
        .iter()
        .find(|s| {
            s.member_id == "vol-wu" && s.code == "role_forbidden" && s.change.doc_id == ticket
        })
        .expect("the volunteer's resolution is set aside");
    let removal = waiting
        .iter()
        .find(|s| s.code == "append_only" && s.change.doc_id == household)
        .expect("the removed visit is set aside");
    // The office decides with the admin tools' command line.
    let relay_db = r.dir.path().join("relay.db");
    let cli = |args: &[&str]| {
        let out = std::process::Command::new(env!("CARGO_BIN_EXE_relay-process"))
            .arg("--db")
            .arg(&relay_db)
            .args(args)
            .env("RUST_LOG", "warn")
            .output()
            .expect("the admin tools run");
        (
            out.status.success(),
            String::from_utf8_lossy(&out.stdout).into_owned(),
            String::from_utf8_lossy(&out.stderr).into_owned(),
        )
    };
    let (ok, listed, _) = cli(&["set-aside", "list"]);
    assert!(ok);
    let resolve_hex = hex::encode(resolve.change.hash);
    let removal_hex = hex::encode(removal.change.hash);
    assert!(listed.contains(&resolve_hex[..16]), "{listed}");
    assert!(listed.contains("role_forbidden") && listed.contains("append_only"));
    let (ok, shown, _) = cli(&["set-aside", "show", &removal_hex[..12]]);
    assert!(
        ok && shown.contains("append_only") && shown.contains("lead-wang"),
        "{shown}"
    );
    let before = r.relay.storage.log_len().unwrap();
    let (ok, _, err) = cli(&["set-aside", "admit", &resolve_hex[..12]]);
    assert!(ok, "{err}");
    assert_eq!(r.relay.storage.log_len().unwrap(), before + 1);
    let (ok, _, err) = cli(&["set-aside", "admit", &removal_hex[..12]]);
    assert!(
        !ok && err.contains("cannot admit") && err.contains("append_only"),
        "a removal stays refused: {err}"
    );
    let (ok, _, err) = cli(&["set-aside", "discard", &removal_hex[..12]]);
    assert!(ok, "{err}");
    let (ok, _, err) = cli(&["set-aside", "discard", &removal_hex[..12]]);
    assert!(!ok && err.contains("discarded already"), "{err}");
    let decided = r.admin.set_aside(true).unwrap();
    let decision = |hash: [u8; 32]| {
        decided
            .iter()
            .find(|s| s.change.hash == hash)
            .and_then(|s| s.decision.clone())
    };
    assert_eq!(decision(resolve.change.hash).as_deref(), Some("admitted"));
    assert_eq!(decision(removal.change.hash).as_deref(), Some("discarded"));
    office.sync().await.unwrap();
    let detail = office.linli.ticket(&ticket).unwrap();
    assert_eq!(
        detail.state.status,
        linli_core::records::ticket::Status::Resolved,
        "the admitted resolution reached the office"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_phone_keeps_its_refused_change_aside_and_goes_on_syncing() {
    let r = TestRelay::start().await;
    let office = r.phone("office-admin", "office-pc").await;
    office.sync().await.unwrap();
    let ticket = office
        .linli
        .report_ticket(&ticket_input("路灯不亮"))
        .unwrap();
    office.sync().await.unwrap();
    let vol = r.phone("vol-wu", "vol-phone").await;
    vol.sync().await.unwrap();

    // A core that skipped its own check: the volunteer resolves, then reports a new ticket.
    let store = forger(&r, &office.linli, &vol, "vol");
    store.resolve_ticket(&ticket, "自己修好了").unwrap();
    let kept = store.report_ticket(&ticket_input("楼道灯坏了")).unwrap();
    let phone = Phone {
        name: "vol".into(),
        linli: std::sync::Arc::new(store),
        client: SyncClient::new(SyncOptions::new(&r.url, vol.client.options().token.clone()))
            .unwrap(),
    };
    let summary = phone.sync().await.unwrap();
    assert_eq!(summary.outbox_left, 0);
    assert_eq!(summary.set_aside, 1);
    let aside = phone.linli.set_aside_changes().unwrap();
    assert_eq!(aside.len(), 1);
    assert_eq!(
        (
            aside[0].origin.as_str(),
            aside[0].code.as_str(),
            aside[0].doc_id.as_str()
        ),
        ("refused", "role_forbidden", ticket.as_str())
    );
    assert!(
        summary.line_zh().contains("未被接受的修改 1 条"),
        "{}",
        summary.line_zh()
    );
    // The record is rebuilt without the refused resolution; the other ticket reached the office.
    assert!(phone.linli.ticket(&ticket).unwrap().state.status.is_open());
    office.sync().await.unwrap();
    assert!(office.linli.ticket(&ticket).unwrap().state.status.is_open());
    office.linli.ticket(&kept).unwrap();
    // And it keeps syncing: the office's next change arrives.
    office.linli.accept_ticket(&ticket).unwrap();
    office.sync().await.unwrap();
    phone.sync().await.unwrap();
    assert_eq!(
        phone
            .linli
            .ticket(&ticket)
            .unwrap()
            .state
            .responsible
            .as_deref(),
        Some("office-admin")
    );
}

/// A change made with raw automerge on `from`'s copy of `doc_id` by `actor`, named for
/// `member` on `device`.
fn raw_as(
    from: &Linli,
    doc_id: &str,
    actor: &str,
    who: (&str, &str),
    f: impl FnOnce(&mut AutoCommit),
) -> linli_relay::storage::LogChange {
    let (kind, scope, mut doc) = from.document_copy(doc_id).unwrap().unwrap();
    doc.set_actor(automerge::ActorId::try_from(actor).unwrap());
    let heads = doc.get_heads();
    f(&mut doc);
    let note = ChangeNote {
        member: who.0.into(),
        device: who.1.into(),
        action: "old_relay".into(),
    };
    doc.commit_with(
        automerge::transaction::CommitOptions::default().with_message(note.to_message()),
    );
    let change = doc.get_changes(&heads).pop().expect("a change");
    linli_relay::storage::LogChange {
        hash: change.hash().0,
        doc_id: doc_id.to_owned(),
        kind,
        scope,
        bytes: change.raw_bytes().to_vec(),
    }
}

/// A log written by a relay that did not judge: one household nested 100,000 deep, one with
/// an integer where it has text, one with two changes sharing an actor and sequence number.
/// The relay reopens (feeding its replica), the admin tools work (the office can still revoke),
/// and every phone syncs everything else, setting the records it cannot apply aside.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn poison_already_in_the_log_stops_nothing() {
    let r = TestRelay::start().await;
    let p = r.places.clone();
    let office = r.phone("office-admin", "office-pc").await;
    office.sync().await.unwrap();
    let households: Vec<String> = (0..4)
        .map(|i| {
            office
                .linli
                .register_household(&HouseholdInput {
                    building_id: p.building3.clone(),
                    room: format!("10{i}"),
                    ..HouseholdInput::default()
                })
                .unwrap()
        })
        .collect();
    office.sync().await.unwrap();
    let wang = r.phone("lead-wang", "wang-phone").await;
    wang.sync().await.unwrap();

    let actor = Linli::new_actor_id();
    let who = ("lead-wang", "old-phone");
    let deep = raw_as(&office.linli, &households[0], &actor, who, |d| {
        let mut obj = d.put_object(ROOT, "deep", ObjType::Map).unwrap();
        for _ in 0..100_000 {
            obj = d.put_object(&obj, "x", ObjType::Map).unwrap();
        }
    });
    let int = raw_as(&office.linli, &households[1], &actor, who, |d| {
        d.put(ROOT, "building_id", ScalarValue::Int(3)).unwrap();
    });
    let twin_a = raw_as(&office.linli, &households[2], &actor, who, |d| {
        d.put(ROOT, "phone", "1").unwrap();
    });
    let twin_b = raw_as(&office.linli, &households[2], &actor, who, |d| {
        d.put(ROOT, "phone", "2").unwrap();
    });
    r.relay
        .storage
        .append("old-phone", &[deep, int, twin_a, twin_b], 1)
        .unwrap();

    // A relay opens on the same database (another instance, the running one keeps its replica),
    // feeding a replica of its own from the whole log.
    let db = linli_relay::Database::Sqlite(r.dir.path().join("relay.db"));
    let reopened = linli_relay::Relay::with_storage(
        db.open().unwrap(),
        &r.dir.path().join("reopened.office.db"),
    )
    .expect("the relay opens");
    reopened
        .replica
        .read(reopened.storage.as_ref(), |_, _| Ok(()))
        .expect("the replica follows the whole log");
    // The admin tools pull the log first: they work, and the office can revoke.
    let admin = linli_relay::admin::Admin::open(&db, "office-admin").expect("admin opens");
    admin.pull().unwrap();
    admin
        .linli()
        .day_report(
            admin
                .linli()
                .community()
                .unwrap()
                .local_date(admin.linli().now()),
        )
        .unwrap();
    let li = r.phone("lead-li", "li-phone").await;
    assert!(
        admin
            .storage()
            .revoke(&li.linli.identity().device_id, 2)
            .unwrap()
    );
    // Phones sync on; the fourth household and the office's new work arrive.
    office
        .linli
        .log_visit(&households[3], &VisitInput::default())
        .unwrap();
    office.sync().await.unwrap();
    wang.sync().await.unwrap();
    assert_eq!(
        wang.linli.household(&households[3]).unwrap().visits.len(),
        1
    );
    let aside: Vec<String> = wang
        .linli
        .set_aside_changes()
        .unwrap()
        .into_iter()
        .map(|s| s.doc_id)
        .collect();
    assert!(aside.contains(&households[1]), "{aside:?}");
    assert!(aside.contains(&households[2]), "{aside:?}");
    assert_eq!(
        wang.linli.household(&households[1]).unwrap().building_id,
        p.building3,
        "the record stays as it was"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_large_push_is_judged_on_several_threads_with_the_same_verdicts() {
    let r = TestRelay::start().await;
    let p = r.places.clone();
    let office = r.phone("office-admin", "office-pc").await;
    office.sync().await.unwrap();
    let wang = r.phone("lead-wang", "wang-phone").await;
    wang.sync().await.unwrap();
    // 60 households of 3号楼 with a visit each: 180 changes in one push.
    let households: Vec<String> = (0..60)
        .map(|i| {
            let id = wang
                .linli
                .register_household(&HouseholdInput {
                    building_id: p.building3.clone(),
                    room: format!("{}", 101 + i),
                    phone: format!("139{i:08}"),
                    ..HouseholdInput::default()
                })
                .unwrap();
            wang.linli.log_visit(&id, &VisitInput::default()).unwrap();
            id
        })
        .collect();
    let mut changes = take_outbox(&wang.linli);
    assert_eq!(changes.len(), 180);
    // Two of them as if written by 李秀英 on this device: their first change (the skeleton)
    // passes, the registration is forged and the visit builds on it.
    let forged = [households[7].clone(), households[42].clone()];
    let (theirs, honest): (Vec<_>, Vec<_>) =
        changes.drain(..).partition(|c| forged.contains(&c.doc_id));
    let wang_device = wang.linli.identity().device_id.clone();
    let renamed = reattributed(theirs, "lead-li", &wang_device);
    changes = honest.into_iter().chain(renamed).collect();
    let answer = push(&r, &wang, changes).await;
    let mut codes: Vec<(String, String)> = answer
        .refused
        .iter()
        .map(|x| (x.doc_id.clone(), x.code.clone()))
        .collect();
    codes.sort();
    let mut expected: Vec<(String, String)> = forged
        .iter()
        .flat_map(|d| {
            [
                (d.clone(), "depends_on_refused".to_owned()),
                (d.clone(), "forged_attribution".to_owned()),
            ]
        })
        .collect();
    expected.sort();
    assert_eq!(codes, expected);
    if std::thread::available_parallelism().map_or(1, |n| n.get()) > 1 {
        let metrics = reqwest::get(format!("{}/metrics", r.url))
            .await
            .unwrap()
            .text()
            .await
            .unwrap();
        assert!(
            metrics.contains("linli_pushes_judged_on_several_threads_total 1"),
            "{metrics}"
        );
    }
    // Every other household reached the office whole, with its visit.
    office.sync().await.unwrap();
    for h in &households {
        let held = office.linli.household(h);
        if forged.contains(h) {
            assert!(held.as_ref().map_or(true, |d| d.visits.is_empty()), "{h}");
        } else {
            assert_eq!(held.unwrap().visits.len(), 1, "{h}");
        }
    }
}
