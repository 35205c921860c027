// The office's form for a new reminder: what, the place it concerns, whom it is for (the office,
// a role over the place, or a member), the first due date typed as YYYY-MM-DD, how many days
// ahead it shows and how it repeats; a refusal is said on the form, which keeps what was typed.
import LinliCore
import LinliViewModels
import SwiftUI

struct AddReminderSheet: View {
    @ObservedObject var observed: Observed<RemindersViewModel>
    let done: () -> Void
    @State private var form = ReminderForm(leadDays: "30")

    var body: some View {
        let vm = observed.vm
        let state = vm.state
        NavigationStack {
            Form {
                if let n = vm.notice { Text(text(n.text)).foregroundStyle(n.isError ? .red : .accentColor) }
                TextField(tr("field_what"), text: $form.what)
                Picker(tr("field_place"), selection: $form.placeId) {
                    Text(verbatim: "—").tag(String?.none)
                    ForEach(state.places, id: \.id) { Text($0.name).tag(String?.some($0.id)) }
                }
                Picker(tr("field_owner_role"), selection: $form.owner) {
                    Text(text(UiText(Keys.of(Role.office)))).tag(ReminderOwner.office)
                    ForEach(state.ownerRoles, id: \.value) { Text(text($0.label)).tag(ReminderOwner.role($0.value)) }
                    ForEach(state.members, id: \.id) { Text($0.name).tag(ReminderOwner.member($0.id)) }
                }
                TextField(tr("field_first_due"), text: $form.firstDue, prompt: Text(verbatim: "2026-12-31"))
                    .keyboardType(.numbersAndPunctuation)
                TextField(tr("field_lead_days"), text: $form.leadDays).keyboardType(.numberPad)
                Picker(tr("field_repeat"), selection: $form.repeats) {
                    ForEach(state.repeats, id: \.value) { Text(text($0.label)).tag($0.value) }
                }
            }
            .toolbar {
                ToolbarItem(placement: .cancellationAction) { Button(tr("action_cancel")) { done() } }
                ToolbarItem(placement: .confirmationAction) {
                    Button(tr("action_save")) { Task { if await vm.add(form) != nil { done() } } }
                }
            }
            .navigationTitle(tr("reminder_add"))
        }
    }
}
