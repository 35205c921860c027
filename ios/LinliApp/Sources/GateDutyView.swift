// Gate duty: the badge view, check in and out, the handover to another duty member, the gate
// register (a visitor's pass type chosen and the address visited — a building or lane the phone
// knows, the unit and room as said —, incidents, fever readings and refused passes in red, each
// entry's kind in words with a visitor's pass type or an incident's severity, times in the
// community's, each entry opening its gate day's history), the vehicles inside and the parcels
// waiting, passes checked, the week's roster and swaps, each day's and week's history, and for
// the gate lead roster building (with the number of 安全员) and passes issued through the relay
// (shown as a QR code).
import LinliCore
import LinliViewModels
import SwiftUI

struct GateDutyView: View {
    let session: Session
    @StateObject private var observed: Observed<GateDutyViewModel>
    @State private var form: GateForm?
    @State private var picking: SlotPick?
    @State private var members: [MemberRow] = []
    @State private var passText = ""
    @State private var scanningPass = false
    @State private var issuingPass = false
    @State private var handingOver = false
    @State private var collecting: ParcelItem?
    @State private var collectedBy = ""

    /// A roster slot being given to someone: by swap request, or by the gate lead directly.
    struct SlotPick: Identifiable {
        let shiftId: String
        let slotId: String
        let swap: Bool
        var id: String { slotId + (swap ? "/swap" : "/assign") }
    }

    enum GateForm: String, Identifiable {
        case visitor, vehicle, vehicleExit, parcel, temperature, patrol, incident, shift
        var id: String { rawValue }
        var fields: [String] {
            switch self {
            case .visitor: return [tr("field_name"), tr("field_phone"), tr("field_purpose"), tr("gate_visit_room")]
            case .vehicle: return [tr("field_plate"), tr("field_purpose")]
            case .vehicleExit: return [tr("field_plate")]
            case .parcel: return [tr("field_recipient"), tr("field_carrier")]
            case .temperature: return [tr("field_person"), tr("field_temperature")]
            case .patrol: return [tr("field_note")]
            case .incident: return [tr("field_note")]
            case .shift: return [tr("field_label"), tr("field_start"), tr("field_end"), tr("field_officers")]
            }
        }
    }

    init(session: Session, gateId: String) {
        self.session = session
        _observed = StateObject(wrappedValue: Observed(GateDutyViewModel(session: session, gateId: gateId)))
    }

