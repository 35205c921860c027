// The local notifications today's list asks for, worked out here from the agenda and a "now"
// handed in (the same agenda and now always give the same plan); the app only posts them.
// Overdue items are notified now; items due later ahead of their time (a shift 15 minutes
// before it starts, a ticket or a department's work order 2 hours before its deadline, a follow-up or a reminder at 09:00
// of its day in the community's time, others when due), or now when that has passed; items
// without a time are not, unless overdue.
import Foundation
import LinliCore

/// A notification to post at `at` (now, or later). Its `id` is the item's, the same at every
/// plan (`<kind>:<record>:<item>`), so that a new plan replaces what the last one scheduled.
public struct PlannedNotification: Equatable, Sendable {
    public let id: String
    public let at: Date
    public let title: UiText
    public let body: String
}

/// Plans the notifications of an agenda in the community's time (its offset from UTC).
public struct AgendaNotifications: Sendable {
    /// A shift is notified this long before it starts.
    public static let shiftLead: TimeInterval = 15 * 60
    /// A ticket or a work order is notified this long before its deadline.
    public static let ticketLead: TimeInterval = 2 * 3600
    /// Follow-ups and reminders are notified at this local hour of their day.
    public static let morningHour = 9

    private let calendar: Calendar

    public init(utcOffsetMinutes: Int32) {
        var calendar = Calendar(identifier: .gregorian)
        calendar.timeZone = TimeZone(secondsFromGMT: Int(utcOffsetMinutes) * 60) ?? TimeZone(secondsFromGMT: 8 * 3600)!
        self.calendar = calendar
    }

    /// One notification per item (the first of any with the same id), in the agenda's order.
    public func plan(_ agenda: [AgendaItem], now: Date) -> [PlannedNotification] {
        var seen = Set<String>()
        var out: [PlannedNotification] = []
        for item in agenda {
            let at: Date
            if item.overdue {
                at = now
            } else if let due = item.due {
                at = max(now, ahead(item.kind, due))
            } else {
                continue
            }
            let id = Self.id(of: item)
            guard seen.insert(id).inserted else { continue }
            let title = UiText(item.overdue ? Keys.notifyOverdue : Keys.notifyDue, [Keys.of(item.kind)])
            out.append(PlannedNotification(id: id, at: at, title: title, body: item.title))
        }
        return out
    }

    /// The community's date of `date`, `YYYY-MM-DD`.
    public func day(of date: Date) -> String {
        let c = calendar.dateComponents([.year, .month, .day], from: date)
        return String(format: "%04d-%02d-%02d", c.year ?? 0, c.month ?? 0, c.day ?? 0)
    }

    /// When to remind of an item due at `due`.
    private func ahead(_ kind: AgendaKind, _ due: Date) -> Date {
        switch kind {
        case .shift: return due - Self.shiftLead
        case .ticket, .workOrder: return due - Self.ticketLead
        case .followUp, .reminder:
            // A fixed offset has no daylight saving: the day's start plus nine hours.
            return calendar.startOfDay(for: due) + TimeInterval(Self.morningHour * 3600)
        default: return due
        }
    }

    /// The notification id of an item: its kind, record and item.
    public static func id(of item: AgendaItem) -> String {
        "\(Keys.of(item.kind).dropFirst("agenda_kind_".count)):\(item.recordId):\(item.itemId)"
    }

    /// The plan for the session's agenda today (the community's date and offset).
    public static func plan(session: Session, now: Date) throws -> [PlannedNotification] {
        let store = session.store
        let offset = try store.community().utcOffsetMinutes
        return AgendaNotifications(utcOffsetMinutes: offset).plan(try store.agenda(date: try store.today()), now: now)
    }
}
