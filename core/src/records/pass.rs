//! Passes (居民通行证, 夜间通行证, 临时访客证): what a pass says, signed by the relay with the
//! community's Ed25519 key, and how a gate phone checks one offline.
//!
//! A pass travels as the text of a QR code, `LINLI-PASS1.<claims>.<signature>`: the claims are
//! compact JSON and both parts base64url without padding. The signature covers the claims'
//! bytes as they appear, so a single changed byte makes the pass forged. The gate phone needs
//! only the community's public key and the list of revoked pass ids, both in the directory
//! (ids and a key: nothing personal); the pass itself names the resident and their household.
//!
//! # The order of the checks
//!
//! A pass that does not parse, or whose signature does not verify with the community's key, or
//! that was signed for another community, is **forged**. Otherwise, in this order: **revoked**
//! (the directory lists its id), **not yet valid** / **expired** (its validity, by the
//! instant of the check), **wrong gate** (it names gates and not this one), **outside hours**
//! (a night pass checked outside [`NIGHT_FROM_MINUTE`]–[`NIGHT_UNTIL_MINUTE`], local time);
//! otherwise **valid**.

use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use ed25519_dalek::{Signature, Signer, SigningKey, Verifier, VerifyingKey};
use serde::{Deserialize, Serialize};

use super::coded_enum;
use crate::error::{Error, ErrorCode, Result};

/// What every pass's text starts with.
pub const PASS_PREFIX: &str = "LINLI-PASS1.";
/// The longest pass text accepted (a QR code holds about 2,900 bytes).
pub const MAX_PASS_TEXT: usize = 2048;
/// A night pass lets its holder through from this minute of the local day (22:00) …
pub const NIGHT_FROM_MINUTE: u32 = 22 * 60;
/// … until this one (06:00).
pub const NIGHT_UNTIL_MINUTE: u32 = 6 * 60;

coded_enum! {
    /// What a pass is for.
    PassKind {
        /// 居民通行证: a resident of the compound.
        Resident = "resident" / "居民通行证",
        /// 夜间通行证: a resident who must pass at night (night shifts).
        Night = "night" / "夜间通行证",
        /// 临时访客证: a visitor, for a short time.
        Visitor = "visitor" / "临时访客证",
    }
}

coded_enum! {
    /// What checking a pass at the gate found.
    PassResult {
        /// 有效: let through.
        Valid = "valid" / "有效",
        /// 已过期.
        Expired = "expired" / "已过期",
        /// 尚未生效.
        NotYetValid = "not_yet_valid" / "尚未生效",
        /// 非本门岗.
        WrongGate = "wrong_gate" / "非本门岗",
        /// 已注销.
        Revoked = "revoked" / "已注销",
        /// 伪造或损坏.
        Forged = "forged" / "伪造或无效",
        /// 夜间通行证不在夜间时段.
        OutsideHours = "outside_hours" / "不在通行时段",
    }
}

/// What a pass says. Short field names keep the QR code small.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct PassClaims {
    /// The pass's id (ULID).
    #[serde(rename = "i")]
    pub id: String,
    /// The community that issued it.
    #[serde(rename = "c")]
    pub community: String,
    /// The holder's household.
    #[serde(rename = "h")]
    pub household: String,
    /// The holder's name, for the volunteer to compare with the person.
    #[serde(rename = "n")]
    pub holder: String,
    /// What it is for.
    #[serde(rename = "k")]
    pub kind: PassKind,
    /// Valid from (ms since the epoch).
    #[serde(rename = "f")]
    pub valid_from_ms: i64,
    /// Valid until (ms since the epoch, exclusive).
    #[serde(rename = "u")]
    pub valid_until_ms: i64,
    /// The gates it opens; empty: every gate of the community.
    #[serde(rename = "g")]
    pub gates: Vec<String>,
}

/// The validity of a pass of `kind` over whole local days, from the start of the first
/// (`from_day_start_ms`) to the end of the last (`until_day_end_ms`): a night pass covers the
/// nights that begin on those days, so its validity runs from 06:00 of the first day to 06:00
/// after the last (the small hours of the first day belong to the night before).
pub fn validity_over_days(
    kind: PassKind,
    from_day_start_ms: i64,
    until_day_end_ms: i64,
) -> (i64, i64) {
    match kind {
        PassKind::Night => {
            let shift = i64::from(NIGHT_UNTIL_MINUTE) * 60_000;
            (from_day_start_ms + shift, until_day_end_ms + shift)
        }
        _ => (from_day_start_ms, until_day_end_ms),
    }
}

/// The community's signing key, as the relay keeps it (32 secret bytes).
pub fn signing_key(secret: &[u8]) -> Result<SigningKey> {
    let bytes: [u8; 32] = secret.try_into().map_err(|_| {
        Error::invalid(
            "pass_key",
            ErrorCode::Malformed,
            "a signing key has 32 bytes",
        )
    })?;
    Ok(SigningKey::from_bytes(&bytes))
}

/// The public key of `secret`, hex, as the directory carries it.
pub fn public_key_hex(secret: &[u8]) -> Result<String> {
    Ok(hex::encode(signing_key(secret)?.verifying_key().as_bytes()))
}

/// Signs `claims` with the community's key: the text of the pass's QR code.
pub fn sign(claims: &PassClaims, secret: &[u8]) -> Result<String> {
    let key = signing_key(secret)?;
    let json = serde_json::to_vec(claims)
        .map_err(|e| Error::invalid("pass", ErrorCode::Malformed, e.to_string()))?;
    let signature = key.sign(&json);
    Ok(format!(
        "{PASS_PREFIX}{}.{}",
        URL_SAFE_NO_PAD.encode(&json),
        URL_SAFE_NO_PAD.encode(signature.to_bytes())
    ))
}

