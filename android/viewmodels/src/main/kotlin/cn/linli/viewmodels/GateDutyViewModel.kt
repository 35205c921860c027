// Gate duty at one gate: the badge view (who is on duty now as 门长 / 值班长 / 安全员, planned and
// checked in), check in and out, handing the duty over, the gate register (visitor with the pass
// type chosen and the address visited — a building or lane the phone knows and the unit and
// room as said —, vehicle in and out, parcel in and collected, temperature with fever readings
// standing out, patrol note, incident), passes checked offline, this week's roster and swaps,
// and for the gate lead building the roster (with its number of 安全员), approving swaps and
// issuing passes.
package cn.linli.viewmodels

import cn.linli.core.*
import kotlinx.coroutines.CoroutineDispatcher
import kotlinx.coroutines.Dispatchers
import java.time.Instant
import java.time.LocalDate

/** One slot of the shift now on the badge view. */
data class BadgeSlot(
    val role: UiText,
    val planned: String?,
    val onDuty: String?,
    val since: Instant?,
    val attendance: UiText,
    val isMe: Boolean,
)

/** A swap request, with names. */
data class SwapItem(val swapId: String, val from: String, val to: String, val toMe: Boolean, val status: UiText)

/** What the last pass check found: the result, and whom the pass names (to compare with the
 * person; a forged pass's name is not to be believed). */
data class PassCheckItem(val result: PassResult, val label: UiText, val holder: String?, val kind: UiText?) {
    val letThrough: Boolean get() = result == PassResult.VALID
}

/** A pass the gate lead asks the relay to sign for this gate, its holder named by address (the
 * gate phone holds no household): a resident of the room, or a visitor to it. */
data class PassRequestForm(
    val buildingId: String,
    val unit: String,
    val room: String,
    /** The resident's name, or the visitor's. */
    val name: String,
    val kind: PassKind,
    /** How many days from today, the community's today (the core's, not the phone's). */
    val days: Int,
)

data class GateDutyState(
    val gateName: String = "",
    val badge: List<BadgeSlot> = emptyList(),
    /** Checked in outside the planned slots. */
    val others: List<String> = emptyList(),
    val meOnDuty: Boolean = false,
    /** Today's register, newest first. */
    val entries: List<GateEntryItem> = emptyList(),
    /** Today's gate log (`gatelog:<gate>:<date>`), for its history; null before its first entry. */
    val gateDayDoc: String? = null,
    /** This week's roster, for its history; null while the week has no shift. */
    val rosterDoc: String? = null,
    /** Oldest first. */
    val vehiclesInside: List<VehicleItem> = emptyList(),
    /** Oldest first. */
    val parcelsWaiting: List<ParcelItem> = emptyList(),
    /** The gate's other duty members (门长, 值班长, 安全员), to hand the duty over to. */
    val handoverTo: List<MemberItem> = emptyList(),
    val passTypes: List<Choice<PassType>> = passTypeChoices,
    val severities: List<Choice<Severity>> = severityChoices,
    /** The community's offset from UTC: the screen shows times in it, not the phone's zone. */
    val utcOffsetMinutes: Int = 0,
    val week: List<ShiftRow> = emptyList(),
    val swaps: List<SwapItem> = emptyList(),
    /** The gate lead (or the office) builds the roster, approves swaps and issues passes. */
    val canBuildRoster: Boolean = false,
    /** The community's buildings, for the address of a pass's holder. */
    val buildings: List<PlaceRow> = emptyList(),
    /** The buildings, then the lanes, of the directory: the address a visitor names. */
    val visitPlaces: List<PlaceRow> = emptyList(),
    /** The pass signed last from this screen: shown as a QR code for its holder. */
    val issuedPass: PassSigned? = null,
    /** The last pass checked here. */
    val lastPass: PassCheckItem? = null,
    /** Passes let through after their revocation, found at the last sync. */
    val lateRevocations: Int = 0,
)

