// Tickets: the lists (mine, open, overdue, by level), a ticket's detail with its event timeline
// (the departments' steps on its work orders included), the channel it came by, each photo (or
// 照片待同步 while its bytes have not arrived) and deadlines counting down, the actions the
// member's role allows now (from the core's one rule), photos attached, dispatching to a
// department of the directory (大联动), the leader in charge (包案领导), and answering a
// department's question. The report form is in TicketReport.swift.
import Foundation
import LinliCore

/// Which list is shown.
public enum TicketList: Equatable, Sendable {
    case mine, open, overdue
    case atLevel(Level)

    /// The list's first `limit` tickets, newest event first.
    func filter(limit: Int, placeRef: String? = nil) -> TicketFilter {
        var level: Level?
        if case let .atLevel(l) = self { level = l }
        return TicketFilter(status: nil, level: level, category: nil, placeRef: placeRef,
                            openOnly: self == .open || level != nil, mine: self == .mine, overdue: self == .overdue,
                            limit: UInt32(limit), offset: 0)
    }
}

/// Tickets a list shows at first, and how many more each "more" adds.
public let ticketPage = 50

public struct TicketItem: Equatable, Sendable {
    public let id: String
    public let category: UiText
    public let description: String
    public let place: String
    public let status: UiText
    public let level: UiText
    public let overdue: Bool
    /// The nearest open deadline, counting down.
    public let deadline: UiText?
}

/// One event of the timeline, in words.
public struct TimelineItem: Equatable, Sendable {
    public let at: Date
    public let author: String
    public let action: UiText
    /// The department, level, channel or leader the event names.
    public let subject: UiText?
    public let text: String
}

/// A department's question on one of the ticket's work orders, waiting for the community.
public struct OrderQuestion: Equatable, Sendable {
    public let orderId: String
    public let unitName: String
    public let question: String
    /// The member may answer it (office or area lead).
    public let canAnswer: Bool
}

/// One of a ticket's photos: its bytes when they are on this phone; else (not uploaded yet by the
/// phone that took it, or not downloaded here yet) 照片待同步.
public struct TicketPhoto: Equatable, Sendable {
    public let sha256: String
    public let bytes: Data?
    /// `ticket_photo_pending` while the bytes have not arrived.
    public let pending: UiText?
}

/// A member to choose, by id and name.
public struct MemberItem: Equatable, Sendable {
    public let id: String
    public let name: String
}

public struct TicketDetailState: Equatable, Sendable {
    public let id: String
    public let category: UiText
    public let description: String
    public let place: String
    public let status: UiText
    public let level: UiText
    /// How it came (走访, 12345热线, 微信群 …).
    public let channel: UiText
    public let replyDeadline: UiText?
    public let resolveDeadline: UiText?
    public let timeline: [TimelineItem]
    /// In the order attached, the report's first.
    public let photos: [TicketPhoto]
    public let actions: [TicketActionKind]
    /// Where a duplicate can be merged: the other open tickets, those at the same place first.
    public let mergeTargets: [TicketItem]
    /// 首问负责人, by name.
    public let responsible: String?
    /// 包案领导, by name.
    public let leader: String?
    /// The department working it now, by name.
    public let unit: String?
    /// Its work orders, the latest first, with where each stands.
    public let orders: [OrderItem]
    /// The departments' questions waiting for an answer.
    public let questions: [OrderQuestion]
    /// Where it can be dispatched: the directory's departments (when dispatching is offered).
    public let departments: [PlaceItem]
    /// Who can be put in charge: the office and the area leads (when naming one is offered).
    public let leaders: [MemberItem]
}

public struct TicketsState: Sendable {
    public var list: TicketList = .open
    public var items: [TicketItem] = []
    /// How many tickets the list shows; it grows by a page with `showMore()`.
    public var shown = ticketPage
    /// The list holds more tickets than it shows.
    public var hasMore = false
    public var detail: TicketDetailState?
    /// The report being written (nil when none), with the photos taken for it.
    public var report: TicketReportForm?
    /// Where a report may be, besides a place typed: the member's buildings and gates.
    public var places: [ReportPlace] = []
    public var categories: [Choice<LinliCore.Category>] = Keys.categories.map { Choice(value: $0, label: UiText(Keys.of($0))) }
    public var channels: [Choice<Channel>] = Keys.channels.map { Choice(value: $0, label: UiText(Keys.of($0))) }
}

/// What an action needs besides the ticket.
public enum TicketCommand: Sendable {
    case accept
    case assign(Department)
    case escalate(to: Level, reason: String)
    case reply(String)
    case resolve(String)
    case evaluate(satisfied: Bool, comment: String)
    case merge(into: String)
    case attachPhoto(Data)
    /// To a department of the directory (a place id).
    case dispatch(unit: String)
    case nameLeader(memberId: String)

