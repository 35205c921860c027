// The needs list (需求清单 · 认领): open needs urgent first, the ones I hold, the served ones
// waiting for my confirmation, and this month's service time per member and per unit; one need
// with its services and a button for each step allowed now (claim, record a service, confirm).
package cn.linli.app

import androidx.compose.foundation.clickable
import androidx.compose.foundation.layout.Column
import androidx.compose.foundation.layout.fillMaxWidth
import androidx.compose.foundation.layout.padding
import androidx.compose.foundation.lazy.LazyColumn
import androidx.compose.foundation.lazy.items
import androidx.compose.material3.Card
import androidx.compose.material3.MaterialTheme
import androidx.compose.material3.OutlinedButton
import androidx.compose.material3.Tab
import androidx.compose.material3.TabRow
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
import cn.linli.core.SubjectKind
import cn.linli.viewmodels.Keys
import cn.linli.viewmodels.NeedAction
import cn.linli.viewmodels.NeedDetailState
import cn.linli.viewmodels.NeedItem
import cn.linli.viewmodels.NeedsViewModel
import cn.linli.viewmodels.ServiceHoursItem
import cn.linli.viewmodels.Session
import cn.linli.viewmodels.UiText
import kotlinx.coroutines.launch

@Composable
fun NeedsScreen(session: Session) {
    val vm = remember(session) { NeedsViewModel(session) }
    val state by vm.state.collectAsState()
    val scope = rememberCoroutineScope()
    var tab by remember { mutableStateOf(0) }
    LaunchedEffect(vm) { vm.refresh() }
    val detail = state.detail
    if (detail != null) {
        NeedDetail(vm, detail, state.utcOffsetMinutes)
        return
    }
    val tabs = listOf(R.string.needs_open, R.string.needs_mine, R.string.needs_to_confirm, R.string.needs_hours)
    LinliScaffold(stringResource(R.string.home_needs), vm.notice) { padding ->
        Column(Modifier.padding(padding)) {
            TabRow(selectedTabIndex = tab) {
                tabs.forEachIndexed { i, label -> Tab(selected = tab == i, onClick = { tab = i }, text = { Text(stringResource(label)) }) }
            }
            val needs = when (tab) {
                0 -> state.open
                1 -> state.mine
                2 -> state.toConfirm
                else -> emptyList()
            }
            LazyColumn {
                if (tab == 3) {
                    items(state.hours) { HoursRow(it) }
                } else {
                    if (needs.isEmpty()) item { Text(stringResource(R.string.needs_empty)) }
                    items(needs) { n -> NeedCard(n, state.utcOffsetMinutes) { scope.launch { vm.open(n.id) } } }
                }
            }
        }
    }
}

@Composable
private fun NeedCard(n: NeedItem, offset: Int, open: () -> Unit) {
    Card(Modifier.fillMaxWidth().padding(vertical = 4.dp).clickable(onClick = open)) {
        Column(Modifier.padding(12.dp)) {
            Text(text(n.category) + " · " + text(n.urgency) + " · " + text(n.status),
                color = if (n.urgent) MaterialTheme.colorScheme.error else MaterialTheme.colorScheme.onSurface)
            Text(n.description, style = MaterialTheme.typography.titleLarge)
            Text(n.address + " · " + n.recordedAt.shownIn(offset))
            holderLine(n.holder, n.holderUnit)?.let { Text(it) }
            if (n.minutes > 0) Text(stringResource(R.string.need_served, text(n.served)))
        }
    }
}

/** 认领人：name, with the unit it is held for. */
@Composable
private fun holderLine(holder: String?, unit: String?): String? = when {
    holder == null -> null
    unit == null -> stringResource(R.string.need_holder, holder)
    else -> stringResource(R.string.need_holder_unit, holder, unit)
}

@Composable
private fun HoursRow(h: ServiceHoursItem) {
    Column(Modifier.padding(vertical = 6.dp)) {
        val kind = if (h.isUnit) " · " + text(UiText(Keys.of(SubjectKind.UNIT))) else ""
        Text(h.name + kind, style = MaterialTheme.typography.titleLarge)
        Text(stringResource(R.string.needs_hours_line, h.services.toString(), text(h.time), text(h.confirmedTime)))
    }
}

@Composable
private fun NeedDetail(vm: NeedsViewModel, n: NeedDetailState, offset: Int) {
    val scope = rememberCoroutineScope()
    var serving by remember { mutableStateOf(false) }
    LinliScaffold(text(n.category) + " · " + text(n.urgency), vm.notice) { padding ->
        LazyColumn(Modifier.padding(padding)) {
            item {
                TextButton(onClick = vm::close) { Text("←") }
                Text(n.description, style = MaterialTheme.typography.titleLarge)
                Text(n.address)
                Text(text(n.status))
                Text(stringResource(R.string.need_recorded_by, n.recordedBy, n.recordedAt.shownIn(offset)))
                holderLine(n.holder, n.holderUnit)?.let { Text(it) }
                n.confirmedBy?.let { Text(stringResource(R.string.need_confirmed_by, it), color = MaterialTheme.colorScheme.primary) }
                for (a in n.actions) {
                    OutlinedButton(
                        onClick = {
                            when (a) {
                                NeedAction.CLAIM -> scope.launch { vm.claim() }
                                NeedAction.RECORD_SERVICE -> serving = true
                                NeedAction.CONFIRM -> scope.launch { vm.confirm() }
                            }
                        },
                        modifier = Modifier.fillMaxWidth().padding(vertical = 2.dp),
                    ) { Text(stringResource(actionLabel(a))) }
                }
                if (n.services.isNotEmpty()) Text(stringResource(R.string.need_services), style = MaterialTheme.typography.titleLarge)
            }
            items(n.services) { s ->
                Column(Modifier.padding(vertical = 4.dp)) {
                    val who = s.unit?.let { "${s.by}（$it）" } ?: s.by
                    Text(stringResource(R.string.need_service_line, who, s.at.shownIn(offset), text(s.time)))
                    if (s.note.isNotEmpty()) Text(s.note)
                }
            }
        }
    }
    if (serving) {
        ServiceDialog(onDismiss = { serving = false }) { minutes, note ->
            scope.launch { if (vm.recordService(minutes, note)) serving = false }
        }
    }
}

private fun actionLabel(a: NeedAction): Int = when (a) {
    NeedAction.CLAIM -> R.string.need_claim
    NeedAction.RECORD_SERVICE -> R.string.need_record_service
    NeedAction.CONFIRM -> R.string.need_confirm
}
