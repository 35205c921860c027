// The local notifications today's list asks for, worked out here from the agenda and a "now"
// handed in (the same agenda and now always give the same plan); the app only posts them.
// Overdue items are notified now; items due later ahead of their time (a shift 15 minutes
// before it starts, a ticket or a department's work order 2 hours before its deadline, a follow-up or a reminder at 09:00
// of its day in the community's time, others when due), or now when that has passed; items
// without a time are not, unless overdue.
package cn.linli.viewmodels

import cn.linli.core.AgendaItem
import cn.linli.core.AgendaKind
import java.time.Duration
import java.time.Instant
import java.time.LocalTime
import java.time.ZoneOffset

/**
 * A notification to post at `at` (now, or later). Its `id` is the item's, the same at every
 * plan (`<kind>:<record>:<item>`), so that a new plan replaces what the last one scheduled.
 */
data class PlannedNotification(val id: String, val at: Instant, val title: UiText, val body: String)

/** Plans the notifications of an agenda in the community's time (its offset from UTC). */
class AgendaNotifications(utcOffsetMinutes: Int) {
    private val zone: ZoneOffset = ZoneOffset.ofTotalSeconds(utcOffsetMinutes * 60)

    /** One notification per item (the first of any with the same id), in the agenda's order. */
    fun plan(agenda: List<AgendaItem>, now: Instant): List<PlannedNotification> {
        val seen = HashSet<String>()
        return agenda.mapNotNull { item ->
            val due = item.due
            val at = when {
                item.overdue -> now
                due == null -> null
                else -> maxOf(now, ahead(item.kind, due))
            }
            val id = idOf(item)
            if (at == null || !seen.add(id)) return@mapNotNull null
            val title = UiText(if (item.overdue) Keys.NOTIFY_OVERDUE else Keys.NOTIFY_DUE, Keys.of(item.kind))
            PlannedNotification(id, at, title, item.title)
        }
    }

    /** When to remind of an item due at `due`. */
    private fun ahead(kind: AgendaKind, due: Instant): Instant = when (kind) {
        AgendaKind.SHIFT -> due - SHIFT_LEAD
        AgendaKind.TICKET, AgendaKind.WORK_ORDER -> due - TICKET_LEAD
        AgendaKind.FOLLOW_UP, AgendaKind.REMINDER ->
            due.atOffset(zone).toLocalDate().atTime(MORNING).toInstant(zone)
        else -> due
    }

    companion object {
        /** A shift is notified this long before it starts. */
        val SHIFT_LEAD: Duration = Duration.ofMinutes(15)
        /** A ticket or a work order is notified this long before its deadline. */
        val TICKET_LEAD: Duration = Duration.ofHours(2)
        /** Follow-ups and reminders are notified at this local time of their day. */
        val MORNING: LocalTime = LocalTime.of(9, 0)

        /** The notification id of an item: its kind, record and item. */
        fun idOf(item: AgendaItem): String = "${item.kind.name.lowercase()}:${item.recordId}:${item.itemId}"

        /** The plan for the session's agenda today (the community's date and offset). */
        fun plan(session: Session, now: Instant): List<PlannedNotification> {
            val store = session.store
            return AgendaNotifications(store.community().utcOffsetMinutes).plan(store.agenda(store.today()), now)
        }
    }
}
