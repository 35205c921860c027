//! History, conflicts on plain fields, and the entry points sync uses: outbox, idempotent apply,
//! held changes, corrupt input, and rebuilding projections.

mod common;

use common::{Devices, community, sync_all};
use linli_core::api::households::HouseholdInput;
use linli_core::api::records::Resolution;
use linli_core::sync::protocol::{Cursor, SnapshotDoc};
use linli_core::{DocKind, Error, RemoteChange};

/// Registers room 101 of building 3 from `office`.
fn room_101(office: &linli_core::Linli, c: &common::Community) -> String {
    office
        .register_household(&HouseholdInput {
            building_id: c.building3.clone(),
            room: "101".into(),
            ..HouseholdInput::default()
        })
        .unwrap()
}

/// The office and Wang's phone, in sync, both holding room 101 of building 3.
fn office_and_wang_with_room_101(
    devices: &Devices,
) -> (linli_core::Linli, linli_core::Linli, String) {
    let office = devices.open("office", "office-pc");
    let c = community(&office);
    let wang = devices.open("lead-wang", "wang-phone");
    sync_all(&[&office, &wang]);
    let h = room_101(&office, &c);
    sync_all(&[&office, &wang]);
    (office, wang, h)
}

#[test]
fn history_says_who_changed_what_from_which_device() {
    let devices = Devices::new();
    let (office, wang, h) = office_and_wang_with_room_101(&devices);
    wang.set_household_phone(&h, "13900000000").unwrap();
    sync_all(&[&office, &wang]);
    let history = office.history(&h).unwrap();
    let actions: Vec<_> = history.iter().map(|e| e.action.as_str()).collect();
    assert_eq!(
        actions,
        ["genesis", "household.register", "household.phone"]
    );
    assert_eq!(history[1].member, "office");
    assert_eq!(history[1].device, "office-pc");
    assert_eq!(history[2].member, "lead-wang");
    assert_eq!(history[2].device, "wang-phone");
    assert_eq!(history[2].changed, vec!["phone"]);
    assert_eq!(history[2].actor, wang.actor_id());
    assert!(history[1].changed.contains(&"building_id".to_owned()));
    assert_eq!(
        history[0].at, history[1].at,
        "the record dates from its registration, not 1970"
    );
}

#[test]
fn every_record_has_a_name_people_know() {
    use chrono::Duration;
    use linli_core::api::duty::VisitorInput;
    use linli_core::api::tickets::TicketInput;
    use linli_core::records::ticket::{Category, Channel, PlaceRefKind};
    let devices = Devices::new();
    let office = devices.open("office", "office-pc");
    let c = community(&office);
    let h = office
        .register_household(&HouseholdInput {
            building_id: c.building3.clone(),
            unit: "1单元".into(),
            room: "302".into(),
            ..HouseholdInput::default()
        })
        .unwrap();
    assert_eq!(office.record_name(&h).unwrap(), "3号楼 1单元 302");
    let t = office
        .report_ticket(&TicketInput {
            category: Category::Property,
            place_kind: PlaceRefKind::Building,
            place_ref: c.building3.clone(),
            place_text: "3号楼".into(),
            description: "楼道灯坏了，晚上看不清楼梯，老人上下楼很危险".into(),
            photos: Vec::new(),
            channel: Channel::Visit,
        })
        .unwrap();
    assert_eq!(
        office.record_name(&t).unwrap(),
        "工单：楼道灯坏了，晚上看不清楼梯，老人上下楼很危险"
    );
    let start = common::start_time();
    office
        .add_shift(&c.east_gate, "早班", start, start + Duration::hours(8), 1)
        .unwrap();
    office
        .register_visitor(
            &c.east_gate,
            &VisitorInput {
                name: "快递员".into(),
                purpose: "送件".into(),
                ..VisitorInput::default()
            },
        )
        .unwrap();
    let mut names: Vec<String> = office
        .documents()
        .unwrap()
        .iter()
        .map(|d| office.record_name(&d.doc_id).unwrap())
        .collect();
    names.sort();
    let mut expected = [
        "3号楼 1单元 302",
        "工单：楼道灯坏了，晚上看不清楼梯，老人上下楼很危险",
        "社区名录",
        "东门 排班（2026-11-23 起）",
        "东门 门岗日志 2026-11-23",
    ]
    .map(String::from);
    expected.sort();
    assert_eq!(names, expected);
    assert!(matches!(
        office.record_name("no-such-record"),
        Err(Error::NotFound { .. })
    ));
}

