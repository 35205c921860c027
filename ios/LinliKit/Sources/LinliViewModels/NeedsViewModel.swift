// The needs list (需求清单 · 认领): the open needs, urgent first then oldest; the needs the member
// holds; the served ones waiting for this member's confirmation; this month's service time per
// member and per co-building unit; one need with its services and the steps allowed now (claim,
// record a service, confirm); and a need recorded from a household. Two claims made offline are
// the office's to settle on the sync screen: this screen shows the holder the core reports.
import Foundation
import LinliCore

/// A need as the lists show it.
public struct NeedItem: Equatable, Sendable {
    public let id: String
    public let householdId: String
    public let address: String
    public let category: UiText
    public let urgency: UiText
    public let urgent: Bool
    public let description: String
    public let recordedAt: Date
    public let status: UiText
    public let needStatus: NeedStatus
    /// Who holds it, by name.
    public let holder: String?
    /// The co-building unit it is held for, by name.
    public let holderUnit: String?
    public let minutes: UInt32
    /// The time served, in hours and minutes.
    public let served: UiText
}

/// A service given for a need.
public struct NeedServiceItem: Equatable, Sendable {
    /// Who served, by name.
    public let by: String
    /// For which unit, by name.
    public let unit: String?
    public let at: Date
    public let minutes: Int64
    /// The minutes in hours and minutes.
    public let time: UiText
    public let note: String
}

/// What the member may do with a need now: the buttons to show.
public enum NeedAction: Hashable, Sendable {
    case claim, recordService, confirm
}

public struct NeedDetailState: Equatable, Sendable {
    public let id: String
    public let householdId: String
    public let address: String
    public let category: UiText
    public let urgency: UiText
    public let description: String
    public let recordedBy: String
    public let recordedAt: Date
    public let status: UiText
    public let needStatus: NeedStatus
    public let holder: String?
    public let holderUnit: String?
    public let services: [NeedServiceItem]
    public let confirmedBy: String?
    public let actions: [NeedAction]
}

/// This month's service time of one member or one co-building unit.
public struct ServiceHoursItem: Equatable, Sendable {
    public let isUnit: Bool
    public let id: String
    public let name: String
    public let services: UInt32
    public let minutes: UInt32
    public let confirmedMinutes: UInt32
    /// `minutes` in hours and minutes.
    public let time: UiText
    /// `confirmedMinutes` in hours and minutes.
    public let confirmedTime: UiText
}

public struct NeedsState: Sendable {
    /// Open needs, urgent first, then oldest.
    public var open: [NeedItem] = []
    /// The needs the member holds and that are not confirmed.
    public var mine: [NeedItem] = []
    /// Served needs this member may confirm.
    public var toConfirm: [NeedItem] = []
    /// This month's service time (the community's month).
    public var hours: [ServiceHoursItem] = []
    /// A volunteer, a party member or a co-building unit's member.
    public var mayClaim = false
    /// A lead of a building (or the office): may record a need of its households.
    public var mayRecord = false
    /// The community's offset from UTC, to show times in.
    public var utcOffsetMinutes: Int32 = 8 * 60
    public var detail: NeedDetailState?
}

public final class NeedsViewModel: ScreenModel<NeedsState>, @unchecked Sendable {
    private let session: Session
    private var store: LinliStore { session.store }
    private var me: String { session.credentials.memberId }

    public init(session: Session) {
        self.session = session
        super.init(NeedsState())
    }

    override func load() throws -> NeedsState {
        let roles = try store.member(id: me).roles
        let name = memberNames(store)
        let place = placeNames(store)
        let item = { (r: NeedRow) in needItem(r, name: name, place: place) }
        let confirmer = Confirmer(store, roles: roles)
        var s = NeedsState()
        s.open = try store.needs(filter: NeedFilter(status: .open, areaId: nil, mine: false, householdId: nil)).map(item)
        s.mine = try store.needs(filter: NeedFilter(status: nil, areaId: nil, mine: true, householdId: nil))
            .filter { $0.status != .confirmed }.map(item)
        s.toConfirm = try store.needs(filter: NeedFilter(status: .served, areaId: nil, mine: false, householdId: nil))
            .filter { confirmer.may($0.householdId) }.map(item)
        s.hours = try store.serviceHours(date: try store.today()).map { r in
            ServiceHoursItem(isUnit: r.kind == "unit", id: r.id, name: r.name, services: r.services, minutes: r.minutes,
                             confirmedMinutes: r.confirmedMinutes, time: duration(minutes: Int64(r.minutes)),
                             confirmedTime: duration(minutes: Int64(r.confirmedMinutes)))
        }
        s.mayClaim = Self.mayClaim(roles)
        s.mayRecord = !(try store.myPlaces(kind: .building)).isEmpty
        s.utcOffsetMinutes = try store.community().utcOffsetMinutes
        s.detail = try state.detail.map { try detail($0.id) }
        return s
    }

