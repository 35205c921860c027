//! Sync with the relay: the wire protocol both sides speak, and the phone's client that pushes
//! the outbox, pulls every scope it may read, bootstraps a new device from snapshots and moves
//! photos.

pub mod client;
mod pipeline;
pub mod protocol;
pub mod push_size;
pub mod relay_codes;
