//! The convergence property (`linli_core::test_support::convergence`, which
//! `core/tests/convergence.rs` runs with 48 cases) with as many cases as asked: three replicas
//! apply random operations and exchange their changes out of order, duplicated, dropped and
//! retried, and must end with the same heads, projections and day-end report. Each case is
//! generated from a seed of its own (the run's seed plus its number), so a failing case replays
//! alone with `--seed <its seed> --cases 1`; the first failure is also shrunk to a smaller case
//! that still fails, and printed.

use std::panic::{AssertUnwindSafe, catch_unwind};
use std::time::Instant;

use linli_core::test_support::convergence::{Op, check, steps};
use proptest::strategy::{Strategy, ValueTree};
use proptest::test_runner::{Config, RngAlgorithm, TestRng, TestRunner};

use crate::BenchError;

/// How far the first failure is shrunk.
const MAX_SHRINK_STEPS: u32 = 256;

/// The figures of a run.
#[derive(Debug, Clone, serde::Serialize)]
pub struct ConvergeRun {
    /// Cases run.
    pub cases: u64,
    /// Cases whose replicas did not converge (or that panicked).
    pub failures: u64,
    /// The run's first seed.
    pub seed: u64,
    /// Wall time of the whole run (shrinking a failure included), in s.
    pub secs: f64,
    /// Steps played over all cases.
    pub steps: u64,
    /// The mean case (generated cases only, not the shrinking), in ms.
    pub mean_case_ms: f64,
    /// The slowest case, in ms.
    pub slowest_case_ms: f64,
    /// The failing cases: their seeds.
    pub failing_seeds: Vec<u64>,
    /// The first failure: why, and the smallest case found that still fails.
    pub first_failure: Option<Failure>,
}

/// A failing case.
#[derive(Debug, Clone, serde::Serialize)]
pub struct Failure {
    /// Its seed (`--seed <seed> --cases 1` replays it).
    pub seed: u64,
    /// Why it failed (the property's message or the panic's).
    pub reason: String,
    /// Steps of the generated case.
    pub steps: usize,
    /// The smallest failing case found by shrinking, as `(replica, step)` pairs.
    pub shrunk: String,
    /// Why that one fails.
    pub shrunk_reason: String,
}

/// The generator of case `seed`: proptest's ChaCha generator from 32 bytes spread from it.
fn runner(seed: u64) -> TestRunner {
    let mut state = seed;
    let mut bytes = [0u8; 32];
    for chunk in bytes.chunks_mut(8) {
        // splitmix64
        state = state.wrapping_add(0x9e37_79b9_7f4a_7c15);
        let mut z = state;
        z = (z ^ (z >> 30)).wrapping_mul(0xbf58_476d_1ce4_e5b9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94d0_49bb_1331_11eb);
        chunk.copy_from_slice(&(z ^ (z >> 31)).to_le_bytes());
    }
    TestRunner::new_with_rng(
        Config::default(),
        TestRng::from_seed(RngAlgorithm::ChaCha, &bytes),
    )
}

/// Plays one case: `Err` with the reason when the replicas did not converge or it panicked.
fn play(case: &[(usize, Op)]) -> Result<(), String> {
    match catch_unwind(AssertUnwindSafe(|| check(case))) {
        Ok(Ok(())) => Ok(()),
        Ok(Err(e)) => Err(e.to_string()),
        Err(payload) => Err(format!(
            "panic: {}",
            payload
                .downcast_ref::<String>()
                .cloned()
                .or_else(|| payload.downcast_ref::<&str>().map(|s| (*s).to_owned()))
                .unwrap_or_default()
        )),
    }
}

/// Runs `cases` cases from `seed` on; `progress` hears after each case.
pub fn run(
    cases: u64,
    seed: u64,
    mut progress: impl FnMut(u64, &ConvergeRun),
) -> Result<ConvergeRun, BenchError> {
    // The property's panics are findings, reported with their case; not printed as they happen.
    let hook = std::panic::take_hook();
    std::panic::set_hook(Box::new(|_| {}));
    let mut figures = ConvergeRun {
        cases: 0,
        failures: 0,
        seed,
        secs: 0.0,
        steps: 0,
        mean_case_ms: 0.0,
        slowest_case_ms: 0.0,
        failing_seeds: Vec::new(),
        first_failure: None,
    };
    let start = Instant::now();
    let mut played_ms = 0.0;
    let strategy = steps();
    for i in 0..cases {
        let case_seed = seed.wrapping_add(i);
        let mut tree = match strategy.new_tree(&mut runner(case_seed)) {
            Ok(tree) => tree,
            Err(reason) => {
                std::panic::set_hook(hook);
                return Err(BenchError(format!("case {case_seed}: {reason}")));
            }
        };
        let case = tree.current();
        let t = Instant::now();
        let outcome = play(&case);
        let ms = t.elapsed().as_secs_f64() * 1000.0;
        played_ms += ms;
        figures.slowest_case_ms = figures.slowest_case_ms.max(ms);
        figures.cases += 1;
        figures.steps += case.len() as u64;
        if let Err(reason) = outcome {
            figures.failures += 1;
            figures.failing_seeds.push(case_seed);
            if figures.first_failure.is_none() {
                let (shrunk, shrunk_reason) = shrink(&mut tree, case.clone(), reason.clone());
                figures.first_failure = Some(Failure {
                    seed: case_seed,
                    reason,
                    steps: case.len(),
                    shrunk: format!("{shrunk:?}"),
                    shrunk_reason,
                });
            }
        }
        progress(i + 1, &figures);
    }
    std::panic::set_hook(hook);
    figures.secs = start.elapsed().as_secs_f64();
    figures.mean_case_ms = played_ms / figures.cases.max(1) as f64;
    Ok(figures)
}

/// Proptest's shrinking by hand: simpler while it still fails, back when it passes.
fn shrink(
    tree: &mut impl ValueTree<Value = Vec<(usize, Op)>>,
    mut smallest: Vec<(usize, Op)>,
    mut reason: String,
) -> (Vec<(usize, Op)>, String) {
    let mut tries = 0;
    if !tree.simplify() {
        return (smallest, reason);
    }
    while tries < MAX_SHRINK_STEPS {
        tries += 1;
        let candidate = tree.current();
        match play(&candidate) {
            Err(why) => {
                smallest = candidate;
                reason = why;
                if !tree.simplify() {
                    break;
                }
            }
            Ok(()) => {
                if !tree.complicate() {
                    break;
                }
            }
        }
    }
    (smallest, reason)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_few_cases_converge_and_replay_from_their_seed() {
        let figures = run(3, 20_261_201, |_, _| {}).unwrap();
        assert_eq!((figures.cases, figures.failures), (3, 0), "{figures:?}");
        assert!(figures.steps >= 30, "{figures:?}");
        // The same seed gives the same case.
        let one = |seed| steps().new_tree(&mut runner(seed)).unwrap().current();
        assert_eq!(format!("{:?}", one(7)), format!("{:?}", one(7)));
        assert_ne!(format!("{:?}", one(7)), format!("{:?}", one(8)));
    }

    #[test]
    fn a_failure_is_reported_with_its_reason() {
        assert!(play(&[]).is_ok());
        let reason = play(&[(7, Op::ReportTicket { category: 0 })]).unwrap_err();
        assert!(reason.starts_with("panic: "), "{reason}");
    }
}
