// Gate duty at one gate: the badge view (who is on duty now as 门长 / 值班长 / 安全员, planned and
// checked in), check in and out, the gate register (visitor with the pass type chosen and the
// address visited — a building or lane the phone knows and the unit and room as said —,
// vehicle, parcel, temperature with fever readings standing out, patrol note; each kind
// labelled, a visitor's pass type and an incident's severity in words, each entry's gate day to
// open its history), this week's roster and swaps, and for the gate lead building the roster
// (the number of 安全员 as typed) and approving swaps. The rest of the shift (handover,
// incidents, vehicles leaving, parcels collected) is in GateShiftActions.swift.
import Foundation
import LinliCore

/// One slot of the shift now on the badge view.
public struct BadgeSlot: Equatable, Sendable {
    public let role: UiText
    public let planned: String?
    public let onDuty: String?
    public let since: Date?
    public let attendance: UiText
    public let isMe: Bool
}

/// A swap request, with names.
public struct SwapItem: Equatable, Sendable {
    public let swapId: String
    public let from: String
    public let to: String
    public let toMe: Bool
    public let status: UiText
}

/// One line of today's gate register.
public struct GateEntryItem: Equatable, Sendable {
    public let kind: String
    /// The kind in words (`gate_kind_<kind>`): 交接班, 突发事件, 通行证核验：已过期 …
    public let label: UiText
    public let at: Date
    public let summary: String
    /// Whom a check-in, check-out or handover concerns (who takes over), by name.
    public let member: String?
    public let flagged: Bool
    /// The gate day's record (`gatelog:<gate>:<date>`): the entry opens its history.
    public let recordId: String
    /// A visitor's pass type in words (`pass_type_<code>`).
    public let passType: UiText?
    /// An incident's severity in words (`severity_<code>`).
    public let severity: UiText?
    /// The address a visitor named (`3号楼 1单元 302`), the building's name from the
    /// directory; empty when none. The core's summary ends with it too.
    public let visiting: String

    init(_ r: GateEntryRow, names: [String: String]) {
        kind = r.kind
        label = UiText(Keys.gateKind(r.kind))
        at = r.at
        summary = r.summary
        member = r.memberId.map { names[$0] ?? $0 }
        flagged = r.flagged
        recordId = r.recordId
        passType = r.passType.map { UiText(Keys.of($0)) }
        severity = r.severity.map { UiText(Keys.of($0)) }
        visiting = r.visiting
    }
}

/// A pass the gate lead asks the relay to sign for this gate, its holder named by address (the
/// gate phone holds no household): a resident of the room, or a visitor to it.
public struct PassRequestForm: Equatable, Sendable {
    public var buildingId: String
    public var unit: String
    public var room: String
    /// The resident's name, or the visitor's.
    public var name: String
    public var kind: PassKind
    /// How many days from today, the community's today (the core's, not the phone's).
    public var days: Int

    public init(buildingId: String, unit: String, room: String, name: String, kind: PassKind, days: Int) {
        (self.buildingId, self.unit, self.room, self.name) = (buildingId, unit, room, name)
        (self.kind, self.days) = (kind, days)
    }
}

/// What the last pass check found: the result, and whom the pass names (to compare with the
/// person; a forged pass's name is not to be believed).
public struct PassCheckItem: Equatable, Sendable {
    public let result: PassResult
    public let label: UiText
    public let holder: String?
    public let kind: UiText?
    public var letThrough: Bool { result == .valid }
}

public struct GateDutyState {
    public var gateName = ""
    public var badge: [BadgeSlot] = []
    /// Checked in outside the planned slots.
    public var others: [String] = []
    public var meOnDuty = false
    public var entries: [GateEntryItem] = []
    public var week: [ShiftRow] = []
    public var swaps: [SwapItem] = []
    /// The gate lead (or the office) builds the roster, approves swaps and issues passes.
    public var canBuildRoster = false
    /// The community's buildings, for the address of a pass's holder.
    public var buildings: [PlaceRow] = []
    /// The buildings, then the lanes, of the directory: the address a visitor names.
    public var visitPlaces: [PlaceRow] = []
    /// The pass signed last from this screen: shown as a QR code for its holder.
    public var issuedPass: PassSigned?
    /// The last pass checked here.
    public var lastPass: PassCheckItem?
    /// Passes let through after their revocation, found at the last sync.
    public var lateRevocations = 0
    /// The vehicles in, oldest first.
    public var vehiclesInside: [VehicleItem] = []
    /// The parcels not collected (of any day), oldest first.
    public var parcelsWaiting: [ParcelItem] = []
    /// Whom the member may hand the duty over to: the gate's other duty members.
    public var handoverTo: [MemberItem] = []
    /// A visitor's pass types, to choose from.
    public var passTypes: [Choice<PassType>] = Keys.passTypes.map { Choice(value: $0, label: UiText(Keys.of($0))) }
    /// An incident's severities, to choose from.
    public var severities: [Choice<Severity>] = Keys.severities.map { Choice(value: $0, label: UiText(Keys.of($0))) }
    /// The community's offset from UTC: the screen shows times in it, not in the phone's zone.
    public var utcOffsetMinutes: Int32 = 8 * 60
    /// Today's gate day, for its history; nil while nothing was logged today.
    public var gateDayDoc: String?
    /// This week's roster, for its history; nil while the week has no shift.
    public var rosterDoc: String?
}

