// Reminders (民情日志): the office's reminders that concern the member (every one for the
// office), soonest first, each with its due date and the days left or overdue and how it
// repeats, and its current occurrence marked done. The office adds them on the phone too
// (ReminderForm.swift).
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
    /// 一次, 每月 or 每年.
    public let repeats: UiText
    public let overdue: Bool
    /// Its current occurrence may be marked done (none left for a one-time one done).
    public let canComplete: Bool
}

public struct RemindersState: Sendable {
    public var items: [ReminderItem] = []
    /// The member may add reminders (the office).
    public var mayAdd = false
    /// What a new reminder may concern and be for (when `mayAdd`): the community's places but
    /// its departments and units, its active members, the roles, and how it repeats.
    public var places: [PlaceItem] = []
    public var members: [MemberItem] = []
    public var ownerRoles: [Choice<Role>] = []
    public var repeats: [Choice<Repeat>] = Keys.repeats.map { Choice(value: $0, label: UiText(Keys.of($0))) }
}

public final class RemindersViewModel: ScreenModel<RemindersState>, @unchecked Sendable {
    private let session: Session
    var store: LinliStore { session.store }

    public init(session: Session) {
        self.session = session
        super.init(RemindersState())
    }

    override func load() throws -> RemindersState {
        let rows = try store.reminders(date: try store.today())
        var s = RemindersState()
        s.mayAdd = try store.member(id: session.credentials.memberId).roles.contains { $0.role == .office }
        if s.mayAdd {
            s.places = try store.places(kind: nil).filter { ![.department, .unit].contains($0.kind) }
                .map { PlaceItem(id: $0.id, name: $0.name) }
            s.members = try store.members().filter(\.active).map { MemberItem(id: $0.id, name: $0.name) }
            s.ownerRoles = Self.ownerRoles.map { Choice(value: $0, label: UiText(Keys.of($0))) }
        }
        s.items = rows.map { r in
            let due: UiText
            switch (r.due, r.daysLeft) {
            case let (date?, left?) where left < 0: due = UiText(Keys.reminderOverdue, [date, String(-left)])
            case let (date?, left?): due = UiText(Keys.reminderDue, [date, String(left)])
            default: due = UiText(Keys.reminderAllDone)
            }
            return ReminderItem(id: r.id, what: r.what, place: r.placeName, owner: r.owner, due: due,
                                repeats: UiText(Keys.of(r.repeat)), overdue: (r.daysLeft ?? 0) < 0, canComplete: r.due != nil)
        }
        return s
    }

    /// Marks the reminder's current occurrence done.
    public func complete(_ reminderId: String) async {
        await act({ _ in UiText(Keys.doneReminderCompleted) }) { [self] in try store.completeReminder(reminderId: reminderId) }
    }
}
