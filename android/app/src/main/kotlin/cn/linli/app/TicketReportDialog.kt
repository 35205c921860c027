// The tickets screen's report form: the category, the place (one of the member's buildings and
// gates, or typed), what is wrong, the channel it came by (走访, 12345, 微信群, 来访 …) and the
// photos taken for it with the camera; a refused camera is said and the form keeps what it holds.
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
import androidx.compose.material3.OutlinedButton
import androidx.compose.material3.Text
import androidx.compose.material3.TextButton
import androidx.compose.runtime.Composable
import androidx.compose.runtime.collectAsState
import androidx.compose.runtime.getValue
import androidx.compose.runtime.rememberCoroutineScope
import androidx.compose.ui.Modifier
import androidx.compose.ui.res.stringResource
import androidx.compose.ui.unit.dp
import cn.linli.viewmodels.TicketPhoto
import cn.linli.viewmodels.TicketReportForm
import cn.linli.viewmodels.TicketsState
import cn.linli.viewmodels.TicketsViewModel
import kotlinx.coroutines.launch

@Composable
fun TicketReportDialog(vm: TicketsViewModel, state: TicketsState, form: TicketReportForm) {
    val scope = rememberCoroutineScope()
    val notice by vm.notice.collectAsState()
    val takePhoto = rememberPhotoTaker(
        onPhoto = { bytes -> scope.launch { vm.addPhoto(bytes) } },
        onRefused = vm::cameraRefused,
    )
    AlertDialog(
        onDismissRequest = vm::cancelReport,
        title = { Text(stringResource(R.string.ticket_report)) },
        confirmButton = { Button(onClick = { scope.launch { vm.submitReport() } }) { Text(stringResource(R.string.ticket_report)) } },
        dismissButton = { TextButton(onClick = vm::cancelReport) { Text(stringResource(R.string.action_cancel)) } },
        text = {
            Column(Modifier.verticalScroll(rememberScrollState())) {
                notice?.let { Text(text(it.text), color = if (it.isError) MaterialTheme.colorScheme.error else MaterialTheme.colorScheme.primary) }
                Text(stringResource(R.string.ticket_category))
                Row(Modifier.horizontalScroll(rememberScrollState())) {
                    for (c in state.categories) {
                        FilterChip(selected = c.value == form.category, onClick = { vm.editReport { it.copy(category = c.value) } },
                            label = { Text(text(c.label)) }, modifier = Modifier.padding(end = 4.dp))
                    }
                }
                Text(stringResource(R.string.ticket_place))
                Row(Modifier.horizontalScroll(rememberScrollState())) {
                    for (p in state.places) {
                        FilterChip(selected = p.id == form.placeId, onClick = { vm.editReport { it.copy(placeId = p.id) } },
                            label = { Text(p.name) }, modifier = Modifier.padding(end = 4.dp))
                    }
                    FilterChip(selected = form.placeId == null, onClick = { vm.editReport { it.copy(placeId = null) } },
                        label = { Text(stringResource(R.string.ticket_place_typed)) })
                }
                if (form.placeId == null) {
                    Field(stringResource(R.string.field_place_text), form.placeText) { typed -> vm.editReport { it.copy(placeText = typed) } }
                }
                Field(stringResource(R.string.ticket_description), form.description) { typed -> vm.editReport { it.copy(description = typed) } }
                Text(stringResource(R.string.ticket_channel))
                Row(Modifier.horizontalScroll(rememberScrollState())) {
                    for (c in state.channels) {
                        FilterChip(selected = c.value == form.channel, onClick = { vm.editReport { it.copy(channel = c.value) } },
                            label = { Text(text(c.label)) }, modifier = Modifier.padding(end = 4.dp))
                    }
                }
                Text(stringResource(R.string.ticket_photos))
                PhotoRow(form.photos.map { TicketPhoto(it.sha256, it.bytes) }, onRemove = vm::removePhoto)
                OutlinedButton(onClick = takePhoto) { Text(stringResource(R.string.ticket_add_photo)) }
            }
        },
    )
}
