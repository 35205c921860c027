// Reminders (民情日志): those that concern the member, soonest first, overdue in red, how each
// repeats, and a button to mark its current occurrence done; the office adds them here (the form
// in AddReminderSheet.swift).
import LinliViewModels
import SwiftUI

struct RemindersView: View {
    @StateObject private var observed: Observed<RemindersViewModel>
    @State private var adding = false

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
                        Text(r.owner + " · " + text(r.repeats)).foregroundStyle(.secondary)
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
        .toolbar {
            if state.mayAdd {
                ToolbarItem(placement: .primaryAction) { Button(tr("reminder_add")) { adding = true } }
            }
        }
        .sheet(isPresented: $adding) { AddReminderSheet(observed: observed, done: { adding = false }) }
        .task { await vm.refresh() }
    }
}
