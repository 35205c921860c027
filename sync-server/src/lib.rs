//! Linli's relay: the server phones sync through. It enrols devices with one-time codes, checks
//! each device's token and its member's right to read and write each scope, keeps a change log
//! per scope with sequence numbers, serves pages of changes and snapshots, stores photos by
//! sha-256 for the devices that may see the records naming them, and keeps an office replica
//! for the day-end report. The admin tools and a simulated day (`demo`) live on the same
//! binary.

pub mod admin;
pub mod cli;
mod cores;
pub mod database;
pub mod demo;
pub mod erasure;
pub mod error;
pub mod http;
pub mod judge;
pub mod limiter;
pub mod metrics;
pub mod migrate;
pub mod office;
pub mod passes;
pub mod photos;
pub mod push_order;
pub mod relay;
pub mod replica;
pub mod retention;
pub mod roster;
pub mod server;
pub mod set_aside;
pub mod storage;

pub use database::Database;
pub use error::RelayError;
pub use relay::Relay;

/// The allocator this build of the relay uses: `"tcmalloc"` when the machine that built it had
/// the library, `"system"` otherwise (see `build.rs`).
pub const ALLOCATOR: &str = if cfg!(linli_tcmalloc) {
    "tcmalloc"
} else {
    "system"
};

#[cfg(test)]
mod tests {
    /// The allocator named is the one linked in: its entry points are in this very binary
    /// (an archive linked by name only would leave the C library's `malloc` in place).
    #[test]
    fn the_relay_links_the_allocator_it_names() {
        let exe = std::fs::read(std::env::current_exe().expect("this test's binary"))
            .expect("reading this test's binary");
        // Spelled backwards here, so that this test's own bytes do not hold the name.
        let symbol: Vec<u8> = b"\0collam_ct\0".iter().rev().copied().collect();
        let linked = exe.windows(symbol.len()).any(|w| w == symbol.as_slice());
        assert_eq!(
            linked,
            super::ALLOCATOR == "tcmalloc",
            "{}",
            super::ALLOCATOR
        );
    }
}
