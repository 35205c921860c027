//! Convergence: three replicas apply random operations of every kind, exchange their changes in
//! random order with duplicates and drops-then-retries, and end with identical heads, identical
//! projections (equal to a rebuild from the documents) and identical day-end reports. The
//! property lives in `linli_core::test_support::convergence`, which `linli-bench converge`
//! runs with many more cases.

use linli_core::test_support::convergence::{check, steps};
use proptest::prelude::*;

proptest! {
    #![proptest_config(ProptestConfig { cases: 48, max_shrink_iters: 64, ..ProptestConfig::default() })]

    #[test]
    fn replicas_converge(steps in steps()) {
        check(&steps)?;
    }
}
