//! Monthly evaluations (评议): the office opens a month's round; residents' representatives and
//! members rate each area lead and co-building unit (1–5 with a comment) and vote one
//! 最美楼栋长; the office closes the round and its result, counted by the rules of
//! [`crate::records::round`], is published with the day-end report of the day it closed.

use chrono::{Datelike, NaiveDate};

use super::Linli;
use crate::error::{Error, ErrorCode, Result};
use crate::ids::new_id;
use crate::records::directory::{PlaceKind, Role};
use crate::records::round::{Rating, RoundClosing, RoundDoc, RoundResult, SubjectKind, Vote};
use crate::records::{Coded, validate};
use crate::scope::Scope;

/// The prefix of round document ids.
pub const ROUND_PREFIX: &str = "round";

/// The id of the round of `month`'s month: one per month, whoever opens it.
pub fn round_doc_id(month: NaiveDate) -> String {
    format!("{ROUND_PREFIX}:{:04}-{:02}", month.year(), month.month())
}

fn round_state(id: &str, code: ErrorCode, why: &str) -> Error {
    Error::state("evaluation round", id, code, why.to_owned())
}

impl Linli {
    /// Opens the round of the month of `month` (the office). Returns its id; opening a month
    /// open already changes nothing.
    pub fn open_round(&self, month: NaiveDate) -> Result<String> {
        self.require_office("open round")?;
        let id = round_doc_id(month);
        let head = RoundDoc {
            month: id[ROUND_PREFIX.len() + 1..].to_owned(),
            opened_by: self.identity.member_id.clone(),
            opened_ms: self.now().timestamp_millis(),
            ..RoundDoc::default()
        };
        self.write(|w| {
            w.create(&id, &Scope::Evaluations)?;
            let now: RoundDoc = w.read(&id, "evaluation round")?;
            if now.month.is_empty() {
                w.edit(&id, "round.open", |e| {
                    e.put(&["month"], &head.month)?;
                    e.put(&["opened_by"], &head.opened_by)?;
                    e.put(&["opened_ms"], head.opened_ms)
                })?;
            }
            Ok(())
        })?;
        Ok(id)
    }

    /// Rates an area lead (a member id) or a co-building unit (a place id) in an open round.
    pub fn rate(
        &self,
        round_id: &str,
        kind: SubjectKind,
        subject: &str,
        score: u8,
        comment: &str,
    ) -> Result<String> {
        if !(1..=5).contains(&score) {
            return Err(Error::invalid(
                "score",
                ErrorCode::OutOfRange,
                "a rating is 1 to 5",
            ));
        }
        let comment = validate::text("comment", comment)?;
        let subject = validate::id("subject", subject)?;
        let known = match kind {
            SubjectKind::AreaLead => self
                .member_role_codes(&subject)?
                .iter()
                .any(|(r, _)| r == Role::AreaLead.code()),
            SubjectKind::Unit => self
                .places(Some(PlaceKind::Unit))?
                .iter()
                .any(|p| p.id == subject),
        };
        if !known {
            return Err(Error::invalid(
                "subject",
                ErrorCode::NotRated,
                format!("{subject} is not an active {}", kind.label_zh()),
            ));
        }
        self.require_rater()?;
        let now = self.now();
        let rating = Rating {
            id: new_id(now),
            rater: self.identity.member_id.clone(),
            device: self.identity.device_id.clone(),
            at_ms: now.timestamp_millis(),
            subject_kind: kind,
            subject,
            score: i64::from(score),
            comment,
        };
        self.cast(
            round_id,
            "round.rate",
            |round, me| {
                let again = round.ratings.iter().any(|r| {
                    r.rater == me
                        && r.subject_kind == rating.subject_kind
                        && r.subject == rating.subject
                });
                (!again).then_some(()).ok_or(ErrorCode::AlreadyRated)
            },
            |e| e.append(&["ratings"], &rating),
        )?;
        Ok(rating.id)
    }

