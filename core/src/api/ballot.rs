//! The month's evaluation round as one member's phone shows it (评议): whom they may rate and
//! whom they may vote for, by name, what they already cast, whether they may still cast and
//! whether they may open or close it, beside the result counted so far.

use chrono::NaiveDate;

use super::Linli;
use super::evaluations::round_doc_id;
use crate::error::{Error, Result};
use crate::records::directory::{PlaceKind, Role};
use crate::records::round::{RoundDoc, RoundResult, SubjectKind};

/// Someone or something the member may rate, with the member's own counted score if any.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct BallotSubject {
    /// An area lead (member) or a co-building unit (place).
    pub kind: SubjectKind,
    /// The member or place id.
    pub id: String,
    /// Its name.
    pub name: String,
    /// The score the member gave first in this round.
    pub my_score: Option<u8>,
}

/// A building or lane lead the member may vote for as 最美楼栋长.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct BallotCandidate {
    /// The member id.
    pub id: String,
    /// Their name.
    pub name: String,
}

/// The round of a month as the acting member sees it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Ballot {
    /// The round's id (`round:<YYYY-MM>`).
    pub round_id: String,
    /// Area leads, then co-building units, each by name.
    pub subjects: Vec<BallotSubject>,
    /// Building and lane leads, by name.
    pub candidates: Vec<BallotCandidate>,
    /// Whom the member voted for first in this round.
    pub my_vote: Option<String>,
    /// The round is open and the member is one who rates (not a department's staff alone).
    pub may_cast: bool,
    /// The member is the office: may close the round.
    pub may_close: bool,
    /// The result counted so far (published once closed).
    pub result: RoundResult,
}

impl Linli {
    /// The round of `month`'s month as the acting member sees it; none while nobody opened it.
    pub fn ballot(&self, month: NaiveDate) -> Result<Option<Ballot>> {
        let round_id = round_doc_id(month);
        let round: RoundDoc = match self.read_record(&round_id, "evaluation round") {
            Ok(r) => r,
            Err(Error::NotFound { .. }) => return Ok(None),
            Err(e) => return Err(e),
        };
        if round.month.is_empty() {
            return Ok(None);
        }
        let me = self.identity.member_id.clone();
        let mut my_ratings = round
            .ratings
            .iter()
            .filter(|r| r.rater == me)
            .collect::<Vec<_>>();
        my_ratings.sort_by(|a, b| (a.at_ms, &a.id).cmp(&(b.at_ms, &b.id)));
        let my_score = |kind: SubjectKind, id: &str| {
            my_ratings
                .iter()
                .find(|r| r.subject_kind == kind && r.subject == id)
                .and_then(|r| u8::try_from(r.score).ok())
        };
        let my_vote = round
            .votes
            .iter()
            .filter(|v| v.voter == me)
            .min_by(|a, b| (a.at_ms, &a.id).cmp(&(b.at_ms, &b.id)))
            .map(|v| v.candidate.clone());

        let mut subjects = Vec::new();
        let mut candidates = Vec::new();
        let mut may_cast = false;
        for m in self.members()?.into_iter().filter(|m| m.active) {
            let roles: Vec<Role> = m.roles.iter().map(|r| r.role).collect();
            if m.id == me {
                may_cast = roles.iter().any(|r| *r != Role::DepartmentStaff);
            }
            if roles.contains(&Role::AreaLead) {
                subjects.push(BallotSubject {
                    kind: SubjectKind::AreaLead,
                    my_score: my_score(SubjectKind::AreaLead, &m.id),
                    id: m.id.clone(),
                    name: m.name.clone(),
                });
            }
            if roles.contains(&Role::BuildingLead) || roles.contains(&Role::LaneLead) {
                candidates.push(BallotCandidate {
                    id: m.id,
                    name: m.name,
                });
            }
        }
        for unit in self.places(Some(PlaceKind::Unit))? {
            subjects.push(BallotSubject {
                kind: SubjectKind::Unit,
                my_score: my_score(SubjectKind::Unit, &unit.id),
                id: unit.id,
                name: unit.name,
            });
        }
        let result = round.result();
        Ok(Some(Ballot {
            round_id,
            subjects,
            candidates,
            my_vote,
            may_cast: may_cast && !result.closed,
            may_close: !result.closed && self.is_office(&me)?,
            result,
        }))
    }
}
