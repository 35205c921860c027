// The notifications planned from today's list, without a store: agenda items made here and a
// fixed "now". Overdue items are notified now, a shift 15 minutes before it starts, a ticket
// 2 hours before its deadline, a follow-up or a reminder at 09:00 of its day in the community's
// time (or now when that has passed), items without a time not at all; one per item, with ids
// that stay the same from one plan to the next.
package cn.linli.viewmodels

import cn.linli.core.AgendaItem
import cn.linli.core.AgendaKind
import java.time.Duration
import java.time.Instant
import java.util.TimeZone
import org.junit.jupiter.api.Assertions.assertEquals
import org.junit.jupiter.api.Test

class NotificationsTest {
    /** 14:00 in a community at UTC+08:00. */
    private val now = Instant.parse("2024-03-05T06:00:00Z")

    private fun item(kind: AgendaKind, record: String, due: Instant?, overdue: Boolean = false, item: String = "") =
        AgendaItem(kind, record, item, "place-1", "标题 $record", due, overdue, "")

    private val agenda = listOf(
        item(AgendaKind.TICKET, "t-late", now.minus(Duration.ofHours(1)), overdue = true),
        item(AgendaKind.ISOLATION_CHECK, "h-501", null, overdue = true, item = "iso-1"),
        item(AgendaKind.SHIFT, "gate-east", now.plus(Duration.ofHours(2)), item = "shift-1/slot-2"),
        // Due 2024-03-07 (its day starts at 16:00 UTC the day before).
        item(AgendaKind.FOLLOW_UP, "h-302", Instant.parse("2024-03-06T16:00:00Z"), item = "visit-9"),
        item(AgendaKind.TICKET, "t-soon", now.plus(Duration.ofHours(5))),
        item(AgendaKind.TICKET, "t-close", now.plus(Duration.ofHours(1))),
        // Due today: its 09:00 has passed.
        item(AgendaKind.REMINDER, "r-lift", Instant.parse("2024-03-04T16:00:00Z"), item = "2024-03-05"),
        item(AgendaKind.ISOLATION_CHECK, "h-502", null, item = "iso-2"),
        // The same shift twice: one notification.
        item(AgendaKind.SHIFT, "gate-east", now.plus(Duration.ofHours(2)), item = "shift-1/slot-2"),
    )

    @Test
    fun `overdue now, a shift 15 minutes ahead, a follow-up at nine of its day, the same ids again`() {
        val plan = AgendaNotifications(480).plan(agenda, now)
        assertEquals(
            listOf(
                "ticket:t-late:" to now,
                "isolation_check:h-501:iso-1" to now,
                "shift:gate-east:shift-1/slot-2" to Instant.parse("2024-03-05T07:45:00Z"),
                "follow_up:h-302:visit-9" to Instant.parse("2024-03-07T01:00:00Z"),
                "ticket:t-soon:" to Instant.parse("2024-03-05T09:00:00Z"),
                "ticket:t-close:" to now,
                "reminder:r-lift:2024-03-05" to now,
            ),
            plan.map { it.id to it.at },
        )
        assertEquals(UiText(Keys.NOTIFY_OVERDUE, "agenda_kind_ticket"), plan[0].title)
        assertEquals(UiText(Keys.NOTIFY_DUE, "agenda_kind_shift"), plan[2].title)
        assertEquals("标题 h-302", plan[3].body)

        // A plan a little later has the same ids, so it replaces what was scheduled; what is
        // still ahead keeps its time.
        val later = now.plus(Duration.ofMinutes(10))
        val again = AgendaNotifications(480).plan(agenda, later)
        assertEquals(plan.map { it.id }, again.map { it.id })
        assertEquals(plan.drop(2).take(3), again.drop(2).take(3))
        assertEquals(later, again[0].at)
        assertEquals(plan, AgendaNotifications(480).plan(agenda, now), "the same agenda and now, the same plan")
    }

    @Test
    fun `nine o'clock is the community's, whatever the phone's time zone`() {
        val phone = TimeZone.getDefault()
        try {
            TimeZone.setDefault(TimeZone.getTimeZone("America/Los_Angeles"))
            // A community at UTC-05:00: the follow-up's day 2024-03-07 starts at 05:00 UTC.
            val followUp = item(AgendaKind.FOLLOW_UP, "h-1", Instant.parse("2024-03-07T05:00:00Z"), item = "v-1")
            val plan = AgendaNotifications(-300).plan(listOf(followUp), now)
            assertEquals(listOf(Instant.parse("2024-03-07T14:00:00Z")), plan.map { it.at })
            // Items without a time and not overdue ask for nothing.
            assertEquals(emptyList<PlannedNotification>(),
                AgendaNotifications(480).plan(listOf(item(AgendaKind.WATCH_CHECK, "h-2", null)), now))
        } finally {
            TimeZone.setDefault(phone)
        }
    }
}
