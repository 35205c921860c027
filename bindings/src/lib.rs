//! Linli's core for the Android and iOS apps, through uniffi: one store object with the whole
//! user-facing API, enrolment and an async, cancellable sync with progress callbacks, data
//! change subscriptions, and one error enum. Each exported method is a line or two into
//! `linli-core`; the FFI records and enums mirror the core's types (see [`mirror`]), and the core
//! knows nothing of uniffi.

uniffi::setup_scaffolding!();

pub mod callback;
pub mod enums;
pub mod error;
pub mod evaluations;
pub mod gate_goods;
pub mod joint;
pub mod mirror;
pub mod needs;
pub mod orders;
pub mod records;
pub mod store;
pub mod sync;
pub mod watch;

pub use error::LinliError;
