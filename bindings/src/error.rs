//! The one error the apps see, shaped by what the app can do about it: fix a field, refresh,
//! ask for a right, retry later, sign in again, wipe a revoked device, or report a bug.
//! Every core and sync error maps to it, and a panic inside the core becomes `Internal`.
//! The text of each variant is in `detail`: Kotlin's exceptions own the name `message`.
//! The whole sentence (the `Display` below) is exported: Kotlin's `toString()`, Swift's
//! `description` (and so `localizedDescription`) and Python's `str()`. `Debug` is not exported:
//! Swift would prefer it to the sentence in `localizedDescription`.

use linli_core::Error as CoreError;

use crate::mirror::Convert;
use linli_core::sync::client::SyncError;

/// What went wrong, for the app.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error, uniffi::Error)]
#[uniffi::export(Display)]
pub enum LinliError {
    /// A field of the input is wrong: show the sentence of `code` (string key
    /// `error_code_<code>`, with the label `field_<field_key>`) beside the field.
    #[error("invalid {field} ({code}): {detail}")]
    InvalidInput {
        /// The field, as named in the input record or argument (`residents[0].phone`).
        field: String,
        /// The key of the field's label: its last name without indices (`phone`); one of
        /// [`input_field_keys`].
        field_key: String,
        /// Why, as a stable code (one of [`error_codes`]).
        code: String,
        /// What is wrong with it, in English, for logs.
        detail: String,
    },
    /// The record does not exist on this device (yet).
    #[error("{what} not found: {id}")]
    NotFound {
        /// What kind of record.
        what: String,
        /// Its id.
        id: String,
    },
    /// The member's roles do not allow it.
    #[error("not allowed to {action} ({code}): {reason}")]
    Forbidden {
        /// What was attempted.
        action: String,
        /// Why not, as a stable code (one of [`error_codes`]).
        code: String,
        /// Why not, for logs.
        reason: String,
    },
    /// The record's state does not allow it now (e.g. resolving a closed ticket).
    #[error("{detail} ({code})")]
    Conflict {
        /// What is in the way, as a stable code (one of [`error_codes`]; `identity_mismatch`
        /// when the store belongs to another member).
        code: String,
        /// What is in the way, for logs.
        detail: String,
    },
    /// The relay cannot be reached: try again later; nothing is lost.
    #[error("cannot reach the relay: {detail}")]
    Network {
        /// The cause.
        detail: String,
    },
    /// The relay asks the phone to wait this many seconds before it tries again (too many
    /// requests, or too many wrong enrolment codes): nothing is lost.
    #[error("the relay asks to wait {wait_secs} s ({code})")]
    Busy {
        /// The wait, in whole seconds.
        wait_secs: u64,
        /// The relay's code: `rate_limited` or `too_many_attempts` (wrong enrolment codes).
        code: String,
    },
    /// The relay refused the request (a bad request or a scope not permitted).
    #[error("the relay refused the request ({status} {code}): {detail}")]
    Rejected {
        /// HTTP status.
        status: u16,
        /// Stable error code.
        code: String,
        /// What was wrong.
        detail: String,
    },
    /// The device token is missing or unknown: enrol again.
    #[error("not signed in: {detail}")]
    Unauthorized {
        /// The relay's message.
        detail: String,
    },
    /// The office revoked this device: offer to wipe its local data.
    #[error("此设备已被注销 (this device was revoked): {detail}")]
    DeviceRevoked {
        /// The relay's message.
        detail: String,
    },
    /// The office revoked this device and had its data erased: the store was erased; close it,
    /// delete it (`wipeStore`) and return to enrolment.
    #[error(
        "此设备已被注销，本机数据已清除 (this device was revoked and its data erased): {detail}"
    )]
    DeviceWiped {
        /// The relay's message.
        detail: String,
    },
    /// The office deactivated this device's member: the phone can no longer sync; offer to
    /// export its unsent work for the office (`exportUnsent`).
    #[error("此成员已被停用 (this member was deactivated): {detail}")]
    MemberDeactivated {
        /// The relay's message.
        detail: String,
    },
    /// Another copy of this store (restored from a backup, or copied to another phone) took
    /// over the device: offer to export this copy's unsent work, then enrol anew.
    #[error("此手机的数据已被另一副本接管 (another copy of this store took over): {detail}")]
    StoreReplaced {
        /// The relay's message.
        detail: String,
    },
    /// The store is open already, in this process or another (a background sync worker): use
    /// the open handle, or wait until it is closed.
    #[error("此存储已被打开 (store in use): {detail}")]
    StoreInUse {
        /// Which store.
        detail: String,
    },
    /// The store is encrypted and this key does not open it (or the file is no store): nothing
    /// was read or written. Keep the store; ask the platform's key store for the right key.
    #[error("存储密钥不正确 (the store's key is wrong)")]
    WrongKey,
    /// The sync was cancelled.
    #[error("sync cancelled")]
    Cancelled,
    /// The local database failed or is damaged.
    #[error("storage: {detail}")]
    Storage {
        /// The cause.
        detail: String,
    },
    /// A bug in Linli (a panic was caught): report it.
    #[error("internal error: {detail}")]
    Internal {
        /// The panic's message.
        detail: String,
    },
}

/// The code of [`LinliError::Conflict`] when a store is opened for another member.
pub const IDENTITY_MISMATCH: &str = "identity_mismatch";

