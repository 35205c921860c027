// Enrolment: relay address and one-time code, typed or scanned.
import LinliViewModels
import SwiftUI
import UIKit

struct EnrolView: View {
    @EnvironmentObject var model: AppModel
    @StateObject private var observed: Observed<EnrolmentViewModel>
    @State private var scanning = false

    init() {
        _observed = StateObject(wrappedValue: Observed(EnrolmentViewModel(
            dataDir: FileManager.default.urls(for: .applicationSupportDirectory, in: .userDomainMask)[0],
            deviceName: UIDevice.current.name, credentials: KeychainCredentials(), keys: KeychainStoreKey())))
    }

    var body: some View {
        let vm = observed.vm
        NavigationStack {
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
