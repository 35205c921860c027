// The app: enrolment until the phone is enrolled, then the home screen; a sync whenever the app
// comes to the foreground, and a background refresh task (BGTaskScheduler) every hour or so.
import BackgroundTasks
import LinliViewModels
import SwiftUI

@MainActor
final class AppModel: ObservableObject {
    static let syncTask = "cn.linli.app.sync"
    let credentials = KeychainCredentials()
    let storeKeys = KeychainStoreKey()
    let dataDir = FileManager.default.urls(for: .applicationSupportDirectory, in: .userDomainMask)[0]
    @Published var session: Session?
    /// One sync view model for the app, so that screens, foreground and background never run two syncs.
    private(set) var sync: SyncViewModel?

    init() {
        try? FileManager.default.createDirectory(at: dataDir, withIntermediateDirectories: true)
        if let s = try? credentials.load().map({ try Session(dataDir: dataDir, credentials: $0, keys: storeKeys) }) {
            open(s)
        }
    }

    func open(_ s: Session) {
        sync = SyncViewModel(session: s)
        session = s
        scheduleBackgroundSync()
    }

    func forget() {
        sync = nil
        session = nil
    }

    func scheduleBackgroundSync() {
        let request = BGAppRefreshTaskRequest(identifier: Self.syncTask)
        request.earliestBeginDate = Date(timeIntervalSinceNow: 3600)
        try? BGTaskScheduler.shared.submit(request)
    }
}

@main
struct LinliApp: App {
    @StateObject private var model = AppModel()
    @Environment(\.scenePhase) private var phase

    var body: some Scene {
        WindowGroup {
            Group {
                if let session = model.session {
                    HomeView(session: session)
                } else {
                    EnrolView()
                }
            }
            .environmentObject(model)
            .dynamicTypeSize(.large ... .accessibility3)
        }
        .onChange(of: phase) { newPhase in
            if newPhase == .active { Task { await model.sync?.syncNow() } }
        }
        .backgroundTask(.appRefresh(AppModel.syncTask)) {
            await model.scheduleBackgroundSync()
            await model.sync?.syncNow()
        }
    }
}
