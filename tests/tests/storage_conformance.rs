//! One conformance suite for the relay's storage, run against both backends: the embedded
//! SQLite file and PostgreSQL (a throw-away server started by the test). Each case gets a
//! fresh database and can reopen it, as a restarted relay would.

use std::collections::{BTreeMap, BTreeSet};
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};

use linli_core::DocKind;
use linli_core::api::photos::sha256_of;
use linli_e2e::postgres::TestPostgres;
use linli_e2e::whole_log;
use linli_relay::RelayError;
use linli_relay::storage::postgres::PostgresStorage;
use linli_relay::storage::sqlite::SqliteStorage;
use linli_relay::storage::{
    BlobChunk, BlobQuota, BlobState, CompleteBlob, DeviceReport, LogChange, NewDevice, RelayStorage,
};

/// Opens the database of one case; called again to reopen it.
type Open<'a> = &'a dyn Fn() -> Arc<dyn RelayStorage>;

/// A change with made-up bytes: storage never parses them.
fn change(doc: &str, scope: &str, n: u32) -> LogChange {
    let bytes = format!("{doc}/{scope}/{n}: 需要上门测血压").into_bytes();
    let hash: [u8; 32] = hex::decode(sha256_of(&bytes)).unwrap().try_into().unwrap();
    LogChange {
        hash,
        doc_id: doc.to_owned(),
        kind: DocKind::Household,
        scope: scope.to_owned(),
        bytes,
    }
}

fn device(id: &str, actor: &str) -> NewDevice {
    NewDevice {
        device_id: id.to_owned(),
        name: format!("{id}的手机"),
        actor_id: actor.to_owned(),
        token_hash: hex::decode(sha256_of(id.as_bytes()))
            .unwrap()
            .try_into()
            .unwrap(),
    }
}

fn appends_are_idempotent_by_hash(open: Open<'_>) {
    let s = open();
    let first: Vec<_> = (0..3).map(|i| change("h1", "building:b3", i)).collect();
    let out = s.append("phone-a", &first, 1_000).unwrap();
    assert_eq!((out.stored, out.duplicates), (3, 0));
    let mut again = first.clone();
    again.push(change("h1", "building:b3", 3));
    let out = s.append("phone-b", &again, 2_000).unwrap();
    assert_eq!((out.stored, out.duplicates), (1, 3));
    assert_eq!(s.log_len().unwrap(), 4);
    let log = whole_log(s.as_ref());
    assert_eq!(log[0].device_id, "phone-a", "the first pusher is kept");
    assert_eq!(log[0].received_ms, 1_000);
    assert!(s.has_change(&first[0].hash).unwrap());
    assert!(!s.has_change(&[7; 32]).unwrap());
    let wanted = s.changes_by_hash(&[first[1].hash, [9; 32]]).unwrap();
    assert_eq!(wanted, vec![first[1].clone()]);
}

fn an_erased_record_leaves_the_log_and_stays_erased(open: Open<'_>) {
    let s = open();
    let kept: Vec<_> = (0..2).map(|i| change("h2", "building:b3", i)).collect();
    let gone: Vec<_> = (0..3).map(|i| change("h1", "building:b3", i)).collect();
    s.append("phone-a", &gone, 1_000).unwrap();
    s.append("phone-a", &kept, 1_000).unwrap();
    assert_eq!(s.erased_after(0, 10).unwrap(), vec![]);
    let (seq, rows) = s
        .erase_document("h1", "building:b3", "office-admin", 2_000)
        .unwrap()
        .expect("erased");
    assert_eq!(rows, 3);
    assert_eq!(
        s.erase_document("h1", "building:b3", "office-admin", 3_000)
            .unwrap(),
        None,
        "once"
    );
    let erased = s.erased_after(0, 10).unwrap();
    assert_eq!(erased.len(), 1);
    assert_eq!((erased[0].seq, erased[0].doc_id.as_str()), (seq, "h1"));
    assert!(s.erased_after(seq, 10).unwrap().is_empty());
    let log = whole_log(s.as_ref());
    assert!(log.iter().all(|c| c.change.doc_id == "h2"));
    assert_eq!(log.len(), 2);
    assert!(!s.has_change(&gone[0].hash).unwrap());
    // A change of the erased record appended later (a push judged just before the erasure)
    // is dropped.
    let late = change("h1", "building:b3", 9);
    let out = s
        .append("phone-b", std::slice::from_ref(&late), 4_000)
        .unwrap();
    assert_eq!(out.stored, 0);
    assert!(!s.has_change(&late.hash).unwrap());
    assert_eq!(s.log_len().unwrap(), 2);
}

