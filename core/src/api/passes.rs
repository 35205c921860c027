//! Passes (凭证出入): the claims of a pass the office or a gate lead asks for, checked before
//! the relay signs them; the signed pass recorded in its holder's household, where the lead's
//! phone shows its QR code; revocation (the office, through the directory); and the gate
//! phone's offline check of a scanned or typed pass, which logs a gate entry with the result.
//! What a pass says and the order of the checks are in [`crate::records::pass`].

use std::collections::BTreeMap;

use autosurgeon::Hydrate;
use chrono::Timelike;

use super::Linli;
use super::duty::GATE_ROLES;
use crate::DocKind;
use crate::error::{Error, ErrorCode, Result};
use crate::ids::new_id;
use crate::records::directory::{RevokedPass, Role};
use crate::records::gate_log::GateEntryKind;
use crate::records::household::{HouseholdHead, IssuedPass};
use crate::records::pass::{
    self, PassClaims, PassKind, PassResult, unverified_claims, verified_claims,
};
use crate::records::validate;

/// The longest a pass may last: a year.
pub const MAX_PASS_DAYS: i64 = 366;

/// A pass to issue.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct PassInput {
    /// The household the holder lives in (or, for a visitor pass, visits).
    pub household_id: String,
    /// The resident it is for (resident and night passes).
    pub resident_id: Option<String>,
    /// The visitor's name (visitor passes).
    pub visitor_name: String,
    /// What it is for.
    pub kind: PassKind,
    /// Valid from (ms since the epoch).
    pub valid_from_ms: i64,
    /// Valid until (ms, exclusive).
    pub valid_until_ms: i64,
    /// The gates it opens; empty: every gate.
    pub gates: Vec<String>,
    /// Where the holder lives, when the household and resident are not named by id: a gate
    /// lead's phone holds no household, so the relay finds them (see [`PassAddress`]).
    pub address: Option<PassAddress>,
}

/// A holder's home as the gate lead asks for it (the gate phone lists no residents): the
/// household at a room of a building (and unit, where rooms repeat), and the resident of
/// that name (none for a visitor pass).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct PassAddress {
    /// The building.
    pub building_id: String,
    /// The unit; empty when the room alone names the household.
    pub unit: String,
    /// The room.
    pub room: String,
    /// The resident's name, as the household records it.
    pub resident_name: String,
}

/// A pass over whole local days, as a person asks for one (the office's tools, the gate
/// lead's phone): [`Linli::pass_over_days`] turns it into a [`PassInput`].
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct PassDays {
    /// The household the holder lives in (or, for a visitor pass, visits).
    pub household_id: String,
    /// The resident it is for (resident and night passes).
    pub resident_id: Option<String>,
    /// The visitor's name (visitor passes).
    pub visitor_name: String,
    /// What it is for.
    pub kind: PassKind,
    /// Its first day.
    pub from: chrono::NaiveDate,
    /// Its last day.
    pub until: chrono::NaiveDate,
    /// The gates it opens; empty: every gate.
    pub gates: Vec<String>,
    /// Where the holder lives, instead of the ids (see [`PassInput::address`]).
    pub address: Option<PassAddress>,
}

/// What checking a pass at the gate found.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PassCheck {
    /// The result.
    pub result: PassResult,
    /// What the pass says, when it could be read (a forged pass's claims are not to be
    /// believed: they are shown so that the volunteer can say what was refused).
    pub claims: Option<PassClaims>,
    /// The gate entry that records the check.
    pub entry_id: String,
}

/// The directory's pass fields, read without the rest.
#[derive(Debug, Default, Hydrate)]
struct DirectoryPasses {
    #[autosurgeon(missing = "Default::default")]
    pass_key: String,
    #[autosurgeon(missing = "Default::default")]
    revoked_passes: BTreeMap<String, RevokedPass>,
}

/// The household's passes, read without its visits.
#[derive(Debug, Default, Hydrate)]
struct HouseholdPasses {
    #[autosurgeon(missing = "Default::default")]
    passes: BTreeMap<String, IssuedPass>,
}

