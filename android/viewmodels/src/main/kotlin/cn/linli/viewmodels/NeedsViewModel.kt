// The needs list (需求清单 · 认领): the open needs urgent first, the ones the member holds, the
// served ones waiting for this member's confirmation, and this month's service time per member
// and per co-building unit; one need with its services and the steps allowed now (claim, record
// a service with the minutes as typed, confirm); a lead records a need from a household. Two
// claims made offline are settled in the conflict screen: this one shows the holder the core
// reports.
package cn.linli.viewmodels

import cn.linli.core.*
import kotlinx.coroutines.CoroutineDispatcher
import kotlinx.coroutines.Dispatchers
import java.time.Instant

/** A step on a need, as a button. */
enum class NeedAction { CLAIM, RECORD_SERVICE, CONFIRM }

/** A need as the lists show it. */
data class NeedItem(
    val id: String,
    val householdId: String,
    /** The household by its address (no name): 3号楼 7单元 701. */
    val address: String,
    val category: UiText,
    val urgency: UiText,
    val urgent: Boolean,
    val description: String,
    val recordedAt: Instant,
    val status: UiText,
    val needStatus: NeedStatus,
    /** Who holds it, by name. */
    val holder: String?,
    /** The co-building unit it is held for, by name. */
    val holderUnit: String?,
    val minutes: Int,
    /** The minutes served as hours and minutes (`service_duration`). */
    val served: UiText,
)

/** One service given for a need. */
data class ServiceItem(
    val by: String,
    val unit: String?,
    val at: Instant,
    val minutes: Int,
    val time: UiText,
    val note: String,
)

data class NeedDetailState(
    val id: String,
    val householdId: String,
    val address: String,
    val category: UiText,
    val urgency: UiText,
    val description: String,
    val recordedBy: String,
    val recordedAt: Instant,
    val status: UiText,
    val needStatus: NeedStatus,
    val holder: String?,
    val holderUnit: String?,
    val services: List<ServiceItem>,
    val confirmedBy: String?,
    /** The steps the member may take now, in display order: the buttons to show. */
    val actions: List<NeedAction>,
)

/** This month's service time of one member or one co-building unit. */
data class ServiceHoursItem(
    val isUnit: Boolean,
    val id: String,
    val name: String,
    val services: Int,
    val minutes: Int,
    val time: UiText,
    val confirmedMinutes: Int,
    /** `confirmedMinutes` in hours and minutes. */
    val confirmedTime: UiText,
)

data class NeedsState(
    /** Open needs, urgent first, then oldest. */
    val open: List<NeedItem> = emptyList(),
    /** Needs the member holds that are not confirmed yet. */
    val mine: List<NeedItem> = emptyList(),
    /** Served needs this member may confirm. */
    val toConfirm: List<NeedItem> = emptyList(),
    /** This month's service time (the community's month). */
    val hours: List<ServiceHoursItem> = emptyList(),
    /** The member serves needs: a volunteer, a party member or a co-building unit's member. */
    val mayClaim: Boolean = false,
    /** A lead of a building (or the office): may record a need of its households. */
    val mayRecord: Boolean = false,
    val detail: NeedDetailState? = null,
    /** The community's offset from UTC, for showing times. */
    val utcOffsetMinutes: Int = 0,
)

