// Door to door: my buildings, their households (checks due first), a household registered,
// one household opened with its visits, and the visit form.
package cn.linli.app

import androidx.compose.foundation.clickable
import androidx.compose.foundation.layout.Column
import androidx.compose.foundation.layout.Row
import androidx.compose.foundation.layout.fillMaxWidth
import androidx.compose.foundation.layout.padding
import androidx.compose.foundation.lazy.LazyColumn
import androidx.compose.foundation.lazy.items
import androidx.compose.material3.AlertDialog
import androidx.compose.material3.AssistChip
import androidx.compose.material3.Button
import androidx.compose.material3.Card
import androidx.compose.material3.CardDefaults
import androidx.compose.material3.Checkbox
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
import cn.linli.core.Category
import cn.linli.core.ErrandKind
import cn.linli.core.ErrandRow
import cn.linli.core.IssuedPassRow
import cn.linli.core.qrCode
import cn.linli.core.Symptom
import cn.linli.core.CheckState
import cn.linli.core.VisitOutcome
import cn.linli.viewmodels.DoorToDoorViewModel
import cn.linli.viewmodels.HouseholdItem
import cn.linli.viewmodels.IsolationCheckForm
import cn.linli.viewmodels.IsolationItem
import cn.linli.viewmodels.Keys
import cn.linli.viewmodels.Session
import cn.linli.viewmodels.UiText
import cn.linli.viewmodels.VisitForm
import kotlinx.coroutines.launch

@Composable
fun DoorToDoorScreen(session: Session) {
    val vm = remember(session) { DoorToDoorViewModel(session) }
    val state by vm.state.collectAsState()
    val scope = rememberCoroutineScope()
    var visiting by remember { mutableStateOf<HouseholdItem?>(null) }
    var reporting by remember { mutableStateOf<HouseholdItem?>(null) }
    var checking by remember { mutableStateOf<IsolationItem?>(null) }
    var errands by remember { mutableStateOf<IsolationItem?>(null) }
    var showingPasses by remember { mutableStateOf<HouseholdItem?>(null) }
    var opened by remember { mutableStateOf<HouseholdItem?>(null) }
    var registering by remember { mutableStateOf(false) }
    LaunchedEffect(vm) { vm.refresh() }
    LinliScaffold(stringResource(R.string.home_door_to_door), vm.notice) { padding ->
        LazyColumn(Modifier.padding(padding)) {
            item {
                Row {
                    for (b in state.buildings) {
                        FilterChip(
                            selected = b.id == state.buildingId,
                            onClick = { scope.launch { vm.selectBuilding(b.id) } },
                            label = { Text(b.name) },
                            modifier = Modifier.padding(end = 8.dp),
                        )
                    }
                }
                if (state.checksDue > 0) {
                    Text(stringResource(R.string.door_checks_due, state.checksDue.toString()), color = MaterialTheme.colorScheme.error)
                }
                if (state.buildingId != null) {
                    TextButton(onClick = { registering = true }) { Text(stringResource(R.string.household_register)) }
                }
            }
            if (state.isolations.isNotEmpty()) {
                item { Text(stringResource(R.string.door_isolations), style = MaterialTheme.typography.titleLarge) }
            }
            items(state.isolations) { i ->
                val colors = if (i.missed > 0 || i.flagged > 0) {
                    CardDefaults.cardColors(containerColor = MaterialTheme.colorScheme.errorContainer)
                } else CardDefaults.cardColors()
                Card(Modifier.fillMaxWidth().padding(vertical = 4.dp), colors = colors) {
                    Column(Modifier.padding(12.dp)) {
                        Text(i.resident, style = MaterialTheme.typography.titleLarge)
                        Text(text(i.progress))
                        if (i.missed > 0) {
                            Text(stringResource(R.string.isolation_missed, i.missed.toString()), color = MaterialTheme.colorScheme.error)
                        }
                        if (i.errandsOpen > 0) Text(stringResource(R.string.isolation_errands_open, i.errandsOpen.toString()))
                        Row {
                            TextButton(onClick = { checking = i }) { Text(stringResource(R.string.isolation_check)) }
                            TextButton(onClick = { errands = i }) { Text(stringResource(R.string.isolation_errands)) }
                            TextButton(onClick = { scope.launch { vm.releaseIsolation(i) } }) {
                                Text(stringResource(R.string.isolation_release))
                            }
                        }
                    }
                }
            }
            items(state.households) { h ->
                Card(Modifier.fillMaxWidth().padding(vertical = 4.dp).clickable { visiting = h }) {
                    Column(Modifier.padding(12.dp)) {
                        Text("${h.address}  ${h.residents}", style = MaterialTheme.typography.titleLarge)
                        Row { for (t in h.tags) AssistChip(onClick = {}, label = { Text(text(t)) }) }
                        Text(
                            h.lastVisit?.let { stringResource(R.string.door_last_visit, it.shown()) }
                                ?: stringResource(R.string.door_never_visited),
                        )
                        if (h.check == CheckState.DUE || h.check == CheckState.OVERDUE) {
                            Text(text(h.checkText), color = MaterialTheme.colorScheme.error)
                        }
                        Row {
                            TextButton(onClick = { visiting = h }) { Text(stringResource(R.string.door_log_visit)) }
                            TextButton(onClick = { reporting = h }) { Text(stringResource(R.string.door_report_problem)) }
                            TextButton(onClick = { showingPasses = h }) { Text(stringResource(R.string.door_passes)) }
                            TextButton(onClick = { opened = h }) { Text(stringResource(R.string.household_visits)) }
                        }
                    }
                }
            }
        }
    }
    visiting?.let { h ->
        VisitDialog(onDismiss = { visiting = null }) { form ->
            scope.launch { if (vm.logVisit(h.id, form) != null) visiting = null }
        }
    }
    checking?.let { i ->
        IsolationCheckDialog(onDismiss = { checking = null }) { form ->
            scope.launch { if (vm.recordIsolationCheck(i, form) != null) checking = null }
        }
    }
    errands?.let { i -> ErrandsDialog(vm, i.householdId, onDismiss = { errands = null }) }
    showingPasses?.let { h -> PassesDialog(vm, h.id, onDismiss = { showingPasses = null }) }
    opened?.let { h ->
        HouseholdDialog(session, h.id, onDismiss = {
            opened = null
            scope.launch { vm.refresh() }
        })
    }
    if (registering) {
        RegisterHouseholdDialog(onDismiss = { registering = false }) { form ->
            scope.launch { if (vm.registerHousehold(form) != null) registering = false }
        }
    }
    reporting?.let { h ->
        ReportDialog(onDismiss = { reporting = null }) { category, description ->
            scope.launch { if (vm.reportFromVisit(h.id, category, description, emptyList()) != null) reporting = null }
        }
    }
}

