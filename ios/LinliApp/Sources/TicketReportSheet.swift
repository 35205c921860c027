// The report form of the tickets screen, for a problem met anywhere: its category, its place
// (typed, or one of the member's buildings and gates), what is wrong, the channel it came by,
// and the photos taken with the camera, each shown as it is kept; a refused camera is said and
// the form stays.
import LinliCore
import LinliViewModels
import SwiftUI

struct TicketReportSheet: View {
    @ObservedObject var observed: Observed<TicketsViewModel>

    var body: some View {
        let vm = observed.vm
        let state = vm.state
        let form = state.report ?? TicketReportForm()
        NavigationStack {
            Form {
                if let n = vm.notice { Text(text(n.text)).foregroundStyle(n.isError ? .red : .accentColor) }
                Picker(tr("ticket_category"), selection: bind(\.category)) {
                    ForEach(state.categories, id: \.value) { Text(text($0.label)).tag($0.value) }
                }
                Picker(tr("ticket_place"), selection: bind(\.placeId)) {
                    Text(tr("ticket_place_typed")).tag(String?.none)
                    ForEach(state.places, id: \.id) { Text($0.name).tag(String?.some($0.id)) }
                }
                if form.placeId == nil {
                    TextField(tr("field_place_text"), text: bind(\.placeText))
                }
                TextField(tr("ticket_description"), text: bind(\.description), axis: .vertical)
                Picker(tr("ticket_channel"), selection: bind(\.channel)) {
                    ForEach(state.channels, id: \.value) { Text(text($0.label)).tag($0.value) }
                }
                Section(tr("ticket_photos")) {
                    if !form.photos.isEmpty {
                        ScrollView(.horizontal) {
                            HStack {
                                ForEach(form.photos, id: \.sha256) { p in
                                    PhotoThumbnail(bytes: p.bytes, pending: "")
                                        .overlay(alignment: .topTrailing) {
                                            Button { vm.removePhoto(p.sha256) } label: {
                                                Image(systemName: "xmark.circle.fill")
                                            }
                                        }
                                }
                            }
                        }
                    }
                    CameraPhotoButton(onPhoto: { data in Task { await vm.addPhoto(data) } },
                                      onRefused: { vm.cameraRefused() })
                }
            }
            .toolbar {
                ToolbarItem(placement: .cancellationAction) { Button(tr("action_cancel")) { vm.cancelReport() } }
                ToolbarItem(placement: .confirmationAction) {
                    Button(tr("action_save")) { Task { await vm.submitReport() } }
                }
            }
            .navigationTitle(tr("ticket_report"))
        }
    }

    /// A field of the open form, changed through the view model.
    private func bind<V>(_ path: WritableKeyPath<TicketReportForm, V>) -> Binding<V> {
        let vm = observed.vm
        return Binding(get: { (vm.state.report ?? TicketReportForm())[keyPath: path] },
                       set: { value in vm.editReport { $0[keyPath: path] = value } })
    }
}
