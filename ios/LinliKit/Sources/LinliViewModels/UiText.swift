// Text the screens show, as string-table keys with arguments: the view models never hold a
// sentence, so every word on screen comes from zh-Hans.lproj (the default) or en.lproj. The
// keys are the Android app's, and the tables are checked against each other.
import Foundation
import LinliCore

/// A string-table key and the values for its placeholders (%1$@, %2$@ …).
public struct UiText: Equatable, Sendable {
    public let key: String
    public let args: [String]

    public init(_ key: String, _ args: [String] = []) {
        self.key = key
        self.args = args
    }
}

/// The keys the view models hand out; enum labels are `<type>_<code>`.
public enum Keys {
    public static let enrolMissingRelay = "enrol_missing_relay"
    public static let enrolMissingCode = "enrol_missing_code"
    public static let errorNotFound = "error_not_found"
    public static let errorNetwork = "error_network"
    public static let errorBusy = "error_busy"
    public static let errorBusyCodes = "error_busy_codes"
    public static let errorRejected = "error_rejected"
    public static let errorUnauthorized = "error_unauthorized"
    public static let errorRevoked = "error_revoked"
    public static let errorCancelled = "error_cancelled"
    public static let errorStorage = "error_storage"
    public static let errorStoreInUse = "error_store_in_use"
    public static let errorDeactivated = "error_deactivated"
    public static let errorWiped = "error_wiped"
    public static let errorStoreReplaced = "error_store_replaced"
    public static let errorInternal = "error_internal"
    public static let errorWrongKey = "error_wrong_key"
    public static let isolationProgress = "isolation_progress"
    public static let doneIsolationStarted = "done_isolation_started"
    public static let doneIsolationChecked = "done_isolation_checked"
    public static let doneIsolationFlagged = "done_isolation_flagged"
    public static let doneIsolationReleased = "done_isolation_released"
    public static let doneErrandAdded = "done_errand_added"
    public static let doneErrandDelivered = "done_errand_delivered"
    public static let signOutWouldLose = "sign_out_would_lose"
    public static let doneCheckedIn = "done_checked_in"
    public static let doneCheckedOut = "done_checked_out"
    public static let doneRegistered = "done_registered"
    public static let donePassIssued = "done_pass_issued"
    public static let doneFever = "done_fever"
    public static let doneVisitLogged = "done_visit_logged"
    public static let doneHouseholdRegistered = "done_household_registered"
    public static let doneHouseholdSaved = "done_household_saved"
    public static let doneResidentAdded = "done_resident_added"
    public static let doneTicketReported = "done_ticket_reported"
    public static let doneTicketAction = "done_ticket_action"
    public static let doneOrderAction = "done_order_action"
    public static let doneSynced = "done_synced"
    public static let doneConflictResolved = "done_conflict_resolved"
    public static let deadlineLeft = "deadline_left"
    public static let deadlineOverdue = "deadline_overdue"
    public static let chartVisitsPerLead = "chart_visits_per_lead"
    public static let chartOpenByLevel = "chart_open_by_level"
    public static let chartResolvedByLevel = "chart_resolved_by_level"
    public static let chartOverdueByLevel = "chart_overdue_by_level"
    public static let chartDutyOnTime = "chart_duty_on_time"
    public static let chartDutyLate = "chart_duty_late"
    public static let chartDutyNoShow = "chart_duty_no_show"
    public static let labelPlain = "label_plain"
    public static let doneReminderCompleted = "done_reminder_completed"
    public static let reminderDue = "reminder_due"
    public static let reminderOverdue = "reminder_overdue"
    public static let reminderAllDone = "reminder_all_done"
    public static let notifyDue = "notify_due"
    public static let notifyOverdue = "notify_overdue"

    /// The sentence of a refusal's stable code (an input, a state, a role).
    public static func errorCode(_ code: String) -> String { "error_code_\(code)" }

    /// The label of an input field, by the key the core gives (`residents[0].phone` → `phone`).
    public static func field(_ key: String) -> String { "field_\(key)" }

    /// The sentence of a code the relay answers a refused request or change with.
    public static func relayCode(_ code: String) -> String { "relay_code_\(code)" }

    /// The codes that have a `relay_code_<code>` sentence: every one the relay answers with
    /// (the core's list; the string-table test checks each has its words).
    static let relayCodes = Set(LinliCore.relayCodes())

