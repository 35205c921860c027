// The app: enrolment until the phone is enrolled, then the home screen; a sync whenever the app
// comes to the foreground, and a background refresh task (BGTaskScheduler) every hour or so;
// after each sync, today's list's notifications are planned afresh.
import BackgroundTasks
import LinliViewModels
import SwiftUI
import UIKit

@MainActor
final class AppModel: ObservableObject {
    static let syncTask = "cn.linli.app.sync"
    let credentials = KeychainCredentials()
    let storeKeys = KeychainStoreKey()
    let dataDir = FileManager.default.urls(for: .applicationSupportDirectory, in: .userDomainMask)[0]
    @Published var session: Session?
    /// One sync view model for the app, so that screens, foreground and background never run two syncs.
    private(set) var sync: SyncViewModel?

    /// Enrolment, and the opening of the kept session at each start: one for the app.
    let enrolment: Observed<EnrolmentViewModel>

    init() {
        try? FileManager.default.createDirectory(at: dataDir, withIntermediateDirectories: true)
        enrolment = Observed(EnrolmentViewModel(dataDir: dataDir, deviceName: UIDevice.current.name,
                                                credentials: credentials, keys: storeKeys))
        // Off the main thread: the enrolment screen shows that the store is opening.
        Task { await resume() }
    }

    /// The kept session, opened now if it is not yet; nil before enrolment.
    @discardableResult
    func resume() async -> SyncViewModel? {
        if let s = await enrolment.vm.resume() { open(s) }
        return sync
    }

    func open(_ s: Session) {
        if session === s { return }
        sync = SyncViewModel(session: s)
        session = s
        scheduleBackgroundSync()
    }

    func forget() {
        sync = nil
        session = nil
        enrolment.vm.forget()
        AgendaNotifier.clear()
    }

    /// Syncs, then plans today's list's notifications from what the sync brought.
    func syncAndNotify() async {
        guard let sync, let session else { return }
        await sync.syncNow()
        await AgendaNotifier.refresh(session: session)
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
            if newPhase == .active { Task { await model.syncAndNotify() } }
        }
        .backgroundTask(.appRefresh(AppModel.syncTask)) {
            await model.scheduleBackgroundSync()
            // The app may have been launched for this refresh alone: the session opens first.
            await model.resume()
            await model.syncAndNotify()
        }
    }
}
