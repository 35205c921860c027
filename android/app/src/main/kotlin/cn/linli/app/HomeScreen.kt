// The home screen: the member's name and roles, and a large tile for each kind of work.
package cn.linli.app

import androidx.compose.foundation.layout.Column
import androidx.compose.foundation.layout.fillMaxWidth
import androidx.compose.foundation.layout.height
import androidx.compose.foundation.layout.padding
import androidx.compose.material3.ElevatedButton
import androidx.compose.material3.MaterialTheme
import androidx.compose.material3.Text
import androidx.compose.runtime.Composable
import androidx.compose.runtime.LaunchedEffect
import androidx.compose.runtime.collectAsState
import androidx.compose.runtime.getValue
import androidx.compose.runtime.remember
import androidx.compose.ui.Modifier
import androidx.compose.ui.res.stringResource
import androidx.compose.ui.unit.dp
import cn.linli.viewmodels.HomeTile
import cn.linli.viewmodels.HomeViewModel
import cn.linli.viewmodels.Session
import cn.linli.viewmodels.UiText

@Composable
fun HomeScreen(session: Session, go: (String) -> Unit) {
    val vm = remember(session) { HomeViewModel(session) }
    val state by vm.state.collectAsState()
    LaunchedEffect(vm) { vm.refresh() }
    LinliScaffold(stringResource(R.string.home_title, state.memberName)) { padding ->
        Column(Modifier.padding(padding)) {
            Text(state.roles.map { text(it) }.joinToString(" · "), style = MaterialTheme.typography.bodyLarge)
            for (tile in state.tiles) {
                val routes = when (tile) {
                    HomeTile.GATE_DUTY -> state.gates.map { "gate/${it.id}" to it.name }
                    HomeTile.DOOR_TO_DOOR -> listOf("door" to "")
                    HomeTile.TICKETS -> listOf("tickets" to "")
                    HomeTile.SYNC -> listOf("sync" to "")
                    HomeTile.OFFICE -> listOf("office" to "")
                }
                for ((route, place) in routes) {
                    ElevatedButton(
                        onClick = { go(route) },
                        modifier = Modifier.fillMaxWidth().height(72.dp).padding(vertical = 4.dp),
                    ) {
                        Text(listOf(text(UiText(tile.key)), place).filter { it.isNotEmpty() }.joinToString(" · "),
                            style = MaterialTheme.typography.titleLarge)
                    }
                }
            }
        }
    }
}
