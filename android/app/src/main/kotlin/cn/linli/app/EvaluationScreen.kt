// The month's evaluation (评议): the office opens it; members rate each area lead and
// co-building unit 1 to 5 with a comment and vote one 最美楼栋长; everyone sees the result
// counted so far (double votes from a second phone said plainly); the office closes it.
package cn.linli.app

import androidx.compose.foundation.layout.Column
import androidx.compose.foundation.layout.Row
import androidx.compose.foundation.layout.fillMaxWidth
import androidx.compose.foundation.layout.padding
import androidx.compose.foundation.lazy.LazyColumn
import androidx.compose.foundation.lazy.items
import androidx.compose.material3.AlertDialog
import androidx.compose.material3.Button
import androidx.compose.material3.FilterChip
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
import androidx.compose.ui.Alignment
import androidx.compose.ui.Modifier
import androidx.compose.ui.res.stringResource
import androidx.compose.ui.unit.dp
import cn.linli.viewmodels.EvaluationResultState
import cn.linli.viewmodels.EvaluationViewModel
import cn.linli.viewmodels.Session
import cn.linli.viewmodels.SubjectItem
import kotlinx.coroutines.launch

@Composable
fun EvaluationScreen(session: Session) {
    val vm = remember(session) { EvaluationViewModel(session) }
    val state by vm.state.collectAsState()
    val scope = rememberCoroutineScope()
    var rating by remember { mutableStateOf<SubjectItem?>(null) }
    LaunchedEffect(vm) { vm.refresh() }
    LinliScaffold(stringResource(R.string.evaluation_month, state.month), vm.notice) { padding ->
        LazyColumn(Modifier.padding(padding)) {
            item {
                if (state.roundId == null) Text(stringResource(R.string.evaluation_none))
                if (state.mayOpen) {
                    Button(onClick = { scope.launch { vm.openRound() } }) { Text(stringResource(R.string.evaluation_open_round)) }
                }
                if (state.closed) Text(stringResource(R.string.evaluation_closed), color = MaterialTheme.colorScheme.primary)
                if (state.subjects.isNotEmpty()) {
                    Text(stringResource(R.string.evaluation_subjects), style = MaterialTheme.typography.titleLarge)
                }
            }
            items(state.subjects) { s ->
                Row(Modifier.fillMaxWidth().padding(vertical = 4.dp), verticalAlignment = Alignment.CenterVertically) {
                    Column(Modifier.weight(1f)) {
                        Text(s.name, style = MaterialTheme.typography.bodyLarge)
                        Text(text(s.label))
                        s.myScore?.let { Text(stringResource(R.string.evaluation_my_score, it.toString())) }
                    }
                    if (state.mayCast && s.myScore == null) {
                        OutlinedButton(onClick = { rating = s }) { Text(stringResource(R.string.evaluation_rate)) }
                    }
                }
            }
            item {
                if (state.candidates.isNotEmpty()) {
                    Text(stringResource(R.string.evaluation_candidates), style = MaterialTheme.typography.titleLarge)
                }
                state.myVote?.let { Text(stringResource(R.string.evaluation_my_vote, it), color = MaterialTheme.colorScheme.primary) }
            }
            items(state.candidates) { c ->
                Row(Modifier.fillMaxWidth().padding(vertical = 4.dp), verticalAlignment = Alignment.CenterVertically) {
                    Text(c.name, style = MaterialTheme.typography.bodyLarge, modifier = Modifier.weight(1f),
                        color = if (c.mine) MaterialTheme.colorScheme.primary else MaterialTheme.colorScheme.onSurface)
                    if (state.mayCast && state.myVote == null) {
                        OutlinedButton(onClick = { scope.launch { vm.vote(c.id) } }) { Text(stringResource(R.string.evaluation_vote)) }
                    }
                }
            }
            item {
                state.result?.let { ResultSection(it) }
                if (state.mayClose) {
                    Button(onClick = { scope.launch { vm.closeRound() } }, modifier = Modifier.padding(top = 16.dp)) {
                        Text(stringResource(R.string.evaluation_close_round))
                    }
                }
            }
        }
    }
    rating?.let { s ->
        RateDialog(s, onDismiss = { rating = null }) { score, comment ->
            scope.launch { if (vm.rate(s.kind, s.id, score, comment)) rating = null }
        }
    }
}

/** The result counted so far: ratings, votes, the winner, and who voted twice. */
@Composable
private fun ResultSection(r: EvaluationResultState) {
    Column(Modifier.padding(top = 16.dp)) {
        Text(stringResource(R.string.evaluation_result), style = MaterialTheme.typography.titleLarge)
        for (s in r.subjects) {
            Text(stringResource(R.string.evaluation_subject_result, s.name + "（" + text(s.label) + "）", s.ratings.toString(), s.mean))
        }
        for (c in r.candidates) Text(stringResource(R.string.evaluation_candidate_votes, c.name, c.votes.toString()))
        r.winner?.let { Text(stringResource(R.string.evaluation_winner, it), style = MaterialTheme.typography.titleLarge) }
        r.doubleVotersText?.let { Text(text(it), color = MaterialTheme.colorScheme.error) }
    }
}

/** A score from 1 to 5 and a comment. */
@Composable
private fun RateDialog(s: SubjectItem, onDismiss: () -> Unit, onSave: (Int, String) -> Unit) {
    var score by remember { mutableStateOf(5) }
    var comment by remember { mutableStateOf("") }
    AlertDialog(
        onDismissRequest = onDismiss,
        title = { Text(s.name + " · " + text(s.label)) },
        confirmButton = { Button(onClick = { onSave(score, comment) }) { Text(stringResource(R.string.action_save)) } },
        dismissButton = { TextButton(onClick = onDismiss) { Text(stringResource(R.string.action_cancel)) } },
        text = {
            Column {
                Text(stringResource(R.string.field_score))
                Row {
                    for (n in 1..5) {
                        FilterChip(selected = n == score, onClick = { score = n }, label = { Text(n.toString()) },
                            modifier = Modifier.padding(end = 4.dp))
                    }
                }
                Field(stringResource(R.string.field_comment), comment) { comment = it }
            }
        },
    )
}