impl Linli {
    fn directory_passes(&self) -> Result<DirectoryPasses> {
        let doc_id = self.community()?.directory_doc;
        self.read_record_as(&doc_id, DocKind::Directory, "directory")
    }

    /// The claims of `input` asked for by the acting member, checked, with a new id: what the
    /// relay signs. See [`Linli::pass_claims_for`].
    pub fn pass_claims(&self, input: &PassInput) -> Result<PassClaims> {
        self.pass_claims_for(&self.identity.member_id, input)
    }

    /// The claims of `input` asked for by `requester`, checked against this store's
    /// directory, with a new id: the relay's check of a gate lead's request from the phone.
    /// The office may issue any pass; a gate lead, passes for their own gates only.
    pub fn pass_claims_for(&self, requester: &str, input: &PassInput) -> Result<PassClaims> {
        let community = self.community()?;
        if input.gates.is_empty() {
            self.require_role_of(requester, "issue a pass for every gate", &[], "community")?;
        }
        for gate in &input.gates {
            self.require_gate(gate)?;
            self.require_role_of(requester, "issue a pass", &[Role::GateLead], gate)?;
        }
        let (household_id, resident_id) = self.pass_holder(input)?;
        let household: HouseholdHead =
            self.read_record_as(&household_id, DocKind::Household, "household")?;
        let holder = match (input.kind, &resident_id) {
            (PassKind::Visitor, _) => validate::name("visitor_name", &input.visitor_name)?,
            (_, Some(resident)) => household
                .residents
                .get(resident)
                .map(|r| r.name.clone())
                .ok_or_else(|| Error::NotFound {
                    what: "resident",
                    id: resident.clone(),
                })?,
            (_, None) => {
                return Err(Error::invalid(
                    "resident_id",
                    ErrorCode::NotAResident,
                    "a resident or night pass names a resident of the household",
                ));
            }
        };
        if input.valid_until_ms <= input.valid_from_ms {
            return Err(Error::invalid(
                "valid_until",
                ErrorCode::EndsBeforeStart,
                "a pass ends after it starts (结束时间须晚于开始时间)",
            ));
        }
        if input.valid_until_ms - input.valid_from_ms > MAX_PASS_DAYS * 86_400_000 {
            return Err(Error::invalid(
                "valid_until",
                ErrorCode::SpanTooLong,
                format!("a pass lasts at most {MAX_PASS_DAYS} days"),
            ));
        }
        Ok(PassClaims {
            id: new_id(self.now()),
            community: community.id,
            household: household_id,
            holder,
            kind: input.kind,
            valid_from_ms: input.valid_from_ms,
            valid_until_ms: input.valid_until_ms,
            gates: input.gates.clone(),
        })
    }

    /// The household and resident a pass request names: its ids, or the ones found at its
    /// address ([`PassAddress`]): exactly one household at the room, exactly one resident of
    /// the name.
    fn pass_holder(&self, input: &PassInput) -> Result<(String, Option<String>)> {
        let Some(address) = &input.address else {
            return Ok((input.household_id.clone(), input.resident_id.clone()));
        };
        let (unit, room) = (address.unit.trim(), address.room.trim());
        let found: Vec<String> = self.store.read(|c| {
            let mut stmt = c.prepare_cached(
                "SELECT doc_id FROM p_households WHERE building_id = ?1 AND room = ?2 \
                 AND (?3 = '' OR unit = ?3) LIMIT 2",
            )?;
            let rows = stmt.query_map(rusqlite::params![address.building_id, room, unit], |r| {
                r.get(0)
            })?;
            Ok(rows.collect::<rusqlite::Result<_>>()?)
        })?;
        let household_id = match found.as_slice() {
            [one] => one.clone(),
            [] => {
                return Err(Error::NotFound {
                    what: "household",
                    id: format!("{} {unit} {room}", address.building_id),
                });
            }
            _ => {
                return Err(Error::invalid(
                    "unit",
                    ErrorCode::Ambiguous,
                    "several households have this room: name the unit (请填写单元)",
                ));
            }
        };
        if input.kind == PassKind::Visitor {
            return Ok((household_id, None));
        }
        let household: HouseholdHead =
            self.read_record_as(&household_id, DocKind::Household, "household")?;
        let name = address.resident_name.trim();
        let named: Vec<&String> = household
            .residents
            .iter()
            .filter(|(_, r)| r.name == name)
            .map(|(id, _)| id)
            .collect();
        match named.as_slice() {
            [one] => Ok((household_id, Some((*one).clone()))),
            [] => Err(Error::NotFound {
                what: "resident",
                id: "(by name)".into(),
            }),
            _ => Err(Error::invalid(
                "resident_name",
                ErrorCode::Ambiguous,
                "two residents of the household have this name (同户同名，请由社区办公室签发)",
            )),
        }
    }

