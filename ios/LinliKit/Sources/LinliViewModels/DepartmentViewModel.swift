// A department's phone (大联动): the open work orders of the member's department(s), most
// recently dispatched first; one order with what was reported, who answers for the ticket
// (首问负责人, 包案领导), its deadlines counting down and its steps; and the steps the core
// allows now (accept, ask for more, reply, resolve, hand back with a reason).
import Foundation
import LinliCore

/// A work order as lists show it (the department's list, a ticket's orders).
public struct OrderItem: Equatable, Sendable {
    public let id: String
    public let ticketId: String
    /// The department's name.
    public let unitName: String
    public let category: UiText
    public let description: String
    public let place: String
    public let status: UiText
    public let caseStatus: CaseStatus
    public let dispatchedAt: Date
    public let overdue: Bool
    /// The nearest open deadline, counting down.
    public let deadline: UiText?
}

/// One step of a work order, in words.
public struct OrderStep: Equatable, Sendable {
    public let at: Date
    public let author: String
    /// The step (`case_action_<kind>`).
    public let action: UiText
    /// The question, answer, reply, summary or reason.
    public let text: String
}

public struct OrderDetailState: Equatable, Sendable {
    public let id: String
    public let ticketId: String
    public let unitName: String
    public let category: UiText
    public let description: String
    public let place: String
    public let photos: [String]
    public let status: UiText
    public let caseStatus: CaseStatus
    /// The ticket's level when it was dispatched.
    public let level: UiText?
    /// 首问负责人, by name.
    public let responsible: String?
    /// 包案领导, by name.
    public let leader: String?
    public let dispatchedBy: String
    public let dispatchedAt: Date
    /// While nobody replied and the order is open.
    public let replyDeadline: UiText?
    /// While the order is open.
    public let resolveDeadline: UiText?
    /// The department's question still waiting for the community's answer.
    public let question: String?
    public let steps: [OrderStep]
    /// The steps the member may take now, in display order: the buttons to show.
    public let actions: [CaseActionKind]
}

public struct DepartmentState: Sendable {
    /// The departments the member works for.
    public var departments: [PlaceItem] = []
    /// Their open work orders, most recently dispatched first.
    public var orders: [OrderItem] = []
    public var detail: OrderDetailState?
}

public final class DepartmentViewModel: ScreenModel<DepartmentState>, @unchecked Sendable {
    private let session: Session
    private let now: () -> Date
    private var store: LinliStore { session.store }

    public init(session: Session, now: @escaping () -> Date = Date.init) {
        self.session = session
        self.now = now
        super.init(DepartmentState())
    }

