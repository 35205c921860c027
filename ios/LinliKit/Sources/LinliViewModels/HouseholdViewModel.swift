// One household: its address, phone, residents, tags and watch plan, edited by its building's
// leads and the office; and its visits with what the residents needed and said (民意), newest
// first, who visited, and older ones a page at a time.
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

public struct HouseholdState: Sendable {
    /// The household as people know it: 3号楼 1单元 302.
    public var name = ""
    public var phone = ""
    public var residents: [Resident] = []
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
        s.residents = detail.residents
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

    private func item(_ v: Visit) -> VisitItem {
        VisitItem(id: v.id, at: Date(timeIntervalSince1970: Double(v.atMs) / 1000),
                  leadName: (try? store.member(id: v.lead).name) ?? v.lead,
                  outcome: UiText(Keys.of(v.outcome)), needs: v.needs, opinions: v.opinions,
                  followUpDue: v.followUpDue, followUpNote: v.followUpNote)
    }
}
