// Planning a joint action (联合行动) for a ticket, from the ticket's screen (the office or an area
// lead): a title, then steps, each a department of the directory, the day and time it starts in
// the community's time, and what it does; a day or time that is not one is said so on the form.
package cn.linli.app

import androidx.compose.foundation.layout.padding
import androidx.compose.foundation.lazy.LazyColumn
import androidx.compose.foundation.lazy.itemsIndexed
import androidx.compose.material3.AlertDialog
import androidx.compose.material3.Button
import androidx.compose.material3.FilterChip
import androidx.compose.material3.MaterialTheme
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
import cn.linli.viewmodels.PlanStepForm
import cn.linli.viewmodels.Session
import kotlinx.coroutines.launch

/** Plans a joint action for `ticketId`; closes once planned. */
@Composable
fun JointPlanDialog(session: Session, ticketId: String, onDismiss: () -> Unit) {
    val vm = remember(session) { JointActionsViewModel(session) }
    val state by vm.state.collectAsState()
    val notice by vm.notice.collectAsState()
    val scope = rememberCoroutineScope()
    var title by remember { mutableStateOf("") }
    var steps by remember { mutableStateOf(listOf(PlanStepForm("", "", "", ""))) }
    LaunchedEffect(vm) { vm.refresh() }
    fun edit(i: Int, change: (PlanStepForm) -> PlanStepForm) {
        steps = steps.mapIndexed { j, s -> if (j == i) change(s) else s }
    }
    AlertDialog(
        onDismissRequest = onDismiss,
        title = { Text(stringResource(R.string.joint_plan)) },
        confirmButton = {
            Button(onClick = { scope.launch { if (vm.plan(listOf(ticketId), title, steps)) onDismiss() } }) {
                Text(stringResource(R.string.action_save))
            }
        },
        dismissButton = { TextButton(onClick = onDismiss) { Text(stringResource(R.string.action_cancel)) } },
        text = {
            LazyColumn {
                item {
                    notice?.let { Text(text(it.text), color = if (it.isError) MaterialTheme.colorScheme.error else MaterialTheme.colorScheme.primary) }
                    Field(stringResource(R.string.field_title), title) { title = it }
                }
                itemsIndexed(steps) { i, s ->
                    Text(stringResource(R.string.joint_step_number, (i + 1).toString()), style = MaterialTheme.typography.titleMedium,
                        modifier = Modifier.padding(top = 8.dp))
                    Text(stringResource(R.string.joint_choose_department))
                    for (d in state.departments) {
                        FilterChip(selected = d.id == s.departmentId, onClick = { edit(i) { it.copy(departmentId = d.id) } },
                            label = { Text(d.name) })
                    }
                    Field(stringResource(R.string.joint_step_date), s.date) { v -> edit(i) { it.copy(date = v) } }
                    Field(stringResource(R.string.joint_step_time), s.time) { v -> edit(i) { it.copy(time = v) } }
                    Field(stringResource(R.string.field_what), s.what) { v -> edit(i) { it.copy(what = v) } }
                }
                item {
                    TextButton(onClick = { steps = steps + PlanStepForm("", "", "", "") }) { Text(stringResource(R.string.joint_add_step)) }
                }
            }
        },
    )
}