fn scopes_page_in_order(open: Open<'_>) {
    let s = open();
    for i in 0..10 {
        s.append("p", &[change(&format!("d{i}"), "building:b3", i)], 1)
            .unwrap();
        s.append("p", &[change(&format!("e{i}"), "tickets", i)], 1)
            .unwrap();
    }
    let heads: BTreeMap<String, i64> = s.scopes().unwrap().into_iter().collect();
    assert_eq!(
        heads.keys().collect::<Vec<_>>(),
        vec!["building:b3", "tickets"]
    );
    let page = s.read_scope("building:b3", 0, usize::MAX, 4).unwrap();
    assert_eq!(page.len(), 4, "max_rows");
    assert!(page.windows(2).all(|w| w[0].seq < w[1].seq));
    assert!(page.iter().all(|r| r.change.scope == "building:b3"));
    let rest = s
        .read_scope("building:b3", page[3].seq, usize::MAX, 100)
        .unwrap();
    assert_eq!(rest.len(), 6);
    assert_eq!(rest.last().unwrap().seq, heads["building:b3"]);

    // One push into several scopes, a duplicate among them: each head is its scope's highest
    // number in the log.
    s.append(
        "q",
        &[
            change("f1", "tickets", 20),
            change("g1", "building:b5", 21),
            change("d0", "building:b3", 0),
        ],
        2,
    )
    .unwrap();
    let mut highest: BTreeMap<String, i64> = BTreeMap::new();
    for row in whole_log(s.as_ref()) {
        let head = highest.entry(row.change.scope.clone()).or_insert(row.seq);
        *head = (*head).max(row.seq);
    }
    let heads: BTreeMap<String, i64> = s.scopes().unwrap().into_iter().collect();
    assert_eq!(heads, highest);
    let one = s.read_scope("building:b3", 0, 1, 100).unwrap();
    assert_eq!(one.len(), 1, "at least one row, then the byte budget stops");
    assert!(s.read_scope("nowhere", 0, 1, 100).unwrap().is_empty());
    assert_eq!(s.doc_binding("d3").unwrap().unwrap().1, "building:b3");
    assert_eq!(s.doc_binding("nope").unwrap(), None);
    // Many documents at once: the bound ones, each with its own binding.
    let bound = s.doc_bindings(&["e2", "nope", "d3", "g1", "d3"]).unwrap();
    let scopes: Vec<(&str, &str)> = bound
        .iter()
        .map(|(doc, (_, scope))| (doc.as_str(), scope.as_str()))
        .collect();
    assert_eq!(
        scopes,
        vec![
            ("d3", "building:b3"),
            ("e2", "tickets"),
            ("g1", "building:b5")
        ]
    );
    assert!(s.doc_bindings(&[]).unwrap().is_empty());
}

fn a_push_against_a_binding_stores_nothing(open: Open<'_>) {
    let s = open();
    s.append("p", &[change("h1", "building:b3", 0)], 1).unwrap();
    let push = [
        change("h2", "building:b3", 0),
        change("h1", "building:b5", 1),
    ];
    let err = s.append("p", &push, 2).unwrap_err();
    assert_eq!(err.code, "scope_mismatch");
    assert_eq!(s.log_len().unwrap(), 1, "the whole push was rolled back");
    assert_eq!(s.doc_binding("h2").unwrap(), None);
}

