// A resident's moves, recorded by a lead or the office from the household's screen: moved in on
// a day (and, for a returnee, where from), moved out on a day (`YYYY-MM-DD`). What is left empty
// stays as recorded; a day that is not one is refused in words and the form stays open.
package cn.linli.app

import androidx.compose.foundation.layout.Column
import androidx.compose.material3.AlertDialog
import androidx.compose.material3.Button
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
import androidx.compose.ui.res.stringResource
import cn.linli.viewmodels.HouseholdViewModel
import cn.linli.viewmodels.ResidentItem
import kotlinx.coroutines.launch

@Composable
fun ResidentMovesDialog(vm: HouseholdViewModel, resident: ResidentItem, onDismiss: () -> Unit) {
    val scope = rememberCoroutineScope()
    val notice by vm.notice.collectAsState()
    var movedIn by remember { mutableStateOf("") }
    var movedOut by remember { mutableStateOf("") }
    var arrivedFrom by remember { mutableStateOf("") }
    AlertDialog(
        onDismissRequest = onDismiss,
        title = { Text(resident.name + " · " + stringResource(R.string.household_moves)) },
        confirmButton = {
            Button(onClick = {
                scope.launch {
                    val saved = vm.setMoves(resident.id, movedIn.ifBlank { null }, movedOut.ifBlank { null }, arrivedFrom.ifBlank { null })
                    if (saved) onDismiss()
                }
            }) { Text(stringResource(R.string.action_save)) }
        },
        dismissButton = { TextButton(onClick = onDismiss) { Text(stringResource(R.string.action_cancel)) } },
        text = {
            Column {
                notice?.let { if (it.isError) Text(text(it.text), color = MaterialTheme.colorScheme.error) }
                for (m in resident.moves) Text(text(m))
                Field(stringResource(R.string.field_moved_in), movedIn) { movedIn = it }
                Field(stringResource(R.string.field_arrived_from), arrivedFrom) { arrivedFrom = it }
                Field(stringResource(R.string.field_moved_out), movedOut) { movedOut = it }
            }
        },
    )
}
