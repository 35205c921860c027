// Reminders (民情日志): the office's reminders that concern the member (every one for the
// office), soonest first, each with its due date and the days left or overdue, and its current
// occurrence marked done.
import Foundation
import LinliCore

/// A reminder as the list shows it.
public struct ReminderItem: Equatable, Sendable {
    public let id: String
    public let what: String
    /// The place's name (empty when none).
    public let place: String
    /// Who it is for, in words.
    public let owner: String
    /// Its due date and days left, overdue, or all done.
    public let due: UiText
    public let overdue: Bool
    /// Its current occurrence may be marked done (none left for a one-time one done).
    public let canComplete: Bool
}

public struct RemindersState: Sendable {
    public var items: [ReminderItem] = []
}

public final class RemindersViewModel: ScreenModel<RemindersState>, @unchecked Sendable {
    private let session: Session
    private var store: LinliStore { session.store }

    public init(session: Session) {
        self.session = session
        super.init(RemindersState())
    }

    override func load() throws -> RemindersState {
        let rows = try store.reminders(date: try store.today())
        return RemindersState(items: rows.map { r in
            let due: UiText
            switch (r.due, r.daysLeft) {
            case let (date?, left?) where left < 0: due = UiText(Keys.reminderOverdue, [date, String(-left)])
            case let (date?, left?): due = UiText(Keys.reminderDue, [date, String(left)])
            default: due = UiText(Keys.reminderAllDone)
            }
            return ReminderItem(id: r.id, what: r.what, place: r.placeName, owner: r.owner, due: due,
                                overdue: (r.daysLeft ?? 0) < 0, canComplete: r.due != nil)
        })
    }

    /// Marks the reminder's current occurrence done.
    public func complete(_ reminderId: String) async {
        await act({ _ in UiText(Keys.doneReminderCompleted) }) { [self] in try store.completeReminder(reminderId: reminderId) }
    }
}
