//! A monthly evaluation round (评议): residents' representatives and members rate each area lead
//! (片区长) and co-building unit from 1 to 5 with a comment, and vote one 最美楼栋长; the office
//! opens the round and closes it, and the result is published with the day-end report.
//!
//! # Counting rules
//!
//! Ratings and votes are append-only lists. Each member counts once per round: of a member's
//! votes, the earliest (by time, then id) counts; of a member's ratings of one subject, likewise.
//! A second vote made on another phone offline is therefore kept, reported as a double vote,
//! and never counted, on every replica alike. Only what was cast before the round closed counts.
//! The 最美楼栋长 is the candidate with the most counted votes, ties broken by member id.

use std::collections::BTreeMap;

use autosurgeon::{Hydrate, Reconcile};

use super::coded_enum;
use crate::doc::{DocKind, Record};

coded_enum! {
    /// Who is rated.
    SubjectKind {
        /// 片区长.
        AreaLead = "area_lead" / "片区长",
        /// 共建单位.
        Unit = "unit" / "共建单位",
    }
}

/// One rating: append-only.
#[derive(Debug, Clone, Default, PartialEq, Hydrate, Reconcile)]
pub struct Rating {
    /// Id (ULID).
    pub id: String,
    /// The rating member.
    pub rater: String,
    /// Their device.
    pub device: String,
    /// When (ms since the epoch).
    pub at_ms: i64,
    /// Whom: an area lead or a unit.
    pub subject_kind: SubjectKind,
    /// The member or unit (place) id.
    pub subject: String,
    /// 1 to 5.
    pub score: i64,
    /// In words.
    pub comment: String,
}

/// One vote for 最美楼栋长: append-only.
#[derive(Debug, Clone, Default, PartialEq, Hydrate, Reconcile)]
pub struct Vote {
    /// Id (ULID).
    pub id: String,
    /// The voting member.
    pub voter: String,
    /// Their device.
    pub device: String,
    /// When (ms since the epoch).
    pub at_ms: i64,
    /// The building lead voted for (a member id).
    pub candidate: String,
}

/// The office closing the round.
#[derive(Debug, Clone, Default, PartialEq, Hydrate, Reconcile)]
pub struct RoundClosing {
    /// Who.
    pub by: String,
    /// When (ms since the epoch).
    pub at_ms: i64,
}

/// The round document, one per month (`round:<YYYY-MM>`).
#[derive(Debug, Clone, Default, PartialEq, Hydrate, Reconcile)]
pub struct RoundDoc {
    /// The month, `YYYY-MM`.
    pub month: String,
    /// Who opened it.
    pub opened_by: String,
    /// When (ms since the epoch).
    pub opened_ms: i64,
    /// Ratings.
    pub ratings: Vec<Rating>,
    /// Votes.
    pub votes: Vec<Vote>,
    /// The closing, once closed.
    pub closed: Option<RoundClosing>,
}

impl Record for RoundDoc {
    const KIND: DocKind = DocKind::Round;
}

/// One subject's counted ratings.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct SubjectResult {
    /// Area lead or unit.
    pub kind: SubjectKind,
    /// The member or unit id.
    pub subject: String,
    /// Ratings counted.
    pub ratings: u32,
    /// Their mean, in hundredths (4.25 → 425).
    pub mean_x100: u32,
}

/// One candidate's counted votes.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct CandidateResult {
    /// The building lead.
    pub candidate: String,
    /// Votes counted.
    pub votes: u32,
}

/// A round's result by the counting rules: the same on every replica holding the same changes.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct RoundResult {
    /// The month, `YYYY-MM`.
    pub month: String,
    /// Whether the office closed it (a closed round's result is published).
    pub closed: bool,
    /// Per subject, by kind then id.
    pub subjects: Vec<SubjectResult>,
    /// Per candidate, most votes first (then by id).
    pub candidates: Vec<CandidateResult>,
    /// 最美楼栋长: the first candidate, if anyone voted.
    pub winner: Option<String>,
    /// Members who voted more than once (their first vote alone counts).
    pub double_voters: Vec<String>,
}