/// The claims of a pass text whose signature verifies with `public_key_hex`; `None` when the
/// text is not a pass, is damaged, or was not signed with that key (forged).
pub fn verified_claims(text: &str, public_key_hex: &str) -> Option<PassClaims> {
    let text = text.trim();
    if text.len() > MAX_PASS_TEXT {
        return None;
    }
    let body = text.strip_prefix(PASS_PREFIX)?;
    let (claims_b64, signature_b64) = body.split_once('.')?;
    let json = URL_SAFE_NO_PAD.decode(claims_b64).ok()?;
    let signature: [u8; 64] = URL_SAFE_NO_PAD
        .decode(signature_b64)
        .ok()?
        .try_into()
        .ok()?;
    let key: [u8; 32] = hex::decode(public_key_hex).ok()?.try_into().ok()?;
    let key = VerifyingKey::from_bytes(&key).ok()?;
    key.verify(&json, &Signature::from_bytes(&signature)).ok()?;
    serde_json::from_slice(&json).ok()
}

/// The claims a pass text carries, unverified: what the gate shows of a pass it refuses as
/// forged, if it can be read at all.
pub fn unverified_claims(text: &str) -> Option<PassClaims> {
    let text = text.trim();
    if text.len() > MAX_PASS_TEXT {
        return None;
    }
    let body = text.strip_prefix(PASS_PREFIX)?;
    let (claims_b64, _) = body.split_once('.')?;
    serde_json::from_slice(&URL_SAFE_NO_PAD.decode(claims_b64).ok()?).ok()
}

/// Judges verified `claims` at `gate_id`, at instant `now_ms` whose local minute of the day is
/// `local_minute`, in `community`, with `revoked` telling whether the directory lists the pass
/// (see the module's order of checks).
pub fn judge(
    claims: &PassClaims,
    community: &str,
    gate_id: &str,
    now_ms: i64,
    local_minute: u32,
    revoked: bool,
) -> PassResult {
    if claims.community != community {
        PassResult::Forged
    } else if revoked {
        PassResult::Revoked
    } else if now_ms < claims.valid_from_ms {
        PassResult::NotYetValid
    } else if now_ms >= claims.valid_until_ms {
        PassResult::Expired
    } else if !claims.gates.is_empty() && !claims.gates.iter().any(|g| g == gate_id) {
        PassResult::WrongGate
    } else if claims.kind == PassKind::Night
        && !(NIGHT_FROM_MINUTE..24 * 60).contains(&local_minute)
        && local_minute >= NIGHT_UNTIL_MINUTE
    {
        PassResult::OutsideHours
    } else {
        PassResult::Valid
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn claims() -> PassClaims {
        PassClaims {
            id: "01PASS".into(),
            community: "meiyuan".into(),
            household: "h-101".into(),
            holder: "张桂英".into(),
            kind: PassKind::Night,
            valid_from_ms: 1_000,
            valid_until_ms: 2_000,
            gates: vec!["east".into()],
        }
    }

    #[test]
    fn a_signed_pass_verifies_and_one_changed_byte_forges_it() {
        let secret = [7u8; 32];
        let public = public_key_hex(&secret).unwrap();
        let text = sign(&claims(), &secret).unwrap();
        assert!(text.starts_with(PASS_PREFIX));
        assert_eq!(verified_claims(&text, &public), Some(claims()));
        assert_eq!(
            verified_claims(&text, &public_key_hex(&[8u8; 32]).unwrap()),
            None
        );
        let mut bytes = text.clone().into_bytes();
        let last = bytes.len() - 3;
        bytes[last] = if bytes[last] == b'A' { b'B' } else { b'A' };
        let tampered = String::from_utf8(bytes).unwrap();
        assert_eq!(verified_claims(&tampered, &public), None);
        assert_eq!(unverified_claims(&tampered), Some(claims()));
        assert_eq!(verified_claims("not a pass", &public), None);
        assert_eq!(verified_claims(&"x".repeat(5000), &public), None);
    }

    #[test]
    fn a_night_pass_covers_the_nights_that_begin_on_its_days() {
        let day = 86_400_000;
        let hour = 3_600_000;
        assert_eq!(
            validity_over_days(PassKind::Night, 0, 2 * day),
            (6 * hour, 2 * day + 6 * hour)
        );
        assert_eq!(validity_over_days(PassKind::Resident, 0, day), (0, day));
    }

    #[test]
    fn the_checks_come_in_their_order() {
        let c = claims();
        let at = |now, minute, revoked| judge(&c, "meiyuan", "east", now, minute, revoked);
        assert_eq!(at(1_500, 23 * 60, false), PassResult::Valid);
        assert_eq!(at(1_500, 3 * 60, false), PassResult::Valid);
        assert_eq!(at(1_500, 14 * 60, false), PassResult::OutsideHours);
        assert_eq!(at(2_000, 23 * 60, false), PassResult::Expired);
        assert_eq!(at(999, 23 * 60, false), PassResult::NotYetValid);
        assert_eq!(at(1_500, 23 * 60, true), PassResult::Revoked);
        assert_eq!(
            judge(&c, "meiyuan", "west", 1_500, 23 * 60, false),
            PassResult::WrongGate
        );
        assert_eq!(
            judge(&c, "elsewhere", "east", 1_500, 23 * 60, false),
            PassResult::Forged
        );
        let resident = PassClaims {
            kind: PassKind::Resident,
            gates: vec![],
            ..claims()
        };
        assert_eq!(
            judge(&resident, "meiyuan", "west", 1_500, 14 * 60, false),
            PassResult::Valid
        );
    }
}
