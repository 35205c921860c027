// Monthly evaluations (评议): this month's round as the member's ballot shows it (none until the
// office opens it): whom to rate (area leads, co-building units, 1 to 5 with a comment) and whom
// to vote for as 最美楼栋长, by name, with what the member already cast; and the result counted
// the same way on every phone (each member's first vote counts; those who voted again from a
// second phone are counted apart). The office opens and closes the round.
package cn.linli.viewmodels

import cn.linli.core.*
import kotlinx.coroutines.CoroutineDispatcher
import kotlinx.coroutines.Dispatchers

/** Someone or something the member may rate, with the member's first score. */
data class SubjectItem(
    val kind: SubjectKind,
    /** 片区长 or 共建单位 (`subject_kind_<kind>`). */
    val label: UiText,
    val id: String,
    val name: String,
    val myScore: Int?,
)

/** A building or lane lead the member may vote for. */
data class CandidateItem(
    val id: String,
    val name: String,
    /** The member's (first) vote went to them. */
    val mine: Boolean,
)

/** A subject's ratings counted. */
data class SubjectScore(
    val label: UiText,
    val name: String,
    val ratings: Int,
    /** The mean with two decimals, e.g. `4.20`. */
    val mean: String,
)

/** A candidate's votes counted. */
data class CandidateVotes(val name: String, val votes: Int)

data class EvaluationResultState(
    val subjects: List<SubjectScore>,
    /** Most votes first. */
    val candidates: List<CandidateVotes>,
    /** 最美楼栋长, by name. */
    val winner: String?,
    /** How many members voted from two phones. */
    val doubleVoters: Int,
    /** Says so, when any did. */
    val doubleVotersText: UiText?,
)

data class EvaluationState(
    /** `YYYY-MM`: the round's month, or this month while none is open. */
    val month: String = "",
    val roundId: String? = null,
    /** A round is open this month and not closed. */
    val open: Boolean = false,
    val closed: Boolean = false,
    val subjects: List<SubjectItem> = emptyList(),
    val candidates: List<CandidateItem> = emptyList(),
    /** The name the member's first vote went to. */
    val myVote: String? = null,
    val mayCast: Boolean = false,
    /** The office, while this month has no round. */
    val mayOpen: Boolean = false,
    val mayClose: Boolean = false,
    val result: EvaluationResultState? = null,
)

class EvaluationViewModel(
    private val session: Session,
    io: CoroutineDispatcher = Dispatchers.IO,
) : ScreenModel<EvaluationState>(EvaluationState(), io) {
    private val store get() = session.store

    override fun load(): EvaluationState {
        val today = store.today()
        val b = store.ballot(today) ?: return EvaluationState(
            month = today.take(7),
            mayOpen = store.member(session.credentials.memberId).roles.any { it.role == Role.OFFICE },
        )
        val member = memberNames(store)
        val known = (b.subjects.map { it.id to it.name } + b.candidates.map { it.id to it.name }).toMap()
        val name = { id: String -> known[id] ?: member(id) }
        val r = b.result
        return EvaluationState(
            month = r.month,
            roundId = b.roundId,
            open = !r.closed,
            closed = r.closed,
            subjects = b.subjects.map { SubjectItem(it.kind, UiText(Keys.of(it.kind)), it.id, it.name, it.myScore?.toInt()) },
            candidates = b.candidates.map { CandidateItem(it.id, it.name, it.id == b.myVote) },
            myVote = b.myVote?.let(name),
            mayCast = b.mayCast,
            mayClose = b.mayClose,
            result = EvaluationResultState(
                subjects = r.subjects.map { s ->
                    val who = known[s.subject]
                        ?: if (s.kind == SubjectKind.UNIT) store.placeName(s.subject) else member(s.subject)
                    SubjectScore(UiText(Keys.of(s.kind)), who, s.ratings.toInt(), mean(s.meanX100))
                },
                candidates = r.candidates.map { CandidateVotes(name(it.candidate), it.votes.toInt()) },
                winner = r.winner?.let(name),
                doubleVoters = r.doubleVoters.size,
                doubleVotersText = r.doubleVoters.takeIf { it.isNotEmpty() }
                    ?.let { UiText(Keys.EVALUATION_DOUBLE_VOTERS, it.size.toString()) },
            ),
        )
    }

    /** Opens this month's round (the office). */
    suspend fun openRound(): Boolean =
        act({ UiText(Keys.DONE_ROUND_OPENED) }) { store.openRound(store.today()) } != null

    /** Rates an area lead (member id) or a co-building unit (place id), 1 to 5, with a comment. */
    suspend fun rate(kind: SubjectKind, subjectId: String, score: Int, comment: String): Boolean {
        val round = state.value.roundId ?: return refuse(UiText(Keys.errorCode("round_closed")))
        if (score !in 0..255) return refuse(UiText(Keys.errorCode("out_of_range"), Keys.field("score")))
        return act({ UiText(Keys.DONE_RATED) }) { store.rate(round, kind, subjectId, score.toUByte(), comment) } != null
    }

    /** Votes for 最美楼栋长. */
    suspend fun vote(candidateId: String): Boolean {
        val round = state.value.roundId ?: return refuse(UiText(Keys.errorCode("round_closed")))
        return act({ UiText(Keys.DONE_VOTED) }) { store.vote(round, candidateId) } != null
    }

    /** Closes the round and publishes its result (the office). */
    suspend fun closeRound(): Boolean {
        val round = state.value.roundId ?: return refuse(UiText(Keys.errorCode("round_closed")))
        return act({ UiText(Keys.DONE_ROUND_CLOSED) }) { store.closeRound(round) } != null
    }

    private fun refuse(text: UiText): Boolean {
        fail(text)
        return false
    }

    private companion object {
        /** Hundredths as a mean with two decimals (425 → `4.25`). */
        fun mean(x100: UInt): String = "%d.%02d".format((x100 / 100u).toInt(), (x100 % 100u).toInt())
    }
}
