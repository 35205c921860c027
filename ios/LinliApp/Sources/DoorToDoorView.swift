// Door to door: my buildings, their households (checks due first), a household registered, one
// household opened with its visits, and the visit form; residents in home isolation with
// today's checks, the check form and the household's errands.
import LinliCore
import LinliViewModels
import SwiftUI

struct DoorToDoorView: View {
    @StateObject private var observed: Observed<DoorToDoorViewModel>
    @State private var visiting: HouseholdItem?
    @State private var reporting: HouseholdItem?
    @State private var checking: IsolationItem?
    @State private var serving: IsolationItem?
    @State private var showingPasses: HouseholdItem?
    @State private var opened: HouseholdItem?
    @State private var registering = false
    private let session: Session

    init(session: Session) {
        self.session = session
        _observed = StateObject(wrappedValue: Observed(DoorToDoorViewModel(session: session)))
    }

    var body: some View {
        let vm = observed.vm
        let state = vm.state
        List {
            if let n = vm.notice { Text(text(n.text)).foregroundStyle(n.isError ? .red : .accentColor) }
            Picker("", selection: Binding(get: { state.buildingId ?? "" }, set: { id in Task { await vm.selectBuilding(id) } })) {
                ForEach(state.buildings, id: \.id) { Text($0.name).tag($0.id) }
            }
            .pickerStyle(.segmented)
            if state.checksDue > 0 { Text(tr("door_checks_due", String(state.checksDue))).foregroundStyle(.red) }
            if state.buildingId != nil { Button(tr("household_register")) { registering = true } }
            if !state.isolations.isEmpty {
                Section(tr("door_isolations")) {
                    ForEach(state.isolations, id: \.isolationId) { i in
                        VStack(alignment: .leading, spacing: 4) {
                            Text(i.resident).font(.title3)
                            Text(text(i.progress))
                            if i.missed > 0 { Text(tr("isolation_missed", String(i.missed))).foregroundStyle(.red) }
                            if i.errandsOpen > 0 { Text(tr("isolation_errands_open", String(i.errandsOpen))) }
                            HStack {
                                Button(tr("isolation_check")) { checking = i }
                                Button(tr("isolation_errands")) { serving = i }
                                Button(tr("isolation_release"), role: .destructive) { Task { await vm.releaseIsolation(i) } }
                            }
                            .buttonStyle(.bordered)
                        }
                        .listRowBackground(i.missed > 0 || i.flagged > 0 ? Color.red.opacity(0.12) : nil)
                    }
                }
            }
            ForEach(state.households, id: \.id) { h in
                VStack(alignment: .leading, spacing: 4) {
                    Text("\(h.address)  \(h.residents)").font(.title3)
                    Text(h.tags.map(text).joined(separator: " · ")).foregroundStyle(.secondary)
                    Text(h.lastVisit.map { tr("door_last_visit", $0.shown) } ?? tr("door_never_visited"))
                    if h.check == .due || h.check == .overdue { Text(text(h.checkText)).foregroundStyle(.red) }
                    HStack {
                        Button(tr("door_log_visit")) { visiting = h }
                        Button(tr("door_report_problem")) { reporting = h }
                        Button(tr("door_passes")) { showingPasses = h }
                        Button(tr("household_visits")) { opened = h }
                    }
                    .buttonStyle(.bordered)
                }
            }
        }
        .navigationTitle(tr("home_door_to_door"))
        .task { await vm.refresh() }
        .sheet(item: Binding(get: { visiting.map(Identified.init) }, set: { visiting = $0?.value })) { h in
            VisitSheet { form in Task { if await vm.logVisit(householdId: h.value.id, form: form) != nil { visiting = nil } } }
        }
        .sheet(item: Binding(get: { checking.map(IdentifiedIsolation.init) }, set: { checking = $0?.value })) { i in
            IsolationCheckSheet { form in Task { if await vm.recordIsolationCheck(i.value, form) != nil { checking = nil } } }
        }
        .sheet(item: Binding(get: { showingPasses.map(Identified.init) }, set: { showingPasses = $0?.value })) { h in
            PassesSheet(vm: vm, householdId: h.value.id)
        }
        .sheet(item: Binding(get: { opened.map(Identified.init) }, set: { opened = $0?.value }),
               onDismiss: { Task { await vm.refresh() } }) { h in
            HouseholdSheet(session: session, householdId: h.value.id)
        }
        .sheet(isPresented: $registering) {
            RegisterHouseholdSheet { form in Task { if await vm.registerHousehold(form) != nil { registering = false } } }
        }
        .sheet(item: Binding(get: { serving.map(IdentifiedIsolation.init) }, set: { serving = $0?.value })) { i in
            ErrandsSheet(vm: vm, householdId: i.value.householdId)
        }
        .sheet(item: Binding(get: { reporting.map(Identified.init) }, set: { reporting = $0?.value })) { h in
            ReportSheet { category, description in
                Task {
                    if await vm.reportFromVisit(householdId: h.value.id, category: category, description: description, photos: []) != nil {
                        reporting = nil
                    }
                }
            }
        }
    }
}

/// An isolated resident as a sheet's item.
struct IdentifiedIsolation: Identifiable {
    let value: IsolationItem
    var id: String { value.isolationId }
}

/// 询问: temperature and the fixed symptom list.
struct IsolationCheckSheet: View {
    let onSave: (IsolationCheckForm) -> Void
    @State private var form = IsolationCheckForm()
    @State private var temperature = ""

