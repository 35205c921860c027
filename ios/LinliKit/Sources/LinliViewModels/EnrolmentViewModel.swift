// Enrolment: the relay address and the one-time code (typed, or scanned from the QR code the
// office prints), exchanged for a device token; then the store is opened and synced once so
// that the home screen can show the member's roles.
import Foundation
import LinliCore

public struct EnrolmentState: Sendable {
    public var relayUrl = ""
    public var code = ""
    public var busy = false
    public var error: UiText?
}

public final class EnrolmentViewModel: ScreenModel<EnrolmentState>, @unchecked Sendable {
    private let dataDir: URL
    private let deviceName: String
    private let credentials: CredentialStore
    private let keys: StoreKeyStore

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

    /// Opens the session of an install enrolled before, if there is one.
    public func resume() throws -> Session? {
        try credentials.load().map { try Session(dataDir: dataDir, credentials: $0, keys: keys) }
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
            state.error = uiText(error)
            return nil
        }
    }

    /// Upper case, without spaces; the dash the relay prints stays (it accepts either).
    public static func normaliseCode(_ code: String) -> String {
        String(code.uppercased().filter { !$0.isWhitespace })
    }
}
