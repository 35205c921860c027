// The home screen: the member's name and roles, a large tile for each kind of work, and today's
// list most urgent first (overdue in red); an item opens the screen that clears it, a reminder
// is marked done here. Each time it shows, it reloads and plans the list's notifications.
package cn.linli.app

import android.Manifest
import android.net.Uri
import androidx.activity.compose.rememberLauncherForActivityResult
import androidx.activity.result.contract.ActivityResultContracts
import androidx.compose.foundation.clickable
import androidx.compose.foundation.layout.Column
import androidx.compose.foundation.layout.Row
import androidx.compose.foundation.layout.fillMaxWidth
import androidx.compose.foundation.layout.height
import androidx.compose.foundation.layout.padding
import androidx.compose.foundation.lazy.LazyColumn
import androidx.compose.foundation.lazy.items
import androidx.compose.material3.Card
import androidx.compose.material3.ElevatedButton
import androidx.compose.material3.MaterialTheme
import androidx.compose.material3.OutlinedButton
import androidx.compose.material3.Text
import androidx.compose.runtime.Composable
import androidx.compose.runtime.LaunchedEffect
import androidx.compose.runtime.collectAsState
import androidx.compose.runtime.getValue
import androidx.compose.runtime.remember
import androidx.compose.runtime.rememberCoroutineScope
import androidx.compose.ui.Alignment
import androidx.compose.ui.Modifier
import androidx.compose.ui.platform.LocalContext
import androidx.compose.ui.res.stringResource
import androidx.compose.ui.unit.dp
import androidx.lifecycle.Lifecycle
import androidx.lifecycle.compose.LocalLifecycleOwner
import androidx.lifecycle.repeatOnLifecycle
import cn.linli.viewmodels.AgendaRow
import cn.linli.viewmodels.HomeTile
import cn.linli.viewmodels.HomeViewModel
import cn.linli.viewmodels.Session
import cn.linli.viewmodels.UiText
import kotlinx.coroutines.launch

@Composable
fun HomeScreen(session: Session, go: (String) -> Unit) {
    val vm = remember(session) { HomeViewModel(session) }
    val state by vm.state.collectAsState()
    val scope = rememberCoroutineScope()
    val context = LocalContext.current
    val notify: suspend () -> Unit = { AgendaNotifier.post(context, vm.notifications()) }
    // Android 13 and later ask once whether the app may notify.
    val permission = rememberLauncherForActivityResult(ActivityResultContracts.RequestPermission()) { granted ->
        if (granted) scope.launch { notify() }
    }
    LaunchedEffect(Unit) {
        if (AgendaNotifier.shouldAsk(context)) {
            AgendaNotifier.asked(context)
            permission.launch(Manifest.permission.POST_NOTIFICATIONS)
        }
    }
    // Reloaded whenever the screen shows again, e.g. back from the visit that cleared an item.
    val lifecycle = LocalLifecycleOwner.current.lifecycle
    LaunchedEffect(vm, lifecycle) {
        lifecycle.repeatOnLifecycle(Lifecycle.State.RESUMED) {
            vm.refresh()
            notify()
        }
    }
    LinliScaffold(stringResource(R.string.home_title, state.memberName), vm.notice) { padding ->
        LazyColumn(Modifier.padding(padding)) {
            item {
                Text(state.roles.map { text(it) }.joinToString(" · "), style = MaterialTheme.typography.bodyLarge)
            }
            for (tile in state.tiles) {
                val routes = when (tile) {
                    HomeTile.GATE_DUTY -> state.gates.map { "gate/${it.id}" to it.name }
                    else -> listOf(route(tile, "") to "")
                }
                items(routes) { (route, place) ->
                    ElevatedButton(
                        onClick = { go(route) },
                        modifier = Modifier.fillMaxWidth().height(72.dp).padding(vertical = 4.dp),
                    ) {
                        Text(listOf(text(UiText(tile.key)), place).filter { it.isNotEmpty() }.joinToString(" · "),
                            style = MaterialTheme.typography.titleLarge)
                    }
                }
            }
            item {
                Text(stringResource(R.string.home_agenda), style = MaterialTheme.typography.titleLarge,
                    modifier = Modifier.padding(top = 16.dp, bottom = 4.dp))
                if (state.agenda.isEmpty()) Text(stringResource(R.string.home_agenda_empty))
            }
            items(state.agenda) { row ->
                AgendaCard(row, open = { go(route(row)) }) {
                    scope.launch {
                        vm.completeReminder(row.recordId)
                        notify()
                    }
                }
            }
        }
    }
}

/** The route of a tile's screen; a gate's is the item's gate. */
private fun route(tile: HomeTile, gateId: String): String = when (tile) {
    HomeTile.GATE_DUTY -> "gate/$gateId"
    HomeTile.DOOR_TO_DOOR -> "door"
    HomeTile.TICKETS -> "tickets"
    HomeTile.DEPARTMENT -> "department"
    HomeTile.NEEDS -> "needs"
    HomeTile.EVALUATION -> "evaluation"
    HomeTile.JOINT_ACTIONS -> "joint"
    HomeTile.REMINDERS -> "reminders"
    HomeTile.SYNC -> "sync"
    HomeTile.OFFICE -> "office"
}

/** The screen that clears an item of today's list: a work order opens on the order itself. */
private fun route(row: AgendaRow): String =
    if (row.opens == HomeTile.DEPARTMENT) "department?order=${Uri.encode(row.recordId)}" else route(row.opens, row.placeId)

@Composable
private fun AgendaCard(row: AgendaRow, open: () -> Unit, complete: () -> Unit) {
    val color = if (row.overdue) MaterialTheme.colorScheme.error else MaterialTheme.colorScheme.onSurface
    Card(Modifier.fillMaxWidth().padding(vertical = 4.dp).clickable(onClick = open)) {
        Row(Modifier.padding(12.dp), verticalAlignment = Alignment.CenterVertically) {
            Column(Modifier.weight(1f)) {
                val kind = text(row.label)
                Text(if (row.overdue) "$kind · ${stringResource(R.string.home_agenda_overdue)}" else kind,
                    color = color, style = MaterialTheme.typography.labelLarge)
                Text(row.title, style = MaterialTheme.typography.bodyLarge)
                val due = row.dueDay ?: row.due?.shown()
                if (due != null) Text(due, color = color, style = MaterialTheme.typography.bodyMedium)
            }
            if (row.canComplete) {
                OutlinedButton(onClick = complete) { Text(stringResource(R.string.agenda_complete)) }
            }
        }
    }
}
