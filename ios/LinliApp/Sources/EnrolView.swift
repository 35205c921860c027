// Enrolment: relay address and one-time code, typed or scanned; while the kept store opens at a
// start, what is happening instead.
import LinliViewModels
import SwiftUI

struct EnrolView: View {
    @EnvironmentObject var model: AppModel

    var body: some View {
        EnrolForm(observed: model.enrolment)
    }
}

private struct EnrolForm: View {
    @EnvironmentObject var model: AppModel
    @ObservedObject var observed: Observed<EnrolmentViewModel>
    @State private var scanning = false

    var body: some View {
        let vm = observed.vm
        NavigationStack {
            if vm.state.opening {
                VStack(spacing: 12) {
                    ProgressView()
                    Text(tr("enrol_opening"))
                }
            } else {
                Form {
                    TextField(tr("enrol_relay_label"), text: Binding(get: { vm.state.relayUrl }, set: vm.setRelayUrl))
                        .keyboardType(.URL).textInputAutocapitalization(.never)
                    TextField(tr("enrol_code_label"), text: Binding(get: { vm.state.code }, set: vm.setCode))
                        .textInputAutocapitalization(.characters)
                    Button(tr("enrol_scan")) { scanning = true }
                    if let error = vm.state.error { Text(text(error)).foregroundStyle(.red) }
                    if vm.state.busy {
                        ProgressView()
                    } else {
                        Button(tr("enrol_submit")) {
                            Task { if let s = await vm.enrol() { model.open(s) } }
                        }
                    }
                }
                .navigationTitle(tr("enrol_title"))
                .sheet(isPresented: $scanning) {
                    CodeScannerView { code in
                        vm.onScanned(code)
                        scanning = false
                    }
                }
            }
        }
    }
}