class GateDutyViewModel(
    private val session: Session,
    val gateId: String,
    io: CoroutineDispatcher = Dispatchers.IO,
) : ScreenModel<GateDutyState>(GateDutyState(), io) {
    private val store get() = session.store
    private val me get() = session.credentials.memberId
    private var lastPass: PassCheckItem? = null
    private var issuedPass: PassSigned? = null

    override fun load(): GateDutyState {
        val view = store.onDuty(gateId)
        val today = store.today()
        val roles = store.member(me).roles
        val entries = store.gateEntries(gateId, today)
        val members = store.members()
        val names = members.associate { it.id to it.name }.let { n -> { id: String -> n[id] ?: id } }
        val week = store.rosterWeek(gateId, today)
        val buildings = store.places(PlaceKind.BUILDING)
        return GateDutyState(
            gateName = view.gateName,
            badge = view.slots.map { s ->
                BadgeSlot(
                    role = UiText(Keys.of(s.role)),
                    planned = s.planned?.name,
                    onDuty = s.onDuty?.name,
                    since = s.since,
                    attendance = UiText(Keys.of(s.attendance)),
                    isMe = s.onDuty?.id == me,
                )
            },
            others = view.others.map { it.name },
            meOnDuty = view.slots.any { it.onDuty?.id == me } || view.others.any { it.id == me },
            entries = entries.map { entryItem(it, names) }.sortedByDescending { it.at },
            gateDayDoc = entries.firstOrNull()?.recordId,
            rosterDoc = week.firstOrNull()?.rosterDoc,
            vehiclesInside = store.vehiclesInside(gateId).map(::vehicleItem),
            parcelsWaiting = store.parcelsWaiting(gateId).map(::parcelItem),
            handoverTo = dutyMembers(members, gateId, me),
            utcOffsetMinutes = store.community().utcOffsetMinutes,
            week = week,
            swaps = store.swaps(gateId).map {
                SwapItem(it.swapId, names(it.fromMember), names(it.toMember), it.toMember == me, UiText(Keys.of(it.status)))
            },
            canBuildRoster = roles.any {
                it.role == Role.OFFICE || (it.role == Role.GATE_LEAD && gateId in it.places)
            },
            buildings = buildings,
            visitPlaces = buildings + store.places(PlaceKind.LANE),
            issuedPass = issuedPass,
            lastPass = lastPass,
            lateRevocations = store.passesLetThroughAfterRevocation().count { it.gateId == gateId },
        )
    }

    /** Checks a scanned or typed pass offline; the result shows large, in red unless valid. */
    suspend fun checkPass(text: String): PassCheckItem? {
        val check = act({ c: PassCheck -> UiText(Keys.of(c.result)) }) { store.checkPass(gateId, text.trim()) }
            ?: return null
        val item = PassCheckItem(check.result, UiText(Keys.of(check.result)), check.claims?.holder,
            check.claims?.kind?.let { UiText(Keys.of(it)) })
        lastPass = item
        mutableState.value = state.value.copy(lastPass = item)
        return item
    }

    /**
     * Asks the relay to sign a pass for this gate (a gate lead's, or the office's): needs the
     * network, as the community's key stays on the relay. The signed pass shows as a QR code;
     * a refusal (not a lead of this gate, no such room or resident, offline) is the notice.
     */
    suspend fun issuePass(form: PassRequestForm): PassSigned? {
        val visitor = form.kind == PassKind.VISITOR
        val from = store.today()
        val input = PassDaysInput(
            "", null, if (visitor) form.name.trim() else "", form.kind, from, addDays(from, form.days - 1),
            listOf(gateId), PassAddress(form.buildingId, form.unit.trim(), form.room.trim(), if (visitor) "" else form.name.trim()),
        )
        val signed = try {
            session.client.issuePass(store, input, null)
        } catch (e: LinliException) {
            fail(e.toUiText())
            return null
        }
        done(UiText(Keys.DONE_PASS_ISSUED, signed.holder))
        issuedPass = signed
        mutableState.value = state.value.copy(issuedPass = signed)
        return signed
    }

    suspend fun checkIn() = act({ UiText(Keys.DONE_CHECKED_IN) }) { store.checkIn(gateId) }

    suspend fun checkOut() = act({ UiText(Keys.DONE_CHECKED_OUT) }) { store.checkOut(gateId) }

    /** Hands the duty over to `memberId` (one of `handoverTo`); the giver must be on duty. */
    suspend fun handOver(memberId: String): Boolean =
        act({ UiText(Keys.DONE_HANDOVER) }) { store.handOver(gateId, memberId) } != null

    /** A visitor with the pass type chosen and the address visited: `buildingId`, one of
     * `visitPlaces` (none when not said), and the unit and room as said (`1单元 302`). The
     * phone names no household (gate phones hold none): the core links the one at that address
     * when this phone holds exactly one there. */
    suspend fun registerVisitor(
        name: String,
        phone: String,
        purpose: String,
        passType: PassType,
        buildingId: String? = null,
        room: String = "",
    ): Boolean = act(::registered) {
        store.registerVisitor(gateId, VisitorInput(name, phone, purpose, null, passType, buildingId, room.trim()))
    } != null

    suspend fun registerVehicle(plate: String, purpose: String): Boolean =
        act(::registered) { store.registerVehicle(gateId, plate, purpose) } != null

    /** A vehicle leaving: the plate of a row of `vehiclesInside`, or one typed. */
    suspend fun vehicleLeft(plate: String): Boolean =
        act({ UiText(Keys.DONE_VEHICLE_EXIT) }) { store.registerVehicleExit(gateId, plate.trim()) } != null

    /** A parcel received for `recipient` (no household: gate phones hold none). */
    suspend fun registerParcel(recipient: String, carrier: String): Boolean =
        act(::registered) { store.registerParcel(gateId, recipient, null, carrier) } != null

    /** A parcel of `parcelsWaiting` collected by `collectedBy`; left empty, by its recipient. */
    suspend fun pickUp(parcelId: String, collectedBy: String = ""): Boolean =
        act({ UiText(Keys.DONE_PARCEL_PICKED_UP) }) {
            val who = collectedBy.trim().ifEmpty {
                store.parcelsWaiting(gateId).firstOrNull { it.id == parcelId }?.let(::parcelItem)?.recipient
                    ?: throw LinliException.NotFound("parcel", parcelId)
            }
            store.pickUpParcel(gateId, parcelId, who)
        } != null

    suspend fun recordIncident(note: String, severity: Severity): Boolean =
        act({ UiText(Keys.DONE_INCIDENT) }) { store.recordIncident(gateId, note, severity) } != null

    /** A fever reading is confirmed in the warning style and stands out in the register. */
    suspend fun recordTemperature(person: String, celsius: Double) =
        act({ t: TemperatureEntry ->
            if (t.fever) UiText(Keys.DONE_FEVER, person, celsius) else UiText(Keys.DONE_REGISTERED)
        }) {
            store.recordTemperature(gateId, person, celsius)
        }

    suspend fun recordPatrol(note: String) = act(::registered) { store.recordPatrol(gateId, note) }

    suspend fun requestSwap(shiftId: String, slotId: String, toMember: String) =
        act(::registered) { store.requestSwap(gateId, shiftId, slotId, toMember) }

    suspend fun acceptSwap(swapId: String) = act(::registered) { store.acceptSwap(gateId, swapId) }

    suspend fun approveSwap(swapId: String) = act(::registered) { store.approveSwap(gateId, swapId) }

    /** Adds a shift from times typed `HH:MM` in the community's time on `day` (today, the
     * community's, when not given); an end before the start is the next morning. `officers` is
     * the number of 安全员 as typed: 1 to 6, else refused in words. */
    suspend fun addShift(label: String, start: String, end: String, officers: String, day: String? = null): String? {
        val n = officers.trim().toIntOrNull()
        if (n == null || n !in SAFETY_OFFICERS_RANGE) {
            fail(UiText(Keys.errorCode(if (n == null) "malformed" else "out_of_range"), Keys.field("officers")))
            return null
        }
        return act(::registered) { store.addShiftOn(gateId, label, day ?: store.today(), start, end, n.toUInt()) }
    }

    suspend fun assignSlot(shiftId: String, slotId: String, memberId: String?) =
        act(::registered) { store.assignSlot(gateId, shiftId, slotId, memberId) }

    /** The members who may take a slot at this gate, for the roster and swap pickers. */
    suspend fun gateMembers(): List<MemberRow> = act({ null }) {
        store.members().filter { m -> m.active && m.roles.any { gateId in it.places } }
    }.orEmpty()

    /** The week holding `day`, for paging through the roster. */
    suspend fun weekOf(day: LocalDate): List<ShiftRow> =
        act({ null }) { store.rosterWeek(gateId, day.toString()) }.orEmpty()

    @Suppress("UNUSED_PARAMETER")
    private fun registered(result: Any?) = UiText(Keys.DONE_REGISTERED)
}
