// The office's day-end report on a tablet: headline figures, bar charts, and CSV to share.
package cn.linli.app

import android.content.Intent
import androidx.compose.foundation.background
import androidx.compose.foundation.layout.Box
import androidx.compose.foundation.layout.Column
import androidx.compose.foundation.layout.Row
import androidx.compose.foundation.layout.fillMaxWidth
import androidx.compose.foundation.layout.height
import androidx.compose.foundation.layout.padding
import androidx.compose.foundation.layout.width
import androidx.compose.foundation.lazy.LazyColumn
import androidx.compose.foundation.lazy.items
import androidx.compose.material3.Button
import androidx.compose.material3.MaterialTheme
import androidx.compose.material3.Text
import androidx.compose.runtime.Composable
import androidx.compose.runtime.LaunchedEffect
import androidx.compose.runtime.collectAsState
import androidx.compose.runtime.getValue
import androidx.compose.runtime.remember
import androidx.compose.runtime.rememberCoroutineScope
import androidx.compose.ui.Modifier
import androidx.compose.ui.platform.LocalContext
import androidx.compose.ui.res.stringResource
import androidx.compose.ui.unit.dp
import androidx.core.content.FileProvider
import cn.linli.viewmodels.OfficeViewModel
import cn.linli.viewmodels.Session
import java.io.File
import kotlinx.coroutines.launch

@Composable
fun OfficeScreen(session: Session) {
    val vm = remember(session) { OfficeViewModel(session) }
    val state by vm.state.collectAsState()
    val scope = rememberCoroutineScope()
    val context = LocalContext.current
    LaunchedEffect(vm) { vm.refresh() }
    LinliScaffold("${state.community} · ${state.date}", vm.notice) { padding ->
        LazyColumn(Modifier.padding(padding)) {
            item {
                Row {
                    Text(stringResource(R.string.office_total_visits, state.totalVisits.toString()), Modifier.padding(end = 16.dp))
                    Text(stringResource(R.string.office_households, state.householdsCovered.toString()), Modifier.padding(end = 16.dp))
                    Text(stringResource(R.string.office_watch, state.watchDone.toString(), state.watchDue.toString()))
                }
                Button(onClick = {
                    scope.launch {
                        val dir = File(context.cacheDir, "reports").apply { mkdirs() }
                        val file = vm.exportCsv(dir) ?: return@launch
                        val uri = FileProvider.getUriForFile(context, context.packageName + ".files", file)
                        val send = Intent(Intent.ACTION_SEND).setType("text/csv").putExtra(Intent.EXTRA_STREAM, uri)
                            .addFlags(Intent.FLAG_GRANT_READ_URI_PERMISSION)
                        context.startActivity(Intent.createChooser(send, null))
                    }
                }) { Text(stringResource(R.string.office_share_csv)) }
            }
            items(state.charts) { chart ->
                Column(Modifier.padding(vertical = 8.dp)) {
                    Text(text(chart.title), style = MaterialTheme.typography.titleLarge)
                    for (bar in chart.bars) {
                        Row(Modifier.fillMaxWidth().padding(vertical = 2.dp)) {
                            Text(text(bar.label), Modifier.width(140.dp))
                            Box(
                                Modifier.height(24.dp).fillMaxWidth(bar.fraction.coerceAtLeast(0.01f) * 0.7f)
                                    .background(MaterialTheme.colorScheme.primary),
                            )
                            Text(" ${bar.value}")
                        }
                    }
                }
            }
        }
    }
}