/// Every code the relay answers with, for a refused request (`Rejected`) or a refused change
/// (a set-aside change's code): each has a sentence `relay_code_<code>` in the apps' tables.
#[uniffi::export]
pub fn relay_codes() -> Vec<String> {
    linli_core::sync::relay_codes::relay_codes()
        .into_iter()
        .map(str::to_owned)
        .collect()
}

/// Every action a record's history can show (`HistoryEntry::action`): each has a label
/// `history_action_<code, dots as underscores>` in the apps' string tables.
#[uniffi::export]
pub fn action_codes() -> Vec<String> {
    linli_core::doc::actions::action_codes()
}

/// Every code an error can carry (`InvalidInput`, `Forbidden`, `Conflict`): each has a sentence
/// `error_code_<code>` in the apps' string tables.
#[uniffi::export]
pub fn error_codes() -> Vec<String> {
    linli_core::ErrorCode::ALL
        .iter()
        .map(|c| c.code().to_owned())
        .chain([IDENTITY_MISMATCH.to_owned()])
        .collect()
}

/// Every `field_key` an `InvalidInput` can carry: each has a label `field_<key>` in the apps'
/// string tables.
#[uniffi::export]
pub fn input_field_keys() -> Vec<String> {
    linli_core::error::INPUT_FIELDS
        .iter()
        .map(|f| (*f).to_owned())
        .collect()
}

impl From<CoreError> for LinliError {
    fn from(e: CoreError) -> Self {
        match e {
            CoreError::InvalidInput {
                field,
                code,
                message,
            } => LinliError::InvalidInput {
                field_key: linli_core::error::field_key(&field).to_owned(),
                field,
                code: code.code().to_owned(),
                detail: message,
            },
            CoreError::NotFound { what, id } => LinliError::NotFound {
                what: what.to_owned(),
                id,
            },
            CoreError::Forbidden {
                action,
                code,
                reason,
            } => LinliError::Forbidden {
                action,
                code: code.code().to_owned(),
                reason,
            },
            CoreError::WrongKey => LinliError::WrongKey,
            e @ CoreError::StoreInUse { .. } => LinliError::StoreInUse {
                detail: e.to_string(),
            },
            e @ CoreError::InvalidState { code, .. } => LinliError::Conflict {
                code: code.code().to_owned(),
                detail: e.to_string(),
            },
            e @ CoreError::IdentityMismatch { .. } => LinliError::Conflict {
                code: IDENTITY_MISMATCH.to_owned(),
                detail: e.to_string(),
            },
            e => LinliError::Storage {
                detail: e.to_string(),
            },
        }
    }
}

impl From<SyncError> for LinliError {
    fn from(e: SyncError) -> Self {
        match e {
            SyncError::DeviceRevoked(detail) => LinliError::DeviceRevoked { detail },
            SyncError::DeviceWiped(detail) => LinliError::DeviceWiped { detail },
            SyncError::MemberDeactivated(detail) => LinliError::MemberDeactivated { detail },
            SyncError::StoreReplaced(detail) => LinliError::StoreReplaced { detail },
            SyncError::Unauthorized(detail) => LinliError::Unauthorized { detail },
            SyncError::Rejected {
                status,
                code,
                message,
            } => LinliError::Rejected {
                status,
                code,
                detail: message,
            },
            SyncError::Network(detail) => LinliError::Network { detail },
            SyncError::Busy { wait_secs, code } => LinliError::Busy { wait_secs, code },
            SyncError::Cancelled => LinliError::Cancelled,
            SyncError::Local(e) => e.into(),
        }
    }
}

/// Runs `f`, turning a panic into [`LinliError::Internal`] and converting the result.
pub(crate) fn guard<T, U, E>(f: impl FnOnce() -> Result<T, E>) -> Result<U, LinliError>
where
    T: Convert<U>,
    LinliError: From<E>,
{
    match std::panic::catch_unwind(std::panic::AssertUnwindSafe(f)) {
        Ok(Ok(v)) => Ok(v.convert()),
        Ok(Err(e)) => Err(e.into()),
        Err(panic) => Err(LinliError::Internal {
            detail: panic_message(panic.as_ref()),
        }),
    }
}

/// The text of a caught panic.
pub(crate) fn panic_message(panic: &(dyn std::any::Any + Send)) -> String {
    panic
        .downcast_ref::<&str>()
        .map(|s| (*s).to_owned())
        .or_else(|| panic.downcast_ref::<String>().cloned())
        .unwrap_or_else(|| "panic".to_owned())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_panic_becomes_an_internal_error() {
        let r: Result<u32, LinliError> =
            guard(|| -> Result<u32, CoreError> { panic!("boom in the core") });
        assert_eq!(
            r,
            Err(LinliError::Internal {
                detail: "boom in the core".into()
            })
        );
    }

    #[test]
    fn core_errors_keep_the_field() {
        let r: Result<u32, LinliError> = guard(|| -> Result<u32, CoreError> {
            Err(CoreError::invalid(
                "residents[1].room",
                linli_core::ErrorCode::Empty,
                "empty",
            ))
        });
        assert_eq!(
            r,
            Err(LinliError::InvalidInput {
                field: "residents[1].room".into(),
                field_key: "room".into(),
                code: "empty".into(),
                detail: "empty".into()
            })
        );
    }
}
