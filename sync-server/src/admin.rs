//! The office's tools on the relay machine: an office store beside the relay database that
//! syncs straight with the change log (no HTTP), used to create the community, add places,
//! members and roles, issue enrolment codes, manage devices and print the day-end report.
//! Its changes enter the log like a device's, so the relay and every phone receive them.

use std::path::Path;
use std::sync::Arc;

use linli_core::{DeviceIdentity, Linli, SystemClock};

use crate::database::Database;
use crate::error::RelayError;
use crate::relay::{CodePurpose, Limits, issue_code};
use crate::replica::follow_log;
use crate::storage::{LogChange, RelayStorage};

/// The device id the admin tools write as.
pub const ADMIN_DEVICE: &str = "relay-admin";
/// The settings key of the log position the admin store has pulled to.
const ADMIN_SEQ: &str = "admin_seq";

/// The admin tools over a relay database.
#[derive(Debug)]
pub struct Admin {
    storage: Arc<dyn RelayStorage>,
    linli: Linli,
    /// The device id its store writes as.
    device: String,
    /// The settings key of the log position its store has pulled to.
    seq_key: String,
}

impl Admin {
    /// Opens the admin store (the local store `admin` of `db`), acting as office member
    /// `admin_member`.
    pub fn open(db: &Database, admin_member: &str) -> Result<Admin, RelayError> {
        Admin::with_storage(db.open()?, &db.local_store("admin")?, admin_member)
    }

    /// The admin tools over `storage`, with the admin store at `path`.
    pub fn with_storage(
        storage: Arc<dyn RelayStorage>,
        path: &Path,
        admin_member: &str,
    ) -> Result<Admin, RelayError> {
        Admin::with_device(storage, path, admin_member, ADMIN_DEVICE)
    }

    /// An office store at `path` writing as `device` for `admin_member`: the admin tools'
    /// (see [`Admin::with_storage`]), or another one the relay process keeps for itself, so
    /// that the tools can open theirs while it serves.
    pub fn with_device(
        storage: Arc<dyn RelayStorage>,
        path: &Path,
        admin_member: &str,
        device: &str,
    ) -> Result<Admin, RelayError> {
        let linli = Linli::open(
            path,
            DeviceIdentity {
                member_id: admin_member.to_owned(),
                device_id: device.to_owned(),
            },
            Arc::new(SystemClock),
        )?;
        storage.register_internal_device(
            device,
            admin_member,
            &linli.actor_id(),
            chrono::Utc::now().timestamp_millis(),
        )?;
        let seq_key = if device == ADMIN_DEVICE {
            ADMIN_SEQ.to_owned()
        } else {
            format!("{device}_seq")
        };
        let admin = Admin {
            storage,
            linli,
            device: device.to_owned(),
            seq_key,
        };
        admin.pull()?;
        Ok(admin)
    }

    /// Runs `f` on the admin store brought up to date with the log, then appends what it wrote
    /// to the log.
    pub fn run<T>(&self, f: impl FnOnce(&Linli) -> linli_core::Result<T>) -> Result<T, RelayError> {
        self.pull()?;
        let out = f(&self.linli)?;
        self.push()?;
        Ok(out)
    }

    /// The admin store (read it after [`Admin::run`] or [`Admin::pull`]).
    pub fn linli(&self) -> &Linli {
        &self.linli
    }

    /// The relay storage.
    pub fn storage(&self) -> &Arc<dyn RelayStorage> {
        &self.storage
    }

    /// Applies the log after the admin store's position.
    pub fn pull(&self) -> Result<(), RelayError> {
        follow_log(self.storage.as_ref(), &self.linli, &self.seq_key)?;
        Ok(())
    }

    /// Appends the admin store's outbox to the log.
    fn push(&self) -> Result<(), RelayError> {
        loop {
            let outbox = self.linli.outbox(0, 1000)?;
            let Some(last) = outbox.last().map(|c| c.seq) else {
                return Ok(());
            };
            let changes: Vec<LogChange> = outbox
                .into_iter()
                .map(|c| LogChange {
                    hash: c.hash.0,
                    doc_id: c.change.doc_id,
                    kind: c.change.kind,
                    scope: c.change.scope,
                    bytes: c.change.bytes,
                })
                .collect();
            self.storage.append(
                &self.device,
                &changes,
                chrono::Utc::now().timestamp_millis(),
            )?;
            self.linli.ack_outbox(last)?;
        }
    }

    /// A one-time enrolment code for `member_id`, valid for 24 hours.
    pub fn create_code(&self, member_id: &str) -> Result<(String, i64), RelayError> {
        self.pull()?;
        let active = self
            .linli
            .member(member_id)
            .map(|m| m.active)
            .unwrap_or(false);
        issue_code(
            self.storage.as_ref(),
            member_id,
            active,
            CodePurpose::Phone,
            chrono::Utc::now().timestamp_millis(),
            Limits::default().code_ttl_ms,
        )
    }

    /// A one-time sign-in code to the office's pages for `member_id`, who must be an active
    /// office member; valid for [`crate::office::WEB_CODE_TTL_MS`].
    pub fn create_web_code(&self, member_id: &str) -> Result<(String, i64), RelayError> {
        self.pull()?;
        let member = self.linli.member(member_id).ok();
        let office = member.as_ref().is_some_and(|m| {
            m.roles
                .iter()
                .any(|r| r.role == linli_core::records::directory::Role::Office)
        });
        if member.is_some() && !office {
            return Err(RelayError::forbidden(
                "not_office",
                format!("{member_id} is not office staff: only the office signs in to its pages"),
            ));
        }
        issue_code(
            self.storage.as_ref(),
            member_id,
            member.is_some_and(|m| m.active),
            CodePurpose::Web,
            chrono::Utc::now().timestamp_millis(),
            crate::office::WEB_CODE_TTL_MS,
        )
    }
}
