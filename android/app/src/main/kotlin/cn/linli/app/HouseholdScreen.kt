// One household, from the door-to-door list: its phone, residents with their moves (迁入迁出,
// recorded in ResidentMovesDialog), tags and watch plan, edited in place, its visits with what
// the residents needed and said, newest first, a need put on the needs list (需求清单), and its
// history (修改记录). Also the form that registers a household in the chosen building.
package cn.linli.app

import androidx.compose.foundation.layout.Column
import androidx.compose.foundation.layout.Row
import androidx.compose.foundation.layout.fillMaxWidth
import androidx.compose.foundation.layout.padding
import androidx.compose.foundation.lazy.LazyColumn
import androidx.compose.foundation.lazy.items
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
import cn.linli.core.Tag
import cn.linli.core.WatchFrequency
import cn.linli.core.WatchPlanInput
import cn.linli.viewmodels.HouseholdForm
import cn.linli.viewmodels.HouseholdViewModel
import cn.linli.viewmodels.Keys
import cn.linli.viewmodels.ResidentForm
import cn.linli.viewmodels.ResidentItem
import cn.linli.viewmodels.Session
import cn.linli.viewmodels.UiText
import kotlinx.coroutines.launch

/** One household as a dialog over the door-to-door list. */
@Composable
fun HouseholdDialog(session: Session, householdId: String, onDismiss: () -> Unit) {
    val vm = remember(householdId) { HouseholdViewModel(session, householdId) }
    val state by vm.state.collectAsState()
    val notice by vm.notice.collectAsState()
    val scope = rememberCoroutineScope()
    var phone by remember(state.phone) { mutableStateOf(state.phone) }
    var resident by remember { mutableStateOf("") }
    var birthYear by remember { mutableStateOf("") }
    var everyDays by remember(state.watch) { mutableStateOf(state.watch?.n?.toString() ?: "") }
    var recordingNeed by remember { mutableStateOf(false) }
    var moving by remember { mutableStateOf<ResidentItem?>(null) }
    LaunchedEffect(vm) { vm.refresh() }
    AlertDialog(
        onDismissRequest = onDismiss,
        title = { Text(state.name) },
        confirmButton = { TextButton(onClick = onDismiss) { Text(stringResource(R.string.action_cancel)) } },
        text = {
            LazyColumn {
                item {
                    notice?.let { Text(text(it.text), color = if (it.isError) MaterialTheme.colorScheme.error else MaterialTheme.colorScheme.primary) }
                    Row {
                        Column(Modifier.weight(1f)) { Field(stringResource(R.string.field_phone), phone) { phone = it } }
                        TextButton(onClick = { scope.launch { vm.setPhone(phone) } }) { Text(stringResource(R.string.action_save)) }
                    }
                    Row {
                        for (t in Tag.entries) {
                            FilterChip(selected = t in state.tags, onClick = { scope.launch { vm.setTag(t, t !in state.tags) } },
                                label = { Text(text(UiText(Keys.of(t)))) }, modifier = Modifier.padding(end = 4.dp))
                        }
                    }
                    Text(stringResource(R.string.household_watch), style = MaterialTheme.typography.titleMedium)
                    Row {
                        Column(Modifier.weight(1f)) { Field(stringResource(R.string.field_watch_count), everyDays) { everyDays = it } }
                        TextButton(onClick = {
                            scope.launch {
                                vm.setWatchPlan(everyDays.toUIntOrNull()?.let { WatchPlanInput(WatchFrequency.EVERY_DAYS, it) })
                            }
                        }) { Text(stringResource(R.string.action_save)) }
                        TextButton(onClick = { scope.launch { vm.setWatchPlan(null) } }) {
                            Text(stringResource(R.string.household_watch_none))
                        }
                    }
                    for (r in state.residents) {
                        Row {
                            Column(Modifier.weight(1f)) {
                                Text("${r.name}  ${r.birthYear ?: ""}",
                                    color = if (r.gone) MaterialTheme.colorScheme.outline else MaterialTheme.colorScheme.onSurface)
                                for (m in r.moves) Text(text(m), style = MaterialTheme.typography.bodySmall)
                            }
                            TextButton(onClick = { vm.dismissNotice(); moving = r }) { Text(stringResource(R.string.household_moves)) }
                        }
                    }
                    Field(stringResource(R.string.field_name), resident) { resident = it }
                    Field(stringResource(R.string.field_birth_year), birthYear) { birthYear = it }
                    Button(onClick = {
                        scope.launch {
                            if (vm.addResident(ResidentForm(resident, birthYear.toIntOrNull())) != null) {
                                resident = ""
                                birthYear = ""
                            }
                        }
                    }) { Text(stringResource(R.string.household_add_resident)) }
                    Row {
                        TextButton(onClick = { recordingNeed = true }) { Text(stringResource(R.string.need_record)) }
                        HistoryButton(session, householdId)
                    }
                    Text(stringResource(R.string.household_visits), style = MaterialTheme.typography.titleMedium)
                }
                items(state.visits) { v ->
                    Column(Modifier.fillMaxWidth().padding(vertical = 4.dp)) {
                        Text("${v.at.shown()}  ${stringResource(R.string.household_visit_by, v.leadName)}  ${text(v.outcome)}")
                        if (v.needs.isNotBlank()) Text(stringResource(R.string.household_needs, v.needs))
                        if (v.opinions.isNotBlank()) Text(stringResource(R.string.household_opinions, v.opinions))
                    }
                }
                if (state.olderVisits) {
                    item {
                        TextButton(onClick = { scope.launch { vm.loadOlder() } }) {
                            Text(stringResource(R.string.household_older_visits))
                        }
                    }
                }
            }
        },
    )
    if (recordingNeed) RecordNeedDialog(session, householdId, onDismiss = { recordingNeed = false })
    moving?.let { r -> ResidentMovesDialog(vm, r, onDismiss = { moving = null }) }
}

/** Registers a household in the chosen building: address, phone and its first resident. */
@Composable
fun RegisterHouseholdDialog(onDismiss: () -> Unit, onSave: (HouseholdForm) -> Unit) {
    var unit by remember { mutableStateOf("") }
    var room by remember { mutableStateOf("") }
    var phone by remember { mutableStateOf("") }
    var resident by remember { mutableStateOf("") }
    var birthYear by remember { mutableStateOf("") }
    AlertDialog(
        onDismissRequest = onDismiss,
        title = { Text(stringResource(R.string.household_register)) },
        confirmButton = {
            Button(onClick = {
                val residents = if (resident.isBlank()) emptyList() else listOf(ResidentForm(resident, birthYear.toIntOrNull()))
                onSave(HouseholdForm(unit, room, phone, residents))
            }) { Text(stringResource(R.string.action_save)) }
        },
        dismissButton = { TextButton(onClick = onDismiss) { Text(stringResource(R.string.action_cancel)) } },
        text = {
            Column {
                Field(stringResource(R.string.field_unit), unit) { unit = it }
                Field(stringResource(R.string.field_room), room) { room = it }
                Field(stringResource(R.string.field_phone), phone) { phone = it }
                Field(stringResource(R.string.field_name), resident) { resident = it }
                Field(stringResource(R.string.field_birth_year), birthYear) { birthYear = it }
            }
        },
    )
}
