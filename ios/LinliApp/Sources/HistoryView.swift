// A record's history (修改记录): each change newest first, with when (in the community's time),
// who, from which device, what in words and how many fields it changed. Opened from a
// household, a ticket, a gate's day and its roster week.
import LinliViewModels
import SwiftUI

struct HistoryView: View {
    @StateObject private var observed: Observed<HistoryViewModel>

    init(session: Session, docId: String) {
        _observed = StateObject(wrappedValue: Observed(HistoryViewModel(session: session, docId: docId)))
    }

    var body: some View {
        let vm = observed.vm
        let state = vm.state
        List {
            if let n = vm.notice { Text(text(n.text)).foregroundStyle(n.isError ? .red : .accentColor) }
            Section(state.title) {
                if state.rows.isEmpty { Text(tr("history_empty")) }
                ForEach(Array(state.rows.enumerated()), id: \.offset) { _, row in
                    HistoryRowView(row: row, utcOffsetMinutes: state.utcOffsetMinutes)
                }
            }
        }
        .navigationTitle(tr("history_title"))
        .task { await vm.refresh() }
    }
}

/// One change: what was done, when and by whom, then where and how much.
struct HistoryRowView: View {
    let row: HistoryRow
    let utcOffsetMinutes: Int32

    var body: some View {
        VStack(alignment: .leading, spacing: 2) {
            Text(text(row.action)).font(.headline)
            Text(row.timed ? row.at.shown(offsetMinutes: utcOffsetMinutes) + "  " + text(row.member) : text(row.member))
            HStack {
                if !row.device.isEmpty { Text(tr("history_device", row.device)) }
                if row.changed > 0 { Text(tr("history_changed", String(row.changed))) }
            }
            .foregroundStyle(.secondary)
        }
    }
}
