// A record's history (修改记录): who changed it, on which device, when and what they did, newest
// first, under the record's name as people know it (a household's address, a ticket's first
// words, a gate's day or roster week). Opened from the household, ticket and gate screens.
package cn.linli.viewmodels

import cn.linli.core.*
import kotlinx.coroutines.CoroutineDispatcher
import kotlinx.coroutines.Dispatchers
import java.time.Instant

/** One change of the record. */
data class HistoryRow(
    /** When, by the changing device's clock; the screen shows it in the community's time. */
    val at: Instant,
    /** Who: the member's name, their id when this phone does not know them, or the system's
     * sentence for a change nobody made (the record's deterministic first change). */
    val member: UiText,
    val device: String,
    /** What: `history_action_<code>`, or `history_action_other` with the code. */
    val action: UiText,
    /** How many fields it changed. */
    val changed: Int,
) {
    /** Whether it has a time to show: a change dated at zero (the core's deterministic first
     * change is meant to be) has none. */
    val timed: Boolean get() = at.epochSecond > 0
}

data class HistoryState(
    val title: String = "",
    /** Newest first. */
    val rows: List<HistoryRow> = emptyList(),
    /** The community's offset from UTC, for the times shown. */
    val utcOffsetMinutes: Int = 0,
)

class HistoryViewModel(
    private val session: Session,
    val docId: String,
    io: CoroutineDispatcher = Dispatchers.IO,
) : ScreenModel<HistoryState>(HistoryState(), io) {
    private val store get() = session.store

    override fun load(): HistoryState {
        val names = memberNames(store)
        // The core gives causal order; newest first is its reverse, by time where clocks differ.
        val rows = store.history(docId).reversed().sortedByDescending { it.at }.map { e ->
            HistoryRow(
                at = e.at,
                member = if (e.member.isEmpty()) UiText(Keys.HISTORY_MEMBER_SYSTEM) else UiText(Keys.LABEL_PLAIN, names(e.member)),
                device = e.device,
                action = historyAction(e.action),
                changed = e.changed.size,
            )
        }
        return HistoryState(store.recordName(docId), rows, store.community().utcOffsetMinutes)
    }
}

/** The codes the tables label (`actionCodes()`). */
private val labelledActions: Set<String> by lazy { actionCodes().toSet() }

/** A change's action in words; a code this phone's tables lack (a newer core's) by its code. */
internal fun historyAction(code: String): UiText =
    if (code in labelledActions) UiText(Keys.historyAction(code)) else UiText(Keys.HISTORY_ACTION_OTHER, code)
