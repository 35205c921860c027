// Posts the notifications the view models plan for today's list (AgendaNotifications) with
// UNUserNotificationCenter: the pending ones are removed by identifier first and the plan
// scheduled afresh (an item's identifier is its stable id), those due now delivered at once and
// each once (an overdue one once more). Runs after each sync and each time the home screen
// shows; the first time, it asks whether the app may notify.
import Foundation
import LinliViewModels
import UserNotifications

enum AgendaNotifier {
    /// What was delivered or scheduled already, as `<id>#<title key>`.
    private static let postedKey = "cn.linli.agenda.posted"
    /// An app may have 64 notifications pending: the soonest 60 are scheduled.
    private static let most = 60

    /// Whether the app may notify; asks when it was never asked and `ask` (on screen: the
    /// system asks only once).
    static func allowed(ask: Bool) async -> Bool {
        let center = UNUserNotificationCenter.current()
        switch await center.notificationSettings().authorizationStatus {
        case .notDetermined:
            guard ask else { return false }
            return (try? await center.requestAuthorization(options: [.alert, .sound, .badge])) ?? false
        case .authorized, .provisional, .ephemeral:
            return true
        default:
            return false
        }
    }

    /// Plans from the session's agenda now and schedules (after a sync, maybe in the
    /// background: it does not ask).
    static func refresh(session: Session) async {
        let plan = try? await Task.detached { try AgendaNotifications.plan(session: session, now: Date()) }.value
        if let plan { await schedule(plan, ask: false) }
    }

    /// Replaces what the last plan scheduled with `plan`, and takes down the delivered
    /// notifications of items no longer on the list.
    static func schedule(_ plan: [PlannedNotification], ask: Bool = true, now: Date = Date()) async {
        guard await allowed(ask: ask) else { return }
        let center = UNUserNotificationCenter.current()
        let pending = await center.pendingNotificationRequests().map(\.identifier)
        center.removePendingNotificationRequests(withIdentifiers: pending)
        let ids = Set(plan.map(\.id))
        let before = Set(UserDefaults.standard.stringArray(forKey: postedKey) ?? [])
        var posted = before.filter { ids.contains(id(of: $0)) }
        center.removeDeliveredNotifications(withIdentifiers: Array(Set(before.map(id(of:))).subtracting(ids)))
        for p in plan.sorted(by: { $0.at < $1.at }).prefix(most) {
            let key = "\(p.id)#\(p.title.key)"
            let trigger: UNNotificationTrigger?
            if p.at > now {
                trigger = UNTimeIntervalNotificationTrigger(timeInterval: p.at.timeIntervalSince(now), repeats: false)
            } else if posted.contains(key) {
                continue
            } else {
                trigger = nil // at once
            }
            let content = UNMutableNotificationContent()
            content.title = text(p.title)
            content.body = p.body
            content.sound = .default
            try? await center.add(UNNotificationRequest(identifier: p.id, content: content, trigger: trigger))
            posted.insert(key)
        }
        UserDefaults.standard.set(Array(posted), forKey: postedKey)
    }

    /// Takes everything down: signed out or wiped.
    static func clear() {
        let center = UNUserNotificationCenter.current()
        center.removeAllPendingNotificationRequests()
        center.removeAllDeliveredNotifications()
        UserDefaults.standard.removeObject(forKey: postedKey)
    }

    private static func id(of key: String) -> String {
        key.range(of: "#", options: .backwards).map { String(key[..<$0.lowerBound]) } ?? key
    }
}