class NeedsViewModel(
    private val session: Session,
    io: CoroutineDispatcher = Dispatchers.IO,
) : ScreenModel<NeedsState>(NeedsState(), io) {
    private val store get() = session.store
    private val me get() = session.credentials.memberId

    override fun load(): NeedsState {
        val roles = store.member(me).roles
        val names = memberNames(store)
        val item = { r: NeedRow -> needItem(r, names) }
        val confirmable = confirmRule(roles)
        return NeedsState(
            open = store.needs(NeedFilter(NeedStatus.OPEN, null, false, null)).map(item),
            mine = store.needs(NeedFilter(null, null, true, null)).filter { it.status != NeedStatus.CONFIRMED }.map(item),
            toConfirm = store.needs(NeedFilter(NeedStatus.SERVED, null, false, null))
                .filter { confirmable(it.householdId) }.map(item),
            hours = store.serviceHours(store.today()).map(::hoursItem),
            mayClaim = serves(roles),
            mayRecord = store.myPlaces(PlaceKind.BUILDING).isNotEmpty(),
            detail = state.value.detail?.let { detail(it.id) },
            utcOffsetMinutes = store.community().utcOffsetMinutes,
        )
    }

    suspend fun open(id: String) {
        act({ null }) { mutableState.value = state.value.copy(detail = detail(id)) }
    }

    fun close() {
        mutableState.value = state.value.copy(detail = null)
    }

    /** Records a need of a household the member leads (or any, for the office). */
    suspend fun recordNeed(
        householdId: String,
        category: NeedCategory,
        urgency: Urgency,
        description: String,
        visitId: String? = null,
    ): Boolean = act({ UiText(Keys.DONE_NEED_RECORDED) }) {
        store.recordNeed(NeedInput(householdId, category, urgency, description, visitId))
    } != null

    /** Claims the open need. */
    suspend fun claim(): Boolean {
        val id = state.value.detail?.id ?: return false
        return act({ UiText(Keys.DONE_NEED_CLAIMED) }) { store.claimNeed(id) } != null
    }

    /** Records a service for the open need: the minutes as typed, and what was done. */
    suspend fun recordService(minutes: String, note: String): Boolean {
        val id = state.value.detail?.id ?: return false
        // Not a number at all is refused here; 0 or too long a time by the core.
        val typed = minutes.trim().toUIntOrNull()
        if (typed == null) {
            fail(UiText(Keys.errorCode("malformed"), Keys.field("minutes")))
            return false
        }
        return act({ UiText(Keys.DONE_SERVICE_RECORDED, typed.toString()) }) {
            store.recordService(id, typed, note)
        } != null
    }

    /** Confirms the open need served. */
    suspend fun confirm(): Boolean {
        val id = state.value.detail?.id ?: return false
        return act({ UiText(Keys.DONE_NEED_CONFIRMED) }) { store.confirmNeed(id) } != null
    }

    private fun detail(id: String): NeedDetailState {
        val n = store.need(id)
        val roles = store.member(me).roles
        val names = memberNames(store)
        val actions = buildList {
            if (n.status == NeedStatus.OPEN && serves(roles)) add(NeedAction.CLAIM)
            if (n.claimedBy == me && n.status != NeedStatus.CONFIRMED) add(NeedAction.RECORD_SERVICE)
            if (n.status == NeedStatus.SERVED && confirmRule(roles)(n.householdId)) add(NeedAction.CONFIRM)
        }
        return NeedDetailState(
            id = id,
            householdId = n.householdId,
            address = n.address,
            category = UiText(Keys.of(n.category)),
            urgency = UiText(Keys.of(n.urgency)),
            description = n.description,
            recordedBy = names(n.recordedBy),
            recordedAt = Instant.ofEpochMilli(n.recordedMs),
            status = UiText(Keys.of(n.status)),
            needStatus = n.status,
            holder = n.claimedBy?.let(names),
            holderUnit = n.claimedUnit?.let { store.placeName(it) },
            services = n.services.map { s ->
                ServiceItem(names(s.member), s.unit?.let { store.placeName(it) }, Instant.ofEpochMilli(s.atMs),
                    s.minutes.toInt(), duration(s.minutes.toInt()), s.note)
            },
            confirmedBy = n.confirmedBy?.let(names),
            actions = actions,
        )
    }

    private fun needItem(r: NeedRow, names: (String) -> String) = NeedItem(
        id = r.id,
        householdId = r.householdId,
        address = r.address,
        category = UiText(Keys.of(r.category)),
        urgency = UiText(Keys.of(r.urgency)),
        urgent = r.urgency == Urgency.URGENT,
        description = r.description,
        recordedAt = r.recordedAt,
        status = UiText(Keys.of(r.status)),
        needStatus = r.status,
        holder = r.claimedBy?.let(names),
        holderUnit = r.claimedUnit?.let { store.placeName(it) },
        minutes = r.minutes.toInt(),
        served = duration(r.minutes.toInt()),
    )

    private fun hoursItem(r: ServiceHoursRow) = ServiceHoursItem(
        isUnit = r.kind == "unit",
        id = r.id,
        name = r.name,
        services = r.services.toInt(),
        minutes = r.minutes.toInt(),
        time = duration(r.minutes.toInt()),
        confirmedMinutes = r.confirmedMinutes.toInt(),
        confirmedTime = duration(r.confirmedMinutes.toInt()),
    )

    /** Whether the member may confirm a household's need, by the core's rule: the office, an
     * area or lane lead, or a lead of the household's building. */
    private fun confirmRule(roles: List<RoleInput>): (String) -> Boolean {
        if (roles.any { it.role == Role.OFFICE || it.role == Role.AREA_LEAD || it.role == Role.LANE_LEAD }) return { true }
        val buildings = roles.filter { it.role == Role.BUILDING_LEAD }.flatMap { it.places }.toSet()
        if (buildings.isEmpty()) return { false }
        return { household ->
            try { store.household(household).buildingId in buildings } catch (e: LinliException.NotFound) { false }
        }
    }
}

/** Members who claim needs: volunteers, party members (双报到) and co-building units' members. */
internal fun serves(roles: List<RoleInput>): Boolean =
    roles.any { it.role == Role.VOLUNTEER || it.role == Role.PARTY_MEMBER || it.role == Role.UNIT_MEMBER }

/** A time spent in hours and minutes (90 → `1 小时 30 分`). */
internal fun duration(minutes: Int): UiText = UiText(Keys.DURATION, (minutes / 60).toString(), (minutes % 60).toString())
