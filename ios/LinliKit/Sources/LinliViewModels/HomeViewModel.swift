// The home screen: one tile per kind of work the member's roles allow, with the places each
// covers (a department's staff get their department's work orders and joint actions, not the
// tickets; those who serve or lead get the needs list; all but a department's staff rate), the
// member's name and roles in words, and today's list (the agenda) most urgent first, each item
// opening the screen that clears it; a reminder is marked done from here.
import Foundation
import LinliCore

/// A kind of work on the home screen; the raw value is its string key.
public enum HomeTile: String, CaseIterable, Sendable {
    case gateDuty = "home_gate_duty"
    case doorToDoor = "home_door_to_door"
    case tickets = "home_tickets"
    case department = "home_department"
    case needs = "home_needs"
    case evaluation = "home_evaluation"
    case jointActions = "home_joint_actions"
    case reminders = "home_reminders"
    case sync = "home_sync"
    case office = "home_office"
}

/// A place the member works at.
public struct PlaceItem: Equatable, Sendable {
    public let id: String
    public let name: String
}

/// One item of today's list, as the home screen shows it.
public struct AgendaRow: Equatable, Sendable {
    public let kind: AgendaKind
    /// The kind in words (`agenda_kind_<kind>`).
    public let label: UiText
    /// One line in Chinese from the core, e.g. `3号楼 1单元 302：周三再来`.
    public let title: String
    public let due: Date?
    /// For what is due on a day rather than at a time (a follow-up, a reminder): that day,
    /// `YYYY-MM-DD` in the community's time.
    public let dueDay: String?
    public let overdue: Bool
    /// A household, a ticket, a gate (shifts and swaps), a reminder or a work order.
    public let recordId: String
    /// The visit, slot, swap or isolation within the record (empty when none).
    public let itemId: String
    /// A building, a gate, a ticket's place, or a work order's department.
    public let placeId: String
    /// The screen that clears it.
    public let opens: HomeTile

    /// A reminder is marked done right on the home screen.
    public var canComplete: Bool { kind == .reminder }

    /// The item as a row, its day read in the community's time.
    public init(_ item: AgendaItem, utcOffsetMinutes: Int32) {
        kind = item.kind
        label = UiText(Keys.of(item.kind))
        title = item.title
        due = item.due
        let dayLong = item.kind == .followUp || item.kind == .reminder
        dueDay = dayLong ? item.due.map { AgendaNotifications(utcOffsetMinutes: utcOffsetMinutes).day(of: $0) } : nil
        overdue = item.overdue
        recordId = item.recordId
        itemId = item.itemId
        placeId = item.placeId
        opens = AgendaRow.opens(item)
    }

    /// The screen that clears an agenda item, by its action code.
    public static func opens(_ item: AgendaItem) -> HomeTile {
        switch item.action {
        case "visit.log", "isolation.check": return .doorToDoor
        case "ticket.handle": return .tickets
        case "order.handle": return .department
        case "duty.check_in", "swap.accept", "swap.approve": return .gateDuty
        case "reminder.complete": return .reminders
        default:
            switch item.kind {
            case .followUp, .watchCheck, .isolationCheck: return .doorToDoor
            case .ticket: return .tickets
            case .shift, .swapToAccept, .swapToApprove: return .gateDuty
            case .reminder: return .reminders
            case .workOrder: return .department
            }
        }
    }
}

public struct HomeState: Sendable {
    public var memberName = ""
    public var roles: [UiText] = []
    public var tiles: [HomeTile] = []
    public var gates: [PlaceItem] = []
    public var buildings: [PlaceItem] = []
    /// The departments the member works for (大联动).
    public var departments: [PlaceItem] = []
    /// Today's list (the community's date), most urgent first.
    public var agenda: [AgendaRow] = []
}

public final class HomeViewModel: ScreenModel<HomeState>, @unchecked Sendable {
    private let session: Session
    private var store: LinliStore { session.store }

    public init(session: Session) {
        self.session = session
        super.init(HomeState())
    }

    /// Reads the member's roles from the directory (after the first sync) and today's list.
    override func load() throws -> HomeState {
        let me = try store.member(id: session.credentials.memberId)
        let office = me.roles.contains { $0.role == .office }
        let gates = try store.myPlaces(kind: .gate).map { PlaceItem(id: $0.id, name: $0.name) }
        let buildings = try store.myPlaces(kind: .building).map { PlaceItem(id: $0.id, name: $0.name) }
        let departments = try departmentsOf(store, memberId: me.id)
        // A department's staff read their own work orders, not the community's tickets.
        let community = me.roles.isEmpty || me.roles.contains { $0.role != .departmentStaff }
        let holds = { (wanted: [Role]) in me.roles.contains { wanted.contains($0.role) } }
        let today = try store.today()
        let offset = try store.community().utcOffsetMinutes
        let agenda = try store.agenda(date: today)
        let reminders = try store.reminders(date: today)
        var tiles: [HomeTile] = []
        if !gates.isEmpty { tiles.append(.gateDuty) }
        if !buildings.isEmpty { tiles.append(.doorToDoor) }
        if community { tiles.append(.tickets) }
        if !departments.isEmpty { tiles.append(.department) }
        if holds([.volunteer, .partyMember, .unitMember, .buildingLead, .laneLead, .areaLead, .office]) { tiles.append(.needs) }
        // Everyone rates but a department's staff alone.
        if me.roles.contains(where: { $0.role != .departmentStaff }) { tiles.append(.evaluation) }
        if holds([.departmentStaff, .office, .areaLead]) { tiles.append(.jointActions) }
        // The office adds reminders there, before there is any.
        if !reminders.isEmpty || office { tiles.append(.reminders) }
        tiles.append(.sync)
        if office { tiles.append(.office) }
        return HomeState(memberName: me.name, roles: me.roles.map { UiText(Keys.of($0.role)) },
                         tiles: tiles, gates: gates, buildings: buildings, departments: departments,
                         agenda: agenda.map { AgendaRow($0, utcOffsetMinutes: offset) })
    }

    /// Marks a reminder on today's list done; the list reloads without it.
    public func completeReminder(_ reminderId: String) async {
        await act({ _ in UiText(Keys.doneReminderCompleted) }) { [self] in try store.completeReminder(reminderId: reminderId) }
    }

    /// The notifications today's list asks for at `now`, for the app to post (none when the
    /// store cannot be read; the screen's notice is left alone).
    public func notifications(now: Date = Date()) async -> [PlannedNotification] {
        (try? await offMain { [session] in try AgendaNotifications.plan(session: session, now: now) }) ?? []
    }
}