fn codes_devices_and_revocation(open: Open<'_>) {
    let s = open();
    s.create_code("ABCD2345", "lead-wang", 1_000, 100_000)
        .unwrap();
    s.create_code("OLD23456", "lead-li", 1_000, 2_000).unwrap();
    let d = s
        .redeem_code("ABCD2345", &device("dev-1", "aa11"), 5_000)
        .unwrap();
    assert_eq!(d.member_id, "lead-wang");
    assert_eq!(
        s.redeem_code("ABCD2345", &device("dev-2", "bb22"), 6_000)
            .unwrap_err()
            .code,
        "bad_code"
    );
    assert_eq!(
        s.redeem_code("OLD23456", &device("dev-3", "cc33"), 6_000)
            .unwrap_err()
            .code,
        "bad_code"
    );
    s.create_code("NEW23456", "lead-li", 1_000, 100_000)
        .unwrap();
    assert_eq!(
        s.redeem_code("NEW23456", &device("dev-4", "aa11"), 6_000)
            .unwrap_err()
            .code,
        "actor_taken"
    );
    let token = device("dev-1", "aa11").token_hash;
    assert_eq!(s.device_by_token(&token).unwrap().unwrap(), d);
    assert_eq!(s.device_by_token(&[0; 32]).unwrap(), None);
    s.register_internal_device("relay-admin", "office-admin", "ff00", 1)
        .unwrap();
    s.register_internal_device("relay-admin", "office-admin", "ff00", 2)
        .unwrap();
    assert_eq!(s.devices().unwrap().len(), 2);
    assert!(s.revoke("dev-1", 9_000).unwrap());
    assert!(!s.revoke("dev-1", 9_500).unwrap(), "revoked once");
    assert_eq!(
        s.device_by_token(&token).unwrap().unwrap().revoked_ms,
        Some(9_000)
    );
    // Erasure is asked of revoked devices only.
    assert!(!s.device_by_token(&token).unwrap().unwrap().wipe);
    assert!(!s.set_wipe("relay-admin").unwrap(), "not revoked");
    assert!(!s.set_wipe("dev-unknown").unwrap());
    assert!(s.set_wipe("dev-1").unwrap());
    assert!(s.device_by_token(&token).unwrap().unwrap().wipe);
    let codes = s.enrol_codes().unwrap();
    assert_eq!(codes.len(), 3);
    assert_eq!(
        codes.iter().find(|c| c.code == "ABCD2345").unwrap().used_by,
        Some("dev-1".into())
    );
}

fn authored_changes_are_counted_and_actors_retired(open: Open<'_>) {
    let s = open();
    s.create_code("ABCD2345", "lead-wang", 1_000, 100_000)
        .unwrap();
    s.redeem_code("ABCD2345", &device("dev-1", "aa11"), 5_000)
        .unwrap();
    let token = device("dev-1", "aa11").token_hash;
    let push: Vec<_> = (0..3).map(|i| change("h1", "building:b3", i)).collect();
    // Two of the three are the device's own; the third (another's, pushed again) is not.
    let mut own = vec![push[0].hash, push[1].hash];
    own.sort_unstable();
    let out = s
        .append_authored("dev-1", &push, "aa11", &own, 6_000)
        .unwrap();
    assert_eq!((out.stored, out.authored), (3, 2));
    // A push again counts nothing twice.
    let again = s
        .append_authored("dev-1", &push, "aa11", &own, 7_000)
        .unwrap();
    assert_eq!((again.duplicates, again.authored), (3, 0));
    let d = s.device_by_token(&token).unwrap().unwrap();
    assert_eq!((d.authored, d.actor_since_ms), (2, 0));

    assert!(
        !s.replace_actor("dev-1", "ffff", "bb22", 8_000).unwrap(),
        "not its actor"
    );
    assert!(s.replace_actor("dev-1", "aa11", "bb22", 8_000).unwrap());
    let d = s.device_by_token(&token).unwrap().unwrap();
    assert_eq!(
        (d.actor_id.as_str(), d.authored, d.actor_since_ms),
        ("bb22", 0, 8_000)
    );
    assert_eq!(s.actor_retired("dev-1", "aa11").unwrap(), Some(8_000));
    assert_eq!(s.retired_actor_count("dev-1").unwrap(), 1);
    assert_eq!(s.retired_actor_count("dev-2").unwrap(), 0);
    // A push still in flight under the retired actor counts for no one.
    let late = change("h1", "building:b3", 7);
    let out = s
        .append_authored(
            "dev-1",
            std::slice::from_ref(&late),
            "aa11",
            &[late.hash],
            8_500,
        )
        .unwrap();
    assert_eq!(out.stored, 1);
    assert_eq!(s.device_by_token(&token).unwrap().unwrap().authored, 0);
    assert_eq!(s.actor_retired("dev-1", "bb22").unwrap(), None);
    assert_eq!(s.actor_retired("dev-2", "aa11").unwrap(), None);
    // A retired actor is never taken again, by this device or another.
    assert_eq!(
        s.replace_actor("dev-1", "bb22", "aa11", 9_000)
            .unwrap_err()
            .code,
        "actor_taken"
    );
    s.create_code("NEW23456", "lead-li", 1_000, 100_000)
        .unwrap();
    assert_eq!(
        s.redeem_code("NEW23456", &device("dev-2", "aa11"), 9_000)
            .unwrap_err()
            .code,
        "actor_taken"
    );
    drop(s);
    let reopened = open();
    assert_eq!(
        reopened.actor_retired("dev-1", "aa11").unwrap(),
        Some(8_000)
    );
}

