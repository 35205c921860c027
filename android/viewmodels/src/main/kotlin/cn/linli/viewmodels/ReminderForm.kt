// A reminder the office adds on the phone (民情日志): what, the place it concerns, whom it is for
// (the office, a role over the place, or a member), its first due date as typed, how many days
// ahead it shows and how it repeats. A date or a number of days that is not one is refused
// before the core sees it.
package cn.linli.viewmodels

import cn.linli.core.ReminderInput
import cn.linli.core.Repeat
import cn.linli.core.Role
import java.time.LocalDate
import java.time.format.DateTimeParseException

/** Whom a new reminder is for. */
sealed interface ReminderOwner {
    /** The office itself. */
    data object Office : ReminderOwner
    /** Whoever holds the role over the reminder's place. */
    data class ForRole(val role: Role) : ReminderOwner
    /** One member, by id. */
    data class ForMember(val memberId: String) : ReminderOwner
}

/** What the add form says. */
data class ReminderForm(
    val what: String = "",
    /** A place's id, or null for none. */
    val placeId: String? = null,
    val owner: ReminderOwner = ReminderOwner.Office,
    /** `YYYY-MM-DD`, as typed. */
    val firstDue: String = "",
    /** Days ahead it shows, as typed; empty for the core's default. */
    val leadDays: String = "",
    val repeat: Repeat = Repeat.ONCE,
) {
    /** Why what was typed is refused before the core sees it (a date or a number of days that
     * is not one), or null. */
    internal fun refusal(): UiText? = when {
        parseDay(firstDue) == null -> UiText(Keys.errorCode("not_a_date"), Keys.field("first_due"))
        leadDays.isNotBlank() && leadDays.trim().toLongOrNull() == null ->
            UiText(Keys.errorCode("malformed"), Keys.field("lead_days"))
        else -> null
    }

    /** The core's input (after [refusal] said nothing). */
    internal fun toInput() = ReminderInput(
        what = what,
        place = placeId,
        ownerMember = (owner as? ReminderOwner.ForMember)?.memberId,
        ownerRole = (owner as? ReminderOwner.ForRole)?.role,
        firstDue = firstDue.trim(),
        leadDays = leadDays.trim().toLongOrNull(),
        repeat = repeat,
    )

    companion object {
        /** The roles a reminder may be for, over its place. */
        val ownerRoles: List<Role> = listOf(Role.AREA_LEAD, Role.BUILDING_LEAD, Role.LANE_LEAD, Role.GATE_LEAD,
            Role.SHIFT_LEAD, Role.SAFETY_OFFICER)
    }
}

/** A `YYYY-MM-DD` day, or null when the text is not one. */
internal fun parseDay(text: String): LocalDate? =
    try { LocalDate.parse(text.trim()) } catch (e: DateTimeParseException) { null }