    override func load() throws -> DepartmentState {
        let units = try departmentsOf(store, memberId: session.credentials.memberId)
        var seen = Set<String>()
        let rows = try units.flatMap { try store.orders(filter: OrderFilter(unit: $0.id, ticketId: nil, openOnly: true)) }
            .filter { seen.insert($0.id).inserted }
        let at = now()
        var s = DepartmentState()
        s.departments = units
        s.orders = rows.sorted { $0.dispatchedAt > $1.dispatchedAt }.map { orderItem($0, now: at) }
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

    /// Takes the open order.
    @discardableResult
    public func accept() async -> Bool {
        await step(.accept) { [self] id in try store.acceptOrder(id: id) }
    }

    /// Asks the community for more information on the open order.
    @discardableResult
    public func askInfo(_ question: String) async -> Bool {
        await step(.askInfo) { [self] id in try store.askOrderInfo(id: id, question: question) }
    }

    /// Answers the resident.
    @discardableResult
    public func reply(_ message: String) async -> Bool {
        await step(.reply) { [self] id in try store.replyOrder(id: id, message: message) }
    }

    /// Marks the open order resolved.
    @discardableResult
    public func resolve(_ summary: String) async -> Bool {
        await step(.resolve) { [self] id in try store.resolveOrder(id: id, summary: summary) }
    }

    /// Returns the ticket to the community, saying why.
    @discardableResult
    public func handBack(_ reason: String) async -> Bool {
        await step(.handBack) { [self] id in try store.handBackOrder(id: id, reason: reason) }
    }

    private func step(_ kind: CaseActionKind, _ block: @escaping (String) throws -> String) async -> Bool {
        guard let id = state.detail?.id else { return false }
        return await act({ _ in UiText(Keys.doneOrderAction, [Keys.of(kind)]) }) { try block(id) } != nil
    }

    private func detail(_ id: String) throws -> OrderDetailState {
        let o = try store.order(id: id)
        let name = memberNames(store)
        let open = o.status != .resolved && o.status != .handedBack
        let replied = o.events.contains {
            switch $0.action {
            case .replied, .resolved: return true
            default: return false
            }
        }
        var question: String?
        if o.status == .infoRequested {
            for e in o.events.reversed() {
                if case let .infoRequested(q) = e.action { question = q; break }
            }
        }
        let at = now()
        return OrderDetailState(
            id: o.id, ticketId: o.ticketId, unitName: try store.placeName(id: o.unit),
            category: categoryLabel(o.category), description: o.description, place: o.placeText, photos: o.photos,
            status: UiText(Keys.of(o.status)), caseStatus: o.status,
            level: Keys.levels.first { $0.code() == o.level }.map { UiText(Keys.of($0)) },
            responsible: o.responsible.map(name), leader: o.leader.map(name),
            dispatchedBy: name(o.dispatchedBy), dispatchedAt: date(ms: o.dispatchedMs),
            replyDeadline: (open && !replied) ? o.replyDueMs.map { countdown(now: at, due: date(ms: $0)) } : nil,
            resolveDeadline: open ? o.resolveDueMs.map { countdown(now: at, due: date(ms: $0)) } : nil,
            question: question,
            steps: o.events.map { e in
                OrderStep(at: date(ms: e.atMs), author: name(e.author), action: UiText(Keys.of(kindOf(e.action))),
                          text: textOf(e.action))
            },
            actions: try store.orderActions(id: id))
    }
}

/// The departments `memberId` works for (places of their `department_staff` roles), by name.
func departmentsOf(_ store: LinliStore, memberId: String) throws -> [PlaceItem] {
    var seen = Set<String>()
    return try store.member(id: memberId).roles.filter { $0.role == .departmentStaff }
        .flatMap(\.places)
        .filter { seen.insert($0).inserted }
        .map { PlaceItem(id: $0, name: try store.placeName(id: $0)) }
}

/// Member names looked up once each; an unknown member stays by id.
func memberNames(_ store: LinliStore) -> (String) -> String {
    var names: [String: String] = [:]
    return { member in
        if let n = names[member] { return n }
        let n = (try? store.member(id: member).name) ?? member
        names[member] = n
        return n
    }
}

/// A category code in words (the code itself when the phone does not know it).
func categoryLabel(_ code: String) -> UiText {
    Keys.categories.first { $0.code() == code }.map { UiText(Keys.of($0)) } ?? UiText(Keys.labelPlain, [code])
}

func orderItem(_ r: OrderRow, now: Date) -> OrderItem {
    OrderItem(id: r.id, ticketId: r.ticketId, unitName: r.unitName, category: categoryLabel(r.category),
              description: r.description, place: r.placeText, status: UiText(Keys.of(r.status)), caseStatus: r.status,
              dispatchedAt: r.dispatchedAt, overdue: r.overdue,
              deadline: [r.replyDue, r.resolveDue].compactMap { $0 }.min().map { countdown(now: now, due: $0) })
}

/// The kind of a work order's step.
func kindOf(_ a: CaseAction) -> CaseActionKind {
    switch a {
    case .accepted: return .accept
    case .infoRequested: return .askInfo
    case .infoGiven: return .answerInfo
    case .replied: return .reply
    case .resolved: return .resolve
    case .handedBack: return .handBack
    }
}

/// The words a step carries.
func textOf(_ a: CaseAction) -> String {
    switch a {
    case .accepted: return ""
    case let .infoRequested(question): return question
    case let .infoGiven(answer): return answer
    case let .replied(message): return message
    case let .resolved(summary): return summary
    case let .handedBack(reason): return reason
    }
}

/// A time in ms since the epoch.
func date(ms: Int64) -> Date { Date(timeIntervalSince1970: Double(ms) / 1000) }

/// Hours and minutes left until `due`, or how long overdue.
func countdown(now: Date, due: Date) -> UiText {
    let left = due.timeIntervalSince(now)
    let minutes = Int(abs(left) / 60)
    return UiText(left < 0 ? Keys.deadlineOverdue : Keys.deadlineLeft, [String(minutes / 60), String(minutes % 60)])
}
