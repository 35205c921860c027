// Enrolment: the relay address and the one-time code (typed, or scanned from the QR code the
// office prints), exchanged for a device token; then the store is opened and synced once so
// that the home screen can show the member's roles. At every later start the kept session is
// opened here too, off the main thread: the first open with a key encrypts a plain store,
// which takes seconds on a large one.
import Foundation
import LinliCore

public struct EnrolmentState: Sendable {
    public var relayUrl = ""
    public var code = ""
    public var busy = false
    /// The kept store is being opened (and, the first time with a key, encrypted).
    public var opening = false
    public var error: UiText?
}

public final class EnrolmentViewModel: ScreenModel<EnrolmentState>, @unchecked Sendable {
    private let dataDir: URL
    private let deviceName: String
    private let credentials: CredentialStore
    private let keys: StoreKeyStore
    private let lock = NSLock()
    /// Who waits for the open of the kept store under way; nil when none is under way.
    private var waiting: [CheckedContinuation<Session?, Never>]?
    /// The session opened last, while someone holds it: asked again, it is returned.
    private weak var opened: Session?

    public init(dataDir: URL, deviceName: String, credentials: CredentialStore, keys: StoreKeyStore) {
        self.dataDir = dataDir
        self.deviceName = deviceName
        self.credentials = credentials
        self.keys = keys
        super.init(EnrolmentState())
    }

    public func setRelayUrl(_ url: String) {
        state.relayUrl = url.trimmingCharacters(in: .whitespacesAndNewlines)
        state.error = nil
    }

    public func setCode(_ code: String) {
        state.code = EnrolmentViewModel.normaliseCode(code)
        state.error = nil
    }

    /// A scanned QR code holds the code as the office's relay printed it ("ABCD-EFGH").
    public func onScanned(_ text: String) { setCode(text) }

    /// Opens the session of an install enrolled before, if there is one, off the main thread;
    /// `opening` is set meanwhile. Called again (the app's start and its background refresh at
    /// once), it returns the same session: a store has one owner. A store that cannot be opened
    /// (a key that does not open it) is an error on screen, and nothing is changed.
    public func resume() async -> Session? {
        enum Turn { case opened(Session), wait, open }
        let turn: Turn = locked {
            if let opened { return .opened(opened) }
            if waiting != nil { return .wait }
            waiting = []
            return .open
        }
        switch turn {
        case .opened(let session):
            return session
        case .wait:
            return await withCheckedContinuation { waiter in
                // The open may have ended meanwhile: then its session is the answer.
                let ended: Session?? = locked {
                    if waiting != nil {
                        waiting?.append(waiter)
                        return nil
                    }
                    return .some(opened)
                }
                if let ended { waiter.resume(returning: ended) }
            }
        case .open:
            let session = await openKept()
            let waiters = locked {
                defer { waiting = nil }
                return waiting ?? []
            }
            for waiter in waiters { waiter.resume(returning: session) }
            return session
        }
    }

    /// The session is gone (signed out, wiped): enrolment starts again at the same relay.
    public func forget() {
        locked { opened = nil }
        state = EnrolmentState(relayUrl: state.relayUrl)
    }

    private func openKept() async -> Session? {
        guard let kept = credentials.load() else { return nil }
        state.opening = true
        state.error = nil
        defer { state.opening = false }
        let (dir, keys) = (dataDir, keys)
        do {
            let session = try await offMain { try Session(dataDir: dir, credentials: kept, keys: keys) }
            locked { opened = session }
            return session
        } catch {
            state.error = uiText(error)
            return nil
        }
    }

    private func locked<T>(_ body: () -> T) -> T {
        lock.lock()
        defer { lock.unlock() }
        return body()
    }

    /// Enrols, opens the store and runs the first sync. Errors stay on screen; nothing is kept.
    public func enrol() async -> Session? {
        if state.relayUrl.isEmpty {
            state.error = UiText(Keys.enrolMissingRelay)
            return nil
        }
        if state.code.isEmpty {
            state.error = UiText(Keys.enrolMissingCode)
            return nil
        }
        state.busy = true
        state.error = nil
        defer { state.busy = false }
        do {
            let actor = newActorId()
            let e = try await LinliCore.enrol(server: state.relayUrl, code: state.code, deviceName: deviceName, actorId: actor)
            let creds = Credentials(relayUrl: state.relayUrl, token: e.token, memberId: e.memberId,
                                    deviceId: e.deviceId, actorId: actor)
            let dir = dataDir
            let keys = keys
            let session = try await offMain { try Session(dataDir: dir, credentials: creds, keys: keys) }
            credentials.save(creds)
            // Enrolled even if the first sync fails: the sync screen retries it.
            do {
                _ = try await session.client.sync(store: session.store, listener: nil, cancel: nil)
            } catch {
                state.error = uiText(error)
            }
            return session
        } catch {
            // A code the relay does not know, used or expired arrives as `Rejected` with
            // `bad_code`, said by its sentence like every refusal.
            state.error = uiText(error)
            return nil
        }
    }

    /// Upper case, without spaces; the dash the relay prints stays (it accepts either).
    public static func normaliseCode(_ code: String) -> String {
        String(code.uppercased().filter { !$0.isWhitespace })
    }
}