    /// The events of a ticket's timeline.
    public static let timeline = [
        "timeline_reported", "timeline_accepted", "timeline_assigned", "timeline_escalated",
        "timeline_replied", "timeline_resolved", "timeline_satisfied", "timeline_unsatisfied",
        "timeline_merged", "timeline_absorbed", "timeline_photo", "timeline_dispatched",
        "timeline_leader_named",
    ]

    /// Every fixed key, for the string-table check (in parts: one expression of them all is too
    /// much for the type checker).
    public static let fixed: [String] = [own, timeline, flows, gateShift, history, offlineWork,
                                         HomeTile.allCases.map(\.rawValue)].flatMap { $0 }

    /// The fixed keys declared here.
    static let own: [String] = [
        enrolMissingRelay, enrolMissingCode, errorNotFound, errorNetwork, errorBusy, errorBusyCodes, errorRejected, errorUnauthorized, errorRevoked, errorCancelled, errorStorage, errorStoreInUse, errorDeactivated, errorWiped, errorStoreReplaced,
        errorInternal, errorWrongKey, signOutWouldLose, isolationProgress, doneIsolationStarted,
        doneIsolationChecked, doneIsolationFlagged, doneIsolationReleased, doneErrandAdded, doneErrandDelivered,
        doneCheckedIn, doneCheckedOut, doneRegistered, donePassIssued, doneFever, doneVisitLogged,
        doneHouseholdRegistered, doneHouseholdSaved, doneResidentAdded,
        doneTicketReported, doneTicketAction, doneOrderAction, doneSynced, doneConflictResolved, deadlineLeft,
        deadlineOverdue, chartVisitsPerLead, chartOpenByLevel, chartResolvedByLevel, chartOverdueByLevel,
        chartDutyOnTime, chartDutyLate, chartDutyNoShow, labelPlain,
        doneReminderCompleted, reminderDue, reminderOverdue, reminderAllDone, notifyDue, notifyOverdue,
    ]

    public static func of(_ v: Role) -> String { "role_" + v.code() }
    public static func of(_ v: DutyRole) -> String { "duty_role_" + v.code() }
    public static func of(_ v: Attendance) -> String { "attendance_" + v.code() }
    public static func of(_ v: Tag) -> String { "tag_" + v.code() }
    public static func of(_ v: VisitOutcome) -> String { "visit_outcome_" + v.code() }
    public static func of(_ v: Category) -> String { "category_" + v.code() }
    public static func of(_ v: Level) -> String { "level_" + v.code() }
    public static func of(_ v: TicketStatus) -> String { "ticket_status_" + v.code() }
    public static func of(_ v: Department) -> String { "department_" + v.code() }
    public static func of(_ v: Channel) -> String { "channel_" + v.code() }
    public static func of(_ v: PassType) -> String { "pass_type_" + v.code() }
    public static func of(_ v: PassKind) -> String { "pass_kind_" + v.code() }
    public static func of(_ v: PassResult) -> String { "pass_result_" + v.code() }
    public static func of(_ v: Symptom) -> String { "symptom_" + v.code() }
    public static func of(_ v: ErrandKind) -> String { "errand_" + v.code() }
    public static func of(_ v: SwapStatus) -> String { "swap_status_" + v.code() }
    public static func of(_ v: CaseStatus) -> String { "case_status_" + v.code() }

    public static func of(_ v: CheckState) -> String {
        switch v {
        case .notWatched: return "check_state_not_watched"
        case .upcoming: return "check_state_upcoming"
        case .due: return "check_state_due"
        case .overdue: return "check_state_overdue"
        }
    }

    public static func of(_ v: SyncPhase) -> String {
        switch v {
        case .bootstrap: return "sync_phase_bootstrap"
        case .push: return "sync_phase_push"
        case .pull: return "sync_phase_pull"
        case .photosUp: return "sync_phase_photos_up"
        case .photosDown: return "sync_phase_photos_down"
        }
    }

    public static func of(_ v: TicketActionKind) -> String {
        switch v {
        case .accept: return "ticket_action_accept"
        case .assign: return "ticket_action_assign"
        case .escalate: return "ticket_action_escalate"
        case .reply: return "ticket_action_reply"
        case .resolve: return "ticket_action_resolve"
        case .evaluate: return "ticket_action_evaluate"
        case .merge: return "ticket_action_merge"
        case .attachPhoto: return "ticket_action_attach_photo"
        case .dispatch: return "ticket_action_dispatch"
        case .nameLeader: return "ticket_action_name_leader"
        }
    }

