//! A document kept open while changes are applied to it does not grow with what automerge
//! records of each apply: the copy the relay's judge keeps and a store's open documents take
//! change after change, one apply at a time. Measured as the process's resident memory (this
//! test binary holds this one test).

use automerge::transaction::Transactable;
use automerge::{AutoCommit, Change, ObjType, ROOT, ReadDoc};
use linli_core::doc::apply_guarded;

/// A household-like record's changes: a list that one writer appends visits to, one change
/// each.
fn appended_visits(visits: usize) -> Vec<Change> {
    let mut writer = AutoCommit::new();
    let list = writer
        .put_object(ROOT, "visits", ObjType::List)
        .expect("list");
    for i in 0..visits {
        let visit = writer.insert_object(&list, i, ObjType::Map).expect("visit");
        writer
            .put(&visit, "needs", format!("第{i}次上门：买菜、送药"))
            .expect("needs");
        writer
            .put(&visit, "at_ms", 1_700_000_000_000_i64 + i as i64)
            .expect("at");
        writer.commit();
    }
    writer.get_changes(&[])
}

/// Resident memory of this process, in bytes (Linux).
fn resident() -> Option<usize> {
    let status = std::fs::read_to_string("/proc/self/status").ok()?;
    let line = status.lines().find(|l| l.starts_with("VmRSS:"))?;
    let kib: usize = line.split_whitespace().nth(1)?.parse().ok()?;
    Some(kib * 1024)
}

/// Builds `copies` documents with `make`; with the memory they took.
fn measured(copies: usize, make: impl Fn() -> AutoCommit) -> (Vec<AutoCommit>, usize) {
    let before = resident().unwrap_or(0);
    let docs: Vec<AutoCommit> = (0..copies).map(|_| make()).collect();
    let grown = resident().unwrap_or(0).saturating_sub(before);
    (docs, grown)
}

#[test]
fn documents_applied_change_by_change_take_no_more_memory_than_loaded_ones() {
    if resident().is_none() {
        return; // Resident memory is read from Linux's /proc.
    }
    let changes = appended_visits(300);
    let apply_one_by_one = || {
        let mut doc = AutoCommit::new();
        for c in &changes {
            apply_guarded(&mut doc, [c.clone()]).expect("applies");
        }
        doc
    };
    let mut first = apply_one_by_one();
    assert_eq!(
        first.length(&first.get(ROOT, "visits").unwrap().unwrap().1),
        300
    );
    // The same documents loaded whole hold nothing of how they were applied. Measured first,
    // so that they cannot reuse memory the applies freed.
    let saved = first.save();
    let (loaded, whole) = measured(100, || AutoCommit::load(&saved).expect("loads"));
    let (applied_docs, applied) = measured(100, apply_one_by_one);
    assert!(
        applied <= whole * 3 / 2,
        "100 documents given 300 changes one apply at a time took {applied} bytes, \
         loaded whole {whole}"
    );
    drop((loaded, applied_docs));
}
