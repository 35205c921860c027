// The home screen: one tile per kind of work the member's roles allow, with the places each
// covers, and the member's name and roles in words.
package cn.linli.viewmodels

import cn.linli.core.LinliException
import cn.linli.core.PlaceKind
import cn.linli.core.Role
import kotlinx.coroutines.CoroutineDispatcher
import kotlinx.coroutines.Dispatchers
import kotlinx.coroutines.flow.MutableStateFlow
import kotlinx.coroutines.flow.StateFlow
import kotlinx.coroutines.flow.asStateFlow
import kotlinx.coroutines.withContext

/** A kind of work on the home screen. */
enum class HomeTile(val key: String) {
    GATE_DUTY("home_gate_duty"),
    DOOR_TO_DOOR("home_door_to_door"),
    TICKETS("home_tickets"),
    SYNC("home_sync"),
    OFFICE("home_office"),
}

/** A place the member works at, by id and name. */
data class PlaceItem(val id: String, val name: String)

data class HomeState(
    val memberName: String = "",
    val roles: List<UiText> = emptyList(),
    val tiles: List<HomeTile> = emptyList(),
    val gates: List<PlaceItem> = emptyList(),
    val buildings: List<PlaceItem> = emptyList(),
    val error: UiText? = null,
)

class HomeViewModel(
    private val session: Session,
    private val io: CoroutineDispatcher = Dispatchers.IO,
) {
    private val _state = MutableStateFlow(HomeState())
    val state: StateFlow<HomeState> = _state.asStateFlow()

    /** Reads the member's roles from the directory (after the first sync). */
    suspend fun refresh() {
        _state.value = try {
            withContext(io) { load() }
        } catch (e: LinliException) {
            _state.value.copy(error = e.toUiText())
        }
    }

    private fun load(): HomeState {
        val store = session.store
        val me = store.member(session.credentials.memberId)
        val office = me.roles.any { it.role == Role.OFFICE }
        val gates = store.myPlaces(PlaceKind.GATE).map { PlaceItem(it.id, it.name) }
        val buildings = store.myPlaces(PlaceKind.BUILDING).map { PlaceItem(it.id, it.name) }
        val tiles = buildList {
            if (gates.isNotEmpty()) add(HomeTile.GATE_DUTY)
            if (buildings.isNotEmpty()) add(HomeTile.DOOR_TO_DOOR)
            add(HomeTile.TICKETS)
            add(HomeTile.SYNC)
            if (office) add(HomeTile.OFFICE)
        }
        return HomeState(
            memberName = me.name,
            roles = me.roles.map { UiText(Keys.of(it.role)) },
            tiles = tiles,
            gates = gates,
            buildings = buildings,
        )
    }
}
