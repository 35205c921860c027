// The notifications planned from today's list, without a store: agenda items made here and a
// fixed "now". Overdue items are notified now, a shift 15 minutes before it starts, a ticket
// 2 hours before its deadline, a follow-up or a reminder at 09:00 of its day in the community's
// time (or now when that has passed), items without a time not at all; one per item, with ids
// that stay the same from one plan to the next.
import Foundation
import XCTest
import LinliCore
@testable import LinliViewModels

final class NotificationsTests: XCTestCase {
    /// 14:00 in a community at UTC+08:00.
    let now = ISO8601DateFormatter().date(from: "2024-03-05T06:00:00Z")!

    func at(_ s: String) -> Date { ISO8601DateFormatter().date(from: s)! }

    func item(_ kind: AgendaKind, _ record: String, _ due: Date?, overdue: Bool = false, item: String = "") -> AgendaItem {
        AgendaItem(kind: kind, recordId: record, itemId: item, placeId: "place-1", title: "标题 \(record)",
                   due: due, overdue: overdue, action: "")
    }

    var agenda: [AgendaItem] {
        [
            item(.ticket, "t-late", now - 3600, overdue: true),
            item(.isolationCheck, "h-501", nil, overdue: true, item: "iso-1"),
            item(.shift, "gate-east", now + 2 * 3600, item: "shift-1/slot-2"),
            // Due 2024-03-07 (its day starts at 16:00 UTC the day before).
            item(.followUp, "h-302", at("2024-03-06T16:00:00Z"), item: "visit-9"),
            item(.ticket, "t-soon", now + 5 * 3600),
            item(.ticket, "t-close", now + 3600),
            // Due today: its 09:00 has passed.
            item(.reminder, "r-lift", at("2024-03-04T16:00:00Z"), item: "2024-03-05"),
            item(.isolationCheck, "h-502", nil, item: "iso-2"),
            // The same shift twice: one notification.
            item(.shift, "gate-east", now + 2 * 3600, item: "shift-1/slot-2"),
        ]
    }

    func testOverdueNowAShiftAheadAFollowUpAtNineAndTheSameIdsAgain() {
        let plan = AgendaNotifications(utcOffsetMinutes: 480).plan(agenda, now: now)
        XCTAssertEqual(plan.map(\.id), [
            "ticket:t-late:", "isolation_check:h-501:iso-1", "shift:gate-east:shift-1/slot-2",
            "follow_up:h-302:visit-9", "ticket:t-soon:", "ticket:t-close:", "reminder:r-lift:2024-03-05",
        ])
        XCTAssertEqual(plan.map(\.at), [
            now, now, at("2024-03-05T07:45:00Z"), at("2024-03-07T01:00:00Z"), at("2024-03-05T09:00:00Z"), now, now,
        ])
        XCTAssertEqual(plan[0].title, UiText(Keys.notifyOverdue, ["agenda_kind_ticket"]))
        XCTAssertEqual(plan[2].title, UiText(Keys.notifyDue, ["agenda_kind_shift"]))
        XCTAssertEqual(plan[3].body, "标题 h-302")

        // A plan a little later has the same ids, so it replaces what was scheduled; what is
        // still ahead keeps its time.
        let later = now + 600
        let again = AgendaNotifications(utcOffsetMinutes: 480).plan(agenda, now: later)
        XCTAssertEqual(again.map(\.id), plan.map(\.id))
        XCTAssertEqual(Array(again[2...4]), Array(plan[2...4]))
        XCTAssertEqual(again[0].at, later)
        XCTAssertEqual(AgendaNotifications(utcOffsetMinutes: 480).plan(agenda, now: now), plan,
                       "the same agenda and now, the same plan")
    }

    func testNineIsTheCommunitysWhateverThePhonesTimeZone() {
        let phone = NSTimeZone.default
        NSTimeZone.default = TimeZone(identifier: "America/Los_Angeles")!
        defer { NSTimeZone.default = phone }
        // A community at UTC-05:00: the follow-up's day 2024-03-07 starts at 05:00 UTC.
        let followUp = item(.followUp, "h-1", at("2024-03-07T05:00:00Z"), item: "v-1")
        let plan = AgendaNotifications(utcOffsetMinutes: -300).plan([followUp], now: now)
        XCTAssertEqual(plan.map(\.at), [at("2024-03-07T14:00:00Z")])
        XCTAssertEqual(AgendaNotifications(utcOffsetMinutes: -300).day(of: at("2024-03-07T04:59:00Z")), "2024-03-06")
        XCTAssertEqual(AgendaNotifications(utcOffsetMinutes: 480).day(of: at("2024-03-06T16:00:00Z")), "2024-03-07")
        // Items without a time and not overdue ask for nothing.
        XCTAssertEqual(AgendaNotifications(utcOffsetMinutes: 480).plan([item(.watchCheck, "h-2", nil)], now: now), [])
    }
}