/// Writes a chunk to `device`'s upload of `hash`, within `quota`.
fn put_within(
    s: &dyn RelayStorage,
    device: &str,
    hash: &str,
    (offset, total): (u64, u64),
    bytes: &[u8],
    quota: BlobQuota,
) -> Result<BlobState, RelayError> {
    let chunk = BlobChunk {
        hash,
        device_id: device,
        offset,
        total,
        bytes,
    };
    s.blob_write(&chunk, quota)
}

/// Writes a chunk to `device`'s upload of `hash`, with no quota.
fn put(
    s: &dyn RelayStorage,
    device: &str,
    hash: &str,
    at: (u64, u64),
    bytes: &[u8],
) -> Result<BlobState, RelayError> {
    put_within(s, device, hash, at, bytes, BlobQuota::UNLIMITED)
}

fn photo_of(len: u32, seed: u32) -> Vec<u8> {
    (0..len).map(|i| ((i + seed) % 251) as u8).collect()
}

fn blobs_arrive_in_chunks_and_are_verified(open: Open<'_>) {
    let s = open();
    let s = s.as_ref();
    let photo = photo_of(10_000, 0);
    let hash = sha256_of(&photo);
    assert_eq!(s.blob_state(&hash, "phone-a").unwrap(), BlobState::Absent);
    let state = put(s, "phone-a", &hash, (0, 10_000), &photo[..4_000]).unwrap();
    assert_eq!(
        state,
        BlobState::Partial {
            received: 4_000,
            total: 10_000
        }
    );
    assert_eq!(
        put(s, "phone-a", &hash, (5_000, 10_000), &photo[5_000..])
            .unwrap_err()
            .code,
        "wrong_offset"
    );
    assert_eq!(
        s.blob(&hash).unwrap(),
        None,
        "incomplete blobs are not served"
    );
    let state = put(s, "phone-a", &hash, (4_000, 10_000), &photo[4_000..]).unwrap();
    assert_eq!(state, BlobState::Complete { size: 10_000 });
    assert_eq!(s.blob(&hash).unwrap().unwrap(), photo);
    assert_eq!(
        s.complete_blobs().unwrap(),
        vec![CompleteBlob {
            hash: hash.clone(),
            device_id: "phone-a".into(),
            size: 10_000
        }]
    );
    let liar = sha256_of(b"another photo");
    assert_eq!(
        put(s, "phone-a", &liar, (0, 3), b"abc").unwrap_err().code,
        "photo_hash_mismatch"
    );
    assert_eq!(s.blob_state(&liar, "phone-a").unwrap(), BlobState::Absent);
    assert_eq!(
        put(s, "phone-a", &liar, (0, 0), b"").unwrap_err().code,
        "photo_too_large"
    );
    // A photo only an erased record named goes, with every device's unfinished upload of it.
    assert_eq!(s.delete_blob(&hash).unwrap(), 1);
    assert_eq!(s.blob(&hash).unwrap(), None);
    assert_eq!(s.blob_state(&hash, "phone-a").unwrap(), BlobState::Absent);
    assert!(s.complete_blobs().unwrap().is_empty());
    assert_eq!(s.delete_blob(&hash).unwrap(), 0);
    let unfinished = photo_of(10_000, 3);
    let unfinished_hash = sha256_of(&unfinished);
    for device in ["phone-a", "phone-b"] {
        put(s, device, &unfinished_hash, (0, 10_000), &unfinished[..100]).unwrap();
    }
    assert_eq!(s.delete_blob(&unfinished_hash).unwrap(), 2);
    assert_eq!(
        s.blob_state(&unfinished_hash, "phone-b").unwrap(),
        BlobState::Absent
    );
}

