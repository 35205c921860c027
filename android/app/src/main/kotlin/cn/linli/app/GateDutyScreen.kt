// Gate duty: the badge view, check in and out, the duty handed over, the gate register with each
// entry's kind, a visitor's pass type, an incident's severity, and fever readings and incidents
// in red (an entry opens its gate day's history), the vehicles still inside and the parcels
// still waiting, passes checked, the week's roster and swaps, the day's and the week's history,
// and for the gate lead roster building and passes issued through the relay (shown as a QR
// code). Times are the community's, not the phone's zone. The forms are in GateDutyDialogs.kt.
package cn.linli.app

import androidx.compose.foundation.clickable
import androidx.compose.foundation.layout.Arrangement
import androidx.compose.foundation.layout.Column
import androidx.compose.foundation.layout.Row
import androidx.compose.foundation.layout.fillMaxWidth
import androidx.compose.foundation.layout.padding
import androidx.compose.foundation.lazy.LazyColumn
import androidx.compose.foundation.lazy.items
import androidx.compose.material3.AlertDialog
import androidx.compose.material3.Button
import androidx.compose.material3.Card
import androidx.compose.material3.CardDefaults
import androidx.compose.material3.HorizontalDivider
import androidx.compose.material3.MaterialTheme
import androidx.compose.material3.OutlinedButton
import androidx.compose.material3.OutlinedTextField
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
import cn.linli.core.MemberRow
import cn.linli.core.PassKind
import cn.linli.core.PassSigned
import cn.linli.core.PlaceRow
import cn.linli.core.qrCode
import cn.linli.viewmodels.Choice
import cn.linli.viewmodels.GateDutyViewModel
import cn.linli.viewmodels.Keys
import cn.linli.viewmodels.ParcelItem
import cn.linli.viewmodels.PassCheckItem
import cn.linli.viewmodels.PassRequestForm
import cn.linli.viewmodels.Session
import cn.linli.viewmodels.UiText
import kotlinx.coroutines.launch

