// A record's history (修改记录): every change to it, newest first, with when, who (by name), from
// which device, what was done in words and how many fields it changed; titled with the record's
// name as people know it (a household's address, a ticket's first words, a gate's day).
import Foundation
import LinliCore

public extension Keys {
    static let historyActionOther = "history_action_other"
    static let historyMemberSystem = "history_member_system"
    static let historyOpen = "history_open"
    static let historyTitle = "history_title"

    /// The label of a history action (`household.phone` → `history_action_household_phone`).
    static func historyAction(_ code: String) -> String {
        "history_action_" + code.replacingOccurrences(of: ".", with: "_")
    }

    /// The history screen's fixed keys, for the string-table check.
    static let history = [historyActionOther, historyMemberSystem, historyOpen, historyTitle]
}

/// One change of a record.
public struct HistoryRow: Equatable, Sendable {
    /// When it was made (to the second), on its device's clock.
    public let at: Date
    /// Who made it, by name (by id when the directory does not know them); the record's first
    /// change, the same on every device, is nobody's (`history_member_system`).
    public let member: UiText
    public let device: String
    /// What was done (`history_action_<code>`).
    public let action: UiText
    /// How many fields it changed.
    public let changed: Int
    /// Whether it has a time to show: a record's first change is dated at zero on every device.
    public var timed: Bool { at.timeIntervalSince1970 > 0 }
}

public struct HistoryState: Sendable {
    public var title = ""
    /// Newest first.
    public var rows: [HistoryRow] = []
    /// The community's offset from UTC: the screen shows times in it.
    public var utcOffsetMinutes: Int32 = 8 * 60
}

public final class HistoryViewModel: ScreenModel<HistoryState>, @unchecked Sendable {
    /// The actions that have a label (the core's list; the string-table test checks each).
    static let labelled = Set(actionCodes())
    private let session: Session
    public let docId: String
    private var store: LinliStore { session.store }

    public init(session: Session, docId: String) {
        self.session = session
        self.docId = docId
        super.init(HistoryState())
    }

    override func load() throws -> HistoryState {
        let name = memberNames(store)
        // The core lists changes in causal order: newest first is by time, and within a second
        // the later in that order first.
        let entries = try store.history(docId: docId).enumerated()
            .sorted { ($0.element.at, $0.offset) > ($1.element.at, $1.offset) }
            .map(\.element)
        var s = HistoryState()
        s.title = try store.recordName(docId: docId)
        s.utcOffsetMinutes = try store.community().utcOffsetMinutes
        s.rows = entries.map { e in
            HistoryRow(at: e.at,
                       member: e.member.isEmpty ? UiText(Keys.historyMemberSystem) : UiText(Keys.labelPlain, [name(e.member)]),
                       device: e.device, action: Self.action(e.action), changed: e.changed.count)
        }
        return s
    }

    /// An action in words; one this version has no label for is shown by its code.
    static func action(_ code: String) -> UiText {
        labelled.contains(code) ? UiText(Keys.historyAction(code)) : UiText(Keys.historyActionOther, [code])
    }
}
