// Tickets: the lists (mine, open, overdue, by level), a ticket's detail with its event timeline
// (the departments' steps on its work orders included), the channel it came by, each photo (or
// 照片待同步 while its bytes have not arrived) and deadlines counting down, the actions the
// member's role allows now (from the core's one rule), photos attached, dispatching to a
// department of the directory (大联动), the leader in charge (包案领导), and answering a
// department's question; and the report form (TicketReport.kt) with its photos.
package cn.linli.viewmodels

import cn.linli.core.*
import kotlinx.coroutines.CoroutineDispatcher
import kotlinx.coroutines.Dispatchers
import java.time.Instant

/** Which list is shown. */
sealed interface TicketList {
    data object Mine : TicketList
    data object Open : TicketList
    data object Overdue : TicketList
    data class AtLevel(val level: Level) : TicketList

    /** The list's first `limit` tickets, newest event first. */
    fun filter(limit: Int, placeRef: String? = null) = TicketFilter(
        status = null,
        level = (this as? AtLevel)?.level,
        category = null,
        placeRef = placeRef,
        openOnly = this is Open || this is AtLevel,
        mine = this is Mine,
        overdue = this is Overdue,
        limit = limit.toUInt(),
        offset = 0u,
    )
}

/** Tickets a list shows at first, and how many more each "more" adds. */
const val TICKET_PAGE = 50

data class TicketItem(
    val id: String,
    val category: UiText,
    val description: String,
    val place: String,
    val status: UiText,
    val level: UiText,
    val overdue: Boolean,
    /** The nearest open deadline, counting down. */
    val deadline: UiText?,
)

/** One event of the timeline, in words. */
data class TimelineItem(
    val at: Instant,
    val author: String,
    val action: UiText,
    /** The department, level, channel or leader the event names. */
    val subject: UiText?,
    val text: String,
)

/** A department's question on one of the ticket's work orders, waiting for the community. */
data class OrderQuestion(
    val orderId: String,
    val unitName: String,
    val question: String,
    /** The member may answer it (office or area lead). */
    val canAnswer: Boolean,
)

/** A member to choose, by id and name. */
data class MemberItem(val id: String, val name: String)

data class TicketDetailState(
    val id: String,
    val category: UiText,
    val description: String,
    val place: String,
    val status: UiText,
    val level: UiText,
    /** How it came (走访, 12345热线, 微信群 …). */
    val channel: UiText,
    val replyDeadline: UiText?,
    val resolveDeadline: UiText?,
    val timeline: List<TimelineItem>,
    /** In the order attached, the report's first. */
    val photos: List<TicketPhoto>,
    val actions: List<TicketActionKind>,
    /** Where a duplicate can be merged: the other open tickets, those at the same place first. */
    val mergeTargets: List<TicketItem>,
    /** 首问负责人, by name. */
    val responsible: String? = null,
    /** 包案领导, by name. */
    val leader: String? = null,
    /** The department working it now, by name. */
    val unit: String? = null,
    /** Its work orders, the latest first, with where each stands. */
    val orders: List<OrderItem> = emptyList(),
    /** The departments' questions waiting for an answer. */
    val questions: List<OrderQuestion> = emptyList(),
    /** Where it can be dispatched: the directory's departments (when dispatching is offered). */
    val departments: List<PlaceItem> = emptyList(),
    /** Who can be put in charge: the office and the area leads (when naming one is offered). */
    val leaders: List<MemberItem> = emptyList(),
)

data class TicketsState(
    val list: TicketList = TicketList.Open,
    val items: List<TicketItem> = emptyList(),
    /** How many tickets the list shows; it grows by a page with [TicketsViewModel.showMore]. */
    val shown: Int = TICKET_PAGE,
    /** The list holds more tickets than it shows. */
    val hasMore: Boolean = false,
    val detail: TicketDetailState? = null,
    /** The report being written (null when none), with the photos taken for it. */
    val report: TicketReportForm? = null,
    /** Where a report may be, besides a place typed: the member's buildings and gates. */
    val places: List<ReportPlace> = emptyList(),
    val categories: List<Choice<Category>> = categoryChoices,
    val channels: List<Choice<Channel>> = channelChoices,
)