/** The household's passes, each as the QR code the gate scans; a revoked one says so. */
@Composable
private fun PassesDialog(vm: DoorToDoorViewModel, householdId: String, onDismiss: () -> Unit) {
    var passes by remember { mutableStateOf(emptyList<IssuedPassRow>()) }
    LaunchedEffect(householdId) { passes = vm.passes(householdId) }
    AlertDialog(
        onDismissRequest = onDismiss,
        title = { Text(stringResource(R.string.door_passes)) },
        confirmButton = { TextButton(onClick = onDismiss) { Text(stringResource(R.string.action_cancel)) } },
        text = {
            LazyColumn {
                if (passes.isEmpty()) item { Text(stringResource(R.string.door_no_passes)) }
                items(passes) { p ->
                    Column(Modifier.padding(vertical = 8.dp)) {
                        Text(text(UiText(Keys.of(p.kind))) + "  " + p.holder, style = MaterialTheme.typography.titleLarge)
                        Text(stringResource(R.string.door_pass_valid_until,
                            java.time.Instant.ofEpochMilli(p.validUntilMs - 1).shown()))
                        if (p.revoked) {
                            Text(stringResource(R.string.door_pass_revoked), color = MaterialTheme.colorScheme.error)
                        } else {
                            QrImage(qrCode(p.text))
                        }
                    }
                }
            }
        },
    )
}

/** 代办: what the household needs (药品, 食品, 垃圾清运), and the open ones marked delivered. */
@Composable
private fun ErrandsDialog(vm: DoorToDoorViewModel, householdId: String, onDismiss: () -> Unit) {
    val scope = rememberCoroutineScope()
    var list by remember { mutableStateOf(emptyList<ErrandRow>()) }
    var kind by remember { mutableStateOf(ErrandKind.MEDICINE) }
    var note by remember { mutableStateOf("") }
    LaunchedEffect(householdId) { list = vm.errands(householdId) }
    AlertDialog(
        onDismissRequest = onDismiss,
        title = { Text(stringResource(R.string.isolation_errands)) },
        confirmButton = {
            Button(onClick = {
                scope.launch { if (vm.addErrand(householdId, kind, note) != null) { note = ""; list = vm.errands(householdId) } }
            }) { Text(stringResource(R.string.isolation_errand_add)) }
        },
        dismissButton = { TextButton(onClick = onDismiss) { Text(stringResource(R.string.action_cancel)) } },
        text = {
            Column {
                for (e in list) {
                    Row {
                        Text(text(UiText(Keys.of(e.kind))) + " " + e.note, modifier = Modifier.weight(1f))
                        if (!e.delivered) {
                            TextButton(onClick = { scope.launch { vm.deliverErrand(householdId, e.id); list = vm.errands(householdId) } }) {
                                Text(stringResource(R.string.errand_deliver))
                            }
                        }
                    }
                }
                Row {
                    for (k in ErrandKind.entries) {
                        FilterChip(selected = kind == k, onClick = { kind = k }, label = { Text(text(UiText(Keys.of(k)))) })
                    }
                }
                Field(stringResource(R.string.isolation_errand_note), note) { note = it }
            }
        },
    )
}

