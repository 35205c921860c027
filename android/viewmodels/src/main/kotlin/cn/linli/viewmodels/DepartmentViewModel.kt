// A department's phone (大联动): the open work orders of the member's department(s), most
// recently dispatched first; one order with what was reported, who answers for the ticket
// (首问负责人, 包案领导), its deadlines counting down and its steps; and the steps the core
// allows now (accept, ask for more, reply, resolve, hand back with a reason).
package cn.linli.viewmodels

import cn.linli.core.*
import kotlinx.coroutines.CoroutineDispatcher
import kotlinx.coroutines.Dispatchers
import java.time.Duration
import java.time.Instant

/** A work order as lists show it (the department's list, a ticket's orders). */
data class OrderItem(
    val id: String,
    val ticketId: String,
    /** The department's name. */
    val unitName: String,
    val category: UiText,
    val description: String,
    val place: String,
    val status: UiText,
    val caseStatus: CaseStatus,
    val dispatchedAt: Instant,
    val overdue: Boolean,
    /** The nearest open deadline, counting down. */
    val deadline: UiText?,
)

/** One step of a work order, in words. */
data class OrderStep(
    val at: Instant,
    val author: String,
    /** The step (`case_action_<kind>`). */
    val action: UiText,
    /** The question, answer, reply, summary or reason. */
    val text: String,
)

data class OrderDetailState(
    val id: String,
    val ticketId: String,
    val unitName: String,
    val category: UiText,
    val description: String,
    val place: String,
    val photos: List<String>,
    val status: UiText,
    val caseStatus: CaseStatus,
    /** The ticket's level when it was dispatched. */
    val level: UiText?,
    /** 首问负责人, by name. */
    val responsible: String?,
    /** 包案领导, by name. */
    val leader: String?,
    val dispatchedBy: String,
    val dispatchedAt: Instant,
    /** While nobody replied and the order is open. */
    val replyDeadline: UiText?,
    /** While the order is open. */
    val resolveDeadline: UiText?,
    /** The department's question still waiting for the community's answer. */
    val question: String?,
    val steps: List<OrderStep>,
    /** The steps the member may take now, in display order: the buttons to show. */
    val actions: List<CaseActionKind>,
)

data class DepartmentState(
    /** The departments the member works for. */
    val departments: List<PlaceItem> = emptyList(),
    /** Their open work orders, most recently dispatched first. */
    val orders: List<OrderItem> = emptyList(),
    val detail: OrderDetailState? = null,
)

class DepartmentViewModel(
    private val session: Session,
    io: CoroutineDispatcher = Dispatchers.IO,
    private val now: () -> Instant = Instant::now,
) : ScreenModel<DepartmentState>(DepartmentState(), io) {
    private val store get() = session.store

    override fun load(): DepartmentState {
        val units = departmentsOf(store, session.credentials.memberId)
        val orders = units.flatMap { store.orders(OrderFilter(it.id, null, true)) }
            .distinctBy { it.id }
            .sortedByDescending { it.dispatchedAt }
            .map { orderItem(it, now()) }
        return DepartmentState(
            departments = units,
            orders = orders,
            detail = state.value.detail?.let { detail(it.id) },
        )
    }

    suspend fun open(id: String) {
        act({ null }) { mutableState.value = state.value.copy(detail = detail(id)) }
    }

    fun close() {
        mutableState.value = state.value.copy(detail = null)
    }

    /** Takes the open order. */
    suspend fun accept(): Boolean = step(CaseActionKind.ACCEPT) { store.acceptOrder(it) }

    /** Asks the community for more information on the open order. */
    suspend fun askInfo(question: String): Boolean = step(CaseActionKind.ASK_INFO) { store.askOrderInfo(it, question) }

    /** Answers the resident. */
    suspend fun reply(message: String): Boolean = step(CaseActionKind.REPLY) { store.replyOrder(it, message) }

    /** Marks the open order resolved. */
    suspend fun resolve(summary: String): Boolean = step(CaseActionKind.RESOLVE) { store.resolveOrder(it, summary) }

    /** Returns the ticket to the community, saying why. */
    suspend fun handBack(reason: String): Boolean = step(CaseActionKind.HAND_BACK) { store.handBackOrder(it, reason) }

    private suspend fun step(kind: CaseActionKind, block: (String) -> String): Boolean {
        val id = state.value.detail?.id ?: return false
        return act({ UiText(Keys.DONE_ORDER_ACTION, Keys.of(kind)) }) { block(id) } != null
    }

    private fun detail(id: String): OrderDetailState {
        val o = store.order(id)
        val names = memberNames(store)
        val open = o.status != CaseStatus.RESOLVED && o.status != CaseStatus.HANDED_BACK
        val replied = o.events.any { it.action is CaseAction.Replied || it.action is CaseAction.Resolved }
        val question = (o.events.lastOrNull { it.action is CaseAction.InfoRequested }?.action as? CaseAction.InfoRequested)
            ?.question?.takeIf { o.status == CaseStatus.INFO_REQUESTED }
        return OrderDetailState(
            id = o.id,
            ticketId = o.ticketId,
            unitName = store.placeName(o.unit),
            category = categoryLabel(o.category),
            description = o.description,
            place = o.placeText,
            photos = o.photos,
            status = UiText(Keys.of(o.status)),
            caseStatus = o.status,
            level = Level.entries.firstOrNull { it.code() == o.level }?.let { UiText(Keys.of(it)) },
            responsible = o.responsible?.let(names),
            leader = o.leader?.let(names),
            dispatchedBy = names(o.dispatchedBy),
            dispatchedAt = Instant.ofEpochMilli(o.dispatchedMs),
            replyDeadline = o.replyDueMs?.takeIf { open && !replied }?.let { countdown(now(), Instant.ofEpochMilli(it)) },
            resolveDeadline = o.resolveDueMs?.takeIf { open }?.let { countdown(now(), Instant.ofEpochMilli(it)) },
            question = question,
            steps = o.events.map { e -> OrderStep(Instant.ofEpochMilli(e.atMs), names(e.author), UiText(Keys.of(kindOf(e.action))), textOf(e.action)) },
            actions = store.orderActions(id),
        )
    }
}