#[test]
fn a_plain_field_edited_on_two_phones_is_a_conflict_resolved_by_entering_a_value() {
    let devices = Devices::new();
    let (office, wang, h) = office_and_wang_with_room_101(&devices);
    office.set_household_phone(&h, "13911111111").unwrap();
    wang.set_household_phone(&h, "13922222222").unwrap();
    // Another field edited meanwhile is no conflict.
    wang.set_household_tag(&h, linli_core::records::household::Tag::Elderly, true)
        .unwrap();
    sync_all(&[&office, &wang]);
    let conflicts = office.conflicts(&h).unwrap();
    assert_eq!(conflicts.len(), 1);
    assert_eq!(conflicts[0].path, vec!["phone"]);
    assert_eq!(conflicts[0].field_key, "phone");
    assert!(conflicts[0].values[0].shown);
    assert_eq!(wang.conflicts(&h).unwrap(), conflicts);
    let open = vec![(h.clone(), vec!["phone".to_owned()])];
    assert_eq!(office.open_conflicts().unwrap(), open);
    assert_eq!(wang.open_conflicts().unwrap(), open);
    assert!(matches!(
        office.resolve_conflict(&h, &["phone".into()], &Resolution::Pick(5)),
        Err(Error::InvalidInput { .. })
    ));
    office
        .resolve_conflict(
            &h,
            &["phone".into()],
            &Resolution::Enter("13933333333".into()),
        )
        .unwrap();
    sync_all(&[&office, &wang]);
    assert!(wang.conflicts(&h).unwrap().is_empty());
    assert!(wang.open_conflicts().unwrap().is_empty());
    assert_eq!(wang.household(&h).unwrap().phone, "13933333333");
}

#[test]
fn outbox_apply_is_idempotent_and_holds_changes_with_missing_dependencies() {
    let devices = Devices::new();
    let office = devices.open("office", "office-pc");
    let c = community(&office);
    let h = room_101(&office, &c);
    office.set_household_phone(&h, "13911111111").unwrap();

    let outbox = office.outbox(0, 10_000).unwrap();
    assert_eq!(outbox.len() as u64, office.outbox_len().unwrap());
    let batch: Vec<RemoteChange> = outbox.iter().map(|o| o.change.clone()).collect();

    let phone = devices.open("office", "office-tablet");
    // Deliver in reverse order: everything but the first change of each document is held at
    // first, then all apply once the rest arrives.
    let reversed: Vec<_> = batch.iter().rev().cloned().collect();
    let (last, rest) = reversed.split_first().unwrap();
    let first = phone.apply_remote(std::slice::from_ref(last)).unwrap();
    assert_eq!(first.applied, 0);
    assert_eq!(first.held, 1);
    assert_eq!(first.missing.len(), 1);
    assert_eq!(phone.held_count().unwrap(), 1);
    let second = phone.apply_remote(rest).unwrap();
    assert_eq!(second.held, 0);
    assert_eq!(second.applied, batch.len());
    assert_eq!(phone.held_count().unwrap(), 0);
    let again = phone.apply_remote(&batch).unwrap();
    assert_eq!(again.applied, 0);
    assert_eq!(again.duplicates, batch.len());
    assert_eq!(
        phone.projection_dump().unwrap(),
        office.projection_dump().unwrap()
    );
    // Received changes are not sent again.
    assert_eq!(phone.outbox_len().unwrap(), 0);

    let acked = office.ack_outbox(outbox[2].seq).unwrap();
    assert_eq!(acked, 3);
    assert_eq!(office.outbox(0, 10).unwrap()[0].seq, outbox[3].seq);
}

