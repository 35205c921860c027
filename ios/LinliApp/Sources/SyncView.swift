// Sync: last contact, what waits to go, photos pending, conflicts by record and field with both
// values and who made them (keep one, or enter a new value), the changes the relay did not
// accept (未被接受的修改) with why, "sync now" with progress, the revoked-device notice with the
// wipe, and the unsent work handed over as a file (the share sheet) when the phone can no
// longer sync or signs out offline.
import LinliViewModels
import SwiftUI

struct SyncView: View {
    @EnvironmentObject var model: AppModel
    @StateObject private var observed: Observed<SyncViewModel>

    init(vm: SyncViewModel) {
        _observed = StateObject(wrappedValue: Observed(vm))
    }

    var body: some View {
        let vm = observed.vm
        let state = vm.state
        List {
            if let n = vm.notice { Text(text(n.text)).foregroundStyle(n.isError ? .red : .accentColor) }
            if state.revoked {
                Text(tr("sync_revoked_body")).font(.title3).foregroundStyle(.red)
                if state.exportOffered { ExportUnsentRow(vm: vm) }
                Button(tr("sync_wipe"), role: .destructive) {
                    try? vm.wipe(credentials: model.credentials)
                    model.forget()
                }
            } else {
                Section {
                    Text(state.lastContact.map { tr("sync_last_contact", $0.shown) } ?? tr("sync_never"))
                    Text(tr("sync_waiting", String(state.waiting)))
                    if state.held > 0 { Text(tr("sync_held", String(state.held))) }
                    if state.photosPending > 0 { Text(tr("sync_photos_pending", String(state.photosPending))) }
                    if state.running, let p = state.progress {
                        if p.total > 0 {
                            ProgressView(text(p.label), value: Double(p.done), total: Double(p.total))
                        } else {
                            ProgressView(text(p.label))
                        }
                        Button(tr("sync_cancel")) { vm.cancelSync() }
                    } else {
                        Button(tr("sync_now")) { Task { await vm.syncNow() } }.font(.title2)
                        Button(tr("sync_sign_out"), role: .destructive) {
                            Task { if await vm.signOut(credentials: model.credentials) { model.forget() } }
                        }
                        if state.exportOffered { ExportUnsentRow(vm: vm) }
                        if state.signOutWouldLose != nil {
                            Button(tr("sync_sign_out_anyway"), role: .destructive) {
                                Task { if await vm.signOut(credentials: model.credentials, force: true) { model.forget() } }
                            }
                        }
                    }
                }
                if !state.conflicts.isEmpty {
                    Section(tr("sync_conflicts")) {
                        ForEach(state.conflicts, id: \.field) { c in
                            VStack(alignment: .leading) {
                                Text(c.recordName).font(.title3)
                                Text(text(c.fieldLabel)).font(.headline)
                                ForEach(Array(c.choices.enumerated()), id: \.offset) { i, choice in
                                    HStack {
                                        Text(choice.display + "  " + tr("sync_conflict_by", choice.memberName, choice.device))
                                        Spacer()
                                        Button(tr("sync_conflict_keep")) { Task { await vm.resolve(c, index: i) } }
                                            .buttonStyle(.bordered)
                                    }
                                }
                                NewValueRow { value in await vm.resolve(c, value: value) }
                            }
                        }
                    }
                }
                if !state.setAside.isEmpty {
                    Section {
                        Text(tr("sync_set_aside_hint")).foregroundStyle(.secondary)
                        ForEach(state.setAside, id: \.id) { c in
                            VStack(alignment: .leading, spacing: 2) {
                                Text(c.recordName).font(.title3)
                                Text([c.at.shown(offsetMinutes: state.utcOffsetMinutes), c.member ?? "", text(c.action)]
                                    .filter { !$0.isEmpty }.joined(separator: "  "))
                                Text(text(c.why)).foregroundStyle(.red)
                            }
                        }
                    } header: {
                        Text(tr("sync_set_aside_title"))
                    }
                }
            }
        }
        .navigationTitle(tr("home_sync"))
        .task { await vm.refresh() }
    }
}

/// "Enter a new value" for a conflict: a field and the button that uses it.
private struct NewValueRow: View {
    let use: (String) async -> Void
    @State private var value = ""

    var body: some View {
        HStack {
            TextField(tr("sync_conflict_new_value"), text: $value)
            Button(tr("sync_conflict_use_value")) { Task { await use(value) } }
                .buttonStyle(.bordered)
                .disabled(value.trimmingCharacters(in: .whitespaces).isEmpty)
        }
    }
}

/// The phone's unsent work as a file for the office: made when asked, then shared.
private struct ExportUnsentRow: View {
    let vm: SyncViewModel
    @State private var file: URL?

    var body: some View {
        if let file {
            ShareLink(tr("sync_export_unsent"), item: file)
        } else {
            Button(tr("sync_export_unsent")) {
                Task {
                    guard let unsent = await vm.exportUnsent() else { return }
                    let url = FileManager.default.temporaryDirectory.appendingPathComponent(unsent.fileName)
                    if (try? unsent.json.write(to: url, atomically: true, encoding: .utf8)) != nil { file = url }
                }
            }
        }
    }
}
