// The home screen: the member's name and roles, a large tile for each kind of work, and today's
// list most urgent first (overdue in red); an item opens the screen that clears it, a reminder
// is marked done here. Each time it shows, it reloads and plans the list's notifications.
import LinliViewModels
import SwiftUI

struct HomeView: View {
    @EnvironmentObject var model: AppModel
    let session: Session
    @StateObject private var observed: Observed<HomeViewModel>

    init(session: Session) {
        self.session = session
        _observed = StateObject(wrappedValue: Observed(HomeViewModel(session: session)))
    }

    var body: some View {
        let vm = observed.vm
        let state = vm.state
        NavigationStack {
            List {
                if let n = vm.notice { Text(text(n.text)).foregroundStyle(n.isError ? .red : .accentColor) }
                Text(state.roles.map(text).joined(separator: " · ")).font(.headline)
                ForEach(state.tiles, id: \.self) { tile in
                    switch tile {
                    case .gateDuty:
                        ForEach(state.gates, id: \.id) { gate in
                            NavigationLink("\(tr("home_gate_duty")) · \(gate.name)") {
                                GateDutyView(session: session, gateId: gate.id)
                            }
                        }
                    case .sync:
                        if model.sync != nil {
                            NavigationLink(tr(tile.rawValue)) { destination(tile, gateId: "") }
                        }
                    default:
                        NavigationLink(tr(tile.rawValue)) { destination(tile, gateId: "") }
                    }
                }
                .font(.title2)
                .padding(.vertical, 12)
                Section(tr("home_agenda")) {
                    if state.agenda.isEmpty { Text(tr("home_agenda_empty")) }
                    ForEach(Array(state.agenda.enumerated()), id: \.offset) { _, row in
                        HStack {
                            NavigationLink { destination(row.opens, gateId: row.placeId, record: row.recordId) } label: {
                                AgendaRowView(row: row)
                            }
                            if row.canComplete {
                                Button(tr("agenda_complete")) {
                                    Task {
                                        await vm.completeReminder(row.recordId)
                                        await AgendaNotifier.schedule(await vm.notifications())
                                    }
                                }
                                .buttonStyle(.bordered)
                            }
                        }
                    }
                }
            }
            .navigationTitle(tr("home_title", state.memberName))
            // Runs each time the screen shows again, e.g. back from the visit that cleared an item.
            .task {
                await vm.refresh()
                await AgendaNotifier.schedule(await vm.notifications())
            }
        }
    }

    /// The screen of a tile; a gate's is the item's gate, and a work order of today's list
    /// (`record`) opens on the order itself.
    @ViewBuilder
    func destination(_ tile: HomeTile, gateId: String, record: String? = nil) -> some View {
        switch tile {
        case .gateDuty: GateDutyView(session: session, gateId: gateId)
        case .doorToDoor: DoorToDoorView(session: session)
        case .tickets: TicketsView(session: session)
        case .department: DepartmentView(session: session, openOrder: record)
        case .needs: NeedsView(session: session)
        case .evaluation: EvaluationView(session: session)
        case .jointActions: JointActionsView(session: session)
        case .reminders: RemindersView(session: session)
        case .sync: if let sync = model.sync { SyncView(vm: sync) }
        case .office: OfficeView(session: session)
        }
    }
}

/// One item of today's list: its kind (and overdue, in red), its line, and when it is due.
struct AgendaRowView: View {
    let row: AgendaRow

    var body: some View {
        let color: Color = row.overdue ? .red : .secondary
        VStack(alignment: .leading, spacing: 2) {
            Text(row.overdue ? "\(text(row.label)) · \(tr("home_agenda_overdue"))" : text(row.label))
                .font(.subheadline).foregroundStyle(color)
            Text(row.title).font(.title3)
            if let due = row.dueDay ?? row.due?.shown {
                Text(due).foregroundStyle(color)
            }
        }
    }
}
