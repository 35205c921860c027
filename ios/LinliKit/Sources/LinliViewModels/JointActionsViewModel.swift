// Joint actions (联合行动): the actions on this phone (a department's phone holds those its
// department takes part in) with their steps done and late; one action with its steps in time
// order, who marked each done and when, and which the member may mark; and an action planned for
// tickets, each step's day and time typed in the community's time (never the phone's zone).
import Foundation
import LinliCore

/// A joint action as the list shows it.
public struct JointItem: Equatable, Sendable {
    public let id: String
    public let title: String
    public let steps: UInt32
    public let done: UInt32
    public let late: UInt32
    /// `3 步 · 已完成 1 · 逾期 1`.
    public let progress: UiText
}

/// One step of a joint action, where it stands now.
public struct JointStepItem: Equatable, Sendable {
    public let id: String
    public let departmentId: String
    public let department: String
    /// When it starts (the screen shows it in the community's time).
    public let start: Date
    public let what: String
    /// Who marked it done, by name.
    public let doneBy: String?
    public let doneAt: Date?
    /// Not done, and its start has passed.
    public let late: Bool
    /// The member may mark it done now.
    public let mayMark: Bool
}

public struct JointDetailState: Equatable, Sendable {
    public let id: String
    public let title: String
    /// The tickets it serves: their descriptions where this phone holds them, else their ids.
    public let tickets: [String]
    public let plannedBy: String
    /// In time order.
    public let steps: [JointStepItem]
}

/// A step to plan, as typed: the department, the day (`YYYY-MM-DD`) and time (`HH:MM`) it
/// starts in the community's time, and what it does.
public struct PlanStepForm: Equatable, Sendable {
    public var departmentId: String
    public var date: String
    public var time: String
    public var what: String

    public init(departmentId: String = "", date: String = "", time: String = "", what: String = "") {
        (self.departmentId, self.date, self.time, self.what) = (departmentId, date, time, what)
    }
}

public struct JointActionsState: Sendable {
    /// Most recently planned first.
    public var actions: [JointItem] = []
    public var detail: JointDetailState?
    /// The directory's departments, for planning.
    public var departments: [PlaceItem] = []
    /// The office or an area lead.
    public var mayPlan = false
    /// The community's offset from UTC, to show the steps' times in.
    public var utcOffsetMinutes: Int32 = 8 * 60
}

public final class JointActionsViewModel: ScreenModel<JointActionsState>, @unchecked Sendable {
    private let session: Session
    private var store: LinliStore { session.store }

    public init(session: Session) {
        self.session = session
        super.init(JointActionsState())
    }

    override func load() throws -> JointActionsState {
        let roles = try store.member(id: session.credentials.memberId).roles
        var s = JointActionsState()
        s.actions = try store.jointActions().map { r in
            JointItem(id: r.id, title: r.title, steps: r.steps, done: r.done, late: r.late,
                      progress: UiText(Keys.jointProgress, [String(r.steps), String(r.done), String(r.late)]))
        }
        s.mayPlan = roles.contains { $0.role == .office || $0.role == .areaLead }
        s.departments = try store.places(kind: .department).map { PlaceItem(id: $0.id, name: $0.name) }
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

    /// Plans a joint action for tickets; a day or time that is not one is refused before the
    /// core sees it.
    @discardableResult
    public func plan(ticketIds: [String], title: String, steps: [PlanStepForm]) async -> Bool {
        var starts: [(day: DateComponents, minutes: Int)] = []
        for step in steps {
            guard let day = Self.day(step.date) else {
                return refuse(UiText(Keys.errorCode("not_a_date"), [Keys.field("date")]))
            }
            guard let minutes = Self.minutes(step.time) else {
                return refuse(UiText(Keys.errorCode("not_a_time"), [Keys.field("start")]))
            }
            starts.append((day, minutes))
        }
        return await act({ _ in UiText(Keys.doneJointPlanned) }) { [self] in
            let offset = try store.community().utcOffsetMinutes
            let input = zip(steps, starts).map { step, start in
                PlanStepInput(unit: step.departmentId, start: Self.instant(start.day, start.minutes, offset: offset),
                              what: step.what)
            }
            return try store.planJointAction(tickets: ticketIds, title: title, steps: input)
        } != nil
    }

    /// Marks a step of the open action done.
    @discardableResult
    public func markDone(_ stepId: String, note: String = "") async -> Bool {
        guard let id = state.detail?.id else { return false }
        return await act({ _ in UiText(Keys.doneStepDone) }) { [self] in
            try store.markStepDone(jointId: id, step: stepId, note: note)
        } != nil
    }

    private func detail(_ id: String) throws -> JointDetailState {
        let j = try store.jointAction(id: id)
        let roles = try store.member(id: session.credentials.memberId).roles
        let supervisor = roles.contains { $0.role == .office || $0.role == .areaLead }
        let mine = Set(roles.filter { $0.role == .departmentStaff }.flatMap(\.places))
        let name = memberNames(store)
        let place = placeNames(store)
        return JointDetailState(
            id: j.id, title: j.title,
            tickets: j.tickets.map { t in (try? store.ticket(id: t).description) ?? t },
            plannedBy: name(j.plannedBy),
            steps: j.steps.map { s in
                JointStepItem(id: s.id, departmentId: s.unit, department: place(s.unit), start: date(ms: s.startMs),
                              what: s.what, doneBy: s.doneBy.map(name), doneAt: s.doneMs.map(date(ms:)), late: s.late,
                              mayMark: s.doneBy == nil && (supervisor || mine.contains(s.unit)))
            })
    }

    /// A calendar day typed as `YYYY-MM-DD`, if it is one.
    static func day(_ text: String) -> DateComponents? {
        let parts = text.trimmingCharacters(in: .whitespaces).split(separator: "-", omittingEmptySubsequences: false)
        guard parts.count == 3, parts.map(\.count) == [4, 2, 2],
              let y = digits(parts[0]), let m = digits(parts[1]), let d = digits(parts[2]) else { return nil }
        let c = DateComponents(year: y, month: m, day: d)
        guard c.isValidDate(in: utc) else { return nil }
        return c
    }

    /// Minutes after midnight of a time typed as `HH:MM` (or `H:MM`), if it is one.
    static func minutes(_ text: String) -> Int? {
        let parts = text.trimmingCharacters(in: .whitespaces).split(separator: ":", omittingEmptySubsequences: false)
        guard parts.count == 2, (1...2).contains(parts[0].count), parts[1].count == 2,
              let h = digits(parts[0]), let m = digits(parts[1]), (0..<24).contains(h), (0..<60).contains(m) else { return nil }
        return h * 60 + m
    }

    /// A number written in ASCII digits only (no sign, no space).
    private static func digits(_ s: Substring) -> Int? {
        s.allSatisfy { ("0"..."9").contains($0) } ? Int(s) : nil
    }

    /// The instant a community `offset` minutes from UTC calls `day` at `minutes` past midnight.
    static func instant(_ day: DateComponents, _ minutes: Int, offset: Int32) -> Date {
        let midnightUtc = utc.date(from: day) ?? Date(timeIntervalSince1970: 0)
        return midnightUtc + TimeInterval((minutes - Int(offset)) * 60)
    }

    /// The Gregorian calendar in UTC: days are counted there and moved by the community's offset.
    private static var utc: Calendar {
        var c = Calendar(identifier: .gregorian)
        c.timeZone = TimeZone(identifier: "UTC")!
        return c
    }
}