    var body: some View {
        let vm = observed.vm
        let state = vm.state
        List {
            if let n = vm.notice { Text(text(n.text)).foregroundStyle(n.isError ? .red : .accentColor) }
            Section(tr("gate_on_duty_now")) {
                ForEach(Array(state.badge.enumerated()), id: \.offset) { _, slot in
                    VStack(alignment: .leading) {
                        Text(text(slot.role)).font(.title2)
                        Text(tr("gate_planned", slot.planned ?? tr("gate_nobody")))
                        Text(tr("gate_checked_in", slot.onDuty ?? tr("gate_nobody")))
                        Text(text(slot.attendance)).foregroundStyle(.secondary)
                    }
                }
                if !state.others.isEmpty { Text(tr("gate_others") + "：" + state.others.joined(separator: "、")) }
                Button(state.meOnDuty ? tr("gate_check_out") : tr("gate_check_in")) {
                    Task { state.meOnDuty ? await vm.checkOut() : await vm.checkIn() }
                }
                .font(.title2)
                if state.meOnDuty && !state.handoverTo.isEmpty {
                    Button(tr("gate_hand_over")) { handingOver = true }
                }
            }
            Section {
                Button(tr("gate_register_visitor")) { form = .visitor }
                Button(tr("gate_register_vehicle")) { form = .vehicle }
                Button(tr("gate_vehicle_exit")) { form = .vehicleExit }
                Button(tr("gate_register_parcel")) { form = .parcel }
                Button(tr("gate_register_temperature")) { form = .temperature }
                Button(tr("gate_patrol_note")) { form = .patrol }
                Button(tr("gate_record_incident")) { form = .incident }.foregroundStyle(.red)
            }
            goods(vm: vm, state: state)
            Section(tr("gate_pass_title")) {
                TextField(tr("gate_pass_text"), text: $passText)
                    .textInputAutocapitalization(.never).autocorrectionDisabled()
                HStack {
                    Button(tr("gate_pass_check")) {
                        let text = passText
                        passText = ""
                        Task { await vm.checkPass(text) }
                    }
                    .disabled(passText.isEmpty)
                    Button(tr("gate_pass_scan")) { scanningPass = true }
                }
                if let last = state.lastPass {
                    Text(text(last.label)).font(.title2).bold().foregroundStyle(last.letThrough ? Color.green : Color.red)
                    if let kind = last.kind { Text(text(kind)) }
                    if let holder = last.holder { Text(tr("gate_pass_holder", holder)) }
                }
                if state.lateRevocations > 0 {
                    Text(tr("gate_late_revocations", String(state.lateRevocations))).foregroundStyle(.red)
                }
            }
            .sheet(isPresented: $scanningPass) {
                CodeScannerView { code in
                    scanningPass = false
                    Task { await vm.checkPass(code) }
                }
            }
            Section(tr("gate_entries_today")) {
                ForEach(Array(state.entries.enumerated()), id: \.offset) { _, e in
                    // An entry opens its gate day's history.
                    NavigationLink { HistoryView(session: session, docId: e.recordId) } label: {
                        VStack(alignment: .leading, spacing: 2) {
                            HStack {
                                // The kind in words, with a visitor's pass type or an incident's severity.
                                Text(([e.label] + [e.passType, e.severity].compactMap { $0 }).map(text).joined(separator: " · "))
                                    .bold().foregroundStyle(e.flagged ? Color.red : Color.primary)
                                if e.flagged && e.kind == "temperature" { Text(tr("gate_fever")).bold().foregroundStyle(.red) }
                                Text(e.at.shown(offsetMinutes: state.utcOffsetMinutes)).foregroundStyle(.secondary)
                            }
                            // A visitor's summary ends with the address visited.
                            Text([e.member, e.summary].compactMap { $0 }.filter { !$0.isEmpty }.joined(separator: "  "))
                        }
                    }
                    .listRowBackground(e.flagged ? Color.red.opacity(0.15) : nil)
                }
                if let doc = state.gateDayDoc {
                    NavigationLink(tr("history_open")) { HistoryView(session: session, docId: doc) }
                }
            }
            Section(tr("gate_week_roster")) {
                ForEach(state.week, id: \.shiftId) { shift in
                    VStack(alignment: .leading) {
                        Text("\(shift.label)  \(shift.start.shown(offsetMinutes: state.utcOffsetMinutes)) – "
                             + shift.end.shown(offsetMinutes: state.utcOffsetMinutes))
                        ForEach(shift.slots, id: \.slotId) { slot in
                            HStack {
                                Text(text(UiText(Keys.of(slot.role))) + "：" + (slot.memberName ?? tr("gate_nobody")))
                                if slot.memberId == session.credentials.memberId {
                                    Button(tr("gate_request_swap")) { picking = SlotPick(shiftId: shift.shiftId, slotId: slot.slotId, swap: true) }
                                }
                                if state.canBuildRoster {
                                    Button(tr("gate_assign_slot")) { picking = SlotPick(shiftId: shift.shiftId, slotId: slot.slotId, swap: false) }
                                }
                            }
                            .buttonStyle(.borderless)
                        }
                    }
                }
                if state.canBuildRoster {
                    Button(tr("gate_add_shift")) { form = .shift }
                    Button(tr("gate_issue_pass")) { issuingPass = true }
                }
                if let doc = state.rosterDoc {
                    NavigationLink(tr("history_open")) { HistoryView(session: session, docId: doc) }
                }
            }
            Section(tr("gate_swaps")) {
                ForEach(state.swaps, id: \.swapId) { swap in
                    HStack {
                        Text("\(swap.from) → \(swap.to)  " + text(swap.status))
                        if swap.toMe {
                            Button(tr("gate_accept_swap")) { Task { await vm.acceptSwap(swap.swapId) } }
                        }
                        if state.canBuildRoster {
                            Button(tr("gate_approve_swap")) { Task { await vm.approveSwap(swap.swapId) } }
                        }
                    }
                }
            }
        }
        .navigationTitle(state.gateName)
        .task { await vm.refresh() }
        .sheet(isPresented: $issuingPass) {
            IssuePassSheet(buildings: state.buildings, issued: state.issuedPass) { request in
                Task { await vm.issuePass(request) }
            }
        }
        .sheet(item: $picking) { pick in
            NavigationStack {
                List(members, id: \.id) { m in
                    Button(m.name + "  " + m.roles.map { text(UiText(Keys.of($0.role))) }.joined(separator: " ")) {
                        Task {
                            if pick.swap {
                                await vm.requestSwap(shiftId: pick.shiftId, slotId: pick.slotId, toMember: m.id)
                            } else {
                                await vm.assignSlot(shiftId: pick.shiftId, slotId: pick.slotId, memberId: m.id)
                            }
                            picking = nil
                        }
                    }
                }
                .navigationTitle(tr("field_member"))
                .task { members = await vm.gateMembers() }
            }
        }
        .sheet(item: $form) { f in formSheet(f, vm: vm, state: state) }
        .confirmationDialog(tr("field_to_member"), isPresented: $handingOver) {
            ForEach(state.handoverTo, id: \.id) { m in
                Button(m.name) { Task { await vm.handOver(m.id) } }
            }
        }
        .alert(tr("gate_parcel_pick_up"), isPresented: Binding(get: { collecting != nil }, set: { if !$0 { collecting = nil } })) {
            TextField(tr("gate_collected_by_hint"), text: $collectedBy)
            Button(tr("action_save")) {
                if let p = collecting {
                    let by = collectedBy
                    Task { await vm.pickUp(parcelId: p.id, collectedBy: by) }
                }
                (collecting, collectedBy) = (nil, "")
            }
            Button(tr("action_cancel"), role: .cancel) { (collecting, collectedBy) = (nil, "") }
        } message: {
            if let p = collecting { Text(p.summary) }
        }
    }