    public static func of(_ v: CaseActionKind) -> String {
        switch v {
        case .accept: return "case_action_accept"
        case .askInfo: return "case_action_ask_info"
        case .answerInfo: return "case_action_answer_info"
        case .reply: return "case_action_reply"
        case .resolve: return "case_action_resolve"
        case .handBack: return "case_action_hand_back"
        }
    }

    public static func of(_ v: AgendaKind) -> String {
        switch v {
        case .followUp: return "agenda_kind_follow_up"
        case .watchCheck: return "agenda_kind_watch_check"
        case .ticket: return "agenda_kind_ticket"
        case .shift: return "agenda_kind_shift"
        case .swapToAccept: return "agenda_kind_swap_to_accept"
        case .swapToApprove: return "agenda_kind_swap_to_approve"
        case .reminder: return "agenda_kind_reminder"
        case .isolationCheck: return "agenda_kind_isolation_check"
        case .workOrder: return "agenda_kind_work_order"
        }
    }

    /// Every kind of agenda item, in the core's order.
    public static let agendaKinds: [AgendaKind] =
        [.followUp, .watchCheck, .ticket, .shift, .swapToAccept, .swapToApprove, .reminder, .isolationCheck, .workOrder]

    /// Every ticket action, in the order the core offers them.
    public static let ticketActions: [TicketActionKind] =
        [.accept, .assign, .escalate, .reply, .resolve, .evaluate, .merge, .attachPhoto, .dispatch, .nameLeader]

    /// Every ticket category, in the core's order.
    public static let categories: [LinliCore.Category] = [
        .publicSecurity, .cityAppearance, .noise, .property, .elevator, .illegalConstruction, .strayAnimals,
        .sanitation, .fireSafety, .other,
    ]

    /// Every office level, lowest first.
    public static let levels: [Level] = [.community, .street, .county]

    /// Every step of a work order, in the order the core offers them.
    public static let caseActions: [CaseActionKind] = [.accept, .askInfo, .answerInfo, .reply, .resolve, .handBack]

    /// Every state of a work order.
    public static let caseStatuses: [CaseStatus] = [.waiting, .accepted, .infoRequested, .replied, .resolved, .handedBack]

    /// The keys of the enums that have no stored code, and of a work order's states, for the
    /// string-table check.
    public static let uncoded: [String] =
        [CheckState.notWatched, .upcoming, .due, .overdue].map(of) +
        [SyncPhase.bootstrap, .push, .pull, .photosUp, .photosDown].map(of) + ticketActions.map(of) +
        agendaKinds.map(of) + caseActions.map(of) + caseStatuses.map(of)
}

/// What an error means for the person holding the phone: a whole sentence from the string
/// tables, chosen by the error's stable code; the core's English detail is for logs only.
public func uiText(_ error: Error) -> UiText {
    guard let e = error as? LinliError else { return UiText(Keys.errorInternal, [String(describing: error)]) }
    switch e {
    case let .InvalidInput(_, fieldKey, code, _): return UiText(Keys.errorCode(code), [Keys.field(fieldKey)])
    case let .NotFound(_, id): return UiText(Keys.errorNotFound, [id])
    case let .Forbidden(_, code, _): return UiText(Keys.errorCode(code))
    case let .Conflict(code, _): return UiText(Keys.errorCode(code))
    case .Network: return UiText(Keys.errorNetwork)
    case let .Busy(waitSecs, code):
        return UiText(code == "too_many_attempts" ? Keys.errorBusyCodes : Keys.errorBusy, [String(waitSecs)])
    case let .Rejected(status, code, _): return relayRefusal(status: status, code: code)
    case .Unauthorized: return UiText(Keys.errorUnauthorized)
    case .DeviceRevoked: return UiText(Keys.errorRevoked)
    case .Cancelled: return UiText(Keys.errorCancelled)
    case .Storage: return UiText(Keys.errorStorage)
    case .StoreInUse: return UiText(Keys.errorStoreInUse)
    case .MemberDeactivated: return UiText(Keys.errorDeactivated)
    case .DeviceWiped: return UiText(Keys.errorWiped)
    case .StoreReplaced: return UiText(Keys.errorStoreReplaced)
    case .Internal: return UiText(Keys.errorInternal)
    case .WrongKey: return UiText(Keys.errorWrongKey)
    }
}

/// A refusal of the relay in words: the sentence of its code, or (a code this version does not
/// know) the status and code in the general sentence.
func relayRefusal(status: UInt16, code: String) -> UiText {
    Keys.relayCodes.contains(code) ? UiText(Keys.relayCode(code)) : UiText(Keys.errorRejected, [String(status), code])
}
