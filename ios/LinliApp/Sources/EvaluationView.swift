// This month's evaluation (评议): the office opens the round; the member rates each area lead
// and co-building unit (1 to 5 with a comment) and votes one 最美楼栋长; the result counted so
// far, with those who voted twice from two phones; the office closes it.
import LinliCore
import LinliViewModels
import SwiftUI

struct EvaluationView: View {
    @StateObject private var observed: Observed<EvaluationViewModel>
    @State private var rating: SubjectItem?

    init(session: Session) {
        _observed = StateObject(wrappedValue: Observed(EvaluationViewModel(session: session)))
    }

    var body: some View {
        let vm = observed.vm
        let state = vm.state
        List {
            if let n = vm.notice { Text(text(n.text)).foregroundStyle(n.isError ? .red : .accentColor) }
            Text(tr("evaluation_month", state.month)).font(.headline)
            if state.roundId == nil { Text(tr("evaluation_none")) }
            if state.closed { Text(tr("evaluation_closed")) }
            if state.mayOpen { Button(tr("evaluation_open_round")) { Task { await vm.openRound() } } }
            if !state.subjects.isEmpty {
                Section(tr("evaluation_subjects")) {
                    ForEach(state.subjects, id: \.id) { s in
                        HStack {
                            VStack(alignment: .leading) {
                                Text(s.name).font(.title3)
                                Text(text(s.label)).foregroundStyle(.secondary)
                                if let score = s.myScore { Text(tr("evaluation_my_score", String(score))) }
                            }
                            Spacer()
                            if state.mayCast && s.myScore == nil {
                                Button(tr("evaluation_rate")) { rating = s }.buttonStyle(.bordered)
                            }
                        }
                    }
                }
            }
            if !state.candidates.isEmpty {
                Section(tr("evaluation_candidates")) {
                    if let v = state.myVote { Text(tr("evaluation_my_vote", v)) }
                    ForEach(state.candidates, id: \.id) { c in
                        HStack {
                            Text(c.name).font(.title3)
                            Spacer()
                            if c.mine {
                                Image(systemName: "checkmark")
                            } else if state.mayCast && state.myVote == nil {
                                Button(tr("evaluation_vote")) { Task { await vm.vote(c.id) } }.buttonStyle(.bordered)
                            }
                        }
                    }
                }
            }
            if let r = state.result {
                Section(tr("evaluation_result")) {
                    ForEach(Array(r.subjects.enumerated()), id: \.offset) { _, s in
                        Text(tr("evaluation_subject_result", s.name, String(s.ratings), s.mean))
                    }
                    ForEach(Array(r.candidates.enumerated()), id: \.offset) { _, c in
                        Text(tr("evaluation_candidate_votes", c.name, String(c.votes)))
                    }
                    if let w = r.winner { Text(tr("evaluation_winner", w)).font(.headline) }
                    if let d = r.doubleVotersText { Text(text(d)).foregroundStyle(.red) }
                }
            }
            if state.mayClose {
                Button(tr("evaluation_close_round"), role: .destructive) { Task { await vm.closeRound() } }
            }
        }
        .navigationTitle(tr("home_evaluation"))
        .task { await vm.refresh() }
        .sheet(isPresented: Binding(get: { rating != nil }, set: { if !$0 { rating = nil } })) {
            if let s = rating { RateSheet(vm: vm, subject: s) { rating = nil } }
        }
    }
}

/// Rates one area lead or co-building unit: a score from 1 to 5 and a comment.
struct RateSheet: View {
    let vm: EvaluationViewModel
    let subject: SubjectItem
    let done: () -> Void
    @State private var score = 5
    @State private var comment = ""

    var body: some View {
        NavigationStack {
            Form {
                if let n = vm.notice { Text(text(n.text)).foregroundStyle(n.isError ? .red : .accentColor) }
                Text(text(subject.label)).foregroundStyle(.secondary)
                Picker(tr("field_score"), selection: $score) {
                    ForEach(1...5, id: \.self) { Text(String($0)).tag($0) }
                }
                .pickerStyle(.segmented)
                TextField(tr("field_comment"), text: $comment, axis: .vertical)
                Button(tr("action_save")) {
                    Task {
                        if await vm.rate(kind: subject.kind, subjectId: subject.id, score: score, comment: comment) { done() }
                    }
                }
            }
            .navigationTitle(subject.name)
        }
    }
}
