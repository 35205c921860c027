// Sync: last contact, what waits to go, photos pending, conflicts by record and field with both
// values and who made them (keep one, or enter a new value), the changes not accepted (未被接受的
// 修改) with why, "sync now" with progress, the revoked-device notice with the wipe, and the
// unsent work handed over as a file when the phone can no longer sync or signs out offline.
package cn.linli.app

import androidx.compose.foundation.layout.Column
import androidx.compose.foundation.layout.Row
import androidx.compose.foundation.layout.fillMaxWidth
import androidx.compose.foundation.layout.padding
import androidx.compose.foundation.lazy.LazyColumn
import androidx.compose.foundation.lazy.items
import androidx.compose.material3.Button
import androidx.compose.material3.Card
import androidx.compose.material3.LinearProgressIndicator
import androidx.compose.material3.MaterialTheme
import androidx.compose.material3.OutlinedButton
import androidx.compose.material3.OutlinedTextField
import androidx.compose.material3.Text
import androidx.compose.runtime.Composable
import androidx.compose.runtime.LaunchedEffect
import androidx.compose.runtime.collectAsState
import androidx.compose.runtime.getValue
import androidx.compose.runtime.mutableStateOf
import androidx.compose.runtime.remember
import androidx.compose.runtime.setValue
import androidx.compose.runtime.rememberCoroutineScope
import androidx.compose.ui.Modifier
import androidx.compose.ui.platform.LocalContext
import androidx.compose.ui.res.stringResource
import androidx.compose.ui.unit.dp
import cn.linli.viewmodels.SyncViewModel
import kotlinx.coroutines.launch

@Composable
fun SyncScreen(app: LinliApplication, vm: SyncViewModel) {
    val state by vm.state.collectAsState()
    val scope = rememberCoroutineScope()
    val context = LocalContext.current
    LaunchedEffect(vm) { vm.refresh() }
    LinliScaffold(stringResource(R.string.home_sync), vm.notice) { padding ->
        LazyColumn(Modifier.padding(padding)) {
            item {
                if (state.exportOffered) {
                    Button(onClick = { scope.launch { vm.exportUnsent()?.let { shareUnsent(context, it) } } },
                        modifier = Modifier.fillMaxWidth().padding(vertical = 8.dp)) {
                        Text(stringResource(R.string.sync_export_unsent))
                    }
                }
                if (state.revoked) {
                    Text(stringResource(R.string.sync_revoked_body), color = MaterialTheme.colorScheme.error,
                        style = MaterialTheme.typography.titleLarge)
                    Button(onClick = { scope.launch { vm.wipe(app.credentials); app.forget() } }) {
                        Text(stringResource(R.string.sync_wipe))
                    }
                    return@item
                }
                Text(state.lastContact?.let { stringResource(R.string.sync_last_contact, it.shown()) }
                    ?: stringResource(R.string.sync_never))
                Text(stringResource(R.string.sync_waiting, state.waiting.toString()))
                if (state.held > 0) Text(stringResource(R.string.sync_held, state.held.toString()))
                if (state.photosPending > 0) Text(stringResource(R.string.sync_photos_pending, state.photosPending.toString()))
                val p = state.progress
                if (state.running && p != null) {
                    Text(text(p.label))
                    if (p.total > 0) {
                        LinearProgressIndicator(progress = { p.done.toFloat() / p.total }, modifier = Modifier.fillMaxWidth())
                    } else {
                        LinearProgressIndicator(modifier = Modifier.fillMaxWidth())
                    }
                    OutlinedButton(onClick = vm::cancelSync) { Text(stringResource(R.string.sync_cancel)) }
                } else {
                    Button(onClick = { scope.launch { vm.syncNow() } }, modifier = Modifier.fillMaxWidth().padding(vertical = 8.dp)) {
                        Text(stringResource(R.string.sync_now))
                    }
                }
                if (!state.running) {
                    OutlinedButton(onClick = { scope.launch { if (vm.signOut(app.credentials)) app.forget() } },
                        modifier = Modifier.fillMaxWidth()) {
                        Text(stringResource(R.string.sync_sign_out))
                    }
                    if (state.signOutWouldLose != null) {
                        OutlinedButton(onClick = { scope.launch { if (vm.signOut(app.credentials, force = true)) app.forget() } },
                            modifier = Modifier.fillMaxWidth()) {
                            Text(stringResource(R.string.sync_sign_out_anyway), color = MaterialTheme.colorScheme.error)
                        }
                    }
                }
                if (state.conflicts.isNotEmpty()) {
                    Text(stringResource(R.string.sync_conflicts), style = MaterialTheme.typography.titleLarge)
                }
            }
            items(state.conflicts) { c ->
                var newValue by remember(c.docId, c.field) { mutableStateOf("") }
                Card(Modifier.fillMaxWidth().padding(vertical = 4.dp)) {
                    Column(Modifier.padding(12.dp)) {
                        Text(c.recordName, style = MaterialTheme.typography.titleLarge)
                        Text(text(c.fieldLabel), style = MaterialTheme.typography.titleMedium)
                        c.choices.forEachIndexed { i, choice ->
                            Row {
                                Text(choice.display + "  " + stringResource(R.string.sync_conflict_by, choice.memberName, choice.device),
                                    modifier = Modifier.weight(1f))
                                OutlinedButton(onClick = { scope.launch { vm.resolve(c, i) } }) {
                                    Text(stringResource(R.string.sync_conflict_keep))
                                }
                            }
                        }
                        Row {
                            OutlinedTextField(newValue, { newValue = it }, Modifier.weight(1f),
                                label = { Text(stringResource(R.string.sync_conflict_new_value)) }, singleLine = true)
                            OutlinedButton(onClick = { scope.launch { vm.resolveWithValue(c, newValue) } },
                                enabled = newValue.isNotBlank()) {
                                Text(stringResource(R.string.sync_conflict_use_value))
                            }
                        }
                    }
                }
            }
            if (state.setAside.isNotEmpty()) {
                item {
                    Text(stringResource(R.string.sync_set_aside_title), style = MaterialTheme.typography.titleLarge)
                    Text(stringResource(R.string.sync_set_aside_hint))
                }
            }
            items(state.setAside, key = { it.id }) { c ->
                Card(Modifier.fillMaxWidth().padding(vertical = 4.dp)) {
                    Column(Modifier.padding(12.dp)) {
                        Text(c.recordName, style = MaterialTheme.typography.titleMedium)
                        Text(listOfNotNull(text(c.action), c.at.shownIn(state.utcOffsetMinutes), c.member).joinToString(" · "))
                        Text(text(c.why), color = MaterialTheme.colorScheme.error)
                    }
                }
            }
        }
    }
}