/// An unfinished upload is its device's own: another device's chunks of the same photo, with
/// another size or from another offset, start an upload of their own and leave it alone, and
/// the first upload to complete is the photo.
fn an_upload_belongs_to_the_device_that_started_it(open: Open<'_>) {
    let s = open();
    let s = s.as_ref();
    let photo = photo_of(10_000, 7);
    let hash = sha256_of(&photo);
    put(s, "owner", &hash, (0, 10_000), &photo[..4_000]).unwrap();
    // A squatter announces another size, from the start and from the owner's offset.
    assert_eq!(
        put(s, "squatter", &hash, (0, 10_001), &photo[..1_000]).unwrap(),
        BlobState::Partial {
            received: 1_000,
            total: 10_001
        }
    );
    assert_eq!(
        put(s, "squatter", &hash, (4_000, 10_001), &photo[4_000..5_000])
            .unwrap_err()
            .code,
        "wrong_offset"
    );
    assert_eq!(
        s.blob_state(&hash, "owner").unwrap(),
        BlobState::Partial {
            received: 4_000,
            total: 10_000
        },
        "the owner's upload is untouched"
    );
    assert_eq!(
        s.blob_state(&hash, "squatter").unwrap(),
        BlobState::Partial {
            received: 1_000,
            total: 10_001
        }
    );
    assert_eq!(s.blob_state(&hash, "third").unwrap(), BlobState::Absent);
    // A wrong size at the owner's own offset is refused and changes nothing.
    assert_eq!(
        put(s, "owner", &hash, (4_000, 9_999), &photo[4_000..5_000])
            .unwrap_err()
            .code,
        "wrong_offset"
    );
    // The squatter finishing its wrong size gets its own upload discarded, nobody else's.
    assert_eq!(
        put(s, "squatter", &hash, (1_000, 10_001), &[0; 9_001])
            .unwrap_err()
            .code,
        "photo_hash_mismatch"
    );
    assert_eq!(s.blob_state(&hash, "squatter").unwrap(), BlobState::Absent);
    // Offset 0 starts the owner's upload over, once or as often as it likes.
    assert_eq!(
        put(s, "owner", &hash, (0, 10_000), &photo[..6_000]).unwrap(),
        BlobState::Partial {
            received: 6_000,
            total: 10_000
        }
    );
    put(s, "squatter", &hash, (0, 10_000), &photo[..2_000]).unwrap();
    assert_eq!(
        put(s, "owner", &hash, (6_000, 10_000), &photo[6_000..]).unwrap(),
        BlobState::Complete { size: 10_000 }
    );
    assert_eq!(s.blob(&hash).unwrap().unwrap(), photo);
    // Complete for everyone now; the other upload of it is gone and a late chunk changes
    // nothing.
    assert_eq!(
        s.blob_state(&hash, "squatter").unwrap(),
        BlobState::Complete { size: 10_000 }
    );
    assert_eq!(
        put(s, "squatter", &hash, (2_000, 10_000), &photo[2_000..3_000]).unwrap(),
        BlobState::Complete { size: 10_000 }
    );
    let kept = s.complete_blobs().unwrap();
    assert_eq!(kept.len(), 1);
    assert_eq!(kept[0].device_id, "owner");
    // What is kept survives a reopen, uploads unfinished included.
    let other = photo_of(3_000, 9);
    let other_hash = sha256_of(&other);
    put(s, "owner", &other_hash, (0, 3_000), &other[..1_000]).unwrap();
    let again = open();
    assert_eq!(again.blob(&hash).unwrap().unwrap(), photo);
    assert_eq!(
        again.blob_state(&other_hash, "owner").unwrap(),
        BlobState::Partial {
            received: 1_000,
            total: 3_000
        }
    );
}