impl RoundDoc {
    /// The result by the module's counting rules.
    pub fn result(&self) -> RoundResult {
        let until = self.closed.as_ref().map_or(i64::MAX, |c| c.at_ms);
        let first_of = |a: (i64, &String), b: (i64, &String)| a < b;
        let mut votes: BTreeMap<&str, &Vote> = BTreeMap::new();
        let mut cast: BTreeMap<&str, u32> = BTreeMap::new();
        for v in self.votes.iter().filter(|v| v.at_ms <= until) {
            *cast.entry(&v.voter).or_default() += 1;
            let keep = votes
                .get(v.voter.as_str())
                .is_none_or(|kept| first_of((v.at_ms, &v.id), (kept.at_ms, &kept.id)));
            if keep {
                votes.insert(&v.voter, v);
            }
        }
        let mut tally: BTreeMap<&str, u32> = BTreeMap::new();
        for v in votes.values() {
            *tally.entry(&v.candidate).or_default() += 1;
        }
        let mut candidates: Vec<CandidateResult> = tally
            .into_iter()
            .map(|(c, n)| CandidateResult {
                candidate: c.to_owned(),
                votes: n,
            })
            .collect();
        candidates.sort_by(|a, b| b.votes.cmp(&a.votes).then(a.candidate.cmp(&b.candidate)));
        let mut ratings: BTreeMap<(&str, SubjectKind, &str), &Rating> = BTreeMap::new();
        for r in self
            .ratings
            .iter()
            .filter(|r| r.at_ms <= until && (1..=5).contains(&r.score))
        {
            let key = (r.rater.as_str(), r.subject_kind, r.subject.as_str());
            let keep = ratings
                .get(&key)
                .is_none_or(|kept| first_of((r.at_ms, &r.id), (kept.at_ms, &kept.id)));
            if keep {
                ratings.insert(key, r);
            }
        }
        let mut sums: BTreeMap<(SubjectKind, &str), (u32, u32)> = BTreeMap::new();
        for r in ratings.values() {
            let entry = sums.entry((r.subject_kind, &r.subject)).or_default();
            entry.0 += 1;
            entry.1 += r.score as u32;
        }
        RoundResult {
            month: self.month.clone(),
            closed: self.closed.is_some(),
            subjects: sums
                .into_iter()
                .map(|((kind, subject), (n, sum))| SubjectResult {
                    kind,
                    subject: subject.to_owned(),
                    ratings: n,
                    mean_x100: (sum * 100 + n / 2) / n,
                })
                .collect(),
            winner: candidates.first().map(|c| c.candidate.clone()),
            candidates,
            double_voters: cast
                .into_iter()
                .filter(|(_, n)| *n > 1)
                .map(|(v, _)| v.to_owned())
                .collect(),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn vote(id: &str, voter: &str, at_ms: i64, candidate: &str) -> Vote {
        Vote {
            id: id.into(),
            voter: voter.into(),
            device: format!("{voter}-{id}"),
            at_ms,
            candidate: candidate.into(),
        }
    }

    #[test]
    fn a_member_s_first_vote_counts_whatever_the_list_order() {
        let mut round = RoundDoc {
            month: "2026-12".into(),
            votes: vec![
                vote("b", "m1", 20, "lead-li"),
                vote("a", "m1", 10, "lead-wang"),
                vote("c", "m2", 5, "lead-li"),
                vote("d", "m3", 7, "lead-wang"),
            ],
            ..RoundDoc::default()
        };
        let r = round.result();
        assert_eq!(r.double_voters, vec!["m1".to_owned()]);
        // m1's earlier vote (lead-wang) counts: 2 to 1.
        assert_eq!(r.winner.as_deref(), Some("lead-wang"));
        assert_eq!(r.candidates[0].votes, 2);
        round.votes.reverse();
        assert_eq!(round.result(), r, "list order changes nothing");
    }

    #[test]
    fn ratings_count_once_per_rater_and_subject_and_not_after_the_close() {
        let rating = |id: &str, rater: &str, at_ms, score| Rating {
            id: id.into(),
            rater: rater.into(),
            device: "d".into(),
            at_ms,
            subject_kind: SubjectKind::AreaLead,
            subject: "area-zheng".into(),
            score,
            comment: String::new(),
        };
        let round = RoundDoc {
            ratings: vec![
                rating("1", "m1", 1, 5),
                rating("2", "m1", 2, 1),
                rating("3", "m2", 3, 4),
                rating("4", "m3", 99, 1),
                rating("5", "m4", 4, 9),
            ],
            closed: Some(RoundClosing {
                by: "office".into(),
                at_ms: 50,
            }),
            ..RoundDoc::default()
        };
        let r = round.result();
        assert_eq!(r.subjects.len(), 1);
        assert_eq!((r.subjects[0].ratings, r.subjects[0].mean_x100), (2, 450));
        assert!(r.closed);
        assert_eq!(r.winner, None);
    }
}