public final class GateDutyViewModel: ScreenModel<GateDutyState>, @unchecked Sendable {
    /// How many 安全员 a shift may be planned with.
    public static let officers = 1...6
    private let session: Session
    public let gateId: String
    var store: LinliStore { session.store }
    private var me: String { session.credentials.memberId }
    private var lastPass: PassCheckItem?
    private var issuedPass: PassSigned?

    public init(session: Session, gateId: String) {
        self.session = session
        self.gateId = gateId
        super.init(GateDutyState())
    }

    override func load() throws -> GateDutyState {
        let view = try store.onDuty(gateId: gateId)
        let today = try store.today()
        let roles = try store.member(id: me).roles
        let swapRows = try store.swaps(gateId: gateId)
        let members = try store.members()
        let names = Dictionary(members.map { ($0.id, $0.name) }) { a, _ in a }
        let entries = try store.gateEntries(gateId: gateId, date: today)
        let week = try store.rosterWeek(gateId: gateId, day: today)
        let buildings = try store.places(kind: .building)
        let lanes = try store.places(kind: .lane)
        var out = GateDutyState(
            gateName: view.gateName,
            badge: view.slots.map { s in
                BadgeSlot(role: UiText(Keys.of(s.role)), planned: s.planned?.name, onDuty: s.onDuty?.name,
                          since: s.since, attendance: UiText(Keys.of(s.attendance)), isMe: s.onDuty?.id == me)
            },
            others: view.others.map(\.name),
            meOnDuty: view.slots.contains { $0.onDuty?.id == me } || view.others.contains { $0.id == me },
            // Newest first; entry ids sort by time, so they order entries of the same moment.
            entries: entries.sorted { ($0.at, $0.id) > ($1.at, $1.id) }.map { GateEntryItem($0, names: names) },
            week: week,
            swaps: swapRows.map {
                SwapItem(swapId: $0.swapId, from: names[$0.fromMember] ?? $0.fromMember, to: names[$0.toMember] ?? $0.toMember,
                         toMe: $0.toMember == me, status: UiText(Keys.of($0.status)))
            },
            canBuildRoster: roles.contains { $0.role == .office || ($0.role == .gateLead && $0.places.contains(gateId)) },
            buildings: buildings,
            issuedPass: issuedPass,
            lastPass: lastPass,
            lateRevocations: try store.passesLetThroughAfterRevocation().filter { $0.gateId == gateId }.count
        )
        out.vehiclesInside = try store.vehiclesInside(gateId: gateId).map(VehicleItem.init)
        out.parcelsWaiting = try store.parcelsWaiting(gateId: gateId).map(ParcelItem.init)
        out.handoverTo = members.filter { m in m.active && m.id != me && m.roles.contains(where: dutyRoleHere) }
            .map { MemberItem(id: $0.id, name: $0.name) }
        out.utcOffsetMinutes = try store.community().utcOffsetMinutes
        out.visitPlaces = buildings + lanes
        out.gateDayDoc = entries.first?.recordId
        out.rosterDoc = week.first?.rosterDoc
        return out
    }

    /// A gate lead's, shift lead's or safety officer's role over this gate.
    private func dutyRoleHere(_ r: RoleInput) -> Bool {
        [Role.gateLead, .shiftLead, .safetyOfficer].contains(r.role) && r.places.contains(gateId)
    }

    /// Checks a scanned or typed pass offline; the result shows large, in red unless valid.
    @discardableResult
    public func checkPass(_ text: String) async -> PassCheckItem? {
        let trimmed = text.trimmingCharacters(in: .whitespacesAndNewlines)
        guard let check = await act({ (c: PassCheck) in UiText(Keys.of(c.result)) }, { [self] in
            try store.checkPass(gateId: gateId, text: trimmed)
        }) else { return nil }
        let item = PassCheckItem(result: check.result, label: UiText(Keys.of(check.result)),
                                 holder: check.claims?.holder, kind: check.claims.map { UiText(Keys.of($0.kind)) })
        lastPass = item
        state.lastPass = item
        return item
    }

