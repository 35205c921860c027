// Tickets: the four lists and a problem reported from anywhere (TicketReportDialog), a ticket's
// detail with its timeline, the channel it came by, each photo (or 照片待同步) and deadlines
// counting down, and a button for each action the member may take now; who answers for it
// (首问负责人, 包案领导), its departments' work orders with where each stands, and their
// questions to answer; the office or an area lead plans a joint action (联合行动) for it; its
// history (修改记录).
package cn.linli.app

import androidx.compose.foundation.clickable
import androidx.compose.foundation.horizontalScroll
import androidx.compose.foundation.layout.Column
import androidx.compose.foundation.layout.Row
import androidx.compose.foundation.layout.fillMaxWidth
import androidx.compose.foundation.layout.padding
import androidx.compose.foundation.lazy.LazyColumn
import androidx.compose.foundation.lazy.items
import androidx.compose.foundation.rememberScrollState
import androidx.compose.material3.AlertDialog
import androidx.compose.material3.Button
import androidx.compose.material3.Card
import androidx.compose.material3.FilterChip
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
import cn.linli.core.CaseActionKind
import cn.linli.core.Department
import cn.linli.core.Level
import cn.linli.core.TicketActionKind
import cn.linli.viewmodels.Keys
import cn.linli.viewmodels.MemberItem
import cn.linli.viewmodels.OrderQuestion
import cn.linli.viewmodels.PlaceItem
import cn.linli.viewmodels.Session
import cn.linli.viewmodels.TicketCommand
import cn.linli.viewmodels.TicketDetailState
import cn.linli.viewmodels.TicketItem
import cn.linli.viewmodels.TicketList
import cn.linli.viewmodels.TicketsViewModel
import cn.linli.viewmodels.UiText
import kotlinx.coroutines.launch

@Composable
fun TicketsScreen(session: Session) {
    val vm = remember(session) { TicketsViewModel(session) }
    val state by vm.state.collectAsState()
    val scope = rememberCoroutineScope()
    LaunchedEffect(vm) { vm.refresh() }
    val detail = state.detail
    if (detail != null) {
        TicketDetail(vm, session, detail)
        return
    }
    val lists = listOf(
        TicketList.Mine to R.string.tickets_mine,
        TicketList.Open to R.string.tickets_open,
        TicketList.Overdue to R.string.tickets_overdue,
        TicketList.AtLevel(Level.STREET) to R.string.tickets_by_level,
    )
    state.report?.let { TicketReportDialog(vm, state, it) }
    LinliScaffold(stringResource(R.string.home_tickets), vm.notice) { padding ->
        Column(Modifier.padding(padding)) {
            Button(onClick = vm::startReport, modifier = Modifier.fillMaxWidth().padding(bottom = 8.dp)) {
                Text(stringResource(R.string.ticket_report))
            }
            TabRow(selectedTabIndex = lists.indexOfFirst { it.first::class == state.list::class }.coerceAtLeast(0)) {
                for ((list, label) in lists) {
                    Tab(selected = list == state.list, onClick = { scope.launch { vm.show(list) } }, text = { Text(stringResource(label)) })
                }
            }
            if (state.list is TicketList.AtLevel) {
                Row {
                    for (level in Level.entries) {
                        FilterChip(selected = state.list == TicketList.AtLevel(level),
                            onClick = { scope.launch { vm.show(TicketList.AtLevel(level)) } },
                            label = { Text(text(UiText(Keys.of(level)))) })
                    }
                }
            }
            LazyColumn {
                items(state.items) { t ->
                    Card(Modifier.fillMaxWidth().padding(vertical = 4.dp).clickable { scope.launch { vm.open(t.id) } }) {
                        Column(Modifier.padding(12.dp)) {
                            Text(text(t.category) + " · " + text(t.status) + " · " + text(t.level))
                            Text(t.description, style = MaterialTheme.typography.titleLarge)
                            Text(t.place)
                            t.deadline?.let {
                                Text(text(it), color = if (t.overdue) MaterialTheme.colorScheme.error else MaterialTheme.colorScheme.primary)
                            }
                        }
                    }
                }
                if (state.hasMore) {
                    item {
                        TextButton(onClick = { scope.launch { vm.showMore() } }) { Text(stringResource(R.string.tickets_more)) }
                    }
                }
            }
        }
    }
}

