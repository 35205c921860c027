// A resident's moves, marked by a lead or the office: the day they moved in and, for a returnee,
// where from; the day they moved out (YYYY-MM-DD; an emptied field clears what was recorded).
// A refusal is said on the form, which keeps what was typed.
import LinliViewModels
import SwiftUI

/// A resident as a sheet's item.
struct IdentifiedResident: Identifiable {
    let value: ResidentItem
    var id: String { value.id }
}

struct ResidentMovesSheet: View {
    @ObservedObject var observed: Observed<HouseholdViewModel>
    let resident: ResidentItem
    let done: () -> Void
    @State private var movedIn = ""
    @State private var arrivedFrom = ""
    @State private var movedOut = ""

    var body: some View {
        let vm = observed.vm
        NavigationStack {
            Form {
                if let n = vm.notice, n.isError { Text(text(n.text)).foregroundStyle(.red) }
                TextField(tr("field_moved_in"), text: $movedIn, prompt: Text(verbatim: "2026-12-31"))
                    .keyboardType(.numbersAndPunctuation)
                TextField(tr("field_arrived_from"), text: $arrivedFrom)
                TextField(tr("field_moved_out"), text: $movedOut, prompt: Text(verbatim: "2026-12-31"))
                    .keyboardType(.numbersAndPunctuation)
            }
            .toolbar {
                ToolbarItem(placement: .cancellationAction) { Button(tr("action_cancel")) { done() } }
                ToolbarItem(placement: .confirmationAction) {
                    Button(tr("action_save")) {
                        Task {
                            if await vm.setMoves(residentId: resident.id, movedIn: movedIn, movedOut: movedOut,
                                                 arrivedFrom: arrivedFrom) {
                                done()
                            }
                        }
                    }
                }
            }
            .navigationTitle(resident.name)
        }
        .onAppear {
            movedIn = resident.movedIn ?? ""
            arrivedFrom = resident.arrivedFrom
            movedOut = resident.movedOut ?? ""
        }
    }
}