    /// The vehicles inside, each logged out from its row, and the parcels waiting, each
    /// collected from its row.
    @ViewBuilder
    private func goods(vm: GateDutyViewModel, state: GateDutyState) -> some View {
        if !state.vehiclesInside.isEmpty {
            Section(tr("gate_vehicles_inside")) {
                ForEach(state.vehiclesInside, id: \.id) { v in
                    HStack {
                        VStack(alignment: .leading) {
                            Text(v.summary)
                            Text(tr("gate_since", v.since.shown(offsetMinutes: state.utcOffsetMinutes))).foregroundStyle(.secondary)
                        }
                        Spacer()
                        Button(tr("gate_vehicle_left")) { Task { await vm.vehicleLeft(plate: v.plate) } }
                    }
                    .buttonStyle(.borderless)
                }
            }
        }
        if !state.parcelsWaiting.isEmpty {
            Section(tr("gate_parcels_waiting")) {
                ForEach(state.parcelsWaiting, id: \.id) { p in
                    HStack {
                        VStack(alignment: .leading) {
                            Text(p.summary)
                            Text(tr("gate_since", p.since.shown(offsetMinutes: state.utcOffsetMinutes))).foregroundStyle(.secondary)
                        }
                        Spacer()
                        Button(tr("gate_parcel_pick_up")) { collecting = p }
                    }
                    .buttonStyle(.borderless)
                }
            }
        }
    }

    /// The sheet of a register form: a visitor's with the pass type chosen, an incident's with
    /// its severity, the others' text fields only.
    @ViewBuilder
    private func formSheet(_ f: GateForm, vm: GateDutyViewModel, state: GateDutyState) -> some View {
        switch f {
        case .visitor:
            ChoiceFormSheet(fields: f.fields, choiceTitle: tr("field_pass"), choices: state.passTypes,
                            places: state.visitPlaces) { v, pass, place in
                Task {
                    await vm.registerVisitor(name: v[0], phone: v[1], purpose: v[2], passType: pass, buildingId: place, room: v[3])
                    form = nil
                }
            }
        case .incident:
            ChoiceFormSheet(fields: f.fields, choiceTitle: tr("gate_record_incident"), choices: state.severities) { v, severity, _ in
                Task {
                    await vm.recordIncident(note: v[0], severity: severity)
                    form = nil
                }
            }
        default:
            FormSheet(title: f.fields[0], fields: f.fields) { v in
                Task {
                    switch f {
                    case .vehicle: await vm.registerVehicle(plate: v[0], purpose: v[1])
                    case .vehicleExit: await vm.vehicleLeft(plate: v[0])
                    case .parcel: await vm.registerParcel(recipient: v[0], carrier: v[1])
                    case .temperature: if let c = Double(v[1]) { await vm.recordTemperature(person: v[0], celsius: c) }
                    case .patrol: await vm.recordPatrol(note: v[0])
                    case .shift:
                        // Times typed as HH:mm, today in the community's time (the core reads
                        // them), and the number of 安全员.
                        await vm.addShift(label: v[0], start: v[1], end: v[2], officers: v[3])
                    case .visitor, .incident: break
                    }
                    form = nil
                }
            }
        }
    }
}