/** What an action needs besides the ticket. */
sealed interface TicketCommand {
    data object Accept : TicketCommand
    data class Assign(val department: Department) : TicketCommand
    data class Escalate(val to: Level, val reason: String) : TicketCommand
    data class Reply(val message: String) : TicketCommand
    data class Resolve(val summary: String) : TicketCommand
    data class Evaluate(val satisfied: Boolean, val comment: String) : TicketCommand
    data class Merge(val into: String) : TicketCommand
    data class AttachPhoto(val bytes: ByteArray) : TicketCommand
    /** To a department of the directory (a place id). */
    data class Dispatch(val unit: String) : TicketCommand
    data class NameLeader(val memberId: String) : TicketCommand
}

class TicketsViewModel(
    private val session: Session,
    io: CoroutineDispatcher = Dispatchers.IO,
    private val now: () -> Instant = Instant::now,
) : ScreenModel<TicketsState>(TicketsState(), io) {
    private val store get() = session.store

    override fun load(): TicketsState {
        val s = state.value
        // One ticket past the page tells whether there are more.
        val rows = store.tickets(s.list.filter(s.shown + 1))
        return s.copy(
            items = rows.take(s.shown).map(::item),
            hasMore = rows.size > s.shown,
            detail = s.detail?.let { detail(it.id) },
            places = reportPlaces(store),
        )
    }

    suspend fun show(list: TicketList) {
        mutableState.value = state.value.copy(list = list, shown = TICKET_PAGE)
        refresh()
    }

    /** Shows the next page of the list. */
    suspend fun showMore() {
        mutableState.value = state.value.copy(shown = state.value.shown + TICKET_PAGE)
        refresh()
    }

    suspend fun open(id: String) {
        act({ null }) { mutableState.value = state.value.copy(detail = detail(id)) }
    }

    fun close() {
        mutableState.value = state.value.copy(detail = null)
    }

    /** Reports a problem (from anywhere: the gate, the street, a call). */
    suspend fun report(input: TicketInput): String? = act({ UiText(Keys.DONE_TICKET_REPORTED) }) { store.reportTicket(input) }

    /** Opens an empty report form. */
    fun startReport() {
        mutableState.value = state.value.copy(report = TicketReportForm())
    }

    /** Changes what the open form says. */
    fun editReport(change: (TicketReportForm) -> TicketReportForm) {
        val form = state.value.report ?: return
        mutableState.value = state.value.copy(report = change(form))
    }

    /** Stores a photo taken for the open form on the phone (its sha-256 names it) and keeps it
     * on the form; false when there is no form or the store refused it. */
    suspend fun addPhoto(bytes: ByteArray): Boolean {
        if (state.value.report == null) return false
        val sha256 = act({ null }) { store.addPhoto(bytes) } ?: return false
        editReport { it.copy(photos = it.photos + ReportPhoto(sha256, bytes)) }
        return true
    }

    /** Takes a photo off the open form (it stays stored, named by no record, and is not sent). */
    fun removePhoto(sha256: String) = editReport { f -> f.copy(photos = f.photos.filter { it.sha256 != sha256 }) }

    /** The camera was refused: says so, and the form keeps what it holds. */
    fun cameraRefused() = fail(UiText(Keys.TICKET_PHOTO_CAMERA_REFUSED))

    /** Reports the open form's problem with its photos; the form closes once the core took it. */
    suspend fun submitReport(): String? {
        val form = state.value.report ?: return null
        val place = form.placeId?.let { id -> state.value.places.firstOrNull { it.id == id } }
        val id = report(TicketInput(
            category = form.category,
            placeKind = place?.kind ?: PlaceRefKind.FREE_TEXT,
            placeRef = place?.id ?: "",
            placeText = place?.name ?: form.placeText,
            description = form.description,
            photos = form.photos.map { it.sha256 },
            channel = form.channel,
        ))
        if (id != null) mutableState.value = state.value.copy(report = null)
        return id
    }

    fun cancelReport() {
        mutableState.value = state.value.copy(report = null)
    }

    /** Runs an action on the open ticket. */
    suspend fun perform(command: TicketCommand): Boolean {
        val id = state.value.detail?.id ?: return false
        val kind = kindOf(command)
        return act({ UiText(Keys.DONE_TICKET_ACTION, Keys.of(kind)) }) {
            when (command) {
                TicketCommand.Accept -> store.acceptTicket(id)
                is TicketCommand.Assign -> store.assignTicket(id, command.department)
                is TicketCommand.Escalate -> store.escalateTicket(id, command.to, command.reason)
                is TicketCommand.Reply -> store.replyTicket(id, command.message)
                is TicketCommand.Resolve -> store.resolveTicket(id, command.summary)
                is TicketCommand.Evaluate -> store.evaluateTicket(id, command.satisfied, command.comment)
                is TicketCommand.Merge -> store.mergeTicket(id, command.into)
                is TicketCommand.AttachPhoto -> store.attachPhoto(id, store.addPhoto(command.bytes))
                is TicketCommand.Dispatch -> store.dispatchTicket(id, command.unit)
                is TicketCommand.NameLeader -> store.nameTicketLeader(id, command.memberId)
            }
        } != null
    }

    /** Answers a department's question on one of the open ticket's work orders. */
    suspend fun answer(orderId: String, answer: String): Boolean =
        act({ UiText(Keys.DONE_ORDER_ACTION, Keys.of(CaseActionKind.ANSWER_INFO)) }) {
            store.answerOrderInfo(orderId, answer)
        } != null

    private fun kindOf(c: TicketCommand) = when (c) {
        TicketCommand.Accept -> TicketActionKind.ACCEPT
        is TicketCommand.Assign -> TicketActionKind.ASSIGN
        is TicketCommand.Escalate -> TicketActionKind.ESCALATE
        is TicketCommand.Reply -> TicketActionKind.REPLY
        is TicketCommand.Resolve -> TicketActionKind.RESOLVE
        is TicketCommand.Evaluate -> TicketActionKind.EVALUATE
        is TicketCommand.Merge -> TicketActionKind.MERGE
        is TicketCommand.AttachPhoto -> TicketActionKind.ATTACH_PHOTO
        is TicketCommand.Dispatch -> TicketActionKind.DISPATCH
        is TicketCommand.NameLeader -> TicketActionKind.NAME_LEADER
    }

    private fun item(r: TicketRow) = TicketItem(
        id = r.id,
        category = UiText(Keys.of(r.category)),
        description = r.description,
        place = r.placeText,
        status = UiText(Keys.of(r.status)),
        level = UiText(Keys.of(r.level)),
        overdue = r.overdue,
        deadline = listOfNotNull(r.replyDue, r.resolveDue).minOrNull()?.let { countdown(now(), it) },
    )

    private fun detail(id: String): TicketDetailState {
        val t = store.ticket(id)
        val actions = store.ticketActions(id)
        val name = memberNames(store)
        val rows = store.orders(OrderFilter(null, id, false))
        val orders = rows.map { store.order(it.id) }
        val questions = orders.filter { it.status == CaseStatus.INFO_REQUESTED }.mapNotNull { o ->
            val asked = o.events.lastOrNull { it.action is CaseAction.InfoRequested }?.action as? CaseAction.InfoRequested
                ?: return@mapNotNull null
            OrderQuestion(o.id, store.placeName(o.unit), asked.question,
                CaseActionKind.ANSWER_INFO in store.orderActions(o.id))
        }
        val events = t.events.map { e ->
            val (key, subject, text) = describe(e.action, name)
            TimelineItem(Instant.ofEpochMilli(e.atMs), name(e.author), UiText(key), subject, text)
        }
        val steps = orders.flatMap { o ->
            val unit = UiText(Keys.LABEL_PLAIN, store.placeName(o.unit))
            o.events.map { e ->
                TimelineItem(Instant.ofEpochMilli(e.atMs), name(e.author), UiText(Keys.of(kindOf(e.action))), unit, textOf(e.action))
            }
        }
        return TicketDetailState(
            id = t.id,
            category = UiText(Keys.of(t.category)),
            description = t.description,
            place = t.place.text,
            status = UiText(Keys.of(t.state.status)),
            level = UiText(Keys.of(t.state.level)),
            channel = UiText(Keys.of(t.channel)),
            replyDeadline = t.state.replyDueMs?.let { countdown(now(), Instant.ofEpochMilli(it)) },
            resolveDeadline = t.state.resolveDueMs?.let { countdown(now(), Instant.ofEpochMilli(it)) },
            // The departments' steps in time order among the ticket's own events.
            timeline = if (steps.isEmpty()) events else (events + steps).sortedBy { it.at },
            photos = t.state.photos.map { ticketPhoto(store, it) },
            actions = actions,
            mergeTargets = if (TicketActionKind.MERGE in actions) mergeTargets(t) else emptyList(),
            responsible = t.state.responsible?.let(name),
            leader = t.state.leader?.let(name),
            unit = t.state.unit?.let { store.placeName(it) },
            orders = rows.map { orderItem(it, now()) },
            questions = questions,
            departments = if (TicketActionKind.DISPATCH in actions) {
                store.places(PlaceKind.DEPARTMENT).map { PlaceItem(it.id, it.name) }
            } else emptyList(),
            leaders = if (TicketActionKind.NAME_LEADER in actions) leaders() else emptyList(),
        )
    }

    /** The active members holding the office or an area lead's role, by name. */
    private fun leaders(): List<MemberItem> = store.members()
        .filter { m -> m.active && m.roles.any { it.role == Role.OFFICE || it.role == Role.AREA_LEAD } }
        .map { MemberItem(it.id, it.name) }

    /** Open tickets at the same place, then the newest other open ones, a page of each. */
    private fun mergeTargets(t: TicketDetail): List<TicketItem> {
        val samePlace = if (t.place.reference.isEmpty()) emptyList()
        else store.tickets(TicketList.Open.filter(TICKET_PAGE, placeRef = t.place.reference))
        return (samePlace + store.tickets(TicketList.Open.filter(TICKET_PAGE)))
            .distinctBy { it.id }
            .filter { it.id != t.id }
            .map(::item)
    }

    /** The event's key, the label it names (a department, level, channel or leader) and its
     * free text. */
    private fun describe(a: TicketAction, name: (String) -> String): Triple<String, UiText?, String> = when (a) {
        TicketAction.Reported -> Triple("timeline_reported", null, "")
        TicketAction.Accepted -> Triple("timeline_accepted", null, "")
        is TicketAction.Assigned -> Triple("timeline_assigned", UiText(Keys.of(a.department)), "")
        is TicketAction.Escalated -> Triple("timeline_escalated", UiText(Keys.of(a.to)), a.reason)
        is TicketAction.Replied -> Triple("timeline_replied", null, a.message)
        is TicketAction.Resolved -> Triple("timeline_resolved", null, a.summary)
        is TicketAction.Evaluated ->
            Triple(if (a.satisfied) "timeline_satisfied" else "timeline_unsatisfied", null, a.comment)
        is TicketAction.Merged -> Triple("timeline_merged", null, a.into)
        is TicketAction.Absorbed -> Triple("timeline_absorbed", UiText(Keys.of(a.channel)), a.from)
        is TicketAction.PhotoAdded -> Triple("timeline_photo", null, "")
        is TicketAction.Dispatched -> Triple("timeline_dispatched", UiText(Keys.LABEL_PLAIN, store.placeName(a.unit)), "")
        is TicketAction.LeaderNamed -> Triple("timeline_leader_named", UiText(Keys.LABEL_PLAIN, name(a.member)), "")
    }
}
