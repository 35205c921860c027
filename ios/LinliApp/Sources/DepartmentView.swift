// A department's work orders (大联动): the open orders of the member's department(s), most
// recently dispatched first; one order with what was reported, 首问负责人 and 包案领导, its
// deadlines counting down and its steps, and a button for each step the core allows now.
import LinliCore
import LinliViewModels
import SwiftUI

struct DepartmentView: View {
    @StateObject private var observed: Observed<DepartmentViewModel>
    /// An order to open at once (from today's list).
    let openOrder: String?

    init(session: Session, openOrder: String? = nil) {
        self.openOrder = openOrder
        _observed = StateObject(wrappedValue: Observed(DepartmentViewModel(session: session)))
    }

    var body: some View {
        let vm = observed.vm
        let state = vm.state
        List {
            if let n = vm.notice { Text(text(n.text)).foregroundStyle(n.isError ? .red : .accentColor) }
            Text(state.departments.map(\.name).joined(separator: " · ")).font(.headline)
            if state.orders.isEmpty { Text(tr("department_empty")) }
            ForEach(state.orders, id: \.id) { o in
                Button {
                    Task { await vm.open(o.id) }
                } label: {
                    VStack(alignment: .leading) {
                        Text([text(o.category), text(o.status), o.unitName].joined(separator: " · ")).foregroundStyle(.secondary)
                        Text(o.description).font(.title3)
                        Text(o.place)
                        Text(tr("order_dispatched", o.dispatchedAt.shown))
                        if let d = o.deadline { Text(text(d)).foregroundStyle(o.overdue ? .red : .accentColor) }
                    }
                }
            }
        }
        .navigationTitle(tr("home_department"))
        .task {
            await vm.refresh()
            if let openOrder, vm.state.detail == nil { await vm.open(openOrder) }
        }
        .sheet(isPresented: Binding(get: { state.detail != nil }, set: { if !$0 { vm.close() } })) {
            if let detail = state.detail { OrderDetailView(vm: vm, o: detail) }
        }
    }
}

struct OrderDetailView: View {
    let vm: DepartmentViewModel
    let o: OrderDetailState
    @State private var asking: CaseActionKind?
    @State private var words = ""

    var body: some View {
        NavigationStack {
            List {
                if let n = vm.notice { Text(text(n.text)).foregroundStyle(n.isError ? .red : .accentColor) }
                Section {
                    Text(o.description).font(.title3)
                    Text(o.place)
                    Text(text(o.status) + (o.level.map { " · " + text($0) } ?? ""))
                    if let r = o.responsible { Text(tr("ticket_responsible", r)) }
                    if let l = o.leader { Text(tr("ticket_leader", l)) }
                    Text(tr("order_dispatched_by", o.dispatchedBy) + " · " + o.dispatchedAt.shown)
                    if let d = o.replyDeadline { Text(tr("ticket_reply_deadline", text(d))) }
                    if let d = o.resolveDeadline { Text(tr("ticket_resolve_deadline", text(d))) }
                    if let q = o.question { Text(tr("order_question", q)).foregroundStyle(.red) }
                    if !o.photos.isEmpty { Text(tr("ticket_photos") + "：\(o.photos.count)") }
                }
                Section {
                    ForEach(o.actions, id: \.self) { a in
                        switch a {
                        case .accept: Button(text(UiText(Keys.of(a)))) { Task { await vm.accept() } }
                        default: Button(text(UiText(Keys.of(a)))) { asking = a }
                        }
                    }
                }
                Section(tr("ticket_timeline")) {
                    ForEach(Array(o.steps.enumerated()), id: \.offset) { _, e in
                        VStack(alignment: .leading) {
                            Text("\(e.at.shown)  \(e.author)  " + text(e.action))
                            if !e.text.isEmpty { Text(e.text) }
                        }
                    }
                }
            }
            .navigationTitle(o.unitName + " · " + text(o.category))
            .alert(asking.map { text(UiText(Keys.of($0))) } ?? "",
                   isPresented: Binding(get: { asking != nil }, set: { if !$0 { asking = nil } })) {
                TextField(prompt, text: $words)
                Button(tr("action_save")) { Task { await run() } }
                Button(tr("action_cancel"), role: .cancel) { asking = nil }
            }
        }
    }

    /// What the asked step needs: the question, the reply, what was done, or why it goes back.
    private var prompt: String {
        switch asking {
        case .askInfo: return tr("order_question_label")
        case .reply: return tr("ticket_message")
        case .resolve: return tr("ticket_summary")
        case .handBack: return tr("order_reason")
        default: return tr("ticket_answer_label")
        }
    }

    /// Takes the asked step with the words typed.
    private func run() async {
        guard let a = asking else { return }
        switch a {
        case .askInfo: await vm.askInfo(words)
        case .reply: await vm.reply(words)
        case .resolve: await vm.resolve(words)
        case .handBack: await vm.handBack(words)
        case .accept: await vm.accept()
        // The community answers a question from the ticket's screen.
        case .answerInfo: break
        }
        words = ""
        asking = nil
    }
}
