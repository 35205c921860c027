// The gate screen's forms: the register's (a visitor with the pass type chosen and the address
// visited — a building or lane the phone knows, and the unit and room as said —, a vehicle in
// or out, a parcel, a temperature, a patrol note, an incident with its severity), the shift
// with its number of 安全员, the duty handed over to another duty member, and a parcel
// collected.
package cn.linli.app

import androidx.compose.foundation.horizontalScroll
import androidx.compose.foundation.layout.Column
import androidx.compose.foundation.layout.Row
import androidx.compose.foundation.layout.padding
import androidx.compose.foundation.rememberScrollState
import androidx.compose.material3.AlertDialog
import androidx.compose.material3.Button
import androidx.compose.material3.FilterChip
import androidx.compose.material3.Text
import androidx.compose.material3.TextButton
import androidx.compose.runtime.Composable
import androidx.compose.runtime.getValue
import androidx.compose.runtime.mutableStateOf
import androidx.compose.runtime.remember
import androidx.compose.runtime.setValue
import androidx.compose.ui.Modifier
import androidx.compose.ui.res.stringResource
import androidx.compose.ui.unit.dp
import cn.linli.core.PlaceRow
import cn.linli.viewmodels.Choice
import cn.linli.viewmodels.MemberItem
import cn.linli.viewmodels.ParcelItem

internal enum class GateForm { VISITOR, VEHICLE, VEHICLE_EXIT, PARCEL, TEMPERATURE, PATROL, INCIDENT, SHIFT }

/** The fields of each form, by their labels. */
private fun fieldsOf(form: GateForm): List<Int> = when (form) {
    GateForm.VISITOR -> listOf(R.string.field_name, R.string.field_phone, R.string.field_purpose, R.string.gate_visit_room)
    GateForm.VEHICLE -> listOf(R.string.field_plate, R.string.field_purpose)
    GateForm.VEHICLE_EXIT -> listOf(R.string.field_plate)
    GateForm.PARCEL -> listOf(R.string.field_recipient, R.string.field_carrier)
    GateForm.TEMPERATURE -> listOf(R.string.field_person, R.string.field_temperature)
    GateForm.PATROL, GateForm.INCIDENT -> listOf(R.string.field_note)
    GateForm.SHIFT -> listOf(R.string.field_label, R.string.field_start, R.string.field_end, R.string.field_officers)
}

/**
 * One of the gate's forms: its fields, and for a visitor its pass type and for an incident its
 * severity as chips (`choices`, the first chosen at first); for a visitor, the building or lane
 * visited as chips too (`places`, none chosen at first). Saves the fields' text, in order, with
 * the index of the choice and the place chosen.
 */
@Composable
internal fun GateFormDialog(
    form: GateForm,
    choices: List<Choice<*>>,
    places: List<PlaceRow>,
    onDismiss: () -> Unit,
    onSave: (List<String>, Int, String?) -> Unit,
) {
    val labels = fieldsOf(form)
    // The shift's 安全员: one unless another number is typed.
    var values by remember(form) { mutableStateOf(labels.map { if (it == R.string.field_officers) "1" else "" }) }
    var chosen by remember(form) { mutableStateOf(0) }
    var place by remember(form) { mutableStateOf<String?>(null) }
    AlertDialog(
        onDismissRequest = onDismiss,
        confirmButton = { Button(onClick = { onSave(values, chosen, place) }) { Text(stringResource(R.string.action_save)) } },
        dismissButton = { TextButton(onClick = onDismiss) { Text(stringResource(R.string.action_cancel)) } },
        text = {
            Column {
                if (places.isNotEmpty()) {
                    Text(stringResource(R.string.gate_visit_building))
                    Row(Modifier.horizontalScroll(rememberScrollState())) {
                        FilterChip(selected = place == null, onClick = { place = null },
                            label = { Text(stringResource(R.string.gate_visit_none)) }, modifier = Modifier.padding(end = 4.dp))
                        for (p in places) {
                            FilterChip(selected = place == p.id, onClick = { place = p.id }, label = { Text(p.name) },
                                modifier = Modifier.padding(end = 4.dp))
                        }
                    }
                }
                labels.forEachIndexed { i, label ->
                    Field(stringResource(label), values[i]) { v -> values = values.toMutableList().also { it[i] = v } }
                }
                if (choices.isNotEmpty()) {
                    Row(Modifier.horizontalScroll(rememberScrollState())) {
                        choices.forEachIndexed { i, c ->
                            FilterChip(selected = i == chosen, onClick = { chosen = i }, label = { Text(text(c.label)) },
                                modifier = Modifier.padding(end = 4.dp))
                        }
                    }
                }
            }
        },
    )
}

/** 交接班: the gate's other duty members, by name. */
@Composable
internal fun HandoverDialog(members: List<MemberItem>, onDismiss: () -> Unit, onPick: (String) -> Unit) {
    AlertDialog(
        onDismissRequest = onDismiss,
        title = { Text(stringResource(R.string.field_to_member)) },
        confirmButton = {},
        dismissButton = { TextButton(onClick = onDismiss) { Text(stringResource(R.string.action_cancel)) } },
        text = {
            Column { for (m in members) TextButton(onClick = { onPick(m.id) }) { Text(m.name) } }
        },
    )
}

/** A parcel collected: by its recipient unless another name is typed. */
@Composable
internal fun PickUpDialog(parcel: ParcelItem, onDismiss: () -> Unit, onSave: (String) -> Unit) {
    var who by remember(parcel.id) { mutableStateOf("") }
    AlertDialog(
        onDismissRequest = onDismiss,
        title = { Text(parcel.summary) },
        confirmButton = { Button(onClick = { onSave(who) }) { Text(stringResource(R.string.action_save)) } },
        dismissButton = { TextButton(onClick = onDismiss) { Text(stringResource(R.string.action_cancel)) } },
        text = { Field(stringResource(R.string.gate_collected_by_hint), who) { who = it } },
    )
}
