// A reminder the office adds on the phone (民情日志): what, the place it concerns, whom it is for
// (the office, a role over the place, or a member), its first due date as typed, how many days
// ahead it shows and how it repeats. A date or a number of days that is not one is refused
// before the core sees it.
import Foundation
import LinliCore

/// Whom a new reminder is for.
public enum ReminderOwner: Hashable, Sendable {
    /// The office itself.
    case office
    /// Whoever holds the role over the reminder's place.
    case role(Role)
    /// One member, by id.
    case member(String)
}

/// What the add form says.
public struct ReminderForm: Equatable, Sendable {
    public var what: String
    /// A place's id, or nil for none.
    public var placeId: String?
    public var owner: ReminderOwner
    /// `YYYY-MM-DD`, as typed.
    public var firstDue: String
    /// Days ahead it shows, as typed; empty for the core's default.
    public var leadDays: String
    public var repeats: Repeat

    public init(what: String = "", placeId: String? = nil, owner: ReminderOwner = .office, firstDue: String = "",
                leadDays: String = "", repeats: Repeat = .once) {
        (self.what, self.placeId, self.owner, self.firstDue, self.leadDays, self.repeats) =
            (what, placeId, owner, firstDue, leadDays, repeats)
    }
}

public extension RemindersViewModel {
    /// The roles a reminder may be for, over its place.
    static let ownerRoles: [Role] = [.areaLead, .buildingLead, .laneLead, .gateLead, .shiftLead, .safetyOfficer]

    /// Adds the form's reminder; returns its id, or nil when refused (the notice says why).
    @discardableResult
    func add(_ form: ReminderForm) async -> String? {
        guard JointActionsViewModel.day(form.firstDue) != nil else {
            _ = refuse(UiText(Keys.errorCode("not_a_date"), [Keys.field("first_due")]))
            return nil
        }
        let typed = form.leadDays.trimmingCharacters(in: .whitespaces)
        let leadDays = Int64(typed)
        guard typed.isEmpty || leadDays != nil else {
            _ = refuse(UiText(Keys.errorCode("malformed"), [Keys.field("lead_days")]))
            return nil
        }
        var ownerRole: Role?
        var ownerMember: String?
        switch form.owner {
        case .office: break
        case let .role(role): ownerRole = role
        case let .member(id): ownerMember = id
        }
        let input = ReminderInput(what: form.what, place: form.placeId, ownerMember: ownerMember, ownerRole: ownerRole,
                                  firstDue: form.firstDue.trimmingCharacters(in: .whitespaces), leadDays: leadDays,
                                  repeat: form.repeats)
        return await act({ _ in UiText(Keys.doneReminderAdded) }) { [self] in try store.addReminder(input: input) }
    }
}