/// Quotas count what each device keeps (its complete photos and unfinished uploads) and what
/// the relay keeps in all; an upload's announced size counts from its first chunk, and a
/// device starting its own upload over is not charged twice.
fn photo_quotas_count_complete_and_partial_bytes(open: Open<'_>) {
    let s = open();
    let s = s.as_ref();
    let quota = BlobQuota {
        per_device: 10_000,
        total: 16_000,
    };
    let first = photo_of(6_000, 1);
    let second = photo_of(3_000, 2);
    let third = photo_of(5_000, 3);
    let (h1, h2, h3) = (sha256_of(&first), sha256_of(&second), sha256_of(&third));
    put_within(s, "a", &h1, (0, 6_000), &first, quota).unwrap();
    put_within(s, "a", &h2, (0, 3_000), &second[..1_000], quota).unwrap();
    // 6,000 complete + 1,000 unfinished + 5,000 announced > 10,000.
    let refused = put_within(s, "a", &h3, (0, 5_000), &third[..100], quota).unwrap_err();
    assert_eq!(
        (refused.status.as_u16(), refused.code),
        (507, "photo_quota")
    );
    assert_eq!(
        s.blob_state(&h3, "a").unwrap(),
        BlobState::Absent,
        "a refused chunk is not kept"
    );
    // Starting its own upload over replaces what it had, so it still fits.
    put_within(s, "a", &h2, (0, 3_000), &second, quota).unwrap();
    // Another device has a quota of its own, but the relay's total counts everyone's bytes:
    // 9,000 kept + 5,000 fits, then 14,000 + 3,000 does not.
    put_within(s, "b", &h3, (0, 5_000), &third, quota).unwrap();
    let fourth = photo_of(3_000, 4);
    let refused = put_within(s, "b", &sha256_of(&fourth), (0, 3_000), &fourth, quota).unwrap_err();
    assert_eq!(refused.code, "photo_quota");
    assert!(refused.message.contains("full"), "{}", refused.message);
    // A photo complete already costs nothing more to send again.
    assert_eq!(
        put_within(s, "b", &h1, (0, 6_000), &first, quota).unwrap(),
        BlobState::Complete { size: 6_000 }
    );
}

fn acknowledged_changes_survive_a_reopen(open: Open<'_>) {
    let s = open();
    let pushed: Vec<_> = (0..50).map(|i| change("h9", "building:b3", i)).collect();
    s.append("p", &pushed, 1).unwrap();
    drop(s);
    let again = open();
    let log = whole_log(again.as_ref());
    assert_eq!(
        log.iter().map(|r| r.change.clone()).collect::<Vec<_>>(),
        pushed
    );
}

/// Four writers push into the same two scopes at once while two readers follow both scopes
/// with cursors, as phones do. A reader whose cursor passed a row that committed later would
/// never see it: every reader must end with every change, each once.
fn concurrent_writers_never_make_a_reader_skip(open: Open<'_>) {
    const WRITERS: usize = 4;
    const BATCHES: u32 = 40;
    let s = open();
    let scopes = ["building:b3", "building:b5"];
    let done = AtomicBool::new(false);
    let writers_left = AtomicUsize::new(WRITERS);
    let results: Vec<BTreeSet<[u8; 32]>> = std::thread::scope(|t| {
        for w in 0..WRITERS {
            let s = s.clone();
            let (done, left) = (&done, &writers_left);
            t.spawn(move || {
                for b in 0..BATCHES {
                    let batch: Vec<_> = (0..3)
                        .map(|i| {
                            let scope = scopes[(b as usize + i) % 2];
                            change(&format!("w{w}-{scope}"), scope, b * 3 + i as u32)
                        })
                        .collect();
                    s.append(&format!("writer-{w}"), &batch, 1).unwrap();
                }
                if left.fetch_sub(1, Ordering::SeqCst) == 1 {
                    done.store(true, Ordering::SeqCst);
                }
            });
        }
        let readers: Vec<_> = (0..2)
            .map(|_| {
                let s = s.clone();
                let done = &done;
                t.spawn(move || {
                    let mut cursors: BTreeMap<&str, i64> = BTreeMap::new();
                    let mut seen = BTreeSet::new();
                    loop {
                        // Read once more after the writers finished, to catch the tail.
                        let last_round = done.load(Ordering::SeqCst);
                        for scope in scopes {
                            let cursor = cursors.entry(scope).or_default();
                            let rows = s.read_scope(scope, *cursor, 4096, 7).unwrap();
                            for r in rows {
                                assert!(r.seq > *cursor, "seq went backwards in {scope}");
                                *cursor = r.seq;
                                assert!(seen.insert(r.change.hash), "a change read twice");
                            }
                        }
                        if last_round {
                            let heads: BTreeMap<String, i64> =
                                s.scopes().unwrap().into_iter().collect();
                            if scopes.iter().all(|sc| cursors[sc] >= heads[*sc]) {
                                return seen;
                            }
                        }
                    }
                })
            })
            .collect();
        readers.into_iter().map(|r| r.join().unwrap()).collect()
    });
    let all: BTreeSet<[u8; 32]> = whole_log(s.as_ref())
        .into_iter()
        .map(|r| r.change.hash)
        .collect();
    assert_eq!(all.len(), WRITERS * BATCHES as usize * 3);
    for seen in results {
        assert_eq!(seen, all, "a reader skipped a change that committed late");
    }
}