#[test]
fn an_outbox_page_stops_at_its_bytes_or_its_count_and_says_whether_more_waits() {
    let devices = Devices::new();
    let office = devices.open("office", "office-pc");
    let c = community(&office);
    let h = room_101(&office, &c);
    office.set_household_phone(&h, "13911111111").unwrap();
    let all = office.outbox(0, 10_000).unwrap();
    assert!(all.len() >= 4, "{} changes", all.len());
    let sizes: Vec<usize> = all.iter().map(|o| o.change.bytes.len()).collect();
    let seqs = |page: &[linli_core::api::sync::OutboxChange]| -> Vec<i64> {
        page.iter().map(|o| o.seq).collect()
    };

    // Everything fits: no more waits.
    let (page, more) = office.outbox_within(0, 10_000, usize::MAX).unwrap();
    assert_eq!(seqs(&page), seqs(&all));
    assert!(!more);
    // Cut by bytes: the first three fit exactly, the fourth does not.
    let three: usize = sizes[..3].iter().sum();
    let (page, more) = office.outbox_within(0, 10_000, three).unwrap();
    assert_eq!(seqs(&page), seqs(&all[..3]));
    assert!(more);
    // Cut by count.
    let (page, more) = office.outbox_within(0, 2, usize::MAX).unwrap();
    assert_eq!(seqs(&page), seqs(&all[..2]));
    assert!(more);
    // Exactly as many as wait, by count or by bytes: nothing more waits.
    let (page, more) = office.outbox_within(0, all.len(), usize::MAX).unwrap();
    assert_eq!(seqs(&page), seqs(&all));
    assert!(!more, "a page of every waiting change says more waits");
    let (page, more) = office.outbox_within(0, 10_000, sizes.iter().sum()).unwrap();
    assert_eq!(seqs(&page), seqs(&all));
    assert!(!more);
    // A change larger than the bound still goes, alone.
    let (page, more) = office.outbox_within(0, 10_000, 1).unwrap();
    assert_eq!(seqs(&page), seqs(&all[..1]));
    assert!(more);
    // After a position.
    let (page, more) = office
        .outbox_within(all[1].seq, 10_000, usize::MAX)
        .unwrap();
    assert_eq!(seqs(&page), seqs(&all[2..]));
    assert!(!more);
}

#[test]
fn a_corrupt_change_sets_its_document_aside_and_the_rest_of_the_batch_applies() {
    let devices = Devices::new();
    let office = devices.open("office", "office-pc");
    community(&office);
    let mut batch: Vec<RemoteChange> = office
        .outbox(0, 10_000)
        .unwrap()
        .into_iter()
        .map(|o| o.change)
        .collect();
    let garbage = RemoteChange {
        doc_id: "01JGARBAGE0000000000000000".into(),
        kind: DocKind::Ticket,
        scope: "tickets".into(),
        bytes: b"not an automerge change".to_vec(),
    };
    batch.push(garbage.clone());
    let phone = devices.open("office", "office-tablet");
    let outcome = phone.apply_remote(&batch).unwrap();
    assert_eq!(outcome.set_aside, 1);
    assert_eq!(outcome.set_aside_docs[0].0, garbage.doc_id);
    assert_eq!(
        phone.projection_dump().unwrap(),
        office.projection_dump().unwrap()
    );
    let aside = phone.set_aside_changes().unwrap();
    assert_eq!(aside.len(), 1);
    assert_eq!(
        (aside[0].origin.as_str(), aside[0].code.as_str()),
        ("received", "cannot_apply")
    );

    // A truncated change of a document the phone holds: that document stays as it was.
    let before = phone.projection_dump().unwrap();
    let mut truncated = batch[1].clone();
    truncated.bytes.truncate(truncated.bytes.len() / 2);
    let outcome = phone.apply_remote(&[truncated]).unwrap();
    assert_eq!((outcome.applied, outcome.set_aside), (0, 1));
    assert_eq!(phone.projection_dump().unwrap(), before);
}

