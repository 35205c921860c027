//! Issuing passes from the office's tools: the relay holds the community's Ed25519 signing key
//! (made with the first pass, kept in its database, never sent anywhere), publishes its public
//! half in the directory, signs the claims the office asks for and records the signed pass in
//! its holder's household, from where the lead's phone shows it at its next sync.

use linli_core::api::passes::PassInput;
use linli_core::records::pass::{self, PassClaims};

use crate::admin::Admin;
use crate::error::RelayError;

/// A pass the relay signed.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct IssuedPass {
    /// What it says.
    pub claims: PassClaims,
    /// The text of its QR code.
    pub text: String,
}

impl Admin {
    /// Issues a pass: checks `input` (as the office), signs it with the community's key and
    /// records it in the holder's household.
    pub fn issue_pass(&self, input: &PassInput, now_ms: i64) -> Result<IssuedPass, RelayError> {
        let secret = self
            .storage()
            .pass_signing_key(&rand::random::<[u8; 32]>(), now_ms)?;
        let public = pass::public_key_hex(&secret)?;
        let issued = self.run(|office| {
            if office.pass_key()? != public {
                office.set_pass_key(&public)?;
            }
            let claims = office.pass_claims(input)?;
            let text = pass::sign(&claims, &secret)?;
            office.record_issued_pass(&text)?;
            Ok(IssuedPass { claims, text })
        })?;
        tracing::info!(pass = %issued.claims.id, kind = ?issued.claims.kind, "pass issued");
        Ok(issued)
    }
}