type Case = (&'static str, fn(Open<'_>));

const CASES: &[Case] = &[
    (
        "appends are idempotent by hash",
        appends_are_idempotent_by_hash,
    ),
    ("scopes page in order", scopes_page_in_order),
    (
        "a push against a binding stores nothing",
        a_push_against_a_binding_stores_nothing,
    ),
    (
        "codes, devices and revocation",
        codes_devices_and_revocation,
    ),
    (
        "blobs arrive in chunks and are verified",
        blobs_arrive_in_chunks_and_are_verified,
    ),
    (
        "an upload belongs to the device that started it",
        an_upload_belongs_to_the_device_that_started_it,
    ),
    (
        "photo quotas count complete and partial bytes",
        photo_quotas_count_complete_and_partial_bytes,
    ),
    (
        "acknowledged changes survive a reopen",
        acknowledged_changes_survive_a_reopen,
    ),
    (
        "authored changes are counted and actors retired",
        authored_changes_are_counted_and_actors_retired,
    ),
    (
        "an erased record leaves the log and stays erased",
        an_erased_record_leaves_the_log_and_stays_erased,
    ),
    (
        "concurrent writers never make a reader skip",
        concurrent_writers_never_make_a_reader_skip,
    ),
    (
        "a device's latest report replaces the one before",
        a_devices_latest_report_replaces_the_one_before,
    ),
];

fn a_devices_latest_report_replaces_the_one_before(open: Open<'_>) {
    let report = |device: &str, at_ms: i64, outbox: u32| DeviceReport {
        device_id: device.to_owned(),
        at_ms,
        app_version: "1.2.0".into(),
        outbox,
        photos: 1,
        conflicts: 2,
    };
    {
        let s = open();
        assert!(s.device_reports().unwrap().is_empty());
        s.record_device_report(&report("dev-a", 1_000, 5)).unwrap();
        s.record_device_report(&report("dev-b", 1_500, 0)).unwrap();
        s.record_device_report(&report("dev-a", 2_000, 3)).unwrap();
    }
    let s = open();
    assert_eq!(
        s.device_reports().unwrap(),
        vec![report("dev-a", 2_000, 3), report("dev-b", 1_500, 0)]
    );
}

#[test]
fn sqlite_backend() {
    let dir = tempfile::tempdir().unwrap();
    for (i, (name, case)) in CASES.iter().enumerate() {
        eprintln!("sqlite: {name}");
        let path = dir.path().join(format!("case{i}.db"));
        case(&|| Arc::new(SqliteStorage::open(&path).unwrap()));
    }
}

#[test]
fn postgres_backend() {
    let server = TestPostgres::start();
    for (i, (name, case)) in CASES.iter().enumerate() {
        eprintln!("postgres: {name}");
        let url = server.create_database(&format!("case{i}"));
        case(&|| Arc::new(PostgresStorage::connect(&url).unwrap()));
    }
}
