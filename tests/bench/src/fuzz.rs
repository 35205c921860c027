//! Fuzzing without a fuzzing engine: random and mutated inputs, from a seeded generator so that
//! a finding can be replayed, against the relay's request decoders, the core's rules on a
//! pushed change, and the core's apply of received changes. Every input must be answered
//! (decoded, refused, applied or set aside) without a panic; the slowest input is printed so
//! that a hang shows as a figure. `linli-bench fuzz --secs 60` runs each target for that long.

use std::io::Write;
use std::panic::{AssertUnwindSafe, catch_unwind};
use std::time::{Duration, Instant};

use automerge::{AutoCommit, Change};
use linli_core::api::households::{HouseholdInput, VisitInput};
use linli_core::records::directory::Role;
use linli_core::rules::{self, Pusher};
use linli_core::sync::protocol::{
    self, BootstrapRequest, Cursor, EnrolRequest, MAGIC, PROTOCOL_VERSION, SyncRequest, Wanted,
};
use linli_core::{DeviceIdentity, DocKind, Linli, ManualClock, RemoteChange};

use crate::BenchError;

/// A small seeded generator (xorshift64*): fuzzing needs speed and replay, not quality.
#[derive(Debug, Clone)]
pub struct Rng(u64);

impl Rng {
    /// A generator from `seed` (never zero inside).
    pub fn new(seed: u64) -> Rng {
        Rng(seed | 1)
    }

    fn next(&mut self) -> u64 {
        self.0 ^= self.0 >> 12;
        self.0 ^= self.0 << 25;
        self.0 ^= self.0 >> 27;
        self.0.wrapping_mul(0x2545_f491_4f6c_dd1d)
    }

    fn below(&mut self, n: usize) -> usize {
        (self.next() % n.max(1) as u64) as usize
    }
}

/// One mutation of `input`: a flipped bit, a random byte, bytes inserted, a range removed, a
/// cut, a repeated chunk, or a varint-looking run of 0xff; sometimes several at once.
pub fn mutate(rng: &mut Rng, input: &[u8]) -> Vec<u8> {
    let mut out = input.to_vec();
    for _ in 0..=rng.below(3) {
        let len = out.len();
        match rng.below(7) {
            0 if len > 0 => {
                let i = rng.below(len);
                out[i] ^= 1 << rng.below(8);
            }
            1 if len > 0 => {
                let i = rng.below(len);
                out[i] = rng.next() as u8;
            }
            2 => {
                let at = rng.below(len + 1);
                let n = 1 + rng.below(16);
                let bytes: Vec<u8> = (0..n).map(|_| rng.next() as u8).collect();
                out.splice(at..at, bytes);
            }
            3 if len > 1 => {
                let at = rng.below(len);
                let end = (at + 1 + rng.below(32)).min(len);
                out.drain(at..end);
            }
            4 if len > 0 => out.truncate(rng.below(len)),
            5 if len > 0 => {
                let at = rng.below(len);
                let end = (at + 1 + rng.below(64)).min(len);
                let chunk = out[at..end].to_vec();
                let to = rng.below(out.len() + 1);
                out.splice(to..to, chunk);
            }
            _ => {
                let at = rng.below(len + 1);
                out.splice(at..at, [0xff; 5]);
            }
        }
    }
    out
}

/// What one target did.
#[derive(Debug, Clone, serde::Serialize)]
pub struct TargetRun {
    /// The target.
    pub target: &'static str,
    /// Inputs tried.
    pub inputs: u64,
    /// Inputs accepted whole (decoded, passed, applied).
    pub accepted: u64,
    /// The slowest call (one input, or one batch of received changes), in ms.
    pub slowest_ms: f64,
    /// Panics (each a finding).
    pub panics: u64,
    /// What the first panic said.
    pub first_panic: Option<String>,
}

