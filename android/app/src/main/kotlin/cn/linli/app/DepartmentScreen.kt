// A department's work orders (大联动): the open orders of the member's department(s), most
// recently dispatched first; one order with what was reported, 首问负责人 and 包案领导, its
// deadlines counting down and its steps, and a button for each step the core allows now.
package cn.linli.app

import androidx.compose.foundation.clickable
import androidx.compose.foundation.layout.Column
import androidx.compose.foundation.layout.fillMaxWidth
import androidx.compose.foundation.layout.padding
import androidx.compose.foundation.lazy.LazyColumn
import androidx.compose.foundation.lazy.items
import androidx.compose.material3.AlertDialog
import androidx.compose.material3.Button
import androidx.compose.material3.Card
import androidx.compose.material3.MaterialTheme
import androidx.compose.material3.OutlinedButton
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
import cn.linli.viewmodels.DepartmentViewModel
import cn.linli.viewmodels.Keys
import cn.linli.viewmodels.OrderDetailState
import cn.linli.viewmodels.OrderItem
import cn.linli.viewmodels.Session
import cn.linli.viewmodels.UiText
import kotlinx.coroutines.launch

/** The department's orders; `openOrder` (from today's list) opens one at once. */
@Composable
fun DepartmentScreen(session: Session, openOrder: String? = null) {
    val vm = remember(session) { DepartmentViewModel(session) }
    val state by vm.state.collectAsState()
    val scope = rememberCoroutineScope()
    LaunchedEffect(vm, openOrder) {
        vm.refresh()
        if (openOrder != null) vm.open(openOrder)
    }
    val detail = state.detail
    if (detail != null) {
        OrderDetail(vm, detail)
        return
    }
    LinliScaffold(stringResource(R.string.home_department), vm.notice) { padding ->
        LazyColumn(Modifier.padding(padding)) {
            item {
                Text(state.departments.joinToString(" · ") { it.name }, style = MaterialTheme.typography.bodyLarge)
                if (state.orders.isEmpty()) Text(stringResource(R.string.department_empty))
            }
            items(state.orders) { o ->
                OrderCard(o) { scope.launch { vm.open(o.id) } }
            }
        }
    }
}

@Composable
private fun OrderCard(o: OrderItem, open: () -> Unit) {
    Card(Modifier.fillMaxWidth().padding(vertical = 4.dp).clickable(onClick = open)) {
        Column(Modifier.padding(12.dp)) {
            Text(text(o.category) + " · " + text(o.status) + " · " + o.unitName)
            Text(o.description, style = MaterialTheme.typography.titleLarge)
            Text(o.place)
            Text(stringResource(R.string.order_dispatched, o.dispatchedAt.shown()))
            o.deadline?.let {
                Text(text(it), color = if (o.overdue) MaterialTheme.colorScheme.error else MaterialTheme.colorScheme.primary)
            }
        }
    }
}

@Composable
private fun OrderDetail(vm: DepartmentViewModel, o: OrderDetailState) {
    val scope = rememberCoroutineScope()
    var asking by remember { mutableStateOf<CaseActionKind?>(null) }
    LinliScaffold(o.unitName + " · " + text(o.category), vm.notice) { padding ->
        LazyColumn(Modifier.padding(padding)) {
            item {
                TextButton(onClick = vm::close) { Text("←") }
                Text(o.description, style = MaterialTheme.typography.titleLarge)
                Text(o.place)
                Text(text(o.status) + (o.level?.let { " · " + text(it) } ?: ""))
                o.responsible?.let { Text(stringResource(R.string.ticket_responsible, it)) }
                o.leader?.let { Text(stringResource(R.string.ticket_leader, it)) }
                Text(stringResource(R.string.order_dispatched_by, o.dispatchedBy) + " · " + o.dispatchedAt.shown())
                o.replyDeadline?.let { Text(stringResource(R.string.ticket_reply_deadline, text(it))) }
                o.resolveDeadline?.let { Text(stringResource(R.string.ticket_resolve_deadline, text(it))) }
                o.question?.let {
                    Text(stringResource(R.string.order_question, it), color = MaterialTheme.colorScheme.error)
                }
                if (o.photos.isNotEmpty()) Text(stringResource(R.string.ticket_photos) + "：${o.photos.size}")
                for (a in o.actions) {
                    OutlinedButton(
                        onClick = {
                            if (a == CaseActionKind.ACCEPT) scope.launch { vm.accept() } else asking = a
                        },
                        modifier = Modifier.fillMaxWidth().padding(vertical = 2.dp),
                    ) { Text(text(UiText(Keys.of(a)))) }
                }
                Text(stringResource(R.string.ticket_timeline), style = MaterialTheme.typography.titleLarge)
            }
            items(o.steps) { e ->
                Column(Modifier.padding(vertical = 4.dp)) {
                    Text("${e.at.shown()}  ${e.author}  " + text(e.action))
                    if (e.text.isNotEmpty()) Text(e.text)
                }
            }
        }
    }
    asking?.let { kind ->
        StepDialog(kind, onDismiss = { asking = null }) { words ->
            scope.launch {
                val done = when (kind) {
                    CaseActionKind.ASK_INFO -> vm.askInfo(words)
                    CaseActionKind.REPLY -> vm.reply(words)
                    CaseActionKind.RESOLVE -> vm.resolve(words)
                    CaseActionKind.HAND_BACK -> vm.handBack(words)
                    CaseActionKind.ACCEPT -> vm.accept()
                    // The community answers a question from the ticket's screen.
                    CaseActionKind.ANSWER_INFO -> true
                }
                if (done) asking = null
            }
        }
    }
}

/** The words a step needs: the question, the reply, what was done, or why it goes back. */
@Composable
private fun StepDialog(kind: CaseActionKind, onDismiss: () -> Unit, onDone: (String) -> Unit) {
    var words by remember { mutableStateOf("") }
    val label = when (kind) {
        CaseActionKind.ASK_INFO -> R.string.order_question_label
        CaseActionKind.REPLY -> R.string.ticket_message
        CaseActionKind.RESOLVE -> R.string.ticket_summary
        CaseActionKind.HAND_BACK -> R.string.order_reason
        CaseActionKind.ACCEPT, CaseActionKind.ANSWER_INFO -> R.string.ticket_answer_label
    }
    AlertDialog(
        onDismissRequest = onDismiss,
        title = { Text(text(UiText(Keys.of(kind)))) },
        confirmButton = { Button(onClick = { onDone(words) }) { Text(stringResource(R.string.action_save)) } },
        dismissButton = { TextButton(onClick = onDismiss) { Text(stringResource(R.string.action_cancel)) } },
        text = { Field(stringResource(label), words) { words = it } },
    )
}
