// The changes set aside on this phone (未被接受的修改), as the sync screen lists them: the record
// by the name people know it by, what was done (the history's labels), when, by whom, and why
// in the sentence of the relay's code; newest first. The office admits or discards them.
import Foundation
import LinliCore

/// A change the relay refused, or one received that this phone could not apply.
public struct SetAsideItem: Equatable, Sendable {
    /// The change's hash: a stable identity for lists.
    public let id: String
    public let docId: String
    /// The record's name (3号楼 1单元 302, 工单：楼道灯坏了); its id when this phone does not know it.
    public let recordName: String
    /// What was done (`history_action_<code>`).
    public let action: UiText
    /// When it was set aside.
    public let at: Date
    /// Who made it, by name (by id when the directory does not know them); nil when the change
    /// names nobody.
    public let member: String?
    /// Why: the sentence of the relay's code (`relay_code_<code>`).
    public let why: UiText
}

/// The changes set aside in `store`, newest first.
func setAsideItems(_ store: LinliStore) throws -> [SetAsideItem] {
    let name = memberNames(store)
    return try store.setAsideChanges().map { c in
        SetAsideItem(id: c.hash, docId: c.docId, recordName: (try? store.recordName(docId: c.docId)) ?? c.docId,
                     action: HistoryViewModel.action(c.action), at: date(ms: c.atMs),
                     member: c.member.isEmpty ? nil : name(c.member), why: setAsideReason(c.code))
    }
}

/// Why a change was set aside, in words: the sentence of its code, or (a code without one) the
/// general sentence with the code.
func setAsideReason(_ code: String) -> UiText {
    Keys.relayCodes.contains(code) ? UiText(Keys.relayCode(code)) : UiText(Keys.syncSetAsideOther, [code])
}
