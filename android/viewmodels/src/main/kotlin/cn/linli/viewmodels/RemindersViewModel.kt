// Reminders (民情日志): the office's reminders that concern the member (every one for the
// office), soonest first, each with its due date and the days left or overdue, and its current
// occurrence marked done.
package cn.linli.viewmodels

import kotlinx.coroutines.CoroutineDispatcher
import kotlinx.coroutines.Dispatchers

/** A reminder as the list shows it. */
data class ReminderItem(
    val id: String,
    val what: String,
    /** The place's name (empty when none). */
    val place: String,
    /** Who it is for, in words. */
    val owner: String,
    /** Its due date and days left, overdue, or all done. */
    val due: UiText,
    val overdue: Boolean,
    /** Its current occurrence may be marked done (none left for a one-time one done). */
    val canComplete: Boolean,
)

data class RemindersState(val items: List<ReminderItem> = emptyList())

class RemindersViewModel(
    private val session: Session,
    io: CoroutineDispatcher = Dispatchers.IO,
) : ScreenModel<RemindersState>(RemindersState(), io) {
    private val store get() = session.store

    override fun load(): RemindersState = RemindersState(
        store.reminders(store.today()).map { r ->
            val (date, left) = r.due to r.daysLeft
            val due = when {
                date == null || left == null -> UiText(Keys.REMINDER_ALL_DONE)
                left < 0 -> UiText(Keys.REMINDER_OVERDUE, date, -left)
                else -> UiText(Keys.REMINDER_DUE, date, left)
            }
            ReminderItem(r.id, r.what, r.placeName, r.owner, due, (left ?: 0) < 0, date != null)
        },
    )

    /** Marks the reminder's current occurrence done. */
    suspend fun complete(reminderId: String) =
        act({ UiText(Keys.DONE_REMINDER_COMPLETED) }) { store.completeReminder(reminderId) }
}
