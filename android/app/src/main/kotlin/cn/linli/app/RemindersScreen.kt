// Reminders (民情日志): those that concern the member, soonest first, overdue in red, how each
// repeats, and a button to mark its current occurrence done; the office adds new ones
// (AddReminderDialog).
package cn.linli.app

import androidx.compose.foundation.layout.Column
import androidx.compose.foundation.layout.Row
import androidx.compose.foundation.layout.fillMaxWidth
import androidx.compose.foundation.layout.padding
import androidx.compose.foundation.lazy.LazyColumn
import androidx.compose.foundation.lazy.items
import androidx.compose.material3.Button
import androidx.compose.material3.Card
import androidx.compose.material3.MaterialTheme
import androidx.compose.material3.OutlinedButton
import androidx.compose.material3.Text
import androidx.compose.runtime.Composable
import androidx.compose.runtime.LaunchedEffect
import androidx.compose.runtime.collectAsState
import androidx.compose.runtime.getValue
import androidx.compose.runtime.mutableStateOf
import androidx.compose.runtime.remember
import androidx.compose.runtime.rememberCoroutineScope
import androidx.compose.runtime.setValue
import androidx.compose.ui.Alignment
import androidx.compose.ui.Modifier
import androidx.compose.ui.res.stringResource
import androidx.compose.ui.unit.dp
import cn.linli.viewmodels.RemindersViewModel
import cn.linli.viewmodels.Session
import kotlinx.coroutines.launch

@Composable
fun RemindersScreen(session: Session) {
    val vm = remember(session) { RemindersViewModel(session) }
    val state by vm.state.collectAsState()
    val scope = rememberCoroutineScope()
    var adding by remember { mutableStateOf(false) }
    LaunchedEffect(vm) { vm.refresh() }
    if (adding) AddReminderDialog(vm, state, onDismiss = { adding = false })
    LinliScaffold(stringResource(R.string.home_reminders), vm.notice) { padding ->
        LazyColumn(Modifier.padding(padding)) {
            if (state.mayAdd) {
                item {
                    Button(onClick = { vm.dismissNotice(); adding = true }, modifier = Modifier.fillMaxWidth().padding(bottom = 8.dp)) {
                        Text(stringResource(R.string.reminder_add))
                    }
                }
            }
            if (state.items.isEmpty()) item { Text(stringResource(R.string.reminders_empty)) }
            items(state.items, key = { it.id }) { r ->
                Card(Modifier.fillMaxWidth().padding(vertical = 4.dp)) {
                    Row(Modifier.padding(12.dp), verticalAlignment = Alignment.CenterVertically) {
                        Column(Modifier.weight(1f)) {
                            Text(listOf(r.place, r.what).filter { it.isNotEmpty() }.joinToString("："),
                                style = MaterialTheme.typography.bodyLarge)
                            Text(text(r.due) + " · " + text(r.repeat),
                                color = if (r.overdue) MaterialTheme.colorScheme.error else MaterialTheme.colorScheme.primary)
                            Text(r.owner, style = MaterialTheme.typography.bodyMedium)
                        }
                        if (r.canComplete) {
                            OutlinedButton(onClick = { scope.launch { vm.complete(r.id) } }) {
                                Text(stringResource(R.string.agenda_complete))
                            }
                        }
                    }
                }
            }
        }
    }
}
