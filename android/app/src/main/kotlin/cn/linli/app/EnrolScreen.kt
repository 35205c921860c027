// Enrolment: relay address and one-time code, typed or scanned.
package cn.linli.app

import androidx.compose.foundation.layout.Column
import androidx.compose.foundation.layout.Spacer
import androidx.compose.foundation.layout.height
import androidx.compose.foundation.layout.padding
import androidx.compose.material3.Button
import androidx.compose.material3.CircularProgressIndicator
import androidx.compose.material3.OutlinedButton
import androidx.compose.material3.Text
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
import kotlinx.coroutines.launch

@Composable
fun EnrolScreen(app: LinliApplication) {
    val vm = app.enrolment
    val state by vm.state.collectAsState()
    val scope = rememberCoroutineScope()
    var scanning by remember { mutableStateOf(false) }
    LinliScaffold(stringResource(R.string.enrol_title)) { padding ->
        Column(Modifier.padding(padding)) {
            if (state.opening) {
                CircularProgressIndicator()
                Text(stringResource(R.string.enrol_opening), modifier = Modifier.padding(vertical = 8.dp))
                return@Column
            }
            Field(stringResource(R.string.enrol_relay_label), state.relayUrl, vm::setRelayUrl)
            Field(stringResource(R.string.enrol_code_label), state.code, vm::setCode)
            OutlinedButton(onClick = { scanning = true }) { Text(stringResource(R.string.enrol_scan)) }
            if (scanning) {
                CodeScanner(onCode = { vm.onScanned(it); scanning = false }, onClose = { scanning = false })
            }
            state.error?.let { Text(text(it), modifier = Modifier.padding(vertical = 8.dp)) }
            Spacer(Modifier.height(16.dp))
            if (state.busy) {
                CircularProgressIndicator()
            } else {
                Button(onClick = { scope.launch { vm.enrol()?.let(app::open) } }) {
                    Text(stringResource(R.string.enrol_submit))
                }
            }
        }
    }
}