/** The departments `memberId` works for (places of their `department_staff` roles), by name. */
internal fun departmentsOf(store: LinliStore, memberId: String): List<PlaceItem> =
    store.member(memberId).roles.filter { it.role == Role.DEPARTMENT_STAFF }
        .flatMap { it.places }.distinct()
        .map { PlaceItem(it, store.placeName(it)) }

/** Member names looked up once each; an unknown member stays by id. */
internal fun memberNames(store: LinliStore): (String) -> String {
    val names = HashMap<String, String>()
    return { member ->
        names.getOrPut(member) { try { store.member(member).name } catch (e: LinliException.NotFound) { member } }
    }
}

/** A category code in words (the code itself when the phone does not know it). */
internal fun categoryLabel(code: String): UiText =
    Category.entries.firstOrNull { it.code() == code }?.let { UiText(Keys.of(it)) } ?: UiText(Keys.LABEL_PLAIN, code)

internal fun orderItem(r: OrderRow, now: Instant) = OrderItem(
    id = r.id,
    ticketId = r.ticketId,
    unitName = r.unitName,
    category = categoryLabel(r.category),
    description = r.description,
    place = r.placeText,
    status = UiText(Keys.of(r.status)),
    caseStatus = r.status,
    dispatchedAt = r.dispatchedAt,
    overdue = r.overdue,
    deadline = listOfNotNull(r.replyDue, r.resolveDue).minOrNull()?.let { countdown(now, it) },
)

/** The kind of a work order's step. */
internal fun kindOf(a: CaseAction): CaseActionKind = when (a) {
    CaseAction.Accepted -> CaseActionKind.ACCEPT
    is CaseAction.InfoRequested -> CaseActionKind.ASK_INFO
    is CaseAction.InfoGiven -> CaseActionKind.ANSWER_INFO
    is CaseAction.Replied -> CaseActionKind.REPLY
    is CaseAction.Resolved -> CaseActionKind.RESOLVE
    is CaseAction.HandedBack -> CaseActionKind.HAND_BACK
}

/** The words a step carries. */
internal fun textOf(a: CaseAction): String = when (a) {
    CaseAction.Accepted -> ""
    is CaseAction.InfoRequested -> a.question
    is CaseAction.InfoGiven -> a.answer
    is CaseAction.Replied -> a.message
    is CaseAction.Resolved -> a.summary
    is CaseAction.HandedBack -> a.reason
}

/** Hours and minutes left until `due`, or how long overdue. */
internal fun countdown(now: Instant, due: Instant): UiText {
    val left = Duration.between(now, due)
    val abs = left.abs()
    val parts = listOf(abs.toHours().toString(), abs.toMinutesPart().toString())
    return UiText(if (left.isNegative) Keys.DEADLINE_OVERDUE else Keys.DEADLINE_LEFT, parts)
}
