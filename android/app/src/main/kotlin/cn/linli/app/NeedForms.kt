// The needs list's forms: a need recorded from a household (what, how soon, in words), and a
// service recorded with the minutes spent as typed and what was done.
package cn.linli.app

import androidx.compose.foundation.layout.Column
import androidx.compose.foundation.layout.Row
import androidx.compose.foundation.layout.padding
import androidx.compose.foundation.lazy.LazyColumn
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
import cn.linli.core.NeedCategory
import cn.linli.core.Urgency
import cn.linli.viewmodels.Keys
import cn.linli.viewmodels.NeedsViewModel
import cn.linli.viewmodels.Session
import cn.linli.viewmodels.UiText
import kotlinx.coroutines.launch

/** Records a need of one household (its building's lead, or the office); closes once saved. */
@Composable
fun RecordNeedDialog(session: Session, householdId: String, onDismiss: () -> Unit) {
    val vm = remember(session) { NeedsViewModel(session) }
    val notice by vm.notice.collectAsState()
    val scope = rememberCoroutineScope()
    var category by remember { mutableStateOf(NeedCategory.OTHER) }
    var urgency by remember { mutableStateOf(Urgency.NORMAL) }
    var description by remember { mutableStateOf("") }
    AlertDialog(
        onDismissRequest = onDismiss,
        title = { Text(stringResource(R.string.need_record)) },
        confirmButton = {
            Button(onClick = {
                scope.launch { if (vm.recordNeed(householdId, category, urgency, description)) onDismiss() }
            }) { Text(stringResource(R.string.action_save)) }
        },
        dismissButton = { TextButton(onClick = onDismiss) { Text(stringResource(R.string.action_cancel)) } },
        text = {
            LazyColumn {
                item {
                    notice?.let { Text(text(it.text), color = if (it.isError) MaterialTheme.colorScheme.error else MaterialTheme.colorScheme.primary) }
                    Text(stringResource(R.string.need_category))
                    for (c in NeedCategory.entries) {
                        FilterChip(selected = c == category, onClick = { category = c }, label = { Text(text(UiText(Keys.of(c)))) })
                    }
                    Text(stringResource(R.string.need_urgency))
                    Row {
                        for (u in Urgency.entries) {
                            FilterChip(selected = u == urgency, onClick = { urgency = u }, label = { Text(text(UiText(Keys.of(u)))) },
                                modifier = Modifier.padding(end = 8.dp))
                        }
                    }
                    Field(stringResource(R.string.need_description), description) { description = it }
                }
            }
        },
    )
}

/** The minutes spent, as typed (the view model refuses what is not a number), and what was done. */
@Composable
fun ServiceDialog(onDismiss: () -> Unit, onSave: (String, String) -> Unit) {
    var minutes by remember { mutableStateOf("") }
    var note by remember { mutableStateOf("") }
    AlertDialog(
        onDismissRequest = onDismiss,
        title = { Text(stringResource(R.string.need_record_service)) },
        confirmButton = { Button(onClick = { onSave(minutes, note) }) { Text(stringResource(R.string.action_save)) } },
        dismissButton = { TextButton(onClick = onDismiss) { Text(stringResource(R.string.action_cancel)) } },
        text = {
            Column {
                Field(stringResource(R.string.field_minutes), minutes) { minutes = it }
                Field(stringResource(R.string.field_note), note) { note = it }
            }
        },
    )
}