    var body: some View {
        Form {
            TextField(tr("visit_temperature"), text: $temperature).keyboardType(.decimalPad)
            ForEach(IsolationCheckForm.order, id: \.self) { s in
                Toggle(text(UiText(Keys.of(s))), isOn: Binding(
                    get: { form.symptoms.contains(s) },
                    set: { on in if on { form.symptoms.insert(s) } else { form.symptoms.remove(s) } }))
            }
            TextField(tr("isolation_other"), text: $form.other)
            Button(tr("action_save")) {
                var f = form
                f.temperatureC = Double(temperature)
                onSave(f)
            }
        }
    }
}

/// The household's passes, each as the QR code the gate scans; a revoked one says so.
struct PassesSheet: View {
    let vm: DoorToDoorViewModel
    let householdId: String
    @State private var passes: [IssuedPassRow] = []

    var body: some View {
        List {
            if passes.isEmpty { Text(tr("door_no_passes")) }
            ForEach(passes, id: \.id) { p in
                VStack(alignment: .leading) {
                    Text(text(UiText(Keys.of(p.kind))) + "  " + p.holder).font(.title3)
                    Text(tr("door_pass_valid_until", Date(timeIntervalSince1970: Double(p.validUntilMs - 1) / 1000).shown))
                    if p.revoked {
                        Text(tr("door_pass_revoked")).foregroundStyle(.red)
                    } else if let matrix = try? qrCode(text: p.text) {
                        QrImage(matrix: matrix)
                    }
                }
            }
        }
        .task { passes = await vm.passes(householdId) }
    }
}

/// 代办: what the household needs, and the open ones marked delivered.
struct ErrandsSheet: View {
    let vm: DoorToDoorViewModel
    let householdId: String
    @State private var list: [ErrandRow] = []
    @State private var kind: ErrandKind = .medicine
    @State private var note = ""

    var body: some View {
        Form {
            ForEach(list, id: \.id) { e in
                HStack {
                    Text(text(UiText(Keys.of(e.kind))) + " " + e.note)
                    Spacer()
                    if !e.delivered {
                        Button(tr("errand_deliver")) {
                            Task { await vm.deliverErrand(householdId, errandId: e.id); list = await vm.errands(householdId) }
                        }
                    }
                }
            }
            Picker(tr("isolation_errand_note"), selection: $kind) {
                ForEach([ErrandKind.medicine, .food, .rubbish, .other], id: \.self) { Text(text(UiText(Keys.of($0)))).tag($0) }
            }
            TextField(tr("isolation_errand_note"), text: $note)
            Button(tr("isolation_errand_add")) {
                Task { if await vm.addErrand(householdId, kind: kind, note: note) != nil { note = ""; list = await vm.errands(householdId) } }
            }
        }
        .task { list = await vm.errands(householdId) }
    }
}

/// A household as a sheet's item.
struct Identified: Identifiable {
    let value: HouseholdItem
    var id: String { value.id }
}

struct VisitSheet: View {
    let onSave: (VisitForm) -> Void
    @State private var form = VisitForm()
    @State private var temperature = ""
    @State private var followUp = ""

    var body: some View {
        NavigationStack {
            Form {
                Picker(tr("visit_outcome"), selection: $form.outcome) {
                    ForEach([VisitOutcome.met, .nobodyHome, .refused], id: \.self) { Text(text(UiText(Keys.of($0)))).tag($0) }
                }
                TextField(tr("visit_needs"), text: $form.needs, axis: .vertical)
                TextField(tr("visit_opinions"), text: $form.opinions, axis: .vertical)
                Section(tr("visit_health")) {
                    TextField(tr("visit_temperature"), text: $temperature).keyboardType(.decimalPad)
                    TextField(tr("visit_health_note"), text: $form.healthNote)
                    Toggle(tr("visit_health_concern"), isOn: $form.healthConcern)
                }
                TextField(tr("visit_follow_up_due"), text: $followUp)
                TextField(tr("visit_follow_up_note"), text: $form.followUpNote)
            }
            .toolbar {
                ToolbarItem(placement: .confirmationAction) {
                    Button(tr("action_save")) {
                        var f = form
                        f.temperatureC = Double(temperature)
                        f.followUpDue = followUp.isEmpty ? nil : followUp
                        onSave(f)
                    }
                }
            }
            .navigationTitle(tr("door_log_visit"))
        }
    }
}

struct ReportSheet: View {
    let onSave: (LinliCore.Category, String) -> Void
    @State private var category: LinliCore.Category = .other
    @State private var description = ""
    static let categories: [LinliCore.Category] = [.publicSecurity, .cityAppearance, .noise, .property, .elevator,
                                                   .illegalConstruction, .strayAnimals, .sanitation, .fireSafety, .other]

    var body: some View {
        NavigationStack {
            Form {
                Picker(tr("ticket_category"), selection: $category) {
                    ForEach(Self.categories, id: \.self) { Text(text(UiText(Keys.of($0)))).tag($0) }
                }
                TextField(tr("ticket_description"), text: $description, axis: .vertical)
            }
            .toolbar {
                ToolbarItem(placement: .confirmationAction) { Button(tr("action_save")) { onSave(category, description) } }
            }
            .navigationTitle(tr("ticket_report"))
        }
    }
}