#[test]
fn a_change_sent_as_another_kind_is_refused() {
    let devices = Devices::new();
    let office = devices.open("office", "office-pc");
    community(&office);
    let batch: Vec<RemoteChange> = office
        .outbox(0, 10_000)
        .unwrap()
        .into_iter()
        .map(|o| o.change)
        .collect();
    let phone = devices.open("office", "office-tablet");
    phone.apply_remote(&batch[..1]).unwrap();
    let mut wrong = batch[1].clone();
    wrong.kind = DocKind::Ticket;
    let outcome = phone.apply_remote(&[wrong]).unwrap();
    assert_eq!((outcome.applied, outcome.set_aside), (0, 1));
    assert!(
        outcome.set_aside_docs[0].1.contains("kind"),
        "{:?}",
        outcome.set_aside_docs
    );
}

/// The snapshots of every document `from` holds, as the relay serves a new device.
fn snapshots_of(from: &linli_core::Linli) -> Vec<SnapshotDoc> {
    from.documents()
        .unwrap()
        .into_iter()
        .map(|d| SnapshotDoc {
            snapshot: from.snapshot(&d.doc_id).unwrap(),
            doc_id: d.doc_id,
            kind: d.kind,
            scope: d.scope,
        })
        .collect()
}

#[test]
fn a_device_bootstrapped_from_snapshots_equals_the_source_conflicts_included() {
    let devices = Devices::new();
    let (office, wang, h) = office_and_wang_with_room_101(&devices);
    office.set_household_phone(&h, "13911111111").unwrap();
    wang.set_household_phone(&h, "13922222222").unwrap();
    sync_all(&[&office, &wang]);
    assert_eq!(office.open_conflicts().unwrap().len(), 1);

    let docs = snapshots_of(&office);
    let cursors = vec![Cursor {
        scope: "tickets".into(),
        seq: 7,
    }];
    let tablet = devices.open("office", "office-tablet");
    let first = tablet.apply_bootstrap(&docs, &cursors).unwrap();
    assert_eq!(first.changed_docs.len(), docs.len());
    let total: usize = docs
        .iter()
        .map(|d| office.changes_since(&d.doc_id, &[]).unwrap().len())
        .sum();
    assert_eq!(first.applied, total);
    assert_eq!(
        tablet.projection_dump().unwrap(),
        office.projection_dump().unwrap()
    );
    assert_eq!(
        tablet.open_conflicts().unwrap(),
        office.open_conflicts().unwrap()
    );
    assert_eq!(tablet.cursors().unwrap(), cursors);
    assert_eq!(tablet.outbox_len().unwrap(), 0);

    // Documents it has already are merged change by change: nothing new, nothing lost.
    wang.set_household_phone(&h, "13944444444").unwrap();
    sync_all(&[&office, &wang]);
    let again = tablet.apply_bootstrap(&snapshots_of(&office), &[]).unwrap();
    assert_eq!(again.applied, 1);
    assert_eq!(again.duplicates, total);
    assert_eq!(
        tablet.projection_dump().unwrap(),
        office.projection_dump().unwrap()
    );
    // Edits made after a bootstrap go to the outbox as usual.
    tablet.set_household_phone(&h, "13955555555").unwrap();
    assert_eq!(tablet.outbox_len().unwrap(), 1);
}

