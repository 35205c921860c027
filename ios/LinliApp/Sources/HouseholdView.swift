// One household, from the door-to-door list: its phone, residents with their moves (a resident
// marked moved in, back from somewhere, or moved out: ResidentMovesSheet.swift), tags and watch
// plan, edited in place, its visits with what the residents needed and said, newest first, a
// need put on the needs list (需求清单), and its history (修改记录). Also the form that registers
// a household in the chosen building.
import LinliCore
import LinliViewModels
import SwiftUI

struct HouseholdSheet: View {
    @StateObject private var observed: Observed<HouseholdViewModel>
    @State private var phone = ""
    @State private var resident = ""
    @State private var birthYear = ""
    @State private var everyDays = ""
    @State private var recordingNeed = false
    @State private var moving: ResidentItem?
    private let session: Session
    private let householdId: String

    init(session: Session, householdId: String) {
        self.session = session
        self.householdId = householdId
        _observed = StateObject(wrappedValue: Observed(HouseholdViewModel(session: session, householdId: householdId)))
    }

    var body: some View {
        let vm = observed.vm
        let state = vm.state
        NavigationStack {
            Form {
                if let n = vm.notice { Text(text(n.text)).foregroundStyle(n.isError ? .red : .accentColor) }
                HStack {
                    TextField(tr("field_phone"), text: $phone).keyboardType(.phonePad)
                    Button(tr("action_save")) { Task { await vm.setPhone(phone) } }
                }
                Section(tr("household_watch")) {
                    ForEach([Tag.livingAlone, .elderly, .homeWatch, .disability, .lowIncome, .chronicIllness, .pregnant, .tenant],
                            id: \.self) { t in
                        Toggle(text(UiText(Keys.of(t))), isOn: Binding(
                            get: { state.tags.contains(t) }, set: { on in Task { await vm.setTag(t, on: on) } }))
                    }
                    HStack {
                        TextField(tr("field_watch_count"), text: $everyDays).keyboardType(.numberPad)
                        Button(tr("action_save")) {
                            Task { await vm.setWatchPlan(UInt32(everyDays).map { WatchPlanInput(frequency: .everyDays, n: $0) }) }
                        }
                        Button(tr("household_watch_none")) { Task { await vm.setWatchPlan(nil) } }
                    }
                }
                Section {
                    ForEach(state.residents, id: \.id) { r in
                        HStack {
                            VStack(alignment: .leading, spacing: 2) {
                                Text("\(r.name)  \(r.birthYear.map(String.init) ?? "")")
                                    .foregroundStyle(r.gone ? Color.secondary : Color.primary)
                                ForEach(Array(r.moves.enumerated()), id: \.offset) { _, m in
                                    Text(text(m)).font(.subheadline).foregroundStyle(.secondary)
                                }
                            }
                            Spacer()
                            Button(tr("household_moves")) { moving = r }.buttonStyle(.bordered)
                        }
                    }
                    TextField(tr("field_name"), text: $resident)
                    TextField(tr("field_birth_year"), text: $birthYear).keyboardType(.numberPad)
                    Button(tr("household_add_resident")) {
                        Task {
                            if await vm.addResident(ResidentForm(name: resident, birthYear: Int32(birthYear))) != nil {
                                (resident, birthYear) = ("", "")
                            }
                        }
                    }
                }
                Button(tr("need_record")) { recordingNeed = true }
                NavigationLink(tr("history_open")) { HistoryView(session: session, docId: householdId) }
                Section(tr("household_visits")) {
                    ForEach(state.visits, id: \.id) { v in
                        VStack(alignment: .leading, spacing: 2) {
                            Text("\(v.at.shown)  \(tr("household_visit_by", v.leadName))  \(text(v.outcome))")
                            if !v.needs.isEmpty { Text(tr("household_needs", v.needs)) }
                            if !v.opinions.isEmpty { Text(tr("household_opinions", v.opinions)) }
                        }
                    }
                    if state.olderVisits { Button(tr("household_older_visits")) { Task { await vm.loadOlder() } } }
                }
            }
            .navigationTitle(state.name)
            .sheet(isPresented: $recordingNeed) { RecordNeedSheet(session: session, householdId: householdId) }
            .sheet(item: Binding(get: { moving.map(IdentifiedResident.init) }, set: { moving = $0?.value })) { r in
                ResidentMovesSheet(observed: observed, resident: r.value) { moving = nil }
            }
        }
        .task {
            await vm.refresh()
            phone = vm.state.phone
            everyDays = vm.state.watch.map { String($0.n) } ?? ""
        }
    }
}

/// Registers a household in the chosen building: address, phone and its first resident.
struct RegisterHouseholdSheet: View {
    let onSave: (HouseholdForm) -> Void
    @State private var form = HouseholdForm()
    @State private var resident = ""
    @State private var birthYear = ""

    var body: some View {
        Form {
            TextField(tr("field_unit"), text: $form.unit)
            TextField(tr("field_room"), text: $form.room)
            TextField(tr("field_phone"), text: $form.phone).keyboardType(.phonePad)
            TextField(tr("field_name"), text: $resident)
            TextField(tr("field_birth_year"), text: $birthYear).keyboardType(.numberPad)
            Button(tr("action_save")) {
                var f = form
                if !resident.isEmpty { f.residents = [ResidentForm(name: resident, birthYear: Int32(birthYear))] }
                onSave(f)
            }
        }
        .navigationTitle(tr("household_register"))
    }
}
