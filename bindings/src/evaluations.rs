//! Monthly evaluations (评议) as the apps see them: opening and closing a month's round, rating
//! area leads and co-building units, voting 最美楼栋长, and the counted result.

use linli_core::api::ballot as core_ballot;
use linli_core::records::round as core_round;

use crate::enums::*;
use crate::error::{LinliError, guard};
use crate::mirror::{Convert, mirror_record, parse_date};
use crate::store::LinliStore;

type R<T> = Result<T, LinliError>;

mirror_record!(out
/// A subject's counted ratings: how many, and their mean in hundredths (4.25 → 425).
SubjectResult = core_round::SubjectResult {
    kind: SubjectKind, subject: String, ratings: u32, mean_x100: u32
});
mirror_record!(out
/// A candidate's counted votes.
CandidateResult = core_round::CandidateResult { candidate: String, votes: u32 });
mirror_record!(out
/// A round's result, counted the same way on every phone: each member's first vote and first
/// rating of a subject count; later ones from another phone are kept but not counted.
RoundResult = core_round::RoundResult {
    month: String, closed: bool, subjects: Vec<SubjectResult>, candidates: Vec<CandidateResult>,
    winner: Option<String>, double_voters: Vec<String>
});

mirror_record!(out
/// Someone or something the member may rate, by name, with the member's own first score.
BallotSubject = core_ballot::BallotSubject {
    kind: SubjectKind, id: String, name: String, my_score: Option<u8>
});
mirror_record!(out
/// A building or lane lead the member may vote for as 最美楼栋长.
BallotCandidate = core_ballot::BallotCandidate { id: String, name: String });
mirror_record!(out
/// A month's round as this member sees it: whom to rate and vote for, what they cast, whether
/// they may still cast or close it, and the result so far.
Ballot = core_ballot::Ballot {
    round_id: String, subjects: Vec<BallotSubject>, candidates: Vec<BallotCandidate>,
    my_vote: Option<String>, may_cast: bool, may_close: bool, result: RoundResult
});

#[uniffi::export]
impl LinliStore {
    /// The round of the month of `date` (`YYYY-MM-DD`) as this member sees it; none while the
    /// office has not opened it.
    pub fn ballot(&self, date: String) -> R<Option<Ballot>> {
        let date = parse_date("date", &date)?;
        guard(|| self.inner.ballot(date))
    }

    /// Opens the round of the month of `date` (`YYYY-MM-DD`; the office). Returns its id.
    pub fn open_round(&self, date: String) -> R<String> {
        let date = parse_date("date", &date)?;
        guard(|| self.inner.open_round(date))
    }

    /// Rates an area lead (member id) or a co-building unit (place id), 1 to 5, with a comment.
    pub fn rate(
        &self,
        round_id: String,
        kind: SubjectKind,
        subject: String,
        score: u8,
        comment: String,
    ) -> R<String> {
        guard(|| {
            self.inner
                .rate(&round_id, kind.convert(), &subject, score, &comment)
        })
    }

    /// Votes for 最美楼栋长 (a building or lane lead): once per member and round.
    pub fn vote(&self, round_id: String, candidate: String) -> R<String> {
        guard(|| self.inner.vote(&round_id, &candidate))
    }

    /// Closes a round (the office) and returns its published result.
    pub fn close_round(&self, round_id: String) -> R<RoundResult> {
        guard(|| self.inner.close_round(&round_id))
    }

    /// A round's result so far (or as published, once closed).
    pub fn round_result(&self, round_id: String) -> R<RoundResult> {
        guard(|| self.inner.round_result(&round_id))
    }
}
