//! Every code the relay answers with: a refused request (`ErrorBody::error`) or a refused
//! change (`Refused::code`, kept among the phone's set-aside changes), and the codes the phone
//! itself gives a change it sets aside. The apps turn each into
//! a whole sentence (`relay_code_<code>`) instead of showing the relay's English message; the
//! relay's tests check that every code its sources answer with is listed here.

use super::protocol::{
    ACTOR_RETIRED, DEVICE_REVOKED, DEVICE_WIPED, FOLLOWS_UNANSWERED, MEMBER_DEACTIVATED,
};
use crate::rules::RefusalCode;

/// The codes of refused requests.
pub const REQUEST_CODES: &[&str] = &[
    ACTOR_RETIRED,
    DEVICE_REVOKED,
    DEVICE_WIPED,
    FOLLOWS_UNANSWERED,
    MEMBER_DEACTIVATED,
    "actor_taken",
    "already_decided",
    "already_erased",
    "ambiguous_hash",
    "bad_actor",
    "bad_body",
    "bad_code",
    "bad_database_url",
    "bad_device_name",
    "bad_export",
    "bad_follows",
    "bad_hash",
    "bad_message",
    "bad_photo_name",
    "bad_roster",
    "bad_token",
    "bad_upload",
    "body_timeout",
    "body_too_large",
    "browser_session",
    "cannot_admit",
    "conflict",
    "corrupt_change",
    "field_too_long",
    "forbidden",
    "foreign_actor",
    "internal",
    "invalid",
    "no_roster",
    "no_source",
    "no_token",
    "not_a_phone",
    "not_erasable",
    "not_found",
    "not_office",
    "pass_key_differs",
    "passes_not_issued",
    "photo_forbidden",
    "photo_hash_mismatch",
    "photo_pending",
    "photo_quota",
    "photo_too_large",
    "photo_too_long",
    "rate_limited",
    "read_only",
    "roster_too_large",
    "roster_too_long",
    "scope_mismatch",
    "storage_busy",
    "storage_unavailable",
    "too_many_attempts",
    "too_many_elements",
    "too_many_replacements",
    "too_many_wanted",
    "unknown_change",
    "unknown_device",
    "unknown_member",
    "unknown_record",
    "unsupported_version",
    "unverified_export",
    "wrong_offset",
];

/// The codes of refused changes besides the rules' own ([`RefusalCode`]): the relay's checks
/// of where a change may go, and the phone's own for a received change it could not apply or
/// one built on it.
pub const CHANGE_CODES: &[&str] = &[
    "bad_scope",
    "foreign_author",
    "scope_forbidden",
    "unknown_document",
    crate::store::CANNOT_APPLY,
    crate::store::DEPENDS_ON_REFUSED,
    crate::store::DEPENDS_ON_SET_ASIDE,
];

/// Every code, sorted, without repeats.
pub fn relay_codes() -> Vec<&'static str> {
    let mut out: Vec<&'static str> = REQUEST_CODES
        .iter()
        .chain(CHANGE_CODES)
        .copied()
        .chain(RefusalCode::ALL.iter().map(|c| c.as_str()))
        .collect();
    out.sort_unstable();
    out.dedup();
    out
}
