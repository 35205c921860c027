//! Scopes: the unit of sync and of access control. Every document lives in exactly one scope,
//! fixed when it is created: the community directory in `community`, tickets in `tickets`, the
//! needs list in `needs`, the evaluation rounds in `evaluations`, a
//! household in `building/<id>`, a gate's roster weeks in `gate/<id>/roster` and its day logs in
//! `gate/<id>/log`, a department's work orders in `department/<id>`, a joint action in `joint/<id>`. The relay keeps one change log per scope and checks each member's right to
//! read and write it (see [`crate::api::access`]).

use std::fmt;

use crate::doc::DocKind;
use crate::error::{Error, ErrorCode, Result};
use crate::ids::{GATE_LOG_PREFIX, ROSTER_PREFIX, parse_case_doc_id, parse_gate_doc_id};
use crate::records::validate;

/// A scope.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Scope {
    /// The community directory.
    Community,
    /// Every complaint ticket.
    Tickets,
    /// The community's needs list.
    Needs,
    /// The monthly evaluation rounds.
    Evaluations,
    /// The households of one building.
    Building(String),
    /// The roster weeks of one gate.
    GateRoster(String),
    /// The day logs of one gate.
    GateLog(String),
    /// The work orders of one department.
    Department(String),
    /// One joint action across departments.
    Joint(String),
}

impl Scope {
    /// Parses a scope's text form.
    pub fn parse(text: &str) -> Result<Scope> {
        let bad = || {
            Error::invalid(
                "scope",
                ErrorCode::UnknownValue,
                format!("unknown scope {text:?}"),
            )
        };
        match text {
            "community" => return Ok(Scope::Community),
            "tickets" => return Ok(Scope::Tickets),
            "needs" => return Ok(Scope::Needs),
            "evaluations" => return Ok(Scope::Evaluations),
            _ => {}
        }
        if let Some(b) = text.strip_prefix("building/") {
            return Ok(Scope::Building(
                validate::id("scope", b).map_err(|_| bad())?,
            ));
        }
        if let Some(j) = text.strip_prefix("joint/") {
            return Ok(Scope::Joint(validate::id("scope", j).map_err(|_| bad())?));
        }
        if let Some(d) = text.strip_prefix("department/") {
            return Ok(Scope::Department(
                validate::id("scope", d).map_err(|_| bad())?,
            ));
        }
        let gate = text.strip_prefix("gate/").ok_or_else(bad)?;
        let (gate, part) = gate.rsplit_once('/').ok_or_else(bad)?;
        let gate = validate::id("scope", gate).map_err(|_| bad())?;
        match part {
            "roster" => Ok(Scope::GateRoster(gate)),
            "log" => Ok(Scope::GateLog(gate)),
            _ => Err(bad()),
        }
    }

    /// The place whose roles grant access to this scope, if any.
    pub fn place(&self) -> Option<&str> {
        match self {
            Scope::Community
            | Scope::Tickets
            | Scope::Needs
            | Scope::Evaluations
            | Scope::Joint(_) => None,
            Scope::Building(p)
            | Scope::GateRoster(p)
            | Scope::GateLog(p)
            | Scope::Department(p) => Some(p),
        }
    }

    /// The kind of the documents this scope holds.
    pub fn kind(&self) -> DocKind {
        match self {
            Scope::Community => DocKind::Directory,
            Scope::Tickets => DocKind::Ticket,
            Scope::Needs => DocKind::Need,
            Scope::Evaluations => DocKind::Round,
            Scope::Building(_) => DocKind::Household,
            Scope::GateRoster(_) => DocKind::Roster,
            Scope::GateLog(_) => DocKind::GateLog,
            Scope::Department(_) => DocKind::Case,
            Scope::Joint(_) => DocKind::Joint,
        }
    }

    /// Checks that document `doc_id` of `kind` may live in this scope: the kind must match, and
    /// a roster or gate log must belong to this scope's gate, a work order to its department.
    pub fn check_document(&self, doc_id: &str, kind: DocKind) -> Result<()> {
        if kind != self.kind() {
            return Err(Error::invalid(
                "scope",
                ErrorCode::WrongScope,
                format!("a {} cannot live in scope {self}", kind.as_str()),
            ));
        }
        let gate_of = |prefix| parse_gate_doc_id(prefix, doc_id).map(|(g, _)| g.to_owned());
        let expected_gate = match self {
            Scope::GateRoster(g) => Some((g, gate_of(ROSTER_PREFIX))),
            Scope::GateLog(g) => Some((g, gate_of(GATE_LOG_PREFIX))),
            Scope::Department(d) => Some((d, parse_case_doc_id(doc_id).map(str::to_owned))),
            Scope::Joint(j) => Some((
                j,
                doc_id
                    .strip_prefix(crate::ids::JOINT_PREFIX)
                    .and_then(|rest| rest.strip_prefix(':'))
                    .map(str::to_owned),
            )),
            _ => None,
        };
        if let Some((gate, found)) = expected_gate
            && found.as_ref() != Some(gate)
        {
            return Err(Error::invalid(
                "scope",
                ErrorCode::WrongScope,
                format!("document {doc_id} does not belong to scope {self}"),
            ));
        }
        Ok(())
    }
}

impl fmt::Display for Scope {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Scope::Community => f.write_str("community"),
            Scope::Tickets => f.write_str("tickets"),
            Scope::Needs => f.write_str("needs"),
            Scope::Evaluations => f.write_str("evaluations"),
            Scope::Building(b) => write!(f, "building/{b}"),
            Scope::GateRoster(g) => write!(f, "gate/{g}/roster"),
            Scope::GateLog(g) => write!(f, "gate/{g}/log"),
            Scope::Department(d) => write!(f, "department/{d}"),
            Scope::Joint(j) => write!(f, "joint/{j}"),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn scopes_round_trip_through_text() {
        for s in [
            Scope::Community,
            Scope::Tickets,
            Scope::Needs,
            Scope::Evaluations,
            Scope::Building("b-1".into()),
            Scope::GateRoster("g.east".into()),
            Scope::GateLog("G_2".into()),
            Scope::Department("dept-cg".into()),
            Scope::Joint("01J".into()),
        ] {
            assert_eq!(Scope::parse(&s.to_string()).unwrap(), s);
        }
    }

    #[test]
    fn malformed_scopes_are_refused() {
        for bad in [
            "",
            "communities",
            "building/",
            "building/a/b",
            "gate/g",
            "gate/g/roster/x",
            "gate//log",
            "gate/g/visits",
            "department/",
            "department/a/b",
        ] {
            assert!(Scope::parse(bad).is_err(), "{bad:?} parsed");
        }
    }

    #[test]
    fn documents_must_match_their_scope() {
        let roster = Scope::GateRoster("g1".into());
        assert!(
            roster
                .check_document("roster:g1:2026-11-23", DocKind::Roster)
                .is_ok()
        );
        assert!(
            roster
                .check_document("roster:g2:2026-11-23", DocKind::Roster)
                .is_err()
        );
        assert!(roster.check_document("x", DocKind::Ticket).is_err());
        assert!(
            Scope::GateLog("g1".into())
                .check_document("gatelog:g1:2026-11-23", DocKind::GateLog)
                .is_ok()
        );
        assert!(
            Scope::Tickets
                .check_document("01J", DocKind::Household)
                .is_err()
        );
        let police = Scope::Department("dept-police".into());
        assert!(
            police
                .check_document("case:dept-police:01J", DocKind::Case)
                .is_ok()
        );
        assert!(
            police
                .check_document("case:dept-cg:01J", DocKind::Case)
                .is_err()
        );
    }
}
