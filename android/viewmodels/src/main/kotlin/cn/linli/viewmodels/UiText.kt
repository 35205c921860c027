// Text the screens show, as string-table keys with arguments: the view models never hold a
// sentence, so every word on screen comes from res/values (zh-Hans) or res/values-en.
package cn.linli.viewmodels

import cn.linli.core.*

/** A string-table key and the values for its placeholders (%1$s, %2$s …). */
data class UiText(val key: String, val args: List<String> = emptyList()) {
    constructor(key: String, vararg args: Any) : this(key, args.map { it.toString() })
}

/** The key of every label the view models hand out; enum labels are `<type>_<code>`. */
object Keys {
    const val ENROL_MISSING_RELAY = "enrol_missing_relay"
    const val ENROL_MISSING_CODE = "enrol_missing_code"
    const val ERROR_NOT_FOUND = "error_not_found"
    const val ERROR_NETWORK = "error_network"
    const val ERROR_BUSY = "error_busy"
    const val ERROR_BUSY_CODES = "error_busy_codes"
    const val ERROR_REJECTED = "error_rejected"
    const val ERROR_UNAUTHORIZED = "error_unauthorized"
    const val ERROR_REVOKED = "error_revoked"
    const val ERROR_CANCELLED = "error_cancelled"
    const val ERROR_STORAGE = "error_storage"
    const val ERROR_STORE_IN_USE = "error_store_in_use"
    const val ERROR_DEACTIVATED = "error_deactivated"
    const val ERROR_WIPED = "error_wiped"
    const val ERROR_STORE_REPLACED = "error_store_replaced"
    const val ERROR_INTERNAL = "error_internal"
    const val ERROR_WRONG_KEY = "error_wrong_key"
    const val ISOLATION_PROGRESS = "isolation_progress"
    const val DONE_ISOLATION_STARTED = "done_isolation_started"
    const val DONE_ISOLATION_CHECKED = "done_isolation_checked"
    const val DONE_ISOLATION_FLAGGED = "done_isolation_flagged"
    const val DONE_ISOLATION_RELEASED = "done_isolation_released"
    const val DONE_ERRAND_ADDED = "done_errand_added"
    const val DONE_ERRAND_DELIVERED = "done_errand_delivered"
    const val SIGN_OUT_WOULD_LOSE = "sign_out_would_lose"
    const val DONE_CHECKED_IN = "done_checked_in"
    const val DONE_CHECKED_OUT = "done_checked_out"
    const val DONE_REGISTERED = "done_registered"
    const val DONE_PASS_ISSUED = "done_pass_issued"
    const val DONE_FEVER = "done_fever"
    const val DONE_VISIT_LOGGED = "done_visit_logged"
    const val DONE_HOUSEHOLD_REGISTERED = "done_household_registered"
    const val DONE_HOUSEHOLD_SAVED = "done_household_saved"
    const val DONE_RESIDENT_ADDED = "done_resident_added"
    const val DONE_TICKET_REPORTED = "done_ticket_reported"
    const val DONE_TICKET_ACTION = "done_ticket_action"
    const val DONE_ORDER_ACTION = "done_order_action"
    const val DONE_SYNCED = "done_synced"
    const val DONE_CONFLICT_RESOLVED = "done_conflict_resolved"
    const val DEADLINE_LEFT = "deadline_left"
    const val DEADLINE_OVERDUE = "deadline_overdue"
    const val CHART_VISITS_PER_LEAD = "chart_visits_per_lead"
    const val CHART_OPEN_BY_LEVEL = "chart_open_by_level"
    const val CHART_RESOLVED_BY_LEVEL = "chart_resolved_by_level"
    const val CHART_OVERDUE_BY_LEVEL = "chart_overdue_by_level"
    const val CHART_DUTY_ON_TIME = "chart_duty_on_time"
    const val CHART_DUTY_LATE = "chart_duty_late"
    const val CHART_DUTY_NO_SHOW = "chart_duty_no_show"
    const val LABEL_PLAIN = "label_plain"
    const val DONE_REMINDER_COMPLETED = "done_reminder_completed"
    const val REMINDER_DUE = "reminder_due"
    const val REMINDER_OVERDUE = "reminder_overdue"
    const val REMINDER_ALL_DONE = "reminder_all_done"
    const val NOTIFY_DUE = "notify_due"
    const val NOTIFY_OVERDUE = "notify_overdue"
    const val DURATION = "duration"
    const val DONE_NEED_RECORDED = "done_need_recorded"
    const val DONE_NEED_CLAIMED = "done_need_claimed"
    const val DONE_SERVICE_RECORDED = "done_service_recorded"
    const val DONE_NEED_CONFIRMED = "done_need_confirmed"
    const val DONE_ROUND_OPENED = "done_round_opened"
    const val DONE_RATED = "done_rated"
    const val DONE_VOTED = "done_voted"
    const val DONE_ROUND_CLOSED = "done_round_closed"
    const val EVALUATION_DOUBLE_VOTERS = "evaluation_double_voters"
    const val JOINT_PROGRESS = "joint_progress"
    const val DONE_JOINT_PLANNED = "done_joint_planned"
    const val DONE_STEP_DONE = "done_step_done"
    const val DONE_VEHICLE_EXIT = "done_vehicle_exit"
    const val DONE_PARCEL_PICKED_UP = "done_parcel_picked_up"
    const val DONE_INCIDENT = "done_incident"
    const val DONE_HANDOVER = "done_handover"
    const val HISTORY_ACTION_OTHER = "history_action_other"
    const val HISTORY_MEMBER_SYSTEM = "history_member_system"
    const val HISTORY_OPEN = "history_open"
    const val HISTORY_TITLE = "history_title"
    /** A photo whose bytes are not on this phone yet: 照片待同步. */
    const val TICKET_PHOTO_PENDING = "ticket_photo_pending"
    /** The camera was refused: said on the report form, which keeps what was typed. */
    const val TICKET_PHOTO_CAMERA_REFUSED = "ticket_photo_camera_refused"
    /** 未被接受的修改, the sync screen's section, and what it means. */
    const val SYNC_SET_ASIDE_TITLE = "sync_set_aside_title"
    const val SYNC_SET_ASIDE_HINT = "sync_set_aside_hint"
    /** Why a change was set aside, for a code without a sentence of its own: `%1$s` is the code. */
    const val SYNC_SET_ASIDE_OTHER = "sync_set_aside_other"
    /** Hands the phone's unsent work over as a file. */
    const val SYNC_EXPORT_UNSENT = "sync_export_unsent"
    /** `%1$s 迁入`, `%1$s 迁出`, and `从%1$s返回（%2$s）`: where a returnee came from, and when. */
    const val RESIDENT_MOVED_IN = "resident_moved_in"
    const val RESIDENT_MOVED_OUT = "resident_moved_out"
    const val RESIDENT_ARRIVED_FROM = "resident_arrived_from"
    const val DONE_REMINDER_ADDED = "done_reminder_added"

