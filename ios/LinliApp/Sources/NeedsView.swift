// The needs list (需求清单 · 认领): the needs I hold, those waiting for my confirmation, the open
// ones urgent first, and this month's service time; one need with its services and a button for
// each step allowed now (claim, record a service with minutes and a note, confirm). Times in the
// community's time.
import LinliCore
import LinliViewModels
import SwiftUI

struct NeedsView: View {
    @StateObject private var observed: Observed<NeedsViewModel>

    init(session: Session) {
        _observed = StateObject(wrappedValue: Observed(NeedsViewModel(session: session)))
    }

    var body: some View {
        let vm = observed.vm
        let state = vm.state
        List {
            if let n = vm.notice { Text(text(n.text)).foregroundStyle(n.isError ? .red : .accentColor) }
            if !state.mine.isEmpty {
                Section(tr("needs_mine")) { rows(state.mine, vm: vm) }
            }
            if !state.toConfirm.isEmpty {
                Section(tr("needs_to_confirm")) { rows(state.toConfirm, vm: vm) }
            }
            Section(tr("needs_open")) {
                if state.open.isEmpty { Text(tr("needs_empty")) }
                rows(state.open, vm: vm)
            }
            if !state.hours.isEmpty {
                Section(tr("needs_hours")) {
                    ForEach(state.hours, id: \.id) { h in
                        VStack(alignment: .leading) {
                            Text(h.name).font(.title3)
                            Text(tr("needs_hours_line", String(h.services), text(h.time), text(h.confirmedTime)))
                        }
                    }
                }
            }
        }
        .navigationTitle(tr("home_needs"))
        .task { await vm.refresh() }
        .sheet(isPresented: Binding(get: { state.detail != nil }, set: { if !$0 { vm.close() } })) {
            if let detail = state.detail { NeedDetailView(vm: vm, n: detail, offset: state.utcOffsetMinutes) }
        }
    }

    private func rows(_ items: [NeedItem], vm: NeedsViewModel) -> some View {
        ForEach(items, id: \.id) { n in
            Button {
                Task { await vm.open(n.id) }
            } label: {
                VStack(alignment: .leading) {
                    Text([n.category, n.urgency, n.status].map(text).joined(separator: " · "))
                        .foregroundStyle(n.urgent ? Color.red : Color.secondary)
                    Text(n.description).font(.title3)
                    Text(n.address)
                    if let h = n.holder { Text(holderLine(h, n.holderUnit)) }
                    if n.minutes > 0 { Text(tr("need_served", text(n.served))) }
                }
            }
        }
    }
}

/// Who holds a need, and for which unit.
func holderLine(_ holder: String, _ unit: String?) -> String {
    unit.map { tr("need_holder_unit", holder, $0) } ?? tr("need_holder", holder)
}

struct NeedDetailView: View {
    let vm: NeedsViewModel
    let n: NeedDetailState
    let offset: Int32
    @State private var serving = false
    @State private var minutes = ""
    @State private var note = ""

    var body: some View {
        NavigationStack {
            List {
                if let notice = vm.notice { Text(text(notice.text)).foregroundStyle(notice.isError ? .red : .accentColor) }
                Section {
                    Text(n.description).font(.title3)
                    Text(n.address)
                    Text([n.urgency, n.status].map(text).joined(separator: " · "))
                    Text(tr("need_recorded_by", n.recordedBy, n.recordedAt.shown(offsetMinutes: offset)))
                    if let h = n.holder { Text(holderLine(h, n.holderUnit)) }
                    if let c = n.confirmedBy { Text(tr("need_confirmed_by", c)) }
                }
                Section {
                    ForEach(n.actions, id: \.self) { a in
                        switch a {
                        case .claim: Button(tr("need_claim")) { Task { await vm.claim() } }
                        case .recordService: Button(tr("need_record_service")) { serving = true }
                        case .confirm: Button(tr("need_confirm")) { Task { await vm.confirm() } }
                        }
                    }
                }
                Section(tr("need_services")) {
                    ForEach(Array(n.services.enumerated()), id: \.offset) { _, s in
                        VStack(alignment: .leading) {
                            Text(tr("need_service_line", s.at.shown(offsetMinutes: offset), holderLine(s.by, s.unit), text(s.time)))
                            if !s.note.isEmpty { Text(s.note) }
                        }
                    }
                }
            }
            .navigationTitle(text(n.category))
            .alert(tr("need_record_service"), isPresented: $serving) {
                TextField(tr("field_minutes"), text: $minutes).keyboardType(.numberPad)
                TextField(tr("field_note"), text: $note)
                Button(tr("action_save")) {
                    Task {
                        if await vm.recordService(minutes: minutes, note: note) { (minutes, note) = ("", "") }
                    }
                }
                Button(tr("action_cancel"), role: .cancel) {}
            }
        }
    }
}

/// Records a need of one household (from its screen): what, how soon, and in words.
struct RecordNeedSheet: View {
    @StateObject private var observed: Observed<NeedsViewModel>
    @Environment(\.dismiss) private var dismiss
    let householdId: String
    @State private var category = NeedCategory.shopping
    @State private var urgency = Urgency.normal
    @State private var words = ""

    init(session: Session, householdId: String) {
        self.householdId = householdId
        _observed = StateObject(wrappedValue: Observed(NeedsViewModel(session: session)))
    }

    var body: some View {
        let vm = observed.vm
        NavigationStack {
            Form {
                if let n = vm.notice { Text(text(n.text)).foregroundStyle(n.isError ? .red : .accentColor) }
                Picker(tr("need_category"), selection: $category) {
                    ForEach(Keys.needCategories, id: \.self) { Text(text(UiText(Keys.of($0)))).tag($0) }
                }
                Picker(tr("need_urgency"), selection: $urgency) {
                    ForEach(Keys.urgencies, id: \.self) { Text(text(UiText(Keys.of($0)))).tag($0) }
                }
                .pickerStyle(.segmented)
                TextField(tr("need_description"), text: $words, axis: .vertical)
                Button(tr("action_save")) {
                    Task {
                        if await vm.recordNeed(householdId: householdId, category: category, urgency: urgency,
                                               description: words) {
                            dismiss()
                        }
                    }
                }
            }
            .navigationTitle(tr("need_record"))
        }
    }
}
