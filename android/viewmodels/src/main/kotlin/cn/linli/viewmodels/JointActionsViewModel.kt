// Joint actions (联合行动): the actions on this phone with their progress (a department's phone
// holds those its department takes part in), one action with its steps in time order, who did
// each and which are late, a step marked done by its department; and the office or an area lead
// planning one for tickets, each step's day and time typed in the community's time.
package cn.linli.viewmodels

import cn.linli.core.*
import kotlinx.coroutines.CoroutineDispatcher
import kotlinx.coroutines.Dispatchers
import java.time.Instant
import java.time.LocalDate
import java.time.LocalDateTime
import java.time.LocalTime
import java.time.ZoneOffset
import java.time.format.DateTimeFormatter
import java.time.format.DateTimeParseException

/** A joint action in the list. */
data class JointItem(
    val id: String,
    val title: String,
    val steps: Int,
    val done: Int,
    val late: Int,
    /** `3 步 · 已完成 1 · 逾期 1`. */
    val progress: UiText,
)

/** One step of a joint action now. */
data class JointStepItem(
    val id: String,
    val departmentId: String,
    val department: String,
    val start: Instant,
    val what: String,
    val doneBy: String?,
    val doneAt: Instant?,
    /** Not done and its start has passed. */
    val late: Boolean,
    /** The member may mark it done now. */
    val mayMark: Boolean,
)

data class JointDetailState(
    val id: String,
    val title: String,
    /** The tickets it serves: what was reported where this phone holds them, else their ids. */
    val tickets: List<String>,
    val plannedBy: String,
    /** In time order. */
    val steps: List<JointStepItem>,
)

/** A step to plan, as typed: the department, the day (`YYYY-MM-DD`) and time (`HH:MM`) it
 * starts in the community's time, and what it does. */
data class PlanStepForm(val departmentId: String, val date: String, val time: String, val what: String)

data class JointActionsState(
    /** Most recently planned first. */
    val actions: List<JointItem> = emptyList(),
    val detail: JointDetailState? = null,
    /** The directory's departments, for the planning form. */
    val departments: List<PlaceItem> = emptyList(),
    /** The office or an area lead. */
    val mayPlan: Boolean = false,
    /** The community's offset from UTC, for showing the steps' times. */
    val utcOffsetMinutes: Int = 0,
)

class JointActionsViewModel(
    private val session: Session,
    io: CoroutineDispatcher = Dispatchers.IO,
) : ScreenModel<JointActionsState>(JointActionsState(), io) {
    private val store get() = session.store

    override fun load(): JointActionsState {
        val roles = store.member(session.credentials.memberId).roles
        return JointActionsState(
            actions = store.jointActions().map { r ->
                JointItem(r.id, r.title, r.steps.toInt(), r.done.toInt(), r.late.toInt(),
                    UiText(Keys.JOINT_PROGRESS, r.steps.toString(), r.done.toString(), r.late.toString()))
            },
            detail = state.value.detail?.let { detail(it.id) },
            departments = store.places(PlaceKind.DEPARTMENT).map { PlaceItem(it.id, it.name) },
            mayPlan = roles.any { it.role == Role.OFFICE || it.role == Role.AREA_LEAD },
            utcOffsetMinutes = store.community().utcOffsetMinutes,
        )
    }

    suspend fun open(id: String) {
        act({ null }) { mutableState.value = state.value.copy(detail = detail(id)) }
    }

    fun close() {
        mutableState.value = state.value.copy(detail = null)
    }

    /** Plans a joint action for tickets; a day or time that is not one is refused before the
     * core is asked. */
    suspend fun plan(ticketIds: List<String>, title: String, steps: List<PlanStepForm>): Boolean {
        val typed = steps.map { s ->
            val day = parseDate(s.date) ?: return refuse("not_a_date", "date")
            val time = parseTime(s.time) ?: return refuse("not_a_time", "start")
            Triple(s, day, time)
        }
        return act({ UiText(Keys.DONE_JOINT_PLANNED) }) {
            // The community's time, never the phone's zone.
            val offset = ZoneOffset.ofTotalSeconds(store.community().utcOffsetMinutes * 60)
            val inputs = typed.map { (s, day, time) ->
                PlanStepInput(s.departmentId, LocalDateTime.of(day, time).toInstant(offset), s.what)
            }
            store.planJointAction(ticketIds, title, inputs)
        } != null
    }

    /** Marks a step of the open action done. */
    suspend fun markDone(stepId: String, note: String): Boolean {
        val id = state.value.detail?.id ?: return false
        return act({ UiText(Keys.DONE_STEP_DONE) }) { store.markStepDone(id, stepId, note) } != null
    }

    private fun refuse(code: String, field: String): Boolean {
        fail(UiText(Keys.errorCode(code), Keys.field(field)))
        return false
    }

    private fun detail(id: String): JointDetailState {
        val j = store.jointAction(id)
        val names = memberNames(store)
        val roles = store.member(session.credentials.memberId).roles
        val supervises = roles.any { it.role == Role.OFFICE || it.role == Role.AREA_LEAD }
        val mine = roles.filter { it.role == Role.DEPARTMENT_STAFF }.flatMap { it.places }.toSet()
        return JointDetailState(
            id = j.id,
            title = j.title,
            tickets = j.tickets.map { t -> try { store.ticket(t).description } catch (e: LinliException.NotFound) { t } },
            plannedBy = names(j.plannedBy),
            steps = j.steps.map { s ->
                JointStepItem(
                    id = s.id,
                    departmentId = s.unit,
                    department = store.placeName(s.unit),
                    start = Instant.ofEpochMilli(s.startMs),
                    what = s.what,
                    doneBy = s.doneBy?.let(names),
                    doneAt = s.doneMs?.let(Instant::ofEpochMilli),
                    late = s.late,
                    mayMark = s.doneBy == null && (supervises || s.unit in mine),
                )
            },
        )
    }

    private companion object {
        val TIME: DateTimeFormatter = DateTimeFormatter.ofPattern("H:mm")

        fun parseDate(text: String): LocalDate? =
            try { LocalDate.parse(text.trim()) } catch (e: DateTimeParseException) { null }

        fun parseTime(text: String): LocalTime? =
            try { LocalTime.parse(text.trim(), TIME) } catch (e: DateTimeParseException) { null }
    }
}