@Composable
fun GateDutyScreen(session: Session, gateId: String) {
    val vm = remember(gateId) { GateDutyViewModel(session, gateId) }
    val state by vm.state.collectAsState()
    val scope = rememberCoroutineScope()
    var form by remember { mutableStateOf<GateForm?>(null) }
    var picking by remember { mutableStateOf<SlotPick?>(null) }
    var issuing by remember { mutableStateOf(false) }
    var handingOver by remember { mutableStateOf(false) }
    var collecting by remember { mutableStateOf<ParcelItem?>(null) }
    var historyOf by remember { mutableStateOf<String?>(null) }
    val offset = state.utcOffsetMinutes
    LaunchedEffect(vm) { vm.refresh() }
    LinliScaffold(state.gateName, vm.notice) { padding ->
        LazyColumn(Modifier.padding(padding)) {
            item { Text(stringResource(R.string.gate_on_duty_now), style = MaterialTheme.typography.titleLarge) }
            items(state.badge) { slot ->
                Card(Modifier.fillMaxWidth().padding(vertical = 4.dp)) {
                    Column(Modifier.padding(12.dp)) {
                        Text(text(slot.role), style = MaterialTheme.typography.titleLarge)
                        Text(stringResource(R.string.gate_planned, slot.planned ?: stringResource(R.string.gate_nobody)))
                        Text(stringResource(R.string.gate_checked_in, slot.onDuty ?: stringResource(R.string.gate_nobody)))
                        Text(text(slot.attendance))
                    }
                }
            }
            if (state.others.isNotEmpty()) {
                item { Text(stringResource(R.string.gate_others) + "：" + state.others.joinToString("、")) }
            }
            item {
                Button(
                    onClick = { scope.launch { if (state.meOnDuty) vm.checkOut() else vm.checkIn() } },
                    modifier = Modifier.fillMaxWidth().padding(vertical = 8.dp),
                ) {
                    Text(stringResource(if (state.meOnDuty) R.string.gate_check_out else R.string.gate_check_in))
                }
                Row(horizontalArrangement = Arrangement.spacedBy(8.dp)) {
                    OutlinedButton(onClick = { form = GateForm.VISITOR }) { Text(stringResource(R.string.gate_register_visitor)) }
                    OutlinedButton(onClick = { form = GateForm.VEHICLE }) { Text(stringResource(R.string.gate_register_vehicle)) }
                    OutlinedButton(onClick = { form = GateForm.PARCEL }) { Text(stringResource(R.string.gate_register_parcel)) }
                }
                Row(horizontalArrangement = Arrangement.spacedBy(8.dp)) {
                    OutlinedButton(onClick = { form = GateForm.TEMPERATURE }) { Text(stringResource(R.string.gate_register_temperature)) }
                    OutlinedButton(onClick = { form = GateForm.PATROL }) { Text(stringResource(R.string.gate_patrol_note)) }
                    OutlinedButton(onClick = { form = GateForm.INCIDENT }) { Text(stringResource(R.string.gate_record_incident)) }
                }
                Row(horizontalArrangement = Arrangement.spacedBy(8.dp)) {
                    OutlinedButton(onClick = { form = GateForm.VEHICLE_EXIT }) { Text(stringResource(R.string.gate_vehicle_exit)) }
                    if (state.meOnDuty && state.handoverTo.isNotEmpty()) {
                        OutlinedButton(onClick = { handingOver = true }) { Text(stringResource(R.string.gate_hand_over)) }
                    }
                }
            }
            // The vehicles still inside, each logged out from its row.
            if (state.vehiclesInside.isNotEmpty()) {
                item { Text(stringResource(R.string.gate_vehicles_inside), style = MaterialTheme.typography.titleLarge) }
            }
            items(state.vehiclesInside) { v ->
                Row(Modifier.fillMaxWidth().padding(vertical = 2.dp)) {
                    Column(Modifier.weight(1f)) {
                        Text(v.summary)
                        Text(stringResource(R.string.gate_since, v.since.shownIn(offset)), style = MaterialTheme.typography.bodySmall)
                    }
                    TextButton(onClick = { scope.launch { vm.vehicleLeft(v.plate) } }) {
                        Text(stringResource(R.string.gate_vehicle_left))
                    }
                }
            }
            // The parcels still waiting (of any day), each collected from its row.
            if (state.parcelsWaiting.isNotEmpty()) {
                item { Text(stringResource(R.string.gate_parcels_waiting), style = MaterialTheme.typography.titleLarge) }
            }
            items(state.parcelsWaiting) { p ->
                Row(Modifier.fillMaxWidth().padding(vertical = 2.dp)) {
                    Column(Modifier.weight(1f)) {
                        Text(p.summary)
                        Text(stringResource(R.string.gate_since, p.since.shownIn(offset)), style = MaterialTheme.typography.bodySmall)
                    }
                    TextButton(onClick = { collecting = p }) { Text(stringResource(R.string.gate_parcel_pick_up)) }
                }
            }
            item { PassCheckCard(state.lastPass, state.lateRevocations) { text -> scope.launch { vm.checkPass(text) } } }
            item {
                Row {
                    Text(stringResource(R.string.gate_entries_today), style = MaterialTheme.typography.titleLarge)
                    HistoryButton(session, state.gateDayDoc)
                }
            }
            items(state.entries) { e ->
                val colors = if (e.flagged) {
                    CardDefaults.cardColors(containerColor = MaterialTheme.colorScheme.errorContainer)
                } else CardDefaults.cardColors()
                // An entry opens its gate day's history.
                Card(Modifier.fillMaxWidth().padding(vertical = 2.dp).clickable { historyOf = e.recordId }, colors = colors) {
                    Row(Modifier.padding(8.dp)) {
                        // The kind in words, with a visitor's pass type or an incident's
                        // severity: a fever reading, an incident or a pass not let through
                        // stands out in red. A visitor's summary ends with the address visited.
                        val color = if (e.flagged) MaterialTheme.colorScheme.error else MaterialTheme.colorScheme.primary
                        Text(listOfNotNull(e.label, e.passType, e.severity).map { text(it) }.joinToString(" · ") + " ", color = color)
                        Text(listOfNotNull(e.at.shownIn(offset), e.member, e.summary.ifEmpty { null }).joinToString("  "))
                    }
                }
            }
            item {
                Row {
                    Text(stringResource(R.string.gate_week_roster), style = MaterialTheme.typography.titleLarge)
                    HistoryButton(session, state.rosterDoc)
                }
            }
            items(state.week) { shift ->
                Column(Modifier.padding(vertical = 4.dp)) {
                    Text("${shift.label}  ${shift.start.shownIn(offset)} – ${shift.end.shownIn(offset)}")
                    for (slot in shift.slots) {
                        Row {
                            Text(text(UiText(Keys.of(slot.role))) + "：" + (slot.memberName ?: stringResource(R.string.gate_nobody)))
                            if (slot.memberId == session.credentials.memberId) {
                                TextButton(onClick = { picking = SlotPick(shift.shiftId, slot.slotId, swap = true) }) {
                                    Text(stringResource(R.string.gate_request_swap))
                                }
                            }
                            if (state.canBuildRoster) {
                                TextButton(onClick = { picking = SlotPick(shift.shiftId, slot.slotId, swap = false) }) {
                                    Text(stringResource(R.string.gate_assign_slot))
                                }
                            }
                        }
                    }
                    HorizontalDivider()
                }
            }
            if (state.canBuildRoster) {
                item {
                    Row(horizontalArrangement = Arrangement.spacedBy(8.dp)) {
                        OutlinedButton(onClick = { form = GateForm.SHIFT }) { Text(stringResource(R.string.gate_add_shift)) }
                        OutlinedButton(onClick = { issuing = true }) { Text(stringResource(R.string.gate_issue_pass)) }
                    }
                }
            }
            item { Text(stringResource(R.string.gate_swaps), style = MaterialTheme.typography.titleLarge) }
            items(state.swaps) { swap ->
                Row {
                    Text("${swap.from} → ${swap.to}  " + text(swap.status))
                    if (swap.toMe) {
                        TextButton(onClick = { scope.launch { vm.acceptSwap(swap.swapId) } }) {
                            Text(stringResource(R.string.gate_accept_swap))
                        }
                    }
                    if (state.canBuildRoster) {
                        TextButton(onClick = { scope.launch { vm.approveSwap(swap.swapId) } }) {
                            Text(stringResource(R.string.gate_approve_swap))
                        }
                    }
                }
            }
        }
    }
    if (issuing) {
        IssuePassDialog(state.buildings, state.issuedPass, onDismiss = { issuing = false }) { request ->
            scope.launch { vm.issuePass(request) }
        }
    }
    picking?.let { pick ->
        MemberPicker(vm, onDismiss = { picking = null }) { member ->
            scope.launch {
                if (pick.swap) vm.requestSwap(pick.shiftId, pick.slotId, member)
                else vm.assignSlot(pick.shiftId, pick.slotId, member)
                picking = null
            }
        }
    }
    if (handingOver) {
        HandoverDialog(state.handoverTo, onDismiss = { handingOver = false }) { member ->
            scope.launch { if (vm.handOver(member)) handingOver = false }
        }
    }
    collecting?.let { parcel ->
        PickUpDialog(parcel, onDismiss = { collecting = null }) { who ->
            scope.launch { if (vm.pickUp(parcel.id, who)) collecting = null }
        }
    }
    historyOf?.let { doc -> HistoryDialog(session, doc, onDismiss = { historyOf = null }) }
    form?.let { f ->
        val choices: List<Choice<*>> = when (f) {
            GateForm.VISITOR -> state.passTypes
            GateForm.INCIDENT -> state.severities
            else -> emptyList()
        }
        val places = if (f == GateForm.VISITOR) state.visitPlaces else emptyList()
        GateFormDialog(f, choices, places, onDismiss = { form = null }) { v, chosen, place ->
            scope.launch {
                val saved = when (f) {
                    GateForm.VISITOR -> vm.registerVisitor(v[0], v[1], v[2], state.passTypes[chosen].value, place, v[3])
                    GateForm.VEHICLE -> vm.registerVehicle(v[0], v[1])
                    GateForm.VEHICLE_EXIT -> vm.vehicleLeft(v[0])
                    GateForm.PARCEL -> vm.registerParcel(v[0], v[1])
                    GateForm.TEMPERATURE -> v[1].toDoubleOrNull()?.let { vm.recordTemperature(v[0], it) } != null
                    GateForm.PATROL -> vm.recordPatrol(v[0]) != null
                    GateForm.INCIDENT -> vm.recordIncident(v[0], state.severities[chosen].value)
                    // Times typed as HH:mm, today in the community's time (the core reads them).
                    GateForm.SHIFT -> vm.addShift(v[0], v[1], v[2], v[3]) != null
                }
                // A refused form stays open with what was typed; the notice says why.
                if (saved) form = null
            }
        }
    }
}