/// A sheet of text fields and one choice (a visitor's pass type, an incident's severity), with
/// save and cancel; for a visitor, the building or lane visited too (`places`, none chosen at
/// first).
struct ChoiceFormSheet<T: Hashable & Sendable>: View {
    let fields: [String]
    let choiceTitle: String
    let choices: [Choice<T>]
    let places: [PlaceRow]
    let onSave: ([String], T, String?) -> Void
    @State private var values: [String]
    @State private var chosen: T?
    @State private var place: String?
    @Environment(\.dismiss) private var dismiss

    init(fields: [String], choiceTitle: String, choices: [Choice<T>], places: [PlaceRow] = [],
         onSave: @escaping ([String], T, String?) -> Void) {
        self.fields = fields
        self.choiceTitle = choiceTitle
        self.choices = choices
        self.places = places
        self.onSave = onSave
        _values = State(initialValue: fields.map { _ in "" })
        _chosen = State(initialValue: choices.first?.value)
    }

    var body: some View {
        NavigationStack {
            Form {
                if !places.isEmpty {
                    Picker(tr("gate_visit_building"), selection: $place) {
                        Text(tr("gate_visit_none")).tag(String?.none)
                        ForEach(places, id: \.id) { p in Text(p.name).tag(Optional(p.id)) }
                    }
                }
                ForEach(fields.indices, id: \.self) { i in TextField(fields[i], text: $values[i]) }
                Picker(choiceTitle, selection: $chosen) {
                    ForEach(choices, id: \.value) { c in Text(text(c.label)).tag(Optional(c.value)) }
                }
            }
            .toolbar {
                ToolbarItem(placement: .confirmationAction) {
                    Button(tr("action_save")) { if let c = chosen { onSave(values, c, place) } }
                }
                ToolbarItem(placement: .cancellationAction) { Button(tr("action_cancel")) { dismiss() } }
            }
        }
    }
}

/// 签发通行证: the holder named by building, unit, room and name (the gate phone lists no
/// residents); the pass the relay signed is shown as a QR code to photograph or print.
struct IssuePassSheet: View {
    let buildings: [PlaceRow]
    let issued: PassSigned?
    let onIssue: (PassRequestForm) -> Void
    @State private var building = ""
    @State private var unit = ""
    @State private var room = ""
    @State private var name = ""
    @State private var kind = PassKind.resident
    @State private var days = 7

    var body: some View {
        NavigationStack {
            Form {
                Picker(tr("gate_pass_building"), selection: $building) {
                    ForEach(buildings, id: \.id) { Text($0.name).tag($0.id) }
                }
                TextField(tr("gate_pass_unit"), text: $unit)
                TextField(tr("gate_pass_room"), text: $room)
                TextField(tr("gate_pass_name"), text: $name)
                Picker(tr("gate_issue_pass"), selection: $kind) {
                    ForEach([PassKind.resident, .night, .visitor], id: \.self) { Text(text(UiText(Keys.of($0)))).tag($0) }
                }
                Stepper("\(tr("gate_pass_days")): \(days)", value: $days, in: 1...366)
                Button(tr("gate_issue_pass_submit")) {
                    onIssue(PassRequestForm(buildingId: building, unit: unit, room: room, name: name, kind: kind, days: days))
                }
                .disabled(building.isEmpty || room.isEmpty || name.isEmpty)
                if let issued, let matrix = try? qrCode(text: issued.text) {
                    Text(issued.holder)
                    QrImage(matrix: matrix)
                }
            }
            .navigationTitle(tr("gate_issue_pass"))
            .onAppear { if building.isEmpty { building = buildings.first?.id ?? "" } }
        }
    }
}

/// A sheet of text fields with save and cancel.
struct FormSheet: View {
    let title: String
    let fields: [String]
    let onSave: ([String]) -> Void
    @State private var values: [String]
    @Environment(\.dismiss) private var dismiss

    init(title: String, fields: [String], onSave: @escaping ([String]) -> Void) {
        self.title = title
        self.fields = fields
        self.onSave = onSave
        _values = State(initialValue: fields.map { _ in "" })
    }

    var body: some View {
        NavigationStack {
            Form {
                ForEach(fields.indices, id: \.self) { i in TextField(fields[i], text: $values[i]) }
            }
            .toolbar {
                ToolbarItem(placement: .confirmationAction) { Button(tr("action_save")) { onSave(values) } }
                ToolbarItem(placement: .cancellationAction) { Button(tr("action_cancel")) { dismiss() } }
            }
        }
    }
}