    /** The kinds of a gate's entries (`GateEntryRow.kind`), each labelled `gate_kind_<code>`. */
    val gateKinds: List<String> = listOf(
        "check_in", "check_out", "handover", "visitor", "vehicle", "vehicle_exit", "parcel", "parcel_pickup",
        "temperature", "patrol", "incident", "pass_valid", "pass_expired", "pass_not_yet_valid", "pass_wrong_gate",
        "pass_revoked", "pass_forged", "pass_outside_hours",
    )

    /** The events of a ticket's timeline. */
    val timeline: List<String> = listOf(
        "timeline_reported", "timeline_accepted", "timeline_assigned", "timeline_escalated",
        "timeline_replied", "timeline_resolved", "timeline_satisfied", "timeline_unsatisfied",
        "timeline_merged", "timeline_absorbed", "timeline_photo", "timeline_dispatched",
        "timeline_leader_named",
    )

    /** The keys of a ticket reported from anywhere with its photos, the refused edits and the
     * unsent work on the sync screen, the office's reminders made on the phone and a
     * resident's moves. */
    val offlineWork: List<String> = listOf(
        TICKET_PHOTO_PENDING, TICKET_PHOTO_CAMERA_REFUSED, SYNC_SET_ASIDE_TITLE, SYNC_SET_ASIDE_HINT, SYNC_SET_ASIDE_OTHER,
        SYNC_EXPORT_UNSENT, RESIDENT_MOVED_IN, RESIDENT_MOVED_OUT, RESIDENT_ARRIVED_FROM, DONE_REMINDER_ADDED,
    )

