// The changes set aside on this phone (未被接受的修改), as the sync screen lists them: the record
// by the name people know it by, what was done (the history's labels), when, by whom, and why
// in the sentence of the relay's code; newest first. The office admits or discards them.
package cn.linli.viewmodels

import cn.linli.core.LinliException
import cn.linli.core.LinliStore
import java.time.Instant

/** A change the relay refused, or one received that this phone could not apply. */
data class SetAsideItem(
    /** The change's hash: a stable identity for lists. */
    val id: String,
    val docId: String,
    /** The record's name (3号楼 1单元 302, 工单：楼道灯坏了); its id when this phone does not know it. */
    val recordName: String,
    /** What was done (`history_action_<code>`). */
    val action: UiText,
    /** When it was set aside. */
    val at: Instant,
    /** Who made it, by name (by id when the directory does not know them); null when the change
     * names nobody. */
    val member: String?,
    /** Why: the sentence of the relay's code (`relay_code_<code>`). */
    val why: UiText,
)

/** The changes set aside in `store`, newest first. */
internal fun setAsideItems(store: LinliStore): List<SetAsideItem> {
    val names = memberNames(store)
    return store.setAsideChanges().map { c ->
        SetAsideItem(
            id = c.hash,
            docId = c.docId,
            recordName = try { store.recordName(c.docId) } catch (e: LinliException.NotFound) { c.docId },
            action = historyAction(c.action),
            at = Instant.ofEpochMilli(c.atMs),
            member = c.member.ifEmpty { null }?.let(names),
            why = setAsideReason(c.code),
        )
    }.sortedByDescending { it.at }
}

/** Why a change was set aside, in words: the sentence of its code, or (a code without one, a
 * newer relay's) the general sentence with the code. */
internal fun setAsideReason(code: String): UiText =
    if (isRelayCode(code)) UiText(Keys.relayCode(code)) else UiText(Keys.SYNC_SET_ASIDE_OTHER, code)
