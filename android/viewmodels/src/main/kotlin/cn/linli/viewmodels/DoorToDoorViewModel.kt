// Door to door: my buildings, the households of one with their tags, last visit and checks
// due or overdue (those come first), a household registered, a visit logged in a few taps, and a problem reported
// from the visit as a ticket that names the household; residents in home isolation with
// today's checks (missed ones first), their errands, and the release.
package cn.linli.viewmodels

import cn.linli.core.*
import kotlinx.coroutines.CoroutineDispatcher
import kotlinx.coroutines.Dispatchers

data class HouseholdItem(
    val id: String,
    /** "1单元 101" */
    val address: String,
    val residents: String,
    val tags: List<UiText>,
    val lastVisit: java.time.Instant?,
    val lastOutcome: UiText?,
    val check: CheckState,
    val checkText: UiText,
)

/** A resident in home isolation, with today's checks. */
data class IsolationItem(
    val householdId: String,
    val isolationId: String,
    val resident: String,
    /** "已询问 1/3 次" */
    val progress: UiText,
    val missed: Long,
    val flagged: Long,
    val errandsOpen: Long,
)

data class DoorToDoorState(
    val buildings: List<PlaceItem> = emptyList(),
    val buildingId: String? = null,
    val households: List<HouseholdItem> = emptyList(),
    /** Watched households due or overdue across my buildings. */
    val checksDue: Int = 0,
    /** Residents in home isolation in my buildings, those with a missed check first. */
    val isolations: List<IsolationItem> = emptyList(),
)

/** A household to register in the building chosen on the screen. */
data class HouseholdForm(
    val unit: String = "",
    val room: String = "",
    val phone: String = "",
    val residents: List<ResidentForm> = emptyList(),
    val tags: Set<Tag> = emptySet(),
    val watch: WatchPlanInput? = null,
)

/** A home isolation check: temperature when taken, symptoms, anything else. */
data class IsolationCheckForm(
    val temperatureC: Double? = null,
    val symptoms: Set<Symptom> = emptySet(),
    val other: String = "",
)

/** The visit form: outcome first, everything else optional. */
data class VisitForm(
    val outcome: VisitOutcome = VisitOutcome.MET,
    val needs: String = "",
    val opinions: String = "",
    val temperatureC: Double? = null,
    val systolic: Int? = null,
    val diastolic: Int? = null,
    val healthNote: String = "",
    val healthConcern: Boolean = false,
    /** `YYYY-MM-DD`. */
    val followUpDue: String? = null,
    val followUpNote: String = "",
) {
    fun toInput(): VisitInput {
        val anyHealth = temperatureC != null || systolic != null || diastolic != null ||
            healthNote.isNotBlank() || healthConcern
        val health = if (anyHealth) {
            HealthInput(temperatureC, systolic?.toUInt(), diastolic?.toUInt(), healthNote, healthConcern)
        } else null
        return VisitInput(null, outcome, needs, opinions, health, followUpDue, followUpNote)
    }
}

