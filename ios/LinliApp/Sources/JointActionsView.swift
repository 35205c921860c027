// Joint actions (联合行动): the actions on this phone with their steps done and late; one action
// with its tickets, who planned it and its steps in time order (when each starts, in the
// community's time; who marked it done and when, or late), and a button on the steps the member
// may mark done.
import LinliCore
import LinliViewModels
import SwiftUI

struct JointActionsView: View {
    @StateObject private var observed: Observed<JointActionsViewModel>

    init(session: Session) {
        _observed = StateObject(wrappedValue: Observed(JointActionsViewModel(session: session)))
    }

    var body: some View {
        let vm = observed.vm
        let state = vm.state
        List {
            if let n = vm.notice { Text(text(n.text)).foregroundStyle(n.isError ? .red : .accentColor) }
            if state.actions.isEmpty { Text(tr("joint_empty")) }
            ForEach(state.actions, id: \.id) { a in
                Button {
                    Task { await vm.open(a.id) }
                } label: {
                    VStack(alignment: .leading) {
                        Text(a.title).font(.title3)
                        Text(text(a.progress)).foregroundStyle(a.late > 0 ? Color.red : Color.secondary)
                    }
                }
            }
        }
        .navigationTitle(tr("home_joint_actions"))
        .task { await vm.refresh() }
        .sheet(isPresented: Binding(get: { state.detail != nil }, set: { if !$0 { vm.close() } })) {
            if let detail = state.detail { JointDetailView(vm: vm, j: detail, offset: state.utcOffsetMinutes) }
        }
    }
}

struct JointDetailView: View {
    let vm: JointActionsViewModel
    let j: JointDetailState
    let offset: Int32
    @State private var marking: JointStepItem?
    @State private var note = ""

    var body: some View {
        NavigationStack {
            List {
                if let n = vm.notice { Text(text(n.text)).foregroundStyle(n.isError ? .red : .accentColor) }
                Section(tr("joint_tickets")) {
                    ForEach(Array(j.tickets.enumerated()), id: \.offset) { _, t in Text(t) }
                    Text(tr("joint_planned_by", j.plannedBy))
                }
                Section(tr("field_steps")) {
                    ForEach(j.steps, id: \.id) { s in
                        VStack(alignment: .leading, spacing: 4) {
                            Text(s.start.shown(offsetMinutes: offset) + " · " + s.department).foregroundStyle(.secondary)
                            Text(s.what).font(.title3)
                            if let by = s.doneBy {
                                Text(tr("joint_step_done_by", by, s.doneAt?.shown(offsetMinutes: offset) ?? ""))
                            } else if s.late {
                                Text(tr("joint_late")).foregroundStyle(.red)
                            }
                            if s.mayMark {
                                Button(tr("joint_mark_done")) { marking = s }.buttonStyle(.bordered)
                            }
                        }
                    }
                }
            }
            .navigationTitle(j.title)
            .alert(tr("joint_mark_done"), isPresented: Binding(get: { marking != nil }, set: { if !$0 { marking = nil } })) {
                TextField(tr("field_note"), text: $note)
                Button(tr("action_save")) {
                    Task {
                        if let s = marking, await vm.markDone(s.id, note: note) { note = "" }
                        marking = nil
                    }
                }
                Button(tr("action_cancel"), role: .cancel) { marking = nil }
            } message: {
                if let s = marking { Text(s.department + " · " + s.what) }
            }
        }
    }
}

/// Plans a joint action for a ticket (from the ticket's screen; the office or an area lead): a
/// title and its steps, each a department, the day and time it starts in the community's time,
/// and what it does.
struct JointPlanSheet: View {
    @StateObject private var observed: Observed<JointActionsViewModel>
    @Environment(\.dismiss) private var dismiss
    let ticketId: String
    @State private var title = ""
    @State private var steps = [PlanStepForm()]

    init(session: Session, ticketId: String) {
        self.ticketId = ticketId
        _observed = StateObject(wrappedValue: Observed(JointActionsViewModel(session: session)))
    }

    var body: some View {
        let vm = observed.vm
        let state = vm.state
        NavigationStack {
            Form {
                if let n = vm.notice { Text(text(n.text)).foregroundStyle(n.isError ? .red : .accentColor) }
                TextField(tr("field_title"), text: $title)
                ForEach(steps.indices, id: \.self) { i in
                    Section(tr("joint_step_number", String(i + 1))) {
                        Picker(tr("field_department"), selection: $steps[i].departmentId) {
                            Text(tr("joint_choose_department")).tag("")
                            ForEach(state.departments, id: \.id) { Text($0.name).tag($0.id) }
                        }
                        TextField(tr("joint_step_date"), text: $steps[i].date)
                        TextField(tr("joint_step_time"), text: $steps[i].time)
                        TextField(tr("field_what"), text: $steps[i].what)
                    }
                }
                Button(tr("joint_add_step")) { steps.append(PlanStepForm(date: steps.last?.date ?? "")) }
                Button(tr("action_save")) {
                    Task {
                        if await vm.plan(ticketIds: [ticketId], title: title, steps: steps) { dismiss() }
                    }
                }
            }
            .navigationTitle(tr("joint_plan"))
            .task { await vm.refresh() }
        }
    }
}
