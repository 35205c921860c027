// Reminders (民情日志): those that concern the member, soonest first, overdue in red, each with
// a button to mark its current occurrence done.
import LinliViewModels
import SwiftUI

struct RemindersView: View {
    @StateObject private var observed: Observed<RemindersViewModel>

    init(session: Session) {
        _observed = StateObject(wrappedValue: Observed(RemindersViewModel(session: session)))
    }

    var body: some View {
        let vm = observed.vm
        let state = vm.state
        List {
            if let n = vm.notice { Text(text(n.text)).foregroundStyle(n.isError ? .red : .accentColor) }
            if state.items.isEmpty { Text(tr("reminders_empty")) }
            ForEach(state.items, id: \.id) { r in
                HStack {
                    VStack(alignment: .leading) {
                        Text([r.place, r.what].filter { !$0.isEmpty }.joined(separator: "：")).font(.title3)
                        Text(text(r.due)).foregroundStyle(r.overdue ? .red : .accentColor)
                        Text(r.owner).foregroundStyle(.secondary)
                    }
                    Spacer()
                    if r.canComplete {
                        Button(tr("agenda_complete")) { Task { await vm.complete(r.id) } }
                            .buttonStyle(.bordered)
                    }
                }
            }
        }
        .navigationTitle(tr("home_reminders"))
        .task { await vm.refresh() }
    }
}