fn run_target(
    target: &'static str,
    budget: Duration,
    mut one: impl FnMut(&mut Rng) -> (u64, u64),
    seed: u64,
) -> TargetRun {
    let mut rng = Rng::new(seed);
    let mut run = TargetRun {
        target,
        inputs: 0,
        accepted: 0,
        slowest_ms: 0.0,
        panics: 0,
        first_panic: None,
    };
    let start = Instant::now();
    while start.elapsed() < budget {
        let t = Instant::now();
        match catch_unwind(AssertUnwindSafe(|| one(&mut rng))) {
            Ok((inputs, accepted)) => {
                run.inputs += inputs;
                run.accepted += accepted;
            }
            Err(payload) => {
                run.inputs += 1;
                run.panics += 1;
                if run.first_panic.is_none() {
                    run.first_panic = Some(
                        payload
                            .downcast_ref::<String>()
                            .cloned()
                            .or_else(|| payload.downcast_ref::<&str>().map(|s| (*s).to_owned()))
                            .unwrap_or_default(),
                    );
                }
            }
        }
        run.slowest_ms = run.slowest_ms.max(t.elapsed().as_secs_f64() * 1000.0);
    }
    run
}

/// A message body as the wire carries it, from plain postcard bytes (so that mutations reach
/// the decoder behind the compression).
fn framed(plain: &[u8]) -> Vec<u8> {
    let mut out = MAGIC.to_vec();
    out.extend_from_slice(&PROTOCOL_VERSION.to_be_bytes());
    let mut e = flate2::write::DeflateEncoder::new(out, flate2::Compression::fast());
    let _ = e.write_all(plain);
    e.finish().unwrap_or_default()
}

/// A sample of valid requests to mutate.
fn sample_requests(change: &RemoteChange) -> Vec<Vec<u8>> {
    let sync = SyncRequest {
        push: vec![change.clone()],
        cursors: vec![Cursor {
            scope: "building/b3".into(),
            seq: 42,
        }],
        since: None,
        want: vec![Wanted {
            doc_id: change.doc_id.clone(),
            hashes: vec![[7; 32]],
        }],
        page_bytes: 1 << 20,
        actor: "0a1b2c3d4e5f".into(),
        authored: 3,
        erased_after: 5,
    };
    let enrol = EnrolRequest {
        code: "ABCD-EFGH-JKMN".into(),
        device_name: "王建国的手机".into(),
        actor_id: "0123456789abcdef".into(),
    };
    let boot = BootstrapRequest {
        after_doc: Some("01JABC".into()),
        page_bytes: 4096,
    };
    vec![
        postcard::to_stdvec(&sync).unwrap_or_default(),
        postcard::to_stdvec(&enrol).unwrap_or_default(),
        postcard::to_stdvec(&boot).unwrap_or_default(),
    ]
}

/// A household with a visit, and a lead's next change to it.
struct Sample {
    store: Linli,
    _dir: tempfile::TempDir,
    doc: AutoCommit,
    change: RemoteChange,
    /// A visit to each of [`HOUSEHOLDS`] households the phone holds without it.
    visits: Vec<RemoteChange>,
    pusher: Pusher,
}

/// Households in the sample: a batch of received changes carries one mutated visit for each,
/// so that each is applied (or set aside) on its own.
const HOUSEHOLDS: usize = 16;

fn sample() -> Result<Sample, BenchError> {
    let dir = tempfile::tempdir().map_err(|e| BenchError(e.to_string()))?;
    let clock = std::sync::Arc::new(ManualClock::new(chrono::Utc::now()));
    let office = Linli::open(
        &dir.path().join("office.db"),
        DeviceIdentity {
            member_id: "office".into(),
            device_id: "office-pc".into(),
        },
        clock.clone(),
    )?;
    office.create_community("梅园社区", None, "陈主任", "13800000001")?;
    use linli_core::records::directory::PlaceKind;
    let area = office.add_place(PlaceKind::Area, "第一片区", None)?;
    let compound = office.add_place(PlaceKind::Compound, "梅园新村", Some(&area))?;
    let building = office.add_place(PlaceKind::Building, "3号楼", Some(&compound))?;
    let households = (0..HOUSEHOLDS)
        .map(|i| {
            office.register_household(&HouseholdInput {
                building_id: building.clone(),
                room: format!("{}", 101 + i),
                ..HouseholdInput::default()
            })
        })
        .collect::<Result<Vec<_>, _>>()?;
    let (_, _, doc) = office
        .document_copy(&households[0])?
        .ok_or_else(|| BenchError("no household".into()))?;
    office.ack_outbox(i64::MAX)?;
    for h in &households {
        office.log_visit(h, &VisitInput::default())?;
    }
    let visits: Vec<RemoteChange> = office
        .outbox(0, 1000)?
        .into_iter()
        .map(|o| o.change)
        .collect();
    let change = visits
        .iter()
        .find(|c| c.doc_id == households[0])
        .cloned()
        .ok_or_else(|| BenchError("no visit".into()))?;
    let store = Linli::open(
        &dir.path().join("phone.db"),
        DeviceIdentity {
            member_id: "lead".into(),
            device_id: "lead-phone".into(),
        },
        clock,
    )?;
    let history: Vec<RemoteChange> = office
        .documents()?
        .into_iter()
        .flat_map(|d| office.changes_since(&d.doc_id, &[]).unwrap_or_default())
        .filter(|c| !visits.iter().any(|v| v.bytes == c.bytes))
        .collect();
    store.apply_remote(&history)?;
    Ok(Sample {
        store,
        _dir: dir,
        doc,
        change,
        visits,
        pusher: Pusher {
            member_id: "office".into(),
            device_id: "office-pc".into(),
            roles: vec![(Role::Office, String::new())],
            orders: Vec::new(),
        },
    })
}