    /// Votes for 最美楼栋长 (a building or lane lead) in an open round: once per member.
    pub fn vote(&self, round_id: &str, candidate: &str) -> Result<String> {
        let candidate = validate::id("candidate", candidate)?;
        let leads = self
            .member_role_codes(&candidate)?
            .iter()
            .any(|(r, _)| r == Role::BuildingLead.code() || r == Role::LaneLead.code());
        if !leads {
            return Err(Error::invalid(
                "candidate",
                ErrorCode::NotRated,
                format!("{candidate} leads no building or lane"),
            ));
        }
        self.require_rater()?;
        let now = self.now();
        let vote = Vote {
            id: new_id(now),
            voter: self.identity.member_id.clone(),
            device: self.identity.device_id.clone(),
            at_ms: now.timestamp_millis(),
            candidate,
        };
        self.cast(
            round_id,
            "round.vote",
            |round, me| {
                let again = round.votes.iter().any(|v| v.voter == me);
                (!again).then_some(()).ok_or(ErrorCode::AlreadyVoted)
            },
            |e| e.append(&["votes"], &vote),
        )?;
        Ok(vote.id)
    }

    /// Closes a round (the office): what comes after no longer counts; its result is published.
    pub fn close_round(&self, round_id: &str) -> Result<RoundResult> {
        self.require_office("close round")?;
        let closing = RoundClosing {
            by: self.identity.member_id.clone(),
            at_ms: self.now().timestamp_millis(),
        };
        self.write(|w| {
            let round: RoundDoc = w.read(round_id, "evaluation round")?;
            if round.closed.is_some() {
                return Err(round_state(
                    round_id,
                    ErrorCode::RoundClosed,
                    "closed already",
                ));
            }
            w.edit(round_id, "round.close", |e| e.put(&["closed"], &closing))?;
            Ok(())
        })?;
        self.round_result(round_id)
    }

    /// A round's result by the counting rules, open or closed.
    pub fn round_result(&self, round_id: &str) -> Result<RoundResult> {
        Ok(self
            .read_record::<RoundDoc>(round_id, "evaluation round")?
            .result())
    }

    /// Appends what `edit` writes to an open round, once `check` finds the acting member may.
    fn cast(
        &self,
        round_id: &str,
        action: &str,
        check: impl FnOnce(&RoundDoc, &str) -> std::result::Result<(), ErrorCode>,
        edit: impl FnOnce(&mut crate::doc::DocEditor<'_>) -> Result<()>,
    ) -> Result<()> {
        let me = self.identity.member_id.clone();
        self.write(|w| {
            let round: RoundDoc = w.read(round_id, "evaluation round")?;
            if round.month.is_empty() {
                return Err(round_state(round_id, ErrorCode::RoundClosed, "not opened"));
            }
            if round.closed.is_some() {
                return Err(round_state(round_id, ErrorCode::RoundClosed, "closed"));
            }
            check(&round, &me).map_err(|code| round_state(round_id, code, "once per member"))?;
            w.edit(round_id, action, edit)?;
            Ok(())
        })
    }

    fn require_office(&self, action: &str) -> Result<()> {
        if self.is_office(&self.identity.member_id)? {
            Ok(())
        } else {
            Err(Error::forbidden(
                action,
                ErrorCode::RoleRequired,
                "需要社区办公室角色",
            ))
        }
    }

    /// Raters are the community's active members: not a department's staff alone.
    fn require_rater(&self) -> Result<()> {
        let roles = self.member_role_codes(&self.identity.member_id)?;
        if roles.iter().any(|(r, _)| r != Role::DepartmentStaff.code()) {
            Ok(())
        } else {
            Err(Error::forbidden(
                "evaluate",
                ErrorCode::RoleRequired,
                "需要居民代表或社区成员角色",
            ))
        }
    }
}
