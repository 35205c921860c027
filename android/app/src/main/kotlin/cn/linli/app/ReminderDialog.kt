// The office's form for a new reminder (民情日志): what, the place it concerns, whom it is for (the
// office, a role over the place, or a member), the first due date, the days ahead it shows and
// how it repeats. What the view model or the core refuses is said in the form, which stays open.
package cn.linli.app

import androidx.compose.foundation.horizontalScroll
import androidx.compose.foundation.layout.Column
import androidx.compose.foundation.layout.Row
import androidx.compose.foundation.layout.padding
import androidx.compose.foundation.rememberScrollState
import androidx.compose.foundation.verticalScroll
import androidx.compose.material3.AlertDialog
import androidx.compose.material3.Button
import androidx.compose.material3.FilterChip
import androidx.compose.material3.MaterialTheme
import androidx.compose.material3.Text
import androidx.compose.material3.TextButton
import androidx.compose.runtime.Composable
import androidx.compose.runtime.collectAsState
import androidx.compose.runtime.getValue
import androidx.compose.runtime.mutableStateOf
import androidx.compose.runtime.remember
import androidx.compose.runtime.rememberCoroutineScope
import androidx.compose.runtime.setValue
import androidx.compose.ui.Modifier
import androidx.compose.ui.res.stringResource
import androidx.compose.ui.unit.dp
import cn.linli.viewmodels.ReminderForm
import cn.linli.viewmodels.ReminderOwner
import cn.linli.viewmodels.RemindersState
import cn.linli.viewmodels.RemindersViewModel
import kotlinx.coroutines.launch

@Composable
fun AddReminderDialog(vm: RemindersViewModel, state: RemindersState, onDismiss: () -> Unit) {
    val scope = rememberCoroutineScope()
    val notice by vm.notice.collectAsState()
    var form by remember { mutableStateOf(ReminderForm()) }
    AlertDialog(
        onDismissRequest = onDismiss,
        title = { Text(stringResource(R.string.reminder_add)) },
        confirmButton = {
            Button(onClick = { scope.launch { if (vm.add(form) != null) onDismiss() } }) { Text(stringResource(R.string.action_save)) }
        },
        dismissButton = { TextButton(onClick = onDismiss) { Text(stringResource(R.string.action_cancel)) } },
        text = {
            Column(Modifier.verticalScroll(rememberScrollState())) {
                notice?.let { if (it.isError) Text(text(it.text), color = MaterialTheme.colorScheme.error) }
                Field(stringResource(R.string.field_what), form.what) { form = form.copy(what = it) }
                Text(stringResource(R.string.field_place))
                Row(Modifier.horizontalScroll(rememberScrollState())) {
                    for (p in state.places) {
                        // A second tap takes the place off: a reminder may concern none.
                        FilterChip(selected = p.id == form.placeId,
                            onClick = { form = form.copy(placeId = if (p.id == form.placeId) null else p.id) },
                            label = { Text(p.name) }, modifier = Modifier.padding(end = 4.dp))
                    }
                }
                Text(stringResource(R.string.field_owner_role))
                Row(Modifier.horizontalScroll(rememberScrollState())) {
                    FilterChip(selected = form.owner == ReminderOwner.Office, onClick = { form = form.copy(owner = ReminderOwner.Office) },
                        label = { Text(stringResource(R.string.role_office)) }, modifier = Modifier.padding(end = 4.dp))
                    for (r in state.ownerRoles) {
                        val owner = ReminderOwner.ForRole(r.value)
                        FilterChip(selected = form.owner == owner, onClick = { form = form.copy(owner = owner) },
                            label = { Text(text(r.label)) }, modifier = Modifier.padding(end = 4.dp))
                    }
                }
                Text(stringResource(R.string.field_owner_member))
                Row(Modifier.horizontalScroll(rememberScrollState())) {
                    for (m in state.members) {
                        val owner = ReminderOwner.ForMember(m.id)
                        FilterChip(selected = form.owner == owner, onClick = { form = form.copy(owner = owner) },
                            label = { Text(m.name) }, modifier = Modifier.padding(end = 4.dp))
                    }
                }
                Field(stringResource(R.string.field_first_due), form.firstDue) { form = form.copy(firstDue = it) }
                Field(stringResource(R.string.field_lead_days), form.leadDays) { form = form.copy(leadDays = it) }
                Text(stringResource(R.string.field_repeat))
                Row {
                    for (r in state.repeats) {
                        FilterChip(selected = r.value == form.repeat, onClick = { form = form.copy(repeat = r.value) },
                            label = { Text(text(r.label)) }, modifier = Modifier.padding(end = 4.dp))
                    }
                }
            }
        },
    )
}