#[test]
fn a_corrupt_snapshot_is_set_aside_and_the_rest_of_its_page_applies() {
    let devices = Devices::new();
    let office = devices.open("office", "office-pc");
    let c = community(&office);
    room_101(&office, &c);
    let mut docs = snapshots_of(&office);
    let last = docs.last_mut().unwrap();
    let broken = last.doc_id.clone();
    let half = last.snapshot.len() / 2;
    last.snapshot.truncate(half);
    let tablet = devices.open("office", "office-tablet");
    let outcome = tablet
        .apply_bootstrap(
            &docs,
            &[Cursor {
                scope: "tickets".into(),
                seq: 3,
            }],
        )
        .unwrap();
    assert_eq!(outcome.set_aside_docs.len(), 1);
    assert_eq!(outcome.set_aside_docs[0].0, broken);
    let held: Vec<String> = tablet
        .documents()
        .unwrap()
        .into_iter()
        .map(|d| d.doc_id)
        .collect();
    assert_eq!(held.len(), docs.len() - 1);
    assert!(!held.contains(&broken));
    assert_eq!(tablet.set_aside_count().unwrap(), 1);
}

#[test]
fn a_received_change_whose_counters_overlap_is_set_aside_and_the_store_reopens() {
    let devices = Devices::new();
    let office = devices.open("office", "office-pc");
    community(&office);
    let batch: Vec<RemoteChange> = office
        .outbox(0, 10_000)
        .unwrap()
        .into_iter()
        .map(|o| o.change)
        .collect();
    let (last, earlier) = batch.split_last().unwrap();
    let phone = devices.open("office", "office-tablet");
    phone.apply_remote(earlier).unwrap();
    let before = phone.projection_dump().unwrap();
    // The last change rewritten to start its operations at 1, over those it builds on.
    let mut overlapping = automerge::Change::try_from(last.bytes.as_slice())
        .unwrap()
        .decode();
    overlapping.start_op = std::num::NonZeroU64::MIN;
    let overlapping = RemoteChange {
        bytes: automerge::Change::from(overlapping).raw_bytes().to_vec(),
        ..last.clone()
    };
    let outcome = phone.apply_remote(&[overlapping]).unwrap();
    assert_eq!((outcome.applied, outcome.set_aside), (0, 1));
    assert!(
        outcome.set_aside_docs[0]
            .1
            .contains("operations start at 1"),
        "checked as the relay checks it, before automerge sees it: {:?}",
        outcome.set_aside_docs
    );
    assert_eq!(phone.projection_dump().unwrap(), before);
    // Nothing unloadable was stored: the store opens again and takes the honest change.
    drop(phone);
    let phone = devices.open("office", "office-tablet");
    phone.rebuild_projections().unwrap();
    assert_eq!(phone.projection_dump().unwrap(), before);
    phone.apply_remote(std::slice::from_ref(last)).unwrap();
    assert_eq!(
        phone.projection_dump().unwrap(),
        office.projection_dump().unwrap()
    );
}

#[test]
fn a_stored_document_that_cannot_be_read_does_not_stop_the_store_opening() {
    let devices = Devices::new();
    let office = devices.open("office", "office-pc");
    let c = community(&office);
    let household = office
        .register_household(&linli_core::api::households::HouseholdInput {
            building_id: c.building3.clone(),
            room: "301".into(),
            ..Default::default()
        })
        .unwrap();
    let documents = office.documents().unwrap().len();
    drop(office);
    // The household's stored bytes damaged, and the projections marked for a rebuild at open
    // (as a migration that adds projection columns marks them).
    let db = rusqlite::Connection::open(devices.dir.path().join("office-pc.db")).unwrap();
    db.execute(
        "UPDATE documents SET snapshot = x'00', tail_bytes = 0 WHERE doc_id = ?1",
        [&household],
    )
    .unwrap();
    db.execute("DELETE FROM doc_increments WHERE doc_id = ?1", [&household])
        .unwrap();
    db.execute(
        "INSERT INTO meta (key, value) VALUES ('projections_stale', '1')",
        [],
    )
    .unwrap();
    drop(db);
    let office = devices.open("office", "office-pc");
    assert!(
        office
            .households_in_building(&c.building3)
            .unwrap()
            .is_empty()
    );
    assert!(office.household(&household).is_err());
    assert_eq!(office.rebuild_projections().unwrap(), documents - 1);
    assert_eq!(office.community().unwrap().name, "梅园社区");
}
