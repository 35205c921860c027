// Joint actions (联合行动): the actions on this phone with their progress (a department's phone
// lists those its department takes part in); one action with its tickets and its steps in time
// order, shown in the community's time, who did each, which are late, and a button on the steps
// the member may mark done.
package cn.linli.app

import androidx.compose.foundation.clickable
import androidx.compose.foundation.layout.Column
import androidx.compose.foundation.layout.fillMaxWidth
import androidx.compose.foundation.layout.padding
import androidx.compose.foundation.lazy.LazyColumn
import androidx.compose.foundation.lazy.items
import androidx.compose.material3.AlertDialog
import androidx.compose.material3.Button
import androidx.compose.material3.Card
import androidx.compose.material3.MaterialTheme
import androidx.compose.material3.OutlinedButton
import androidx.compose.material3.Text
import androidx.compose.material3.TextButton
import androidx.compose.runtime.Composable
import androidx.compose.runtime.LaunchedEffect
import androidx.compose.runtime.collectAsState
import androidx.compose.runtime.getValue
import androidx.compose.runtime.mutableStateOf
import androidx.compose.runtime.remember
import androidx.compose.runtime.rememberCoroutineScope
import androidx.compose.runtime.setValue
import androidx.compose.ui.Modifier
import androidx.compose.ui.res.stringResource
import androidx.compose.ui.unit.dp
import cn.linli.viewmodels.JointActionsViewModel
import cn.linli.viewmodels.JointDetailState
import cn.linli.viewmodels.JointStepItem
import cn.linli.viewmodels.Session
import kotlinx.coroutines.launch

@Composable
fun JointActionsScreen(session: Session) {
    val vm = remember(session) { JointActionsViewModel(session) }
    val state by vm.state.collectAsState()
    val scope = rememberCoroutineScope()
    LaunchedEffect(vm) { vm.refresh() }
    val detail = state.detail
    if (detail != null) {
        JointDetail(vm, detail, state.utcOffsetMinutes)
        return
    }
    LinliScaffold(stringResource(R.string.home_joint_actions), vm.notice) { padding ->
        LazyColumn(Modifier.padding(padding)) {
            if (state.actions.isEmpty()) item { Text(stringResource(R.string.joint_empty)) }
            items(state.actions) { a ->
                Card(Modifier.fillMaxWidth().padding(vertical = 4.dp).clickable { scope.launch { vm.open(a.id) } }) {
                    Column(Modifier.padding(12.dp)) {
                        Text(a.title, style = MaterialTheme.typography.titleLarge)
                        Text(text(a.progress), color = if (a.late > 0) MaterialTheme.colorScheme.error else MaterialTheme.colorScheme.onSurface)
                    }
                }
            }
        }
    }
}

@Composable
private fun JointDetail(vm: JointActionsViewModel, j: JointDetailState, offset: Int) {
    val scope = rememberCoroutineScope()
    var marking by remember { mutableStateOf<JointStepItem?>(null) }
    LinliScaffold(j.title, vm.notice) { padding ->
        LazyColumn(Modifier.padding(padding)) {
            item {
                TextButton(onClick = vm::close) { Text("←") }
                Text(stringResource(R.string.joint_planned_by, j.plannedBy))
                Text(stringResource(R.string.joint_tickets), style = MaterialTheme.typography.titleLarge)
                for (t in j.tickets) Text(t)
            }
            items(j.steps) { s ->
                Card(Modifier.fillMaxWidth().padding(vertical = 4.dp)) {
                    Column(Modifier.padding(12.dp)) {
                        Text(s.department + " · " + s.start.shownIn(offset), style = MaterialTheme.typography.bodyLarge)
                        Text(s.what, style = MaterialTheme.typography.titleLarge)
                        s.doneBy?.let { by ->
                            Text(stringResource(R.string.joint_step_done_by, by, s.doneAt?.shownIn(offset) ?: ""),
                                color = MaterialTheme.colorScheme.primary)
                        }
                        if (s.late) Text(stringResource(R.string.joint_late), color = MaterialTheme.colorScheme.error)
                        if (s.mayMark) {
                            OutlinedButton(onClick = { marking = s }) { Text(stringResource(R.string.joint_mark_done)) }
                        }
                    }
                }
            }
        }
    }
    marking?.let { s ->
        MarkDoneDialog(s, onDismiss = { marking = null }) { note ->
            scope.launch { if (vm.markDone(s.id, note)) marking = null }
        }
    }
}

/** What was done, for the step marked done. */
@Composable
private fun MarkDoneDialog(s: JointStepItem, onDismiss: () -> Unit, onDone: (String) -> Unit) {
    var note by remember { mutableStateOf("") }
    AlertDialog(
        onDismissRequest = onDismiss,
        title = { Text(s.department + " · " + s.what) },
        confirmButton = { Button(onClick = { onDone(note) }) { Text(stringResource(R.string.joint_mark_done)) } },
        dismissButton = { TextButton(onClick = onDismiss) { Text(stringResource(R.string.action_cancel)) } },
        text = { Field(stringResource(R.string.field_note), note) { note = it } },
    )
}