/** A roster slot being given to someone: by swap request, or by the gate lead directly. */
private data class SlotPick(val shiftId: String, val slotId: String, val swap: Boolean)

/** The gate's members to choose from. */
@Composable
private fun MemberPicker(vm: GateDutyViewModel, onDismiss: () -> Unit, onPick: (String) -> Unit) {
    var members by remember { mutableStateOf<List<MemberRow>>(emptyList()) }
    LaunchedEffect(vm) { members = vm.gateMembers() }
    AlertDialog(
        onDismissRequest = onDismiss,
        title = { Text(stringResource(R.string.field_member)) },
        confirmButton = {},
        dismissButton = { TextButton(onClick = onDismiss) { Text(stringResource(R.string.action_cancel)) } },
        text = {
            Column {
                for (m in members) {
                    TextButton(onClick = { onPick(m.id) }) {
                        Text(m.name + "  " + m.roles.joinToString(" ") { text(UiText(Keys.of(it.role))) })
                    }
                }
            }
        },
    )
}

/** 核验通行证: a scanned or typed pass checked offline, the result large, red unless valid. */
@Composable
private fun PassCheckCard(last: PassCheckItem?, lateRevocations: Int, onCheck: (String) -> Unit) {
    var text by remember { mutableStateOf("") }
    var scanning by remember { mutableStateOf(false) }
    Card(Modifier.fillMaxWidth().padding(vertical = 8.dp)) {
        Column(Modifier.padding(12.dp)) {
            Text(stringResource(R.string.gate_pass_title), style = MaterialTheme.typography.titleLarge)
            OutlinedTextField(text, { text = it }, label = { Text(stringResource(R.string.gate_pass_text)) },
                modifier = Modifier.fillMaxWidth(), singleLine = true)
            Row(horizontalArrangement = Arrangement.spacedBy(8.dp)) {
                Button(onClick = { onCheck(text); text = "" }, enabled = text.isNotBlank()) {
                    Text(stringResource(R.string.gate_pass_check))
                }
                OutlinedButton(onClick = { scanning = true }) { Text(stringResource(R.string.gate_pass_scan)) }
            }
            if (scanning) {
                CodeScanner(onCode = { scanning = false; onCheck(it) }, onClose = { scanning = false })
            }
            if (last != null) {
                val color = if (last.letThrough) MaterialTheme.colorScheme.primary else MaterialTheme.colorScheme.error
                Text(text(last.label), color = color, style = MaterialTheme.typography.headlineSmall)
                last.kind?.let { Text(text(it)) }
                last.holder?.let { Text(stringResource(R.string.gate_pass_holder, it)) }
            }
            if (lateRevocations > 0) {
                Text(stringResource(R.string.gate_late_revocations, lateRevocations.toString()),
                    color = MaterialTheme.colorScheme.error)
            }
        }
    }
}

