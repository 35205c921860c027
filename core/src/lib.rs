//! Linli's shared core: every record of neighbourhood field work (directory, duty rosters, gate
//! logs, households and visits, complaint tickets) as an automerge document over SQLite, with
//! projections for lists, full history, visible conflicts, the day-end report, and the entry
//! points that sync uses to exchange changes.
//!
//! Start with [`Linli::open`].

pub mod api;
pub mod clock;
pub mod doc;
pub mod error;
pub mod error_code;
pub mod ids;
pub mod projection;
pub mod records;
pub mod report;
pub mod rules;
pub mod scope;
mod store;
pub mod sync;
#[cfg(feature = "test-support")]
pub mod test_support;
pub mod watch;

pub use api::{DeviceIdentity, Linli, wipe_store};
pub use clock::{Clock, ManualClock, SystemClock};
pub use doc::DocKind;
pub use error::{Error, ErrorCode, Result};
pub use records::Coded;
pub use scope::Scope;
pub use store::{
    ApplyOutcome, CANNOT_APPLY, DEPENDS_ON_REFUSED, DEPENDS_ON_SET_ASIDE, DOC_CACHE_CAPACITY,
    RemoteChange, SET_ASIDE_RECEIVED, SET_ASIDE_REFUSED, STORE_KEY_LEN, StoreKey, StoreStats,
};
