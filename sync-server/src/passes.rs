//! Issuing passes: the relay holds the community's Ed25519 signing key (made with the first
//! pass, kept in its database, never sent anywhere), publishes its public half in the
//! directory, signs the claims the office (from its tools) or a gate lead (from the phone,
//! `POST /v1/passes`) asks for, and records the signed pass in its holder's household, from
//! where the lead's phone shows it at its next sync. A request from a phone is checked for the
//! member of the device that sent it, against the relay's own directory: the phone's word
//! about its roles is not taken.

use std::path::PathBuf;
use std::sync::{Arc, Mutex, PoisonError};

use linli_core::api::passes::PassInput;
use linli_core::records::pass::{self, PassClaims};
use linli_core::sync::protocol::{PassAnswer, PassRequest};

use crate::admin::Admin;
use crate::error::RelayError;
use crate::storage::{Device, RelayStorage};

/// The device id of the store through which the serving relay records the passes it signs.
pub const PASS_ISSUER_DEVICE: &str = "relay-passes";

/// A pass the relay signed.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct IssuedPass {
    /// What it says.
    pub claims: PassClaims,
    /// The text of its QR code.
    pub text: String,
}

impl Admin {
    /// Issues a pass asked for by the office member this store writes as.
    pub fn issue_pass(&self, input: &PassInput, now_ms: i64) -> Result<IssuedPass, RelayError> {
        let requester = self.linli().identity().member_id.clone();
        self.issue_pass_for(&requester, input, now_ms)
    }

    /// Issues a pass asked for by `requester`: checks `input` for them (the office any pass, a
    /// gate lead their own gates'), signs it with the community's key and records it in the
    /// holder's household, naming them as its issuer.
    pub fn issue_pass_for(
        &self,
        requester: &str,
        input: &PassInput,
        now_ms: i64,
    ) -> Result<IssuedPass, RelayError> {
        let secret = self
            .storage()
            .pass_signing_key(&rand::random::<[u8; 32]>(), now_ms)?;
        let public = pass::public_key_hex(&secret)?;
        let issued = self.run(|office| {
            if office.pass_key()? != public {
                office.set_pass_key(&public)?;
            }
            let claims = office.pass_claims_for(requester, input)?;
            let text = pass::sign(&claims, &secret)?;
            office.record_issued_pass(&text, requester)?;
            Ok(IssuedPass { claims, text })
        })?;
        tracing::info!(pass = %issued.claims.id, kind = ?issued.claims.kind, "pass issued");
        Ok(issued)
    }
}

/// The serving relay's office store for passes asked for from phones: opened at the first
/// request and kept, beside the admin tools' own store (which they open while it serves).
#[derive(Debug, Default)]
pub struct PassIssuer {
    /// The store's path and the office member it writes as; none: this relay issues no pass
    /// to phones.
    store: Option<(PathBuf, String)>,
    open: Mutex<Option<Admin>>,
}

impl PassIssuer {
    /// An issuer with its store at `path`, writing as the office member `admin_member`.
    pub fn new(path: PathBuf, admin_member: &str) -> PassIssuer {
        PassIssuer {
            store: Some((path, admin_member.to_owned())),
            open: Mutex::new(None),
        }
    }

    /// Signs and records the pass `request` asks for, for the member of `device`.
    pub fn issue(
        &self,
        storage: &Arc<dyn RelayStorage>,
        device: &Device,
        request: &PassRequest,
        now_ms: i64,
    ) -> Result<PassAnswer, RelayError> {
        let Some((path, member)) = &self.store else {
            return Err(RelayError::new(
                axum::http::StatusCode::NOT_IMPLEMENTED,
                "passes_not_issued",
                "this relay does not issue passes to phones (本服务器不签发通行证)",
            ));
        };
        let input = request.input()?;
        let mut open = self.open.lock().unwrap_or_else(PoisonError::into_inner);
        if open.is_none() {
            *open = Some(Admin::with_device(
                Arc::clone(storage),
                path,
                member,
                PASS_ISSUER_DEVICE,
            )?);
        }
        let admin = open
            .as_ref()
            .ok_or_else(|| RelayError::internal("no pass store"))?;
        let issued = admin.issue_pass_for(&device.member_id, &input, now_ms)?;
        Ok(PassAnswer {
            id: issued.claims.id,
            holder: issued.claims.holder,
            text: issued.text,
        })
    }
}
