// Tickets: the four lists, a problem reported from here (the form in TicketReportSheet.swift),
// a ticket's detail with its channel, each photo (or 照片待同步), its timeline and deadlines
// counting down, and a button for each action the member may take now (a photo taken with the
// camera); who answers for it (首问负责人, 包案领导), its departments' work orders with where each
// stands, and their questions to answer; the office or an area lead plans a joint action
// (联合行动) for it; and its history (修改记录).
import LinliCore
import LinliViewModels
import SwiftUI

struct TicketsView: View {
    @StateObject private var observed: Observed<TicketsViewModel>
    private let session: Session

    init(session: Session) {
        self.session = session
        _observed = StateObject(wrappedValue: Observed(TicketsViewModel(session: session)))
    }

    var body: some View {
        let vm = observed.vm
        let state = vm.state
        List {
            if let n = vm.notice { Text(text(n.text)).foregroundStyle(n.isError ? .red : .accentColor) }
            Picker("", selection: Binding(get: { state.list }, set: { l in Task { await vm.show(l) } })) {
                Text(tr("tickets_mine")).tag(TicketList.mine)
                Text(tr("tickets_open")).tag(TicketList.open)
                Text(tr("tickets_overdue")).tag(TicketList.overdue)
                Text(tr("tickets_by_level") + "·" + text(UiText(Keys.of(Level.street)))).tag(TicketList.atLevel(.street))
                Text(tr("tickets_by_level") + "·" + text(UiText(Keys.of(Level.county)))).tag(TicketList.atLevel(.county))
            }
            ForEach(state.items, id: \.id) { t in
                Button {
                    Task { await vm.open(t.id) }
                } label: {
                    VStack(alignment: .leading) {
                        Text([t.category, t.status, t.level].map(text).joined(separator: " · ")).foregroundStyle(.secondary)
                        Text(t.description).font(.title3)
                        Text(t.place)
                        if let d = t.deadline { Text(text(d)).foregroundStyle(t.overdue ? .red : .accentColor) }
                    }
                }
            }
            if state.hasMore {
                Button(tr("tickets_more")) { Task { await vm.showMore() } }
            }
        }
        .navigationTitle(tr("home_tickets"))
        .toolbar {
            ToolbarItem(placement: .primaryAction) { Button(tr("ticket_report")) { vm.startReport() } }
        }
        .task { await vm.refresh() }
        .sheet(isPresented: Binding(get: { state.report != nil }, set: { if !$0 { vm.cancelReport() } })) {
            TicketReportSheet(observed: observed)
        }
        .sheet(isPresented: Binding(get: { state.detail != nil }, set: { if !$0 { vm.close() } })) {
            if let detail = state.detail { TicketDetailView(vm: vm, session: session, t: detail) }
        }
    }
}

struct TicketDetailView: View {
    let vm: TicketsViewModel
    let session: Session
    let t: TicketDetailState
    @State private var planning = false
    @State private var asking: TicketActionKind?
    @State private var answering: OrderQuestion?
    @State private var words = ""

