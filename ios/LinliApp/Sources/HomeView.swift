// The home screen: the member's name and roles, and a large tile for each kind of work.
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
        let state = observed.vm.state
        NavigationStack {
            List {
                Text(state.roles.map(text).joined(separator: " · ")).font(.headline)
                ForEach(state.tiles, id: \.self) { tile in
                    switch tile {
                    case .gateDuty:
                        ForEach(state.gates, id: \.id) { gate in
                            NavigationLink("\(tr("home_gate_duty")) · \(gate.name)") {
                                GateDutyView(session: session, gateId: gate.id)
                            }
                        }
                    case .doorToDoor:
                        NavigationLink(tr("home_door_to_door")) { DoorToDoorView(session: session) }
                    case .tickets:
                        NavigationLink(tr("home_tickets")) { TicketsView(session: session) }
                    case .sync:
                        if let sync = model.sync {
                            NavigationLink(tr("home_sync")) { SyncView(vm: sync) }
                        }
                    case .office:
                        NavigationLink(tr("home_office")) { OfficeView(session: session) }
                    }
                }
                .font(.title2)
                .padding(.vertical, 12)
            }
            .navigationTitle(tr("home_title", state.memberName))
            .task { await observed.vm.refresh() }
        }
    }
}