    /// The pass `days` asks for: valid from the start of its first day to the end of its
    /// last in the community's time (a night pass, over the nights that begin on them).
    pub fn pass_over_days(&self, days: &PassDays) -> Result<PassInput> {
        if days.until < days.from {
            return Err(Error::invalid(
                "valid_until",
                ErrorCode::EndsBeforeStart,
                "a pass ends after it starts (结束日期须不早于开始日期)",
            ));
        }
        let community = self.community()?;
        let (valid_from_ms, valid_until_ms) = pass::validity_over_days(
            days.kind,
            community.day_bounds_ms(days.from).0,
            community.day_bounds_ms(days.until).1,
        );
        Ok(PassInput {
            household_id: days.household_id.clone(),
            resident_id: days.resident_id.clone(),
            visitor_name: days.visitor_name.clone(),
            kind: days.kind,
            valid_from_ms,
            valid_until_ms,
            gates: days.gates.clone(),
            address: days.address.clone(),
        })
    }

    /// The community's public key for passes (hex), empty before the first pass.
    pub fn pass_key(&self) -> Result<String> {
        Ok(self.directory_passes()?.pass_key)
    }

    /// Sets the community's public key for passes (hex Ed25519): the relay that signs them
    /// does, through the office's store.
    pub fn set_pass_key(&self, public_key_hex: &str) -> Result<()> {
        self.require_role("set the pass key", &[], "community")?;
        let key = public_key_hex.trim().to_ascii_lowercase();
        if key.len() != 64 || hex::decode(&key).is_err() {
            return Err(Error::invalid(
                "pass_key",
                ErrorCode::Malformed,
                "an Ed25519 public key: 64 hex digits",
            ));
        }
        let doc_id = self.community()?.directory_doc;
        self.write(|w| {
            w.edit(&doc_id, "community.pass_key", |e| {
                // The revocation list is made with the key, by the relay alone: a pass can be
                // revoked only once one was issued, so no two devices make it at once.
                e.ensure_root_map("revoked_passes")?;
                e.put(&["pass_key"], key.as_str())
            })?;
            Ok(())
        })
    }

    /// Records a pass the relay signed, asked for by `issued_by`, in its holder's household,
    /// where the lead's phone shows it; refused unless it verifies with the community's key.
    pub fn record_issued_pass(&self, text: &str, issued_by: &str) -> Result<PassClaims> {
        let key = self.directory_passes()?.pass_key;
        let claims = verified_claims(text, &key).ok_or_else(|| {
            Error::invalid(
                "pass",
                ErrorCode::BadSignature,
                "not signed with the community's key (签名无效)",
            )
        })?;
        let issued = IssuedPass {
            kind: claims.kind,
            holder: claims.holder.clone(),
            valid_from_ms: claims.valid_from_ms,
            valid_until_ms: claims.valid_until_ms,
            gates: claims.gates.clone(),
            text: text.trim().to_owned(),
            issued_by: issued_by.to_owned(),
            issued_at_ms: self.now().timestamp_millis(),
        };
        self.edit_household(&claims.household, "household.pass", |e| {
            e.ensure_root_map("passes")?;
            e.put(&["passes", &claims.id], &issued)
        })?;
        Ok(claims)
    }

