// One household: its address, phone, residents with when they moved in or out and where a
// returnee came from, tags and watch plan, edited by its building's leads and the office; and
// its visits with what the residents needed and said (民意), newest first, who visited, and
// older ones a page at a time.
import Foundation
import LinliCore

/// A visit as the household's screen lists it.
public struct VisitItem: Equatable, Sendable {
    public let id: String
    public let at: Date
    public let leadName: String
    public let outcome: UiText
    public let needs: String
    public let opinions: String
    /// `YYYY-MM-DD` when a follow-up was asked for.
    public let followUpDue: String?
    public let followUpNote: String
}

/// A resident to add: the name, and what else is known.
public struct ResidentForm: Sendable {
    public var name: String
    public var birthYear: Int32?
    public var phone: String

    public init(name: String, birthYear: Int32? = nil, phone: String = "") {
        (self.name, self.birthYear, self.phone) = (name, birthYear, phone)
    }

    var input: ResidentInput { ResidentInput(name: name, birthYear: birthYear, phone: phone) }
}

/// A resident as the household's screen lists them.
public struct ResidentItem: Equatable, Sendable {
    public let id: String
    public let name: String
    public let birthYear: Int64?
    public let phone: String
    /// As recorded (`YYYY-MM-DD`, and where a returnee came from), for the form that changes them.
    public let movedIn: String?
    public let movedOut: String?
    public let arrivedFrom: String
    /// Their moves, in words: moved in, returned from somewhere, moved out (each when recorded).
    public let moves: [UiText]
    /// They moved out.
    public let gone: Bool
}

public struct HouseholdState: Sendable {
    /// The household as people know it: 3号楼 1单元 302.
    public var name = ""
    public var phone = ""
    public var residents: [ResidentItem] = []
    public var tags: Set<Tag> = []
    public var watch: WatchPlan?
    /// Newest first.
    public var visits: [VisitItem] = []
    /// Whether older visits than those listed may exist.
    public var olderVisits = false
}

public final class HouseholdViewModel: ScreenModel<HouseholdState>, @unchecked Sendable {
    /// Visits read at a time (the household's record carries the latest 20).
    static let visitPage = 20
    private let session: Session
    public let householdId: String
    private var store: LinliStore { session.store }

    public init(session: Session, householdId: String) {
        self.session = session
        self.householdId = householdId
        super.init(HouseholdState())
    }

    override func load() throws -> HouseholdState {
        let detail = try store.household(householdId: householdId)
        let latest = detail.visits.reversed().map(item)
        // Older visits read a page at a time stay listed after a reload.
        let older = latest.last.map { oldest in state.visits.filter { $0.at < oldest.at } } ?? []
        var s = HouseholdState()
        s.name = try store.recordName(docId: householdId)
        s.phone = detail.phone
        s.residents = detail.residents.map(Self.item)
        s.tags = Set(detail.tags)
        s.watch = detail.watch
        s.visits = latest + older
        s.olderVisits = older.isEmpty ? detail.visits.count >= Self.visitPage : state.olderVisits
        return s
    }

    /// The next page of older visits.
    public func loadOlder() async {
        guard let oldest = state.visits.last else { return }
        let before = Int64((oldest.at.timeIntervalSince1970 * 1000).rounded())
        let page = await act({ _ in nil }) { [self] in
            try store.householdVisits(householdId: householdId, beforeMs: before, beforeId: oldest.id,
                                      limit: UInt32(Self.visitPage))
        }
        guard let page else { return }
        state.visits += page.reversed().map(item)
        state.olderVisits = page.count >= Self.visitPage
    }

    public func setPhone(_ phone: String) async {
        await act({ _ in UiText(Keys.doneHouseholdSaved) }) { [self] in
            try store.setHouseholdPhone(householdId: householdId, phone: phone)
        }
    }

    public func setTag(_ tag: Tag, on: Bool) async {
        await act({ _ in UiText(Keys.doneHouseholdSaved) }) { [self] in
            try store.setHouseholdTag(householdId: householdId, tag: tag, on: on)
        }
    }

    /// Watches the household `n` times a day, or every `n` days; nil stops watching.
    public func setWatchPlan(_ plan: WatchPlanInput?) async {
        await act({ _ in UiText(Keys.doneHouseholdSaved) }) { [self] in
            try store.setWatchPlan(householdId: householdId, plan: plan)
        }
    }

    @discardableResult
    public func addResident(_ form: ResidentForm) async -> String? {
        let name = form.name.trimmingCharacters(in: .whitespacesAndNewlines)
        return await act({ _ in UiText(Keys.doneResidentAdded, [name]) }) { [self] in
            try store.addResident(householdId: householdId, resident: form.input)
        }
    }

    /// Records a resident's moves: moved in on a day (and, for a returnee, where from), moved out
    /// on a day (`YYYY-MM-DD`). What is not given stays as recorded; an empty value clears it.
    /// A returnee arrived when they moved in.
    @discardableResult
    public func setMoves(residentId: String, movedIn: String? = nil, movedOut: String? = nil,
                         arrivedFrom: String? = nil) async -> Bool {
        let typed = { (s: String?) in s?.trimmingCharacters(in: .whitespaces) }
        let (inTyped, outTyped, fromTyped) = (typed(movedIn), typed(movedOut), typed(arrivedFrom))
        return await act({ _ in UiText(Keys.doneHouseholdSaved) }) { [self] in
            guard let now = try store.household(householdId: householdId).residents.first(where: { $0.id == residentId }) else {
                throw LinliError.NotFound(what: "resident", id: residentId)
            }
            let day = { (typed: String?, kept: String?) in typed.map { $0.isEmpty ? nil : $0 } ?? kept }
            let inDay = day(inTyped, now.movedIn)
            let from = fromTyped ?? now.arrivedFrom
            // A returnee's arrival follows the move-in when either is given now.
            var arrived = now.arrivedOn
            if inTyped != nil || fromTyped != nil { arrived = inDay ?? now.arrivedOn }
            if from.isEmpty { arrived = nil }
            let moves = ResidentMoves(status: now.status, movedIn: inDay, movedOut: day(outTyped, now.movedOut),
                                      arrivedFrom: from, arrivedOn: arrived)
            try store.setResidentMoves(householdId: householdId, residentId: residentId, moves: moves)
            return true
        } ?? false
    }

    private static func item(_ r: Resident) -> ResidentItem {
        var moves: [UiText] = []
        if let day = r.movedIn { moves.append(UiText(Keys.residentMovedIn, [day])) }
        if !r.arrivedFrom.isEmpty { moves.append(UiText(Keys.residentArrivedFrom, [r.arrivedFrom, r.arrivedOn ?? ""])) }
        if let day = r.movedOut { moves.append(UiText(Keys.residentMovedOut, [day])) }
        return ResidentItem(id: r.id, name: r.name, birthYear: r.birthYear, phone: r.phone, movedIn: r.movedIn,
                            movedOut: r.movedOut, arrivedFrom: r.arrivedFrom, moves: moves, gone: r.movedOut != nil)
    }

    private func item(_ v: Visit) -> VisitItem {
        VisitItem(id: v.id, at: Date(timeIntervalSince1970: Double(v.atMs) / 1000),
                  leadName: (try? store.member(id: v.lead).name) ?? v.lead,
                  outcome: UiText(Keys.of(v.outcome)), needs: v.needs, opinions: v.opinions,
                  followUpDue: v.followUpDue, followUpNote: v.followUpNote)
    }
}