    var kind: TicketActionKind {
        switch self {
        case .accept: return .accept
        case .assign: return .assign
        case .escalate: return .escalate
        case .reply: return .reply
        case .resolve: return .resolve
        case .evaluate: return .evaluate
        case .merge: return .merge
        case .attachPhoto: return .attachPhoto
        case .dispatch: return .dispatch
        case .nameLeader: return .nameLeader
        }
    }
}

public final class TicketsViewModel: ScreenModel<TicketsState>, @unchecked Sendable {
    private let session: Session
    private let now: () -> Date
    var store: LinliStore { session.store }

    public init(session: Session, now: @escaping () -> Date = Date.init) {
        self.session = session
        self.now = now
        super.init(TicketsState())
    }

    override func load() throws -> TicketsState {
        var s = state
        // One ticket past the page tells whether there are more.
        let rows = try store.tickets(filter: s.list.filter(limit: s.shown + 1))
        s.items = rows.prefix(s.shown).map(item)
        s.hasMore = rows.count > s.shown
        s.detail = try s.detail.map { try detail($0.id) }
        s.places = try [(PlaceKind.building, PlaceRefKind.building), (.gate, .gate)].flatMap { kind, ref in
            try store.myPlaces(kind: kind).map { ReportPlace(id: $0.id, name: $0.name, kind: ref) }
        }
        return s
    }

    public func show(_ list: TicketList) async {
        state.list = list
        state.shown = ticketPage
        await refresh()
    }

    /// Shows the next page of the list.
    public func showMore() async {
        state.shown += ticketPage
        await refresh()
    }

    public func open(_ id: String) async {
        if let d = await act({ _ in nil }, { [self] in try detail(id) }) {
            state.detail = d
        }
    }

    public func close() {
        state.detail = nil
    }

    /// Reports a problem (from anywhere: the gate, the street, a call).
    @discardableResult
    public func report(_ input: TicketInput) async -> String? {
        await act({ _ in UiText(Keys.doneTicketReported) }) { [self] in try store.reportTicket(input: input) }
    }

    /// Runs an action on the open ticket.
    @discardableResult
    public func perform(_ command: TicketCommand) async -> Bool {
        guard let id = state.detail?.id else { return false }
        return await act({ _ in UiText(Keys.doneTicketAction, [Keys.of(command.kind)]) }) { [self] () -> Bool in
            switch command {
            case .accept: _ = try store.acceptTicket(id: id)
            case let .assign(d): _ = try store.assignTicket(id: id, department: d)
            case let .escalate(to, reason): _ = try store.escalateTicket(id: id, to: to, reason: reason)
            case let .reply(m): _ = try store.replyTicket(id: id, message: m)
            case let .resolve(s): _ = try store.resolveTicket(id: id, summary: s)
            case let .evaluate(satisfied, comment): _ = try store.evaluateTicket(id: id, satisfied: satisfied, comment: comment)
            case let .merge(into): try store.mergeTicket(duplicate: id, into: into)
            case let .attachPhoto(bytes): _ = try store.attachPhoto(id: id, sha256: try store.addPhoto(bytes: bytes))
            case let .dispatch(unit): _ = try store.dispatchTicket(ticketId: id, unit: unit)
            case let .nameLeader(memberId): _ = try store.nameTicketLeader(ticketId: id, memberId: memberId)
            }
            return true
        } ?? false
    }

    /// Answers a department's question on one of the open ticket's work orders.
    @discardableResult
    public func answer(orderId: String, answer: String) async -> Bool {
        await act({ _ in UiText(Keys.doneOrderAction, [Keys.of(CaseActionKind.answerInfo)]) }) { [self] in
            try store.answerOrderInfo(id: orderId, answer: answer)
        } != nil
    }

    private func item(_ r: TicketRow) -> TicketItem {
        TicketItem(id: r.id, category: UiText(Keys.of(r.category)), description: r.description, place: r.placeText,
                   status: UiText(Keys.of(r.status)), level: UiText(Keys.of(r.level)), overdue: r.overdue,
                   deadline: [r.replyDue, r.resolveDue].compactMap { $0 }.min().map { countdown(now: now(), due: $0) })
    }