/// Runs every target for `secs` seconds each; returns the runs (a panic is an error).
pub fn run(secs: u64, seed: u64) -> Result<Vec<TargetRun>, BenchError> {
    let budget = Duration::from_secs(secs.max(1));
    let s = sample()?;
    let requests = sample_requests(&s.change);
    let framed_requests: Vec<Vec<u8>> = requests.iter().map(|r| framed(r)).collect();
    // Decoding answers nothing but its own verdict: a panic would be the finding.
    let quiet = std::panic::take_hook();
    if std::env::var_os("LINLI_FUZZ_LOUD").is_none() {
        std::panic::set_hook(Box::new(|_| {}));
    }
    let mut runs = Vec::new();
    runs.push(run_target(
        "request decoders",
        budget,
        |rng| {
            let which = rng.below(requests.len());
            // Half the inputs mutate the plain message (reaching postcard), half the frame.
            let body = if rng.below(2) == 0 {
                framed(&mutate(rng, &requests[which]))
            } else {
                mutate(rng, &framed_requests[which])
            };
            let ok = match rng.below(3) {
                0 => protocol::decode::<SyncRequest>(&body).is_ok(),
                1 => protocol::decode::<EnrolRequest>(&body).is_ok(),
                _ => protocol::decode::<BootstrapRequest>(&body).is_ok(),
            };
            (1, u64::from(ok))
        },
        seed,
    ));
    runs.push(run_target(
        "rules on a pushed change",
        budget,
        |rng| {
            let bytes = mutate(rng, &s.change.bytes);
            let Ok(change) = Change::from_bytes(bytes) else {
                return (1, 0);
            };
            let mut doc = s.doc.clone();
            let ok = rules::judge(
                &mut doc,
                DocKind::Household,
                &s.change.doc_id,
                &change,
                &s.pusher,
            )
            .is_ok();
            (1, u64::from(ok))
        },
        seed ^ 0x5a5a,
    ));
    runs.push(run_target(
        "apply of received changes",
        budget,
        |rng| {
            // One mutated visit for each household, in one transaction: each is applied or
            // set aside on its own. The store keeps none of them for long: what applied is
            // one more visit, and a set-aside change is kept once.
            let batch: Vec<RemoteChange> = s
                .visits
                .iter()
                .map(|v| RemoteChange {
                    bytes: mutate(rng, &v.bytes),
                    ..v.clone()
                })
                .collect();
            match s.store.apply_remote(&batch) {
                Ok(outcome) => (batch.len() as u64, outcome.applied as u64),
                Err(_) => (batch.len() as u64, 0),
            }
        },
        seed ^ 0xa5a5,
    ));
    std::panic::set_hook(quiet);
    let panics: u64 = runs.iter().map(|r| r.panics).sum();
    if panics > 0 {
        return Err(BenchError(format!(
            "{panics} inputs panicked (seed {seed}): {runs:?}"
        )));
    }
    Ok(runs)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_short_run_answers_every_input_without_a_panic() {
        let runs = run(2, 20_261_201).unwrap();
        for r in &runs {
            assert!(r.inputs > 100, "{r:?}");
            assert_eq!(r.panics, 0, "{r:?}");
        }
    }

    #[test]
    fn mutations_change_the_input() {
        let mut rng = Rng::new(7);
        let input = vec![1u8; 64];
        let changed = (0..100)
            .filter(|_| mutate(&mut rng, &input) != input)
            .count();
        assert!(changed > 90, "{changed} of 100 mutated");
    }
}
