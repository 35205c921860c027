// Reminders (民情日志): the office's reminders that concern the member (every one for the
// office), soonest first, each with its due date and the days left or overdue and how it
// repeats, and its current occurrence marked done. The office adds them on the phone too
// (ReminderForm.kt).
package cn.linli.viewmodels

import cn.linli.core.PlaceKind
import cn.linli.core.Repeat
import cn.linli.core.Role
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
    /** 一次, 每月 or 每年. */
    val repeat: UiText,
)

data class RemindersState(
    val items: List<ReminderItem> = emptyList(),
    /** The member may add reminders (the office). */
    val mayAdd: Boolean = false,
    /** What a new reminder may concern and be for (when [mayAdd]): the community's places but
     * its departments and units, its active members, the roles, and how it repeats. */
    val places: List<PlaceItem> = emptyList(),
    val members: List<MemberItem> = emptyList(),
    val ownerRoles: List<Choice<Role>> = emptyList(),
    val repeats: List<Choice<Repeat>> = Repeat.entries.map { Choice(it, UiText(Keys.of(it))) },
)

class RemindersViewModel(
    private val session: Session,
    io: CoroutineDispatcher = Dispatchers.IO,
) : ScreenModel<RemindersState>(RemindersState(), io) {
    private val store get() = session.store

    override fun load(): RemindersState {
        val mayAdd = store.member(session.credentials.memberId).roles.any { it.role == Role.OFFICE }
        val items = store.reminders(store.today()).map { r ->
            val (date, left) = r.due to r.daysLeft
            val due = when {
                date == null || left == null -> UiText(Keys.REMINDER_ALL_DONE)
                left < 0 -> UiText(Keys.REMINDER_OVERDUE, date, -left)
                else -> UiText(Keys.REMINDER_DUE, date, left)
            }
            ReminderItem(r.id, r.what, r.placeName, r.owner, due, (left ?: 0) < 0, date != null, UiText(Keys.of(r.repeat)))
        }
        if (!mayAdd) return RemindersState(items)
        return RemindersState(
            items = items,
            mayAdd = true,
            places = store.places(null).filter { it.kind != PlaceKind.DEPARTMENT && it.kind != PlaceKind.UNIT }
                .map { PlaceItem(it.id, it.name) },
            members = store.members().filter { it.active }.map { MemberItem(it.id, it.name) },
            ownerRoles = ReminderForm.ownerRoles.map { Choice(it, UiText(Keys.of(it))) },
        )
    }

    /** Marks the reminder's current occurrence done. */
    suspend fun complete(reminderId: String) =
        act({ UiText(Keys.DONE_REMINDER_COMPLETED) }) { store.completeReminder(reminderId) }

    /** Adds the form's reminder; returns its id, or null when refused (the notice says why). */
    suspend fun add(form: ReminderForm): String? {
        form.refusal()?.let {
            fail(it)
            return null
        }
        return act({ UiText(Keys.DONE_REMINDER_ADDED) }) { store.addReminder(form.toInput()) }
    }
}