class DoorToDoorViewModel(
    private val session: Session,
    io: CoroutineDispatcher = Dispatchers.IO,
) : ScreenModel<DoorToDoorState>(DoorToDoorState(), io) {
    private val store get() = session.store

    override fun load(): DoorToDoorState {
        val buildings = store.myPlaces(PlaceKind.BUILDING).map { PlaceItem(it.id, it.name) }
        val chosen = state.value.buildingId?.takeIf { id -> buildings.any { it.id == id } }
            ?: buildings.firstOrNull()?.id
        val mine = buildings.map { it.id }.toSet()
        return DoorToDoorState(
            buildings = buildings,
            buildingId = chosen,
            households = chosen?.let { b -> store.householdsInBuilding(b).map(::item).sortedWith(urgentFirst) }.orEmpty(),
            checksDue = store.watchChecksDue().count { it.buildingId in mine },
            isolations = store.isolationDays(store.today())
                .filter { it.buildingId in mine && !it.released }
                .sortedByDescending { it.missed }
                .map {
                    IsolationItem(it.householdId, it.isolationId, it.resident,
                        UiText(Keys.ISOLATION_PROGRESS, it.done, it.due), it.missed, it.flagged, it.errandsOpen)
                },
        )
    }

    /** Puts a resident under home isolation from today for `days` days. */
    suspend fun startIsolation(householdId: String, residentId: String, days: Long, checksPerDay: Int? = null): String? =
        act({ UiText(Keys.DONE_ISOLATION_STARTED) }) {
            val today = java.time.LocalDate.parse(store.today())
            store.startIsolation(householdId, IsolationInput(residentId, today.toString(),
                today.plusDays(days - 1).toString(), checksPerDay?.toUInt()))
        }

    /** Records a check; a fever or a symptom is confirmed in the warning style. */
    suspend fun recordIsolationCheck(item: IsolationItem, form: IsolationCheckForm): IsolationCheckRecorded? =
        act({ r: IsolationCheckRecorded ->
            UiText(if (r.flagged) Keys.DONE_ISOLATION_FLAGGED else Keys.DONE_ISOLATION_CHECKED)
        }) {
            store.recordIsolationCheck(item.householdId, item.isolationId,
                IsolationCheckInput(form.temperatureC, form.symptoms.sortedBy { it.ordinal }, form.other))
        }

    suspend fun releaseIsolation(item: IsolationItem) =
        act({ UiText(Keys.DONE_ISOLATION_RELEASED) }) { store.releaseIsolation(item.householdId, item.isolationId) }

    suspend fun errands(householdId: String): List<ErrandRow> = act({ null }) { store.errands(householdId) }.orEmpty()

    suspend fun addErrand(householdId: String, kind: ErrandKind, note: String): String? =
        act({ UiText(Keys.DONE_ERRAND_ADDED) }) { store.addErrand(householdId, kind, note) }

    suspend fun deliverErrand(householdId: String, errandId: String) =
        act({ UiText(Keys.DONE_ERRAND_DELIVERED) }) { store.deliverErrand(householdId, errandId) }

    suspend fun selectBuilding(buildingId: String) {
        mutableState.value = state.value.copy(buildingId = buildingId)
        refresh()
    }

    suspend fun household(id: String): HouseholdDetail? = act({ null }) { store.household(id) }

    /** Registers a household in the chosen building (its leads and the office); its id. */
    suspend fun registerHousehold(form: HouseholdForm): String? {
        val building = state.value.buildingId ?: return null
        return act({ UiText(Keys.DONE_HOUSEHOLD_REGISTERED, "${form.unit} ${form.room}".trim()) }) {
            store.registerHousehold(HouseholdInput(building, form.unit, form.room, form.phone,
                form.residents.map { it.toInput() }, form.tags.sortedBy { it.ordinal }, form.watch))
        }
    }

    /** The passes issued to the household's residents (each shown as a QR code of its `text`),
     * those still usable first. */
    suspend fun passes(householdId: String): List<IssuedPassRow> =
        act({ null }) { store.passes(householdId).sortedBy { it.revoked } }.orEmpty()

    suspend fun logVisit(householdId: String, form: VisitForm): String? =
        act({ UiText(Keys.DONE_VISIT_LOGGED) }) { store.logVisit(householdId, form.toInput()) }

    /** Reports a problem seen during a visit: the ticket points at the household. */
    suspend fun reportFromVisit(householdId: String, category: Category, description: String, photos: List<ByteArray>): String? =
        act({ UiText(Keys.DONE_TICKET_REPORTED) }) {
            val detail = store.household(householdId)
            val place = "${store.placeName(detail.buildingId)} ${detail.unit} ${detail.room}".trim()
            val hashes = photos.map { store.addPhoto(it) }
            store.reportTicket(
                TicketInput(category, PlaceRefKind.HOUSEHOLD, householdId, place, description, hashes, Channel.VISIT),
            )
        }

    private fun item(r: HouseholdRow) = HouseholdItem(
        id = r.id,
        address = "${r.unit} ${r.room}".trim(),
        residents = r.residents,
        tags = r.tags.map { UiText(Keys.of(it)) },
        lastVisit = r.lastVisitAt,
        lastOutcome = r.lastVisitOutcome?.let { UiText(Keys.of(it)) },
        check = r.check,
        checkText = UiText(Keys.of(r.check)),
    )

    private companion object {
        /** Overdue, then due, then the rest in building order. */
        val urgentFirst = compareBy<HouseholdItem> {
            when (it.check) {
                CheckState.OVERDUE -> 0
                CheckState.DUE -> 1
                else -> 2
            }
        }
    }
}
