// One household: its address, phone, residents with when they moved in or out and where a
// returnee came from, tags and watch plan, edited by its building's leads and the office; and
// its visits with what the residents needed and said (民意), newest first, who visited, and
// older ones a page at a time.
package cn.linli.viewmodels

import cn.linli.core.*
import kotlinx.coroutines.CoroutineDispatcher
import kotlinx.coroutines.Dispatchers
import java.time.Instant

/** A visit as the household's screen lists it. */
data class VisitItem(
    val id: String,
    val at: Instant,
    val leadName: String,
    val outcome: UiText,
    val needs: String,
    val opinions: String,
    /** `YYYY-MM-DD` when a follow-up was asked for. */
    val followUpDue: String?,
    val followUpNote: String,
)

/** A resident to add: the name, and what else is known. */
data class ResidentForm(val name: String, val birthYear: Int? = null, val phone: String = "") {
    fun toInput() = ResidentInput(name, birthYear, phone)
}

/** A resident as the household's screen lists them. */
data class ResidentItem(
    val id: String,
    val name: String,
    val birthYear: Long?,
    val phone: String,
    /** Their moves, in words: moved in, returned from somewhere, moved out (each when recorded). */
    val moves: List<UiText>,
    /** They moved out. */
    val gone: Boolean,
)

data class HouseholdState(
    /** The household as people know it: 3号楼 1单元 302. */
    val name: String = "",
    val phone: String = "",
    val residents: List<ResidentItem> = emptyList(),
    val tags: Set<Tag> = emptySet(),
    val watch: WatchPlan? = null,
    /** Newest first. */
    val visits: List<VisitItem> = emptyList(),
    /** Whether older visits than those listed may exist. */
    val olderVisits: Boolean = false,
)

class HouseholdViewModel(
    private val session: Session,
    val householdId: String,
    io: CoroutineDispatcher = Dispatchers.IO,
) : ScreenModel<HouseholdState>(HouseholdState(), io) {
    private val store get() = session.store

    override fun load(): HouseholdState {
        val detail = store.household(householdId)
        val latest = detail.visits.reversed().map(::item)
        // Older visits read a page at a time stay listed after a reload.
        val oldestLatest = latest.lastOrNull()?.at
        val older = state.value.visits.filter { v -> oldestLatest != null && v.at < oldestLatest }
        return HouseholdState(
            name = store.recordName(householdId),
            phone = detail.phone,
            residents = detail.residents.map(::residentItem),
            tags = detail.tags.toSet(),
            watch = detail.watch,
            visits = latest + older,
            olderVisits = if (older.isEmpty()) detail.visits.size >= VISIT_PAGE else state.value.olderVisits,
        )
    }

    /** The next page of older visits. */
    suspend fun loadOlder() {
        val oldest = state.value.visits.lastOrNull() ?: return
        val page = act({ null }) {
            store.householdVisits(householdId, oldest.at.toEpochMilli(), oldest.id, VISIT_PAGE.toUInt())
        } ?: return
        mutableState.value = state.value.copy(
            visits = state.value.visits + page.reversed().map(::item),
            olderVisits = page.size >= VISIT_PAGE,
        )
    }

    suspend fun setPhone(phone: String) =
        act({ UiText(Keys.DONE_HOUSEHOLD_SAVED) }) { store.setHouseholdPhone(householdId, phone) }

    suspend fun setTag(tag: Tag, on: Boolean) =
        act({ UiText(Keys.DONE_HOUSEHOLD_SAVED) }) { store.setHouseholdTag(householdId, tag, on) }

    /** Watches the household `n` times a day, or every `n` days; null stops watching. */
    suspend fun setWatchPlan(plan: WatchPlanInput?) =
        act({ UiText(Keys.DONE_HOUSEHOLD_SAVED) }) { store.setWatchPlan(householdId, plan) }

    suspend fun addResident(form: ResidentForm): String? =
        act({ UiText(Keys.DONE_RESIDENT_ADDED, form.name.trim()) }) { store.addResident(householdId, form.toInput()) }

    /**
     * Records a resident's moves: moved in on a day (and, for a returnee, where from), moved out
     * on a day (`YYYY-MM-DD`). What is not given stays as recorded; an empty value clears it. A
     * returnee arrived when they moved in.
     */
    suspend fun setMoves(residentId: String, movedIn: String? = null, movedOut: String? = null, arrivedFrom: String? = null) =
        act({ UiText(Keys.DONE_HOUSEHOLD_SAVED) }) {
            val now = store.household(householdId).residents.firstOrNull { it.id == residentId }
                ?: throw LinliException.NotFound("resident", residentId)
            val moved = day(movedIn, now.movedIn)
            val from = arrivedFrom?.trim() ?: now.arrivedFrom
            val moves = ResidentMoves(
                status = now.status,
                movedIn = moved,
                movedOut = day(movedOut, now.movedOut),
                arrivedFrom = from,
                arrivedOn = if (from.isEmpty()) null else moved ?: now.arrivedOn,
            )
            store.setResidentMoves(householdId, residentId, moves)
        } != null

    private fun residentItem(r: Resident): ResidentItem {
        val moves = listOfNotNull(
            r.movedIn?.let { UiText(Keys.RESIDENT_MOVED_IN, it) },
            r.arrivedFrom.ifEmpty { null }?.let { UiText(Keys.RESIDENT_ARRIVED_FROM, it, r.arrivedOn ?: "") },
            r.movedOut?.let { UiText(Keys.RESIDENT_MOVED_OUT, it) },
        )
        return ResidentItem(r.id, r.name, r.birthYear, r.phone, moves, gone = r.movedOut != null)
    }

    private fun item(v: Visit) = VisitItem(
        id = v.id,
        at = Instant.ofEpochMilli(v.atMs),
        leadName = try { store.member(v.lead).name } catch (e: LinliException.NotFound) { v.lead },
        outcome = UiText(Keys.of(v.outcome)),
        needs = v.needs,
        opinions = v.opinions,
        followUpDue = v.followUpDue,
        followUpNote = v.followUpNote,
    )

    private companion object {
        /** Visits read at a time (the household's record carries the latest 20). */
        const val VISIT_PAGE = 20

        /** A day as typed: none given keeps what was recorded, an empty one clears it. */
        fun day(typed: String?, kept: String?): String? = when {
            typed == null -> kept
            typed.isBlank() -> null
            else -> typed.trim()
        }
    }
}
