// The home screen: one tile per kind of work the member's roles allow, with the places each
// covers (a department's staff get their department's work orders and joint actions, not the
// tickets; those who serve or lead get the needs list; all but a department's staff rate), the
// member's name and roles in words, and today's list (the agenda) most urgent first, each item
// opening the screen that clears it; a reminder is marked done from here.
package cn.linli.viewmodels

import cn.linli.core.AgendaItem
import cn.linli.core.AgendaKind
import cn.linli.core.LinliException
import cn.linli.core.PlaceKind
import cn.linli.core.Role
import kotlinx.coroutines.CoroutineDispatcher
import kotlinx.coroutines.Dispatchers
import kotlinx.coroutines.withContext
import java.time.Instant
import java.time.ZoneOffset

/** A kind of work on the home screen. */
enum class HomeTile(val key: String) {
    GATE_DUTY("home_gate_duty"),
    DOOR_TO_DOOR("home_door_to_door"),
    TICKETS("home_tickets"),
    DEPARTMENT("home_department"),
    NEEDS("home_needs"),
    EVALUATION("home_evaluation"),
    JOINT_ACTIONS("home_joint_actions"),
    REMINDERS("home_reminders"),
    SYNC("home_sync"),
    OFFICE("home_office"),
}

/** A place the member works at, by id and name. */
data class PlaceItem(val id: String, val name: String)

/** One item of today's list, as the home screen shows it. */
data class AgendaRow(
    val kind: AgendaKind,
    /** The kind in words (`agenda_kind_<kind>`). */
    val label: UiText,
    /** One line in Chinese from the core, e.g. `3号楼 1单元 302：周三再来`. */
    val title: String,
    val due: Instant?,
    /** For what is due on a day rather than at a time (a follow-up, a reminder): that day,
     * `YYYY-MM-DD` in the community's time. */
    val dueDay: String?,
    val overdue: Boolean,
    /** A household, a ticket, a gate (shifts and swaps), a reminder or a work order. */
    val recordId: String,
    /** The visit, slot, swap or isolation within the record (empty when none). */
    val itemId: String,
    /** A building, a gate, a ticket's place, or a work order's department. */
    val placeId: String,
    /** The screen that clears it. */
    val opens: HomeTile,
) {
    /** A reminder is marked done right on the home screen. */
    val canComplete: Boolean get() = kind == AgendaKind.REMINDER
}

/** The screen that clears an agenda item, by its action code. */
fun opens(item: AgendaItem): HomeTile = when (item.action) {
    "visit.log", "isolation.check" -> HomeTile.DOOR_TO_DOOR
    "ticket.handle" -> HomeTile.TICKETS
    "order.handle" -> HomeTile.DEPARTMENT
    "duty.check_in", "swap.accept", "swap.approve" -> HomeTile.GATE_DUTY
    "reminder.complete" -> HomeTile.REMINDERS
    else -> when (item.kind) {
        AgendaKind.FOLLOW_UP, AgendaKind.WATCH_CHECK, AgendaKind.ISOLATION_CHECK -> HomeTile.DOOR_TO_DOOR
        AgendaKind.TICKET -> HomeTile.TICKETS
        AgendaKind.SHIFT, AgendaKind.SWAP_TO_ACCEPT, AgendaKind.SWAP_TO_APPROVE -> HomeTile.GATE_DUTY
        AgendaKind.REMINDER -> HomeTile.REMINDERS
        AgendaKind.WORK_ORDER -> HomeTile.DEPARTMENT
    }
}

/** The item as a row, its day read in the community's time (`utcOffsetMinutes` from UTC). */
fun AgendaItem.toRow(utcOffsetMinutes: Int): AgendaRow {
    val day = due?.takeIf { kind == AgendaKind.FOLLOW_UP || kind == AgendaKind.REMINDER }
        ?.atOffset(ZoneOffset.ofTotalSeconds(utcOffsetMinutes * 60))?.toLocalDate()?.toString()
    return AgendaRow(kind, UiText(Keys.of(kind)), title, due, day, overdue, recordId, itemId, placeId, opens(this))
}