@Composable
private fun TicketDetail(vm: TicketsViewModel, session: Session, t: TicketDetailState) {
    val scope = rememberCoroutineScope()
    var planning by remember { mutableStateOf(false) }
    var asking by remember { mutableStateOf<TicketActionKind?>(null) }
    var answering by remember { mutableStateOf<OrderQuestion?>(null) }
    val takePhoto = rememberPhotoTaker(
        onPhoto = { bytes -> scope.launch { vm.perform(TicketCommand.AttachPhoto(bytes)) } },
        onRefused = vm::cameraRefused,
    )
    LinliScaffold(text(t.category), vm.notice) { padding ->
        LazyColumn(Modifier.padding(padding)) {
            item {
                Row {
                    TextButton(onClick = vm::close) { Text("←") }
                    HistoryButton(session, t.id)
                }
                Text(t.description, style = MaterialTheme.typography.titleLarge)
                Text(t.place)
                Text(text(t.status) + " · " + text(t.level) + " · " + text(t.channel))
                t.replyDeadline?.let { Text(stringResource(R.string.ticket_reply_deadline, text(it))) }
                t.resolveDeadline?.let { Text(stringResource(R.string.ticket_resolve_deadline, text(it))) }
                t.responsible?.let { Text(stringResource(R.string.ticket_responsible, it)) }
                t.leader?.let { Text(stringResource(R.string.ticket_leader, it)) }
                t.unit?.let { Text(stringResource(R.string.ticket_unit, it)) }
                if (t.photos.isNotEmpty()) {
                    Text(stringResource(R.string.ticket_photos), style = MaterialTheme.typography.titleMedium)
                    PhotoRow(t.photos)
                }
                Row(Modifier.horizontalScroll(rememberScrollState())) {
                    for (a in t.actions) {
                        OutlinedButton(
                            onClick = {
                                when (a) {
                                    TicketActionKind.ACCEPT -> scope.launch { vm.perform(TicketCommand.Accept) }
                                    TicketActionKind.ATTACH_PHOTO -> takePhoto()
                                    else -> asking = a
                                }
                            },
                            modifier = Modifier.padding(end = 4.dp),
                        ) { Text(text(UiText(Keys.of(a)))) }
                    }
                    // Naming a leader is the supervisors' (office, area lead), as planning is.
                    if (TicketActionKind.NAME_LEADER in t.actions) {
                        OutlinedButton(onClick = { planning = true }) { Text(stringResource(R.string.joint_plan)) }
                    }
                }
                for (q in t.questions) {
                    Text(stringResource(R.string.ticket_order_question, q.unitName, q.question),
                        color = MaterialTheme.colorScheme.error)
                    if (q.canAnswer) {
                        OutlinedButton(onClick = { answering = q }) { Text(text(UiText(Keys.of(CaseActionKind.ANSWER_INFO)))) }
                    }
                }
                if (t.orders.isNotEmpty()) {
                    Text(stringResource(R.string.ticket_orders), style = MaterialTheme.typography.titleLarge)
                    for (o in t.orders) {
                        Text(o.unitName + " · " + text(o.status) + " · " + o.dispatchedAt.shown())
                        o.deadline?.let {
                            Text(text(it), color = if (o.overdue) MaterialTheme.colorScheme.error else MaterialTheme.colorScheme.primary)
                        }
                    }
                }
                Text(stringResource(R.string.ticket_timeline), style = MaterialTheme.typography.titleLarge)
            }
            items(t.timeline) { e ->
                Column(Modifier.padding(vertical = 4.dp)) {
                    Text("${e.at.shown()}  ${e.author}  " + text(e.action) + (e.subject?.let { " · " + text(it) } ?: ""))
                    if (e.text.isNotEmpty()) Text(e.text)
                }
            }
        }
    }
    asking?.let { kind -> ActionDialog(kind, t.mergeTargets, t.departments, t.leaders, onDismiss = { asking = null }) { command ->
        scope.launch { if (vm.perform(command)) asking = null }
    } }
    answering?.let { q -> AnswerDialog(q, onDismiss = { answering = null }) { words ->
        scope.launch { if (vm.answer(q.orderId, words)) answering = null }
    } }
    if (planning) JointPlanDialog(session, t.id, onDismiss = { planning = false })
}

/** The community's answer to a department's question. */
@Composable
private fun AnswerDialog(q: OrderQuestion, onDismiss: () -> Unit, onDone: (String) -> Unit) {
    var words by remember { mutableStateOf("") }
    AlertDialog(
        onDismissRequest = onDismiss,
        title = { Text(text(UiText(Keys.of(CaseActionKind.ANSWER_INFO)))) },
        confirmButton = { Button(onClick = { onDone(words) }) { Text(stringResource(R.string.action_save)) } },
        dismissButton = { TextButton(onClick = onDismiss) { Text(stringResource(R.string.action_cancel)) } },
        text = {
            Column {
                Text(stringResource(R.string.ticket_order_question, q.unitName, q.question))
                Field(stringResource(R.string.ticket_answer_label), words) { words = it }
            }
        },
    )
}