    var body: some View {
        NavigationStack {
            List {
                if let n = vm.notice { Text(text(n.text)).foregroundStyle(n.isError ? .red : .accentColor) }
                Section {
                    Text(t.description).font(.title3)
                    Text(t.place)
                    Text(text(t.status) + " · " + text(t.level))
                    Text(tr("ticket_channel") + "：" + text(t.channel))
                    if let d = t.replyDeadline { Text(tr("ticket_reply_deadline", text(d))) }
                    if let d = t.resolveDeadline { Text(tr("ticket_resolve_deadline", text(d))) }
                    if let r = t.responsible { Text(tr("ticket_responsible", r)) }
                    if let l = t.leader { Text(tr("ticket_leader", l)) }
                    if let u = t.unit { Text(tr("ticket_unit", u)) }
                    NavigationLink(tr("history_open")) { HistoryView(session: session, docId: t.id) }
                }
                if !t.photos.isEmpty {
                    Section(tr("ticket_photos")) {
                        ScrollView(.horizontal) {
                            HStack {
                                ForEach(t.photos, id: \.sha256) { p in
                                    PhotoThumbnail(bytes: p.bytes, pending: p.pending.map(text) ?? "")
                                }
                            }
                        }
                    }
                }
                if !t.questions.isEmpty {
                    Section {
                        ForEach(t.questions, id: \.orderId) { q in
                            Text(tr("ticket_order_question", q.unitName, q.question)).foregroundStyle(.red)
                            if q.canAnswer {
                                Button(text(UiText(Keys.of(CaseActionKind.answerInfo)))) { answering = q }
                            }
                        }
                    }
                }
                if !t.orders.isEmpty {
                    Section(tr("ticket_orders")) {
                        ForEach(t.orders, id: \.id) { o in
                            VStack(alignment: .leading) {
                                Text([o.unitName, text(o.status), o.dispatchedAt.shown].joined(separator: " · "))
                                if let d = o.deadline { Text(text(d)).foregroundStyle(o.overdue ? .red : .accentColor) }
                            }
                        }
                    }
                }
                Section {
                    ForEach(t.actions, id: \.self) { a in
                        switch a {
                        case .accept: Button(text(UiText(Keys.of(a)))) { Task { await vm.perform(.accept) } }
                        case .attachPhoto:
                            CameraPhotoButton(onPhoto: { data in Task { await vm.perform(.attachPhoto(data)) } },
                                              onRefused: { vm.cameraRefused() })
                        default: Button(text(UiText(Keys.of(a)))) { asking = a }
                        }
                    }
                    // Naming a leader is the supervisors' (office, area lead), as planning is.
                    if t.actions.contains(.nameLeader) { Button(tr("joint_plan")) { planning = true } }
                }
                Section(tr("ticket_timeline")) {
                    ForEach(Array(t.timeline.enumerated()), id: \.offset) { _, e in
                        VStack(alignment: .leading) {
                            Text("\(e.at.shown)  \(e.author)  " + text(e.action) + (e.subject.map { " · " + text($0) } ?? ""))
                            if !e.text.isEmpty { Text(e.text) }
                        }
                    }
                }
            }
            .navigationTitle(text(t.category))
            .sheet(isPresented: $planning) { JointPlanSheet(session: session, ticketId: t.id) }
            .alert(asking.map { text(UiText(Keys.of($0))) } ?? "",
                   isPresented: Binding(get: { asking.map { !Self.chosen.contains($0) } ?? false }, set: { if !$0 { asking = nil } })) {
                TextField(prompt, text: $words)
                if asking == .evaluate {
                    Button(tr("ticket_satisfied")) { Task { await run(satisfied: true) } }
                    Button(tr("ticket_unsatisfied")) { Task { await run(satisfied: false) } }
                } else {
                    Button(tr("action_save")) { Task { await run(satisfied: true) } }
                }
                Button(tr("action_cancel"), role: .cancel) { asking = nil }
            }
            .confirmationDialog(tr("ticket_department"),
                                isPresented: Binding(get: { asking == .assign }, set: { if !$0 { asking = nil } })) {
                ForEach(Self.departments, id: \.self) { d in
                    Button(text(UiText(Keys.of(d)))) { Task { await vm.perform(.assign(d)); asking = nil } }
                }
            }
            .confirmationDialog(tr("ticket_merge_into"),
                                isPresented: Binding(get: { asking == .merge }, set: { if !$0 { asking = nil } })) {
                ForEach(t.mergeTargets, id: \.id) { m in
                    Button(m.description + " · " + m.place + " · " + text(m.status)) {
                        Task { await vm.perform(.merge(into: m.id)); asking = nil }
                    }
                }
            } message: {
                if t.mergeTargets.isEmpty { Text(tr("ticket_merge_none")) }
            }
            .confirmationDialog(tr("ticket_department"),
                                isPresented: Binding(get: { asking == .dispatch }, set: { if !$0 { asking = nil } })) {
                ForEach(t.departments, id: \.id) { d in
                    Button(d.name) { Task { await vm.perform(.dispatch(unit: d.id)); asking = nil } }
                }
            } message: {
                if t.departments.isEmpty { Text(tr("ticket_no_departments")) }
            }
            .confirmationDialog(text(UiText(Keys.of(TicketActionKind.nameLeader))),
                                isPresented: Binding(get: { asking == .nameLeader }, set: { if !$0 { asking = nil } })) {
                ForEach(t.leaders, id: \.id) { m in
                    Button(m.name) { Task { await vm.perform(.nameLeader(memberId: m.id)); asking = nil } }
                }
            } message: {
                if t.leaders.isEmpty { Text(tr("ticket_no_leaders")) }
            }
            .alert(text(UiText(Keys.of(CaseActionKind.answerInfo))),
                   isPresented: Binding(get: { answering != nil }, set: { if !$0 { answering = nil } })) {
                TextField(tr("ticket_answer_label"), text: $words)
                Button(tr("action_save")) {
                    Task {
                        if let q = answering { await vm.answer(orderId: q.orderId, answer: words) }
                        words = ""
                        answering = nil
                    }
                }
                Button(tr("action_cancel"), role: .cancel) { answering = nil }
            } message: {
                if let q = answering { Text(tr("ticket_order_question", q.unitName, q.question)) }
            }
        }
    }

    /// The actions whose choice is made from a list rather than typed.
    static let chosen: Set<TicketActionKind> = [.assign, .merge, .dispatch, .nameLeader]

    static let departments: [Department] = [.police, .cityManagement, .housingOffice, .marketRegulation,
                                            .propertyCompany, .sanitation, .fireBrigade, .communityOffice, .other]

    private var prompt: String {
        switch asking {
        case .escalate: return tr("ticket_reason")
        case .reply: return tr("ticket_message")
        case .resolve: return tr("ticket_summary")
        case .evaluate: return tr("ticket_comment")
        default: return tr("ticket_department")
        }
    }

    /// Runs the asked action with the words typed; escalation goes one level up.
    private func run(satisfied: Bool) async {
        guard let a = asking else { return }
        switch a {
        case .escalate: await vm.perform(.escalate(to: t.level == UiText(Keys.of(Level.street)) ? .county : .street, reason: words))
        case .reply: await vm.perform(.reply(words))
        case .resolve: await vm.perform(.resolve(words))
        case .evaluate: await vm.perform(.evaluate(satisfied: satisfied, comment: words))
        case .accept, .assign, .merge, .attachPhoto, .dispatch, .nameLeader: break
        }
        words = ""
        asking = nil
    }
}