data class HomeState(
    val memberName: String = "",
    val roles: List<UiText> = emptyList(),
    val tiles: List<HomeTile> = emptyList(),
    val gates: List<PlaceItem> = emptyList(),
    val buildings: List<PlaceItem> = emptyList(),
    /** The departments the member works for (大联动). */
    val departments: List<PlaceItem> = emptyList(),
    /** Today's list (the community's date), most urgent first. */
    val agenda: List<AgendaRow> = emptyList(),
)

class HomeViewModel(
    private val session: Session,
    io: CoroutineDispatcher = Dispatchers.IO,
) : ScreenModel<HomeState>(HomeState(), io) {
    private val store get() = session.store

    /** Reads the member's roles from the directory (after the first sync) and today's list. */
    override fun load(): HomeState {
        val me = store.member(session.credentials.memberId)
        val office = me.roles.any { it.role == Role.OFFICE }
        val gates = store.myPlaces(PlaceKind.GATE).map { PlaceItem(it.id, it.name) }
        val buildings = store.myPlaces(PlaceKind.BUILDING).map { PlaceItem(it.id, it.name) }
        val departments = departmentsOf(store, me.id)
        // A department's staff read their own work orders, not the community's tickets.
        val community = me.roles.isEmpty() || me.roles.any { it.role != Role.DEPARTMENT_STAFF }
        val has = { roles: Set<Role> -> me.roles.any { it.role in roles } }
        val today = store.today()
        val agenda = store.agenda(today)
        val offset = store.community().utcOffsetMinutes
        val tiles = buildList {
            if (gates.isNotEmpty()) add(HomeTile.GATE_DUTY)
            if (buildings.isNotEmpty()) add(HomeTile.DOOR_TO_DOOR)
            if (community) add(HomeTile.TICKETS)
            if (departments.isNotEmpty()) add(HomeTile.DEPARTMENT)
            if (has(NEEDS_ROLES)) add(HomeTile.NEEDS)
            // Everyone rates and votes but a department's staff alone.
            if (me.roles.any { it.role != Role.DEPARTMENT_STAFF }) add(HomeTile.EVALUATION)
            if (has(JOINT_ROLES)) add(HomeTile.JOINT_ACTIONS)
            // The office adds reminders there, before there is any.
            if (office || store.reminders(today).isNotEmpty()) add(HomeTile.REMINDERS)
            add(HomeTile.SYNC)
            if (office) add(HomeTile.OFFICE)
        }
        return HomeState(
            memberName = me.name,
            roles = me.roles.map { UiText(Keys.of(it.role)) },
            tiles = tiles,
            gates = gates,
            buildings = buildings,
            departments = departments,
            agenda = agenda.map { it.toRow(offset) },
        )
    }

    private companion object {
        /** Who serves, records or confirms needs. */
        val NEEDS_ROLES = setOf(Role.VOLUNTEER, Role.PARTY_MEMBER, Role.UNIT_MEMBER, Role.BUILDING_LEAD,
            Role.LANE_LEAD, Role.AREA_LEAD, Role.OFFICE)

        /** Who plans joint actions or takes part in them. */
        val JOINT_ROLES = setOf(Role.DEPARTMENT_STAFF, Role.OFFICE, Role.AREA_LEAD)
    }

    /** Marks a reminder on today's list done; the list reloads without it. */
    suspend fun completeReminder(reminderId: String) =
        act({ UiText(Keys.DONE_REMINDER_COMPLETED) }) { store.completeReminder(reminderId) }

    /** The notifications today's list asks for at `now`, for the app to post (none when the
     * store cannot be read; the screen's notice is left alone). */
    suspend fun notifications(now: Instant = Instant.now()): List<PlannedNotification> = try {
        withContext(io) { AgendaNotifications.plan(session, now) }
    } catch (e: LinliException) {
        emptyList()
    }
}