/** 询问: temperature and the fixed symptom list, each a chip. */
@Composable
private fun IsolationCheckDialog(onDismiss: () -> Unit, onSave: (IsolationCheckForm) -> Unit) {
    var form by remember { mutableStateOf(IsolationCheckForm()) }
    var temperature by remember { mutableStateOf("") }
    AlertDialog(
        onDismissRequest = onDismiss,
        title = { Text(stringResource(R.string.isolation_check)) },
        confirmButton = {
            Button(onClick = { onSave(form.copy(temperatureC = temperature.toDoubleOrNull())) }) {
                Text(stringResource(R.string.action_save))
            }
        },
        dismissButton = { TextButton(onClick = onDismiss) { Text(stringResource(R.string.action_cancel)) } },
        text = {
            Column {
                Field(stringResource(R.string.visit_temperature), temperature) { temperature = it }
                Row {
                    for (s in Symptom.entries) {
                        FilterChip(selected = s in form.symptoms,
                            onClick = { form = form.copy(symptoms = if (s in form.symptoms) form.symptoms - s else form.symptoms + s) },
                            label = { Text(text(UiText(Keys.of(s)))) })
                    }
                }
                Field(stringResource(R.string.isolation_other), form.other) { form = form.copy(other = it) }
            }
        },
    )
}

@Composable
private fun VisitDialog(onDismiss: () -> Unit, onSave: (VisitForm) -> Unit) {
    var form by remember { mutableStateOf(VisitForm()) }
    var temperature by remember { mutableStateOf("") }
    AlertDialog(
        onDismissRequest = onDismiss,
        title = { Text(stringResource(R.string.door_log_visit)) },
        confirmButton = {
            Button(onClick = { onSave(form.copy(temperatureC = temperature.toDoubleOrNull())) }) {
                Text(stringResource(R.string.action_save))
            }
        },
        dismissButton = { TextButton(onClick = onDismiss) { Text(stringResource(R.string.action_cancel)) } },
        text = {
            Column {
                Text(stringResource(R.string.visit_outcome))
                Row {
                    for (o in VisitOutcome.entries) {
                        FilterChip(selected = form.outcome == o, onClick = { form = form.copy(outcome = o) },
                            label = { Text(text(UiText(Keys.of(o)))) })
                    }
                }
                Field(stringResource(R.string.visit_needs), form.needs) { form = form.copy(needs = it) }
                Field(stringResource(R.string.visit_opinions), form.opinions) { form = form.copy(opinions = it) }
                Text(stringResource(R.string.visit_health))
                Field(stringResource(R.string.visit_temperature), temperature) { temperature = it }
                Field(stringResource(R.string.visit_health_note), form.healthNote) { form = form.copy(healthNote = it) }
                Row {
                    Checkbox(form.healthConcern, { form = form.copy(healthConcern = it) })
                    Text(stringResource(R.string.visit_health_concern))
                }
                Field(stringResource(R.string.visit_follow_up_due), form.followUpDue.orEmpty()) {
                    form = form.copy(followUpDue = it.ifBlank { null })
                }
                Field(stringResource(R.string.visit_follow_up_note), form.followUpNote) { form = form.copy(followUpNote = it) }
            }
        },
    )
}

@Composable
fun ReportDialog(onDismiss: () -> Unit, onSave: (Category, String) -> Unit) {
    var category by remember { mutableStateOf(Category.OTHER) }
    var description by remember { mutableStateOf("") }
    AlertDialog(
        onDismissRequest = onDismiss,
        title = { Text(stringResource(R.string.ticket_report)) },
        confirmButton = { Button(onClick = { onSave(category, description) }) { Text(stringResource(R.string.action_save)) } },
        dismissButton = { TextButton(onClick = onDismiss) { Text(stringResource(R.string.action_cancel)) } },
        text = {
            Column {
                Text(stringResource(R.string.ticket_category))
                for (c in Category.entries) {
                    FilterChip(selected = c == category, onClick = { category = c }, label = { Text(text(UiText(Keys.of(c)))) })
                }
                Field(stringResource(R.string.ticket_description), description) { description = it }
            }
        },
    )
}