@Composable
private fun ActionDialog(
    kind: TicketActionKind,
    mergeTargets: List<TicketItem>,
    departments: List<PlaceItem>,
    leaders: List<MemberItem>,
    onDismiss: () -> Unit,
    onDone: (TicketCommand) -> Unit,
) {
    var words by remember { mutableStateOf("") }
    var into by remember { mutableStateOf(mergeTargets.firstOrNull()?.id) }
    var level by remember { mutableStateOf(Level.STREET) }
    var department by remember { mutableStateOf(Department.PROPERTY_COMPANY) }
    var satisfied by remember { mutableStateOf(true) }
    var unit by remember { mutableStateOf(departments.firstOrNull()?.id) }
    var leader by remember { mutableStateOf(leaders.firstOrNull()?.id) }
    AlertDialog(
        onDismissRequest = onDismiss,
        title = { Text(text(UiText(Keys.of(kind)))) },
        confirmButton = {
            Button(onClick = {
                onDone(
                    when (kind) {
                        TicketActionKind.ASSIGN -> TicketCommand.Assign(department)
                        TicketActionKind.ESCALATE -> TicketCommand.Escalate(level, words)
                        TicketActionKind.REPLY -> TicketCommand.Reply(words)
                        TicketActionKind.RESOLVE -> TicketCommand.Resolve(words)
                        TicketActionKind.EVALUATE -> TicketCommand.Evaluate(satisfied, words)
                        TicketActionKind.MERGE -> TicketCommand.Merge(into ?: return@Button)
                        TicketActionKind.ACCEPT -> TicketCommand.Accept
                        TicketActionKind.ATTACH_PHOTO -> return@Button
                        TicketActionKind.DISPATCH -> TicketCommand.Dispatch(unit ?: return@Button)
                        TicketActionKind.NAME_LEADER -> TicketCommand.NameLeader(leader ?: return@Button)
                    },
                )
            }) { Text(stringResource(R.string.action_save)) }
        },
        dismissButton = { TextButton(onClick = onDismiss) { Text(stringResource(R.string.action_cancel)) } },
        text = {
            Column {
                when (kind) {
                    TicketActionKind.ASSIGN -> {
                        Text(stringResource(R.string.ticket_department))
                        for (d in Department.entries) {
                            FilterChip(selected = d == department, onClick = { department = d }, label = { Text(text(UiText(Keys.of(d)))) })
                        }
                    }
                    TicketActionKind.ESCALATE -> {
                        Text(stringResource(R.string.ticket_level))
                        Row {
                            for (l in listOf(Level.STREET, Level.COUNTY)) {
                                FilterChip(selected = l == level, onClick = { level = l }, label = { Text(text(UiText(Keys.of(l)))) })
                            }
                        }
                        Field(stringResource(R.string.ticket_reason), words) { words = it }
                    }
                    TicketActionKind.REPLY -> Field(stringResource(R.string.ticket_message), words) { words = it }
                    TicketActionKind.RESOLVE -> Field(stringResource(R.string.ticket_summary), words) { words = it }
                    TicketActionKind.EVALUATE -> {
                        Row {
                            FilterChip(selected = satisfied, onClick = { satisfied = true }, label = { Text(stringResource(R.string.ticket_satisfied)) })
                            FilterChip(selected = !satisfied, onClick = { satisfied = false }, label = { Text(stringResource(R.string.ticket_unsatisfied)) })
                        }
                        Field(stringResource(R.string.ticket_comment), words) { words = it }
                    }
                    TicketActionKind.MERGE -> {
                        Text(stringResource(R.string.ticket_merge_into))
                        if (mergeTargets.isEmpty()) Text(stringResource(R.string.ticket_merge_none))
                        for (m in mergeTargets) {
                            FilterChip(selected = m.id == into, onClick = { into = m.id },
                                label = { Text(m.description + " · " + m.place + " · " + text(m.status)) })
                        }
                    }
                    TicketActionKind.DISPATCH -> {
                        Text(stringResource(R.string.ticket_department))
                        if (departments.isEmpty()) Text(stringResource(R.string.ticket_no_departments))
                        for (d in departments) {
                            FilterChip(selected = d.id == unit, onClick = { unit = d.id }, label = { Text(d.name) })
                        }
                    }
                    TicketActionKind.NAME_LEADER -> {
                        if (leaders.isEmpty()) Text(stringResource(R.string.ticket_no_leaders))
                        for (m in leaders) {
                            FilterChip(selected = m.id == leader, onClick = { leader = m.id }, label = { Text(m.name) })
                        }
                    }
                    else -> {}
                }
            }
        },
    )
}
