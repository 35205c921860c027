// The gate screen's lists beyond the badge: the day's entries with their kinds in words (a
// visitor's pass type and the address visited, an incident's severity, each entry's gate day to
// open its history), the vehicles still inside and the parcels still waiting (across the gate's
// days), whom the duty can be handed over to, and the choices of the visitor, incident and
// shift forms.
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
    /** The gate day's record (`gatelog:<gate>:<date>`): the entry opens its history. */
    val recordId: String,
    /** A visitor's pass type in words (`pass_type_<code>`). */
    val passType: UiText? = null,
    /** An incident's severity in words (`severity_<code>`). */
    val severity: UiText? = null,
    /** The address a visitor named (`3号楼 1单元 302`), the building's name from the
     * directory; empty when none. The core's summary ends with it too. */
    val visiting: String = "",
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
    recordId = r.recordId,
    passType = r.passType?.let { UiText(Keys.of(it)) },
    severity = r.severity?.let { UiText(Keys.of(it)) },
    visiting = r.visiting,
)

/** The plate of a vehicle entry's summary (`沪A12345：送货` or `沪A12345`). */
internal fun vehicleItem(r: GateEntryRow) = VehicleItem(r.id, r.summary.substringBefore('：'), r.summary, r.at)

/** The recipient of a parcel entry's summary (`张阿姨（顺丰）`). */
internal fun parcelItem(r: GateEntryRow) = ParcelItem(r.id, r.summary, r.summary.substringBefore('（'), r.at)

/** The active members other than `me` who stand duty at `gateId`. */
internal fun dutyMembers(members: List<MemberRow>, gateId: String, me: String): List<MemberItem> =
    members.filter { m -> m.active && m.id != me && m.roles.any { it.role in DUTY_ROLES && gateId in it.places } }
        .map { MemberItem(it.id, it.name) }

internal val passTypeChoices: List<Choice<PassType>> = PassType.entries.map { Choice(it, UiText(Keys.of(it))) }

internal val severityChoices: List<Choice<Severity>> = Severity.entries.map { Choice(it, UiText(Keys.of(it))) }