    private func detail(_ id: String) throws -> TicketDetailState {
        let t = try store.ticket(id: id)
        let actions = try store.ticketActions(id: id)
        let name = memberNames(store)
        let at = now()
        let rows = try store.orders(filter: OrderFilter(unit: nil, ticketId: id, openOnly: false))
        let orders = try rows.map { try store.order(id: $0.id) }
        var questions: [OrderQuestion] = []
        for o in orders where o.status == .infoRequested {
            for e in o.events.reversed() {
                guard case let .infoRequested(question) = e.action else { continue }
                questions.append(OrderQuestion(orderId: o.id, unitName: try store.placeName(id: o.unit), question: question,
                                               canAnswer: try store.orderActions(id: o.id).contains(.answerInfo)))
                break
            }
        }
        let events = try t.events.map { e in
            let (key, subject, text) = try describe(e.action, name)
            return TimelineItem(at: date(ms: e.atMs), author: name(e.author), action: UiText(key), subject: subject, text: text)
        }
        var steps: [TimelineItem] = []
        for o in orders {
            let unit = UiText(Keys.labelPlain, [try store.placeName(id: o.unit)])
            steps += o.events.map { e in
                TimelineItem(at: date(ms: e.atMs), author: name(e.author), action: UiText(Keys.of(kindOf(e.action))),
                             subject: unit, text: textOf(e.action))
            }
        }
        // The departments' steps in time order among the ticket's own events (a stable sort).
        let timeline = steps.isEmpty ? events : (events + steps).enumerated()
            .sorted { ($0.element.at, $0.offset) < ($1.element.at, $1.offset) }.map(\.element)
        return TicketDetailState(
            id: t.id, category: UiText(Keys.of(t.category)), description: t.description, place: t.place.text,
            status: UiText(Keys.of(t.state.status)), level: UiText(Keys.of(t.state.level)),
            channel: UiText(Keys.of(t.channel)),
            replyDeadline: t.state.replyDueMs.map { countdown(now: at, due: date(ms: $0)) },
            resolveDeadline: t.state.resolveDueMs.map { countdown(now: at, due: date(ms: $0)) },
            timeline: timeline,
            photos: try t.state.photos.map(photo),
            actions: actions,
            mergeTargets: actions.contains(.merge) ? try mergeTargets(t) : [],
            responsible: t.state.responsible.map(name),
            leader: t.state.leader.map(name),
            unit: try t.state.unit.map { try store.placeName(id: $0) },
            orders: rows.map { orderItem($0, now: at) },
            questions: questions,
            departments: actions.contains(.dispatch)
                ? try store.places(kind: .department).map { PlaceItem(id: $0.id, name: $0.name) } : [],
            leaders: actions.contains(.nameLeader) ? try leaders() : [])
    }

    /// A photo's bytes, or 照片待同步 while they have not arrived.
    private func photo(_ sha256: String) throws -> TicketPhoto {
        switch try store.photo(sha256: sha256) {
        case let .available(bytes): return TicketPhoto(sha256: sha256, bytes: bytes, pending: nil)
        case .pending: return TicketPhoto(sha256: sha256, bytes: nil, pending: UiText(Keys.ticketPhotoPending))
        }
    }

    /// The active members holding the office or an area lead's role, by name.
    private func leaders() throws -> [MemberItem] {
        try store.members()
            .filter { m in m.active && m.roles.contains { $0.role == .office || $0.role == .areaLead } }
            .map { MemberItem(id: $0.id, name: $0.name) }
    }

    /// Open tickets at the same place, then the newest other open ones, a page of each.
    private func mergeTargets(_ t: TicketDetail) throws -> [TicketItem] {
        let samePlace = t.place.reference.isEmpty
            ? [] : try store.tickets(filter: TicketList.open.filter(limit: ticketPage, placeRef: t.place.reference))
        var seen: Set<String> = [t.id]
        return (samePlace + (try store.tickets(filter: TicketList.open.filter(limit: ticketPage))))
            .filter { seen.insert($0.id).inserted }
            .map(item)
    }

    /// The event's key, the label it names (a department, level, channel or leader) and its
    /// free text.
    private func describe(_ a: TicketAction, _ name: (String) -> String) throws -> (String, UiText?, String) {
        switch a {
        case .reported: return ("timeline_reported", nil, "")
        case .accepted: return ("timeline_accepted", nil, "")
        case let .assigned(d): return ("timeline_assigned", UiText(Keys.of(d)), "")
        case let .escalated(to, reason): return ("timeline_escalated", UiText(Keys.of(to)), reason)
        case let .replied(m): return ("timeline_replied", nil, m)
        case let .resolved(s): return ("timeline_resolved", nil, s)
        case let .evaluated(satisfied, comment): return (satisfied ? "timeline_satisfied" : "timeline_unsatisfied", nil, comment)
        case let .merged(into): return ("timeline_merged", nil, into)
        case let .absorbed(from, channel, _): return ("timeline_absorbed", UiText(Keys.of(channel)), from)
        case .photoAdded: return ("timeline_photo", nil, "")
        case let .dispatched(unit, _): return ("timeline_dispatched", UiText(Keys.labelPlain, [try store.placeName(id: unit)]), "")
        case let .leaderNamed(member): return ("timeline_leader_named", UiText(Keys.labelPlain, [name(member)]), "")
        }
    }
}
