// This month's evaluation (评议), as the member's ballot shows it: whom to rate (area leads and
// co-building units, 1 to 5 with a comment) and whom to vote for as 最美楼栋长, by name, what the
// member already cast, and the result counted the same way on every phone (each member's first
// vote counts; those who voted again from a second phone are counted apart). The office opens
// and closes the round.
import Foundation
import LinliCore

/// Someone or something to rate, with the member's own score.
public struct SubjectItem: Equatable, Sendable {
    public let kind: SubjectKind
    /// 片区长 or 共建单位.
    public let label: UiText
    public let id: String
    public let name: String
    public let myScore: Int?
}

/// A building or lane lead to vote for.
public struct CandidateItem: Equatable, Sendable {
    public let id: String
    public let name: String
    /// The member's (first) vote went to them.
    public let mine: Bool
}

/// A subject's ratings counted.
public struct SubjectScore: Equatable, Sendable {
    public let label: UiText
    public let name: String
    public let ratings: UInt32
    /// The mean with two decimals, e.g. `4.20`.
    public let mean: String
}

/// A candidate's votes counted.
public struct CandidateVotes: Equatable, Sendable {
    public let name: String
    public let votes: UInt32
}

public struct EvaluationResultState: Equatable, Sendable {
    public let subjects: [SubjectScore]
    /// Most votes first.
    public let candidates: [CandidateVotes]
    public let winner: String?
    /// How many members voted from two phones.
    public let doubleVoters: Int
    /// Says so, when any did.
    public let doubleVotersText: UiText?
}

public struct EvaluationState: Sendable {
    /// `YYYY-MM`: the round's month, or this month while none is open.
    public var month = ""
    public var roundId: String?
    /// A round is open this month and not closed.
    public var open = false
    public var closed = false
    public var subjects: [SubjectItem] = []
    public var candidates: [CandidateItem] = []
    /// The name the member's first vote went to.
    public var myVote: String?
    public var mayCast = false
    /// The office, while this month has no round.
    public var mayOpen = false
    public var mayClose = false
    public var result: EvaluationResultState?
}

public final class EvaluationViewModel: ScreenModel<EvaluationState>, @unchecked Sendable {
    private let session: Session
    private var store: LinliStore { session.store }

    public init(session: Session) {
        self.session = session
        super.init(EvaluationState())
    }

    override func load() throws -> EvaluationState {
        let today = try store.today()
        var s = EvaluationState()
        guard let b = try store.ballot(date: today) else {
            s.month = String(today.prefix(7))
            s.mayOpen = try store.member(id: session.credentials.memberId).roles.contains { $0.role == .office }
            return s
        }
        let member = memberNames(store)
        let place = placeNames(store)
        let names = Dictionary(b.subjects.map { ($0.id, $0.name) } + b.candidates.map { ($0.id, $0.name) },
                               uniquingKeysWith: { first, _ in first })
        let name = { (id: String) in names[id] ?? member(id) }
        let r = b.result
        s.month = r.month
        s.roundId = b.roundId
        s.open = !r.closed
        s.closed = r.closed
        s.subjects = b.subjects.map {
            SubjectItem(kind: $0.kind, label: UiText(Keys.of($0.kind)), id: $0.id, name: $0.name, myScore: $0.myScore.map(Int.init))
        }
        s.candidates = b.candidates.map { CandidateItem(id: $0.id, name: $0.name, mine: $0.id == b.myVote) }
        s.myVote = b.myVote.map(name)
        s.mayCast = b.mayCast
        s.mayClose = b.mayClose
        s.result = EvaluationResultState(
            subjects: r.subjects.map { x in
                SubjectScore(label: UiText(Keys.of(x.kind)),
                             name: names[x.subject] ?? (x.kind == .unit ? place(x.subject) : member(x.subject)),
                             ratings: x.ratings, mean: String(format: "%d.%02d", Int(x.meanX100 / 100), Int(x.meanX100 % 100)))
            },
            candidates: r.candidates.map { CandidateVotes(name: name($0.candidate), votes: $0.votes) },
            winner: r.winner.map(name),
            doubleVoters: r.doubleVoters.count,
            doubleVotersText: r.doubleVoters.isEmpty ? nil
                : UiText(Keys.evaluationDoubleVoters, [String(r.doubleVoters.count)]))
        return s
    }

    /// Opens this month's round (the office).
    @discardableResult
    public func openRound() async -> Bool {
        await act({ _ in UiText(Keys.doneRoundOpened) }) { [self] in try store.openRound(date: try store.today()) } != nil
    }

    /// Rates an area lead or a co-building unit, 1 to 5, with a comment.
    @discardableResult
    public func rate(kind: SubjectKind, subjectId: String, score: Int, comment: String) async -> Bool {
        guard let round = state.roundId else { return refuse(UiText(Keys.errorCode("round_closed"))) }
        guard let s = UInt8(exactly: score) else { return refuse(UiText(Keys.errorCode("out_of_range"), [Keys.field("score")])) }
        return await act({ _ in UiText(Keys.doneRated) }) { [self] in
            try store.rate(roundId: round, kind: kind, subject: subjectId, score: s, comment: comment)
        } != nil
    }

    /// Votes for 最美楼栋长.
    @discardableResult
    public func vote(_ candidateId: String) async -> Bool {
        guard let round = state.roundId else { return refuse(UiText(Keys.errorCode("round_closed"))) }
        return await act({ _ in UiText(Keys.doneVoted) }) { [self] in try store.vote(roundId: round, candidate: candidateId) } != nil
    }

    /// Closes the round and publishes its result (the office).
    @discardableResult
    public func closeRound() async -> Bool {
        guard let round = state.roundId else { return refuse(UiText(Keys.errorCode("round_closed"))) }
        return await act({ _ in UiText(Keys.doneRoundClosed) }) { [self] in try store.closeRound(roundId: round) } != nil
    }
}
