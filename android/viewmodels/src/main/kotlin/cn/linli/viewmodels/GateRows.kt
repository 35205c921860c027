// The gate screen's lists beyond the badge: the day's entries with their kinds in words, the
// vehicles still inside and the parcels still waiting (across the gate's days), whom the duty
// can be handed over to, and the choices of the visitor, incident and shift forms.
package cn.linli.viewmodels

import cn.linli.core.*
import java.time.Instant

/** One line of today's gate register. */
data class GateEntryItem(
    /** The kind's code (`visitor`, `pass_forged`, …). */
    val kind: String,
    /** The kind in words (`gate_kind_<code>`): 交接班, 突发事件, 通行证核验：已过期 … */
    val label: UiText,
    val at: Instant,
    val summary: String,
    /** Whom a check-in, check-out or handover concerns (who takes over), by name. */
    val member: String?,
    /** A fever, an incident, or a pass not let through. */
    val flagged: Boolean,
)

/** A vehicle logged in and not out. */
data class VehicleItem(val id: String, val plate: String, val summary: String, val since: Instant)

/** A parcel logged and not collected: `张阿姨（顺丰）`, for `张阿姨`. */
data class ParcelItem(val id: String, val summary: String, val recipient: String, val since: Instant)

/** A value offered on a screen with its label (a visitor's pass type, an incident's severity). */
data class Choice<T>(val value: T, val label: UiText)

/** The fewest and the most 安全员 a shift is planned with from the form. */
val SAFETY_OFFICERS_RANGE = 1..6

/** The roles that stand duty at a gate: whom the duty passes to. */
private val DUTY_ROLES = setOf(Role.GATE_LEAD, Role.SHIFT_LEAD, Role.SAFETY_OFFICER)

internal fun entryItem(r: GateEntryRow, names: (String) -> String) = GateEntryItem(
    kind = r.kind,
    label = if (r.kind in Keys.gateKinds) UiText(Keys.gateKind(r.kind)) else UiText(Keys.LABEL_PLAIN, r.kind),
    at = r.at,
    summary = r.summary,
    member = r.memberId?.let(names),
    flagged = r.flagged,
)

/** The plate of a vehicle entry's summary (`沪A12345：送货` or `沪A12345`). */
internal fun vehicleItem(r: GateEntryRow) = VehicleItem(r.id, r.summary.substringBefore('：'), r.summary, r.at)

/** The recipient of a parcel entry's summary (`张阿姨（顺丰）`). */
internal fun parcelItem(r: GateEntryRow) = ParcelItem(r.id, r.summary, r.summary.substringBefore('（'), r.at)

/** The active members other than `me` who stand duty at `gateId`. */
internal fun dutyMembers(members: List<MemberRow>, gateId: String, me: String): List<MemberItem> =
    members.filter { m -> m.active && m.id != me && m.roles.any { it.role in DUTY_ROLES && gateId in it.places } }
        .map { MemberItem(it.id, it.name) }

/** The id of a gate's day log (`day` is `YYYY-MM-DD`) as the core makes it: the bindings give
 * the day's entries but not their record. */
internal fun gateDayDoc(gateId: String, day: String) = "gatelog:$gateId:$day"

internal val passTypeChoices: List<Choice<PassType>> = PassType.entries.map { Choice(it, UiText(Keys.of(it))) }

internal val severityChoices: List<Choice<Severity>> = Severity.entries.map { Choice(it, UiText(Keys.of(it))) }