    /** Every fixed key above, for the string-table check. */
    val fixed: List<String> = listOf(
        ENROL_MISSING_RELAY, ENROL_MISSING_CODE, ERROR_NOT_FOUND, ERROR_NETWORK, ERROR_BUSY, ERROR_BUSY_CODES, ERROR_REJECTED, ERROR_UNAUTHORIZED, ERROR_REVOKED,
        ERROR_CANCELLED, ERROR_STORAGE, ERROR_STORE_IN_USE, ERROR_DEACTIVATED, ERROR_WIPED, ERROR_STORE_REPLACED, ERROR_INTERNAL, ERROR_WRONG_KEY, SIGN_OUT_WOULD_LOSE, ISOLATION_PROGRESS, DONE_ISOLATION_STARTED,
        DONE_ISOLATION_CHECKED, DONE_ISOLATION_FLAGGED, DONE_ISOLATION_RELEASED, DONE_ERRAND_ADDED, DONE_ERRAND_DELIVERED, DONE_CHECKED_IN, DONE_CHECKED_OUT,
        DONE_REGISTERED, DONE_PASS_ISSUED, DONE_FEVER, DONE_VISIT_LOGGED,
        DONE_HOUSEHOLD_REGISTERED, DONE_HOUSEHOLD_SAVED, DONE_RESIDENT_ADDED, DONE_TICKET_REPORTED, DONE_TICKET_ACTION, DONE_ORDER_ACTION,
        DONE_SYNCED, DONE_CONFLICT_RESOLVED, DEADLINE_LEFT, DEADLINE_OVERDUE,
        CHART_VISITS_PER_LEAD, CHART_OPEN_BY_LEVEL, CHART_RESOLVED_BY_LEVEL, CHART_OVERDUE_BY_LEVEL, CHART_DUTY_ON_TIME, CHART_DUTY_LATE, CHART_DUTY_NO_SHOW, LABEL_PLAIN,
        DONE_REMINDER_COMPLETED, REMINDER_DUE, REMINDER_OVERDUE, REMINDER_ALL_DONE, NOTIFY_DUE, NOTIFY_OVERDUE,
        DURATION, DONE_NEED_RECORDED, DONE_NEED_CLAIMED, DONE_SERVICE_RECORDED, DONE_NEED_CONFIRMED,
        DONE_ROUND_OPENED, DONE_RATED, DONE_VOTED, DONE_ROUND_CLOSED, EVALUATION_DOUBLE_VOTERS, JOINT_PROGRESS, DONE_JOINT_PLANNED, DONE_STEP_DONE,
        DONE_VEHICLE_EXIT, DONE_PARCEL_PICKED_UP, DONE_INCIDENT, DONE_HANDOVER,
        HISTORY_ACTION_OTHER, HISTORY_MEMBER_SYSTEM, HISTORY_OPEN, HISTORY_TITLE,
    ) + timeline + offlineWork + HomeTile.entries.map { it.key } + gateKinds.map(::gateKind)

    /** The sentence of a refusal's stable code (an input, a state, a role). */
    fun errorCode(code: String) = "error_code_$code"

    /** The label of an input field, by the key the core gives (`residents[0].phone` → `phone`). */
    fun field(key: String) = "field_$key"

    /** The sentence of a code the relay refused a request or a change with (`relayCodes()`). */
    fun relayCode(code: String) = "relay_code_$code"

    /** The label of a change in a record's history (`actionCodes()`): `household.phone` →
     * `history_action_household_phone`. */
    fun historyAction(code: String) = "history_action_" + code.replace('.', '_')

    /** The label of a gate entry's kind (`GateEntryRow.kind`). */
    fun gateKind(code: String) = "gate_kind_$code"

    fun of(v: Role) = "role_${v.code()}"
    fun of(v: DutyRole) = "duty_role_${v.code()}"
    fun of(v: Attendance) = "attendance_${v.code()}"
    fun of(v: Tag) = "tag_${v.code()}"
    fun of(v: VisitOutcome) = "visit_outcome_${v.code()}"
    fun of(v: CheckState) = "check_state_${v.name.lowercase()}"
    fun of(v: Category) = "category_${v.code()}"
    fun of(v: Level) = "level_${v.code()}"
    fun of(v: TicketStatus) = "ticket_status_${v.code()}"
    fun of(v: Department) = "department_${v.code()}"
    fun of(v: Channel) = "channel_${v.code()}"
    fun of(v: PassType) = "pass_type_${v.code()}"
    fun of(v: PassKind) = "pass_kind_${v.code()}"
    fun of(v: PassResult) = "pass_result_${v.code()}"
    fun of(v: Symptom) = "symptom_${v.code()}"
    fun of(v: ErrandKind) = "errand_${v.code()}"
    fun of(v: SwapStatus) = "swap_status_${v.code()}"
    fun of(v: SyncPhase) = "sync_phase_${v.name.lowercase()}"
    fun of(v: TicketActionKind) = "ticket_action_${v.name.lowercase()}"
    fun of(v: AgendaKind) = "agenda_kind_${v.name.lowercase()}"
    fun of(v: CaseStatus) = "case_status_${v.code()}"
    fun of(v: CaseActionKind) = "case_action_${v.name.lowercase()}"
    fun of(v: NeedCategory) = "need_category_${v.code()}"
    fun of(v: Urgency) = "urgency_${v.code()}"
    fun of(v: NeedStatus) = "need_status_${v.code()}"
    fun of(v: SubjectKind) = "subject_kind_${v.code()}"
    fun of(v: Severity) = "severity_${v.code()}"
    fun of(v: Repeat) = "repeat_${v.code()}"