    public func open(_ id: String) async {
        if let d = await act({ _ in nil }, { [self] in try detail(id) }) {
            state.detail = d
        }
    }

    public func close() {
        state.detail = nil
    }

    /// Records a need of a household (a lead of its building, or the office).
    @discardableResult
    public func recordNeed(householdId: String, category: NeedCategory, urgency: Urgency, description: String,
                           visitId: String? = nil) async -> Bool {
        let input = NeedInput(householdId: householdId, category: category, urgency: urgency, description: description,
                              visitId: visitId)
        return await act({ _ in UiText(Keys.doneNeedRecorded) }) { [self] in try store.recordNeed(input: input) } != nil
    }

    /// Claims the open need.
    @discardableResult
    public func claim() async -> Bool {
        guard let id = state.detail?.id else { return false }
        return await act({ _ in UiText(Keys.doneNeedClaimed) }) { [self] in try store.claimNeed(id: id) } != nil
    }

    /// Records a service for the open need: the minutes as typed, and what was done.
    @discardableResult
    public func recordService(minutes: String, note: String) async -> Bool {
        guard let id = state.detail?.id else { return false }
        guard let m = UInt32(minutes.trimmingCharacters(in: .whitespaces)) else {
            return refuse(UiText(Keys.errorCode("malformed"), [Keys.field("minutes")]))
        }
        return await act({ _ in UiText(Keys.doneServiceRecorded, [String(m)]) }) { [self] in
            try store.recordService(id: id, minutes: m, note: note)
        } != nil
    }

    /// Confirms the open need served.
    @discardableResult
    public func confirm() async -> Bool {
        guard let id = state.detail?.id else { return false }
        return await act({ _ in UiText(Keys.doneNeedConfirmed) }) { [self] in try store.confirmNeed(id: id) } != nil
    }

    private func detail(_ id: String) throws -> NeedDetailState {
        let n = try store.need(id: id)
        let roles = try store.member(id: me).roles
        let name = memberNames(store)
        let place = placeNames(store)
        var actions: [NeedAction] = []
        if n.status == .open && Self.mayClaim(roles) { actions.append(.claim) }
        if n.claimedBy == me && n.status != .confirmed { actions.append(.recordService) }
        if n.status == .served && Confirmer(store, roles: roles).may(n.householdId) { actions.append(.confirm) }
        return NeedDetailState(
            id: id, householdId: n.householdId, address: n.address, category: UiText(Keys.of(n.category)),
            urgency: UiText(Keys.of(n.urgency)), description: n.description, recordedBy: name(n.recordedBy),
            recordedAt: date(ms: n.recordedMs), status: UiText(Keys.of(n.status)), needStatus: n.status,
            holder: n.claimedBy.map(name), holderUnit: n.claimedUnit.map(place),
            services: n.services.map { s in
                NeedServiceItem(by: name(s.member), unit: s.unit.map(place), at: date(ms: s.atMs), minutes: s.minutes,
                                time: duration(minutes: s.minutes), note: s.note)
            },
            confirmedBy: n.confirmedBy.map(name), actions: actions)
    }

    /// Those who serve: volunteers, party members and co-building units' members.
    static func mayClaim(_ roles: [RoleInput]) -> Bool {
        roles.contains { [.volunteer, .partyMember, .unitMember].contains($0.role) }
    }
}

/// Who may confirm a household's need served, by the core's rule: the office, an area or lane
/// lead, or a lead of the household's building.
struct Confirmer {
    let anyNeed: Bool
    let buildings: Set<String>
    let store: LinliStore

    init(_ store: LinliStore, roles: [RoleInput]) {
        self.store = store
        anyNeed = roles.contains { [.office, .areaLead, .laneLead].contains($0.role) }
        buildings = Set(roles.filter { $0.role == .buildingLead }.flatMap(\.places))
    }

    func may(_ householdId: String) -> Bool {
        if anyNeed { return true }
        guard !buildings.isEmpty, let h = try? store.household(householdId: householdId) else { return false }
        return buildings.contains(h.buildingId)
    }
}

func needItem(_ r: NeedRow, name: (String) -> String, place: (String) -> String) -> NeedItem {
    NeedItem(id: r.id, householdId: r.householdId, address: r.address, category: UiText(Keys.of(r.category)),
             urgency: UiText(Keys.of(r.urgency)), urgent: r.urgency == .urgent, description: r.description,
             recordedAt: r.recordedAt, status: UiText(Keys.of(r.status)), needStatus: r.status,
             holder: r.claimedBy.map(name), holderUnit: r.claimedUnit.map(place), minutes: r.minutes,
             served: duration(minutes: Int64(r.minutes)))
}