    /// The passes issued to `household_id`'s residents, by id.
    pub fn passes(&self, household_id: &str) -> Result<BTreeMap<String, IssuedPass>> {
        let h: HouseholdPasses =
            self.read_record_as(household_id, DocKind::Household, "household")?;
        Ok(h.passes)
    }

    /// The ids of the revoked passes.
    pub fn revoked_passes(&self) -> Result<std::collections::BTreeSet<String>> {
        Ok(self
            .directory_passes()?
            .revoked_passes
            .into_keys()
            .collect())
    }

    /// Revokes a pass (office): every gate phone refuses it from its next sync on.
    pub fn revoke_pass(&self, pass_id: &str) -> Result<()> {
        self.require_role("revoke a pass", &[], "community")?;
        let pass_id = validate::id("pass_id", pass_id)?;
        let doc_id = self.community()?.directory_doc;
        let revoked = RevokedPass {
            at_ms: self.now().timestamp_millis(),
            by: self.identity.member_id.clone(),
        };
        self.write(|w| {
            w.edit(&doc_id, "community.revoke_pass", |e| {
                e.ensure_root_map("revoked_passes")?;
                e.put(&["revoked_passes", &pass_id], &revoked)
            })?;
            Ok(())
        })
    }

    /// Checks a scanned or typed pass at `gate_id`, offline: the signature with the
    /// community's key, the community, revocation, validity, the gate and a night pass's
    /// hours. Every check is a gate entry with its result (no name).
    pub fn check_pass(&self, gate_id: &str, text: &str) -> Result<PassCheck> {
        self.require_gate(gate_id)?;
        self.require_role("check a pass", GATE_ROLES, gate_id)?;
        let community = self.community()?;
        let directory = self.directory_passes()?;
        let now = self.now();
        let (result, claims) = match verified_claims(text, &directory.pass_key) {
            Some(claims) => {
                let local = now.with_timezone(&community.offset());
                let result = pass::judge(
                    &claims,
                    &community.id,
                    gate_id,
                    now.timestamp_millis(),
                    local.hour() * 60 + local.minute(),
                    directory.revoked_passes.contains_key(&claims.id),
                );
                (result, Some(claims))
            }
            None => (PassResult::Forged, unverified_claims(text)),
        };
        let entry_id = self.append_gate_entry(
            gate_id,
            "gate.pass_check",
            GateEntryKind::PassCheck {
                // A forged pass's id is whatever its maker wrote: kept only when it looks
                // like an id.
                pass_id: claims
                    .as_ref()
                    .and_then(|c| validate::id("pass_id", &c.id).ok())
                    .unwrap_or_default(),
                kind: claims.as_ref().map(|c| c.kind),
                result,
            },
        )?;
        Ok(PassCheck {
            result,
            claims,
            entry_id,
        })
    }

    /// The pass checks logged as valid after their pass had been revoked (the gate had not
    /// synced the revocation yet): flagged once the revocation arrives. (entry id, gate, pass
    /// id, when).
    pub fn passes_let_through_after_revocation(
        &self,
    ) -> Result<Vec<(String, String, String, i64)>> {
        let revoked = self.directory_passes()?.revoked_passes;
        if revoked.is_empty() {
            return Ok(Vec::new());
        }
        let rows: Vec<(String, String, String, i64)> = self.store.read(|c| {
            let mut stmt = c.prepare_cached(
                "SELECT entry_id, gate_id, summary, at_ms FROM p_gate_entries \
                 WHERE kind = 'pass_valid' ORDER BY at_ms, entry_id",
            )?;
            let rows = stmt.query_map([], |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?, r.get(3)?)))?;
            Ok(rows.collect::<rusqlite::Result<_>>()?)
        })?;
        Ok(rows
            .into_iter()
            .filter(|(_, _, pass, at)| revoked.get(pass).is_some_and(|r| r.at_ms <= *at))
            .collect())
    }
}