    /** Every enum label key, for the string-table check. */
    val enumLabels: List<String> = Role.entries.map(::of) + DutyRole.entries.map(::of) +
        Attendance.entries.map(::of) + Tag.entries.map(::of) + VisitOutcome.entries.map(::of) +
        CheckState.entries.map(::of) + Category.entries.map(::of) + Level.entries.map(::of) +
        TicketStatus.entries.map(::of) + Department.entries.map(::of) + Channel.entries.map(::of) + PassType.entries.map(::of) +
        PassKind.entries.map(::of) + PassResult.entries.map(::of) +
        Symptom.entries.map(::of) + ErrandKind.entries.map(::of) +
        SwapStatus.entries.map(::of) + SyncPhase.entries.map(::of) + TicketActionKind.entries.map(::of) +
        AgendaKind.entries.map(::of) + CaseStatus.entries.map(::of) + CaseActionKind.entries.map(::of) +
        NeedCategory.entries.map(::of) + Urgency.entries.map(::of) + NeedStatus.entries.map(::of) +
        SubjectKind.entries.map(::of) + Severity.entries.map(::of) + Repeat.entries.map(::of)
}

/** The relay's codes, for choosing between a sentence of the code's own and the fallback. */
private val knownRelayCodes: Set<String> by lazy { relayCodes().toSet() }

/** Whether the relay's code has a sentence of its own (`relay_code_<code>`). */
internal fun isRelayCode(code: String): Boolean = code in knownRelayCodes

/** A refusal by the relay in words: the code's own sentence, or, for a code this phone does not
 * know (a newer relay), the fallback naming the status and the code. */
fun relayRefusal(status: Int, code: String): UiText =
    if (code in knownRelayCodes) UiText(Keys.relayCode(code)) else UiText(Keys.ERROR_REJECTED, status.toString(), code)

/** What an error means for the person holding the phone: a whole sentence from the string
 * tables, chosen by the error's stable code; the core's English detail is for logs only. */
fun LinliException.toUiText(): UiText = when (this) {
    is LinliException.InvalidInput -> UiText(Keys.errorCode(code), Keys.field(fieldKey))
    is LinliException.NotFound -> UiText(Keys.ERROR_NOT_FOUND, id)
    is LinliException.Forbidden -> UiText(Keys.errorCode(code))
    is LinliException.Conflict -> UiText(Keys.errorCode(code))
    is LinliException.Network -> UiText(Keys.ERROR_NETWORK)
    is LinliException.Busy ->
        UiText(if (code == "too_many_attempts") Keys.ERROR_BUSY_CODES else Keys.ERROR_BUSY, waitSecs.toString())
    is LinliException.Rejected -> relayRefusal(status.toInt(), code)
    is LinliException.Unauthorized -> UiText(Keys.ERROR_UNAUTHORIZED)
    is LinliException.DeviceRevoked -> UiText(Keys.ERROR_REVOKED)
    is LinliException.Cancelled -> UiText(Keys.ERROR_CANCELLED)
    is LinliException.Storage -> UiText(Keys.ERROR_STORAGE)
    is LinliException.StoreInUse -> UiText(Keys.ERROR_STORE_IN_USE)
    is LinliException.MemberDeactivated -> UiText(Keys.ERROR_DEACTIVATED)
    is LinliException.DeviceWiped -> UiText(Keys.ERROR_WIPED)
    is LinliException.StoreReplaced -> UiText(Keys.ERROR_STORE_REPLACED)
    is LinliException.Internal -> UiText(Keys.ERROR_INTERNAL)
    is LinliException.WrongKey -> UiText(Keys.ERROR_WRONG_KEY)
}
