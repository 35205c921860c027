//! The core's error type: every failure names what the caller can do about it.
//!
//! Input problems name the offending field so that a form can point at it; storage and document
//! failures carry their cause. Nothing is half-written when an error is returned: every write runs
//! in one SQLite transaction that is rolled back on error.

pub use crate::error_code::{ErrorCode, INPUT_FIELDS, field_key};

/// Result alias used throughout the core.
pub type Result<T, E = Error> = std::result::Result<T, E>;

/// Everything that can go wrong in the core.
#[derive(Debug, thiserror::Error)]
pub enum Error {
    /// A value the caller gave is not acceptable; `field` names it.
    #[error("invalid {field}: {message}")]
    InvalidInput {
        /// The input field, as the API names it (e.g. `celsius`, `phone`).
        field: String,
        /// Why, as a stable code.
        code: ErrorCode,
        /// What is wrong with it, for a person.
        message: String,
    },
    /// A record the caller named does not exist on this device.
    #[error("{what} not found: {id}")]
    NotFound {
        /// The kind of record (`household`, `ticket`, `member`, …).
        what: &'static str,
        /// The id that was looked up.
        id: String,
    },
    /// The acting member's roles do not allow this action.
    #[error("not allowed to {action}: {reason}")]
    Forbidden {
        /// The action that was refused.
        action: String,
        /// Why, as a stable code.
        code: ErrorCode,
        /// Why, for a person.
        reason: String,
    },
    /// The record's current state does not allow this action (e.g. evaluating an unresolved
    /// ticket).
    #[error("{record} {id}: {message}")]
    InvalidState {
        /// The kind of record.
        record: &'static str,
        /// Its id.
        id: String,
        /// What prevents the action, as a stable code.
        code: ErrorCode,
        /// What prevents the action.
        message: String,
    },
    /// A change received from elsewhere could not be decoded.
    #[error("corrupt change for document {doc_id}: {message}")]
    CorruptChange {
        /// The document the change was sent for.
        doc_id: String,
        /// The decoder's complaint.
        message: String,
    },
    /// The store is open already, in this process or another (the app and a background sync
    /// worker): use that handle, or wait until it is closed.
    #[error("store {path} is already open elsewhere (一个存储只能由一个进程打开)")]
    StoreInUse {
        /// The store's path.
        path: String,
    },
    /// The store was opened with an identity other than the one it was created for.
    #[error("this store belongs to {stored}, not {given}")]
    IdentityMismatch {
        /// The identity recorded in the store.
        stored: String,
        /// The identity given at open.
        given: String,
    },
    /// The store is encrypted and the key given (or no key) does not open it, or the file is
    /// no store at all. Nothing was read or written.
    #[error("the store's key is wrong (存储密钥不正确)")]
    WrongKey,
    /// SQLite failed.
    #[error("storage: {0}")]
    Storage(#[from] rusqlite::Error),
    /// A schema migration failed.
    #[error("migration: {0}")]
    Migration(#[from] rusqlite_migration::Error),
    /// An automerge document could not be read or written.
    #[error("document {doc_id}: {message}")]
    Document {
        /// The document.
        doc_id: String,
        /// The underlying automerge / autosurgeon error.
        message: String,
    },
}

impl Error {
    /// An [`Error::InvalidInput`] for `field`.
    pub fn invalid(field: impl Into<String>, code: ErrorCode, message: impl Into<String>) -> Self {
        Error::InvalidInput {
            field: field.into(),
            code,
            message: message.into(),
        }
    }

    /// An [`Error::InvalidState`] of the record `record` `id`.
    pub fn state(
        record: &'static str,
        id: impl Into<String>,
        code: ErrorCode,
        message: impl Into<String>,
    ) -> Self {
        Error::InvalidState {
            record,
            id: id.into(),
            code,
            message: message.into(),
        }
    }

    /// An [`Error::Forbidden`] for `action`.
    pub fn forbidden(
        action: impl Into<String>,
        code: ErrorCode,
        reason: impl Into<String>,
    ) -> Self {
        Error::Forbidden {
            action: action.into(),
            code,
            reason: reason.into(),
        }
    }

    /// The stable code of a refusal (input, state or role), if this is one.
    pub fn code(&self) -> Option<ErrorCode> {
        match self {
            Error::InvalidInput { code, .. }
            | Error::Forbidden { code, .. }
            | Error::InvalidState { code, .. } => Some(*code),
            _ => None,
        }
    }

    /// An [`Error::Document`] wrapping any displayable automerge error.
    pub(crate) fn document(doc_id: &str, err: impl std::fmt::Display) -> Self {
        Error::Document {
            doc_id: doc_id.to_owned(),
            message: err.to_string(),
        }
    }
}