/** 签发通行证: the holder named by building, unit, room and name (the gate phone lists no
 * residents); the pass the relay signed is shown as a QR code to photograph or print. */
@Composable
private fun IssuePassDialog(
    buildings: List<PlaceRow>,
    issued: PassSigned?,
    onDismiss: () -> Unit,
    onIssue: (PassRequestForm) -> Unit,
) {
    var building by remember { mutableStateOf(buildings.firstOrNull()?.id ?: "") }
    var unit by remember { mutableStateOf("") }
    var room by remember { mutableStateOf("") }
    var name by remember { mutableStateOf("") }
    var kind by remember { mutableStateOf(PassKind.RESIDENT) }
    var days by remember { mutableStateOf("7") }
    AlertDialog(
        onDismissRequest = onDismiss,
        title = { Text(stringResource(R.string.gate_issue_pass)) },
        text = {
            Column {
                Row { for (b in buildings) TextButton(onClick = { building = b.id }) { Text((if (b.id == building) "● " else "") + b.name) } }
                Field(stringResource(R.string.gate_pass_unit), unit) { unit = it }
                Field(stringResource(R.string.gate_pass_room), room) { room = it }
                Field(stringResource(R.string.gate_pass_name), name) { name = it }
                Row { for (k in PassKind.entries) TextButton(onClick = { kind = k }) { Text((if (k == kind) "● " else "") + text(UiText(Keys.of(k)))) } }
                Field(stringResource(R.string.gate_pass_days), days) { days = it.filter(Char::isDigit) }
                issued?.let {
                    Text(stringResource(R.string.gate_pass_holder, it.holder))
                    QrImage(qrCode(it.text))
                }
            }
        },
        confirmButton = {
            Button(enabled = building.isNotEmpty() && room.isNotBlank() && name.isNotBlank(), onClick = {
                val n = (days.toIntOrNull() ?: 1).coerceIn(1, 366)
                onIssue(PassRequestForm(building, unit, room, name, kind, n))
            }) { Text(stringResource(R.string.gate_issue_pass_submit)) }
        },
        dismissButton = { TextButton(onClick = onDismiss) { Text(stringResource(R.string.action_cancel)) } },
    )
}
