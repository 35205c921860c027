//! Shared fixtures: devices on temporary stores sharing one manual clock, a small community,
//! and an in-memory exchange of changes between devices (in `linli_core::test_support`, which
//! `linli-bench` shares), and the tests' own helpers.
#![allow(dead_code, unused_imports)]

use linli_core::Error;
pub use linli_core::test_support::{Community, Devices, community, start_time, sync_all};

/// The field named by an `InvalidInput` error.
pub fn bad_field<T: std::fmt::Debug>(r: Result<T, Error>) -> String {
    match r {
        Err(Error::InvalidInput { field, .. }) => field,
        other => panic!("expected InvalidInput, got {other:?}"),
    }
}
