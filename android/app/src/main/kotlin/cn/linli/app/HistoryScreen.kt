// A record's history (修改记录) as a dialog over the screen that opened it (a household, a ticket,
// the gate's day or its roster week): each change newest first, when in the community's time,
// who, what in words, and from which device.
package cn.linli.app

import androidx.compose.foundation.layout.Column
import androidx.compose.foundation.layout.fillMaxWidth
import androidx.compose.foundation.layout.padding
import androidx.compose.foundation.lazy.LazyColumn
import androidx.compose.foundation.lazy.items
import androidx.compose.material3.AlertDialog
import androidx.compose.material3.MaterialTheme
import androidx.compose.material3.Text
import androidx.compose.material3.TextButton
import androidx.compose.runtime.Composable
import androidx.compose.runtime.LaunchedEffect
import androidx.compose.runtime.collectAsState
import androidx.compose.runtime.getValue
import androidx.compose.runtime.mutableStateOf
import androidx.compose.runtime.remember
import androidx.compose.runtime.setValue
import androidx.compose.ui.Modifier
import androidx.compose.ui.res.stringResource
import androidx.compose.ui.unit.dp
import cn.linli.viewmodels.HistoryViewModel
import cn.linli.viewmodels.Session

/** The "修改记录" button: opens the history of `docId` (none shown while there is no record). */
@Composable
fun HistoryButton(session: Session, docId: String?) {
    var open by remember { mutableStateOf(false) }
    if (docId == null) return
    TextButton(onClick = { open = true }) { Text(stringResource(R.string.history_open)) }
    if (open) HistoryDialog(session, docId, onDismiss = { open = false })
}

@Composable
fun HistoryDialog(session: Session, docId: String, onDismiss: () -> Unit) {
    val vm = remember(docId) { HistoryViewModel(session, docId) }
    val state by vm.state.collectAsState()
    val notice by vm.notice.collectAsState()
    LaunchedEffect(vm) { vm.refresh() }
    AlertDialog(
        onDismissRequest = onDismiss,
        title = { Text(stringResource(R.string.history_title)) },
        confirmButton = { TextButton(onClick = onDismiss) { Text(stringResource(R.string.action_cancel)) } },
        text = {
            LazyColumn {
                item { Text(state.title, style = MaterialTheme.typography.titleMedium) }
                notice?.let { n -> item { Text(text(n.text), color = MaterialTheme.colorScheme.error) } }
                if (state.rows.isEmpty()) item { Text(stringResource(R.string.history_empty)) }
                items(state.rows) { row ->
                    Column(Modifier.fillMaxWidth().padding(vertical = 4.dp)) {
                        Text(text(row.action), style = MaterialTheme.typography.bodyLarge)
                        // A record's first change has no time of its own.
                        val at = if (row.timed) row.at.shownIn(state.utcOffsetMinutes) + "  " else ""
                        Text(at + text(row.member))
                        if (row.device.isNotEmpty()) {
                            Text(stringResource(R.string.history_device, row.device), style = MaterialTheme.typography.bodySmall)
                        }
                        if (row.changed > 0) {
                            Text(stringResource(R.string.history_changed, row.changed.toString()), style = MaterialTheme.typography.bodySmall)
                        }
                    }
                }
            }
        },
    )
}
