//! Who may fetch and upload which photo. A photo is not in any scope of its own: it belongs to
//! the documents that name it (today tickets, by their photos and their photo-added events).
//! A device may fetch it (`GET`, `HEAD`) when its member may read the scope of one of those
//! documents, and upload it (`PUT`) when its member may write one; the phone uploads a photo
//! after pushing the record that names it, so the log holds the naming change by then. The
//! relay decides on its office replica, brought up to the log's head first for the directory
//! and for every scope whose documents may name photos.
//!
//! Everything else is 403 `photo_forbidden`, a photo that nothing names included: answering
//! 404 for that one would tell a device which photos are named in scopes it may not read
//! (403 there, 404 here), so both get the same answer. A deactivated member reads and writes
//! no scope and so gets 403 for every photo. A member who names a photo in a record of their
//! own may then fetch it, but only by its sha-256, which only those who saw a record naming it
//! or who hold its bytes know.

use linli_core::Scope;
use linli_core::api::photos::scope_may_name_photos;

use crate::error::RelayError;
use crate::relay::Relay;
use crate::storage::Device;

/// What a device asks to do with a photo.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum PhotoUse {
    /// Fetch it or ask how much of it the relay has (`GET`, `HEAD`).
    Read,
    /// Upload it (`PUT`).
    Write,
}

impl Relay {
    /// Allows `device` to `to` the photo `hash` (a checked sha-256), or refuses with 403
    /// `photo_forbidden` (see the module documentation).
    pub fn check_photo(&self, device: &Device, hash: &str, to: PhotoUse) -> Result<(), RelayError> {
        let may_name = |scope: &str| Scope::parse(scope).is_ok_and(|s| scope_may_name_photos(&s));
        let allowed = self
            .replica
            .read_scopes_fed(self.storage.as_ref(), may_name, |replica| {
                let scopes: Vec<Scope> = replica
                    .documents_naming_photo(hash)?
                    .into_iter()
                    .filter_map(|(_, scope)| Scope::parse(&scope).ok())
                    .collect();
                if scopes.is_empty() {
                    return Ok(false);
                }
                let access = replica.scope_accesses(&device.member_id, &scopes)?;
                Ok(access.iter().any(|a| match to {
                    PhotoUse::Read => a.read,
                    PhotoUse::Write => a.write,
                }))
            })?;
        if allowed {
            return Ok(());
        }
        let what = match to {
            PhotoUse::Read => "fetch",
            PhotoUse::Write => "upload",
        };
        Err(RelayError::forbidden(
            "photo_forbidden",
            format!(
                "member {} may not {what} this photo: no record they may {} names it",
                device.member_id,
                match to {
                    PhotoUse::Read => "read",
                    PhotoUse::Write => "write",
                }
            ),
        ))
    }
}