    /// Asks the relay to sign a pass for this gate (a gate lead's, or the office's): needs the
    /// network, as the community's key stays on the relay. The signed pass shows as a QR code;
    /// a refusal (not a lead of this gate, no such room or resident, offline) is the notice.
    @discardableResult
    public func issuePass(_ form: PassRequestForm) async -> PassSigned? {
        let visitor = form.kind == .visitor
        let name = form.name.trimmingCharacters(in: .whitespacesAndNewlines)
        let from: String, until: String
        do {
            from = try store.today()
            until = try addDays(date: from, days: Int32(form.days - 1))
        } catch {
            notice = Notice(text: uiText(error), isError: true)
            return nil
        }
        let input = PassDaysInput(
            householdId: "", residentId: nil, visitorName: visitor ? name : "", kind: form.kind,
            from: from, until: until, gates: [gateId],
            address: PassAddress(buildingId: form.buildingId,
                                 unit: form.unit.trimmingCharacters(in: .whitespacesAndNewlines),
                                 room: form.room.trimmingCharacters(in: .whitespacesAndNewlines),
                                 residentName: visitor ? "" : name))
        do {
            let signed = try await session.client.issuePass(store: store, input: input, cancel: nil)
            notice = Notice(text: UiText(Keys.donePassIssued, [signed.holder]), isError: false)
            issuedPass = signed
            state.issuedPass = signed
            return signed
        } catch {
            notice = Notice(text: uiText(error), isError: true)
            return nil
        }
    }

    private func registered(_: Any) -> UiText? { UiText(Keys.doneRegistered) }

    public func checkIn() async { await act({ _ in UiText(Keys.doneCheckedIn) }) { [self] in try store.checkIn(gateId: gateId) } }

    public func checkOut() async { await act({ _ in UiText(Keys.doneCheckedOut) }) { [self] in try store.checkOut(gateId: gateId) } }

    /// Registers a visitor with the pass type chosen and the address visited: `buildingId`, one
    /// of `visitPlaces` (nil when not said), and the unit and room as said (`1单元 302`). The
    /// phone names no household (a gate phone holds none: the gate roles read no household);
    /// the core links the one at that address when this phone holds exactly one there.
    @discardableResult
    public func registerVisitor(name: String, phone: String, purpose: String, passType: PassType,
                                buildingId: String? = nil, room: String = "") async -> Bool {
        let visitor = VisitorInput(name: name, phone: phone, purpose: purpose, household: nil, passType: passType,
                                   buildingId: buildingId, room: room.trimmingCharacters(in: .whitespaces))
        return await act(registered) { [self] in try store.registerVisitor(gateId: gateId, visitor: visitor) } != nil
    }

    /// Registers a vehicle coming in: it is listed inside until it leaves.
    @discardableResult
    public func registerVehicle(plate: String, purpose: String) async -> Bool {
        await act(registered) { [self] in try store.registerVehicle(gateId: gateId, plate: plate, purpose: purpose) } != nil
    }

    /// Registers a parcel received at the gate: it is listed waiting until collected.
    @discardableResult
    public func registerParcel(recipient: String, carrier: String) async -> Bool {
        await act(registered) { [self] in
            try store.registerParcel(gateId: gateId, recipient: recipient, household: nil, carrier: carrier)
        } != nil
    }

    /// A fever reading is confirmed in the warning style and stands out in the register.
    public func recordTemperature(person: String, celsius: Double) async {
        await act({ (t: TemperatureEntry) in
            t.fever ? UiText(Keys.doneFever, [person, String(celsius)]) : UiText(Keys.doneRegistered)
        }) { [self] in try store.recordTemperature(gateId: gateId, person: person, celsius: celsius) }
    }

    public func recordPatrol(note: String) async {
        await act(registered) { [self] in try store.recordPatrol(gateId: gateId, note: note) }
    }

    public func requestSwap(shiftId: String, slotId: String, toMember: String) async {
        await act(registered) { [self] in
            try store.requestSwap(gateId: gateId, shiftId: shiftId, slotId: slotId, toMember: toMember)
        }
    }

    public func acceptSwap(_ swapId: String) async {
        await act(registered) { [self] in try store.acceptSwap(gateId: gateId, swapId: swapId) }
    }

    public func approveSwap(_ swapId: String) async {
        await act(registered) { [self] in try store.approveSwap(gateId: gateId, swapId: swapId) }
    }

    /// Adds a shift from times typed `HH:MM` in the community's time on `day` (today, the
    /// community's, when not given); an end before the start is the next morning. `officers` is
    /// the number of 安全员 as typed (1–6).
    @discardableResult
    public func addShift(label: String, start: String, end: String, officers: String, day: String? = nil) async -> String? {
        guard let n = UInt32(officers.trimmingCharacters(in: .whitespaces)) else {
            _ = refuse(UiText(Keys.errorCode("malformed"), [Keys.fieldOfficers]))
            return nil
        }
        guard Self.officers.contains(Int(n)) else {
            _ = refuse(UiText(Keys.errorCode("out_of_range"), [Keys.fieldOfficers]))
            return nil
        }
        return await act(registered) { [self] in
            try store.addShiftOn(gateId: gateId, label: label, day: day ?? store.today(), start: start, end: end,
                                 safetyOfficers: n)
        }
    }

    public func assignSlot(shiftId: String, slotId: String, memberId: String?) async {
        await act(registered) { [self] in
            try store.assignSlot(gateId: gateId, shiftId: shiftId, slotId: slotId, memberId: memberId)
        }
    }

    /// The members who may take a slot at this gate, for the roster and swap pickers.
    public func gateMembers() async -> [MemberRow] {
        await act({ _ in nil }) { [self] in
            try store.members().filter { m in m.active && m.roles.contains { $0.places.contains(gateId) } }
        } ?? []
    }
}
