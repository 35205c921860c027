// One enrolled phone: its credentials, its store and its sync client, opened once and shared by
// every screen. Credentials live in the Keychain in the app (a dictionary in tests) behind
// CredentialStore; the store's 256-bit key in the Keychain (this device only, after first unlock)
// behind StoreKeyStore, never in the store or in preferences.
import Foundation
import LinliCore

/// What enrolment gave this install.
public struct Credentials: Equatable, Codable, Sendable {
    public let relayUrl: String
    public let token: String
    public let memberId: String
    public let deviceId: String
    public let actorId: String

    public init(relayUrl: String, token: String, memberId: String, deviceId: String, actorId: String) {
        self.relayUrl = relayUrl
        self.token = token
        self.memberId = memberId
        self.deviceId = deviceId
        self.actorId = actorId
    }
}

/// Where the app keeps the credentials between launches.
public protocol CredentialStore: AnyObject {
    func load() -> Credentials?
    func save(_ credentials: Credentials)
    func clear()
}

/// Where the app keeps the key its store is encrypted with. A key is never replaced.
public protocol StoreKeyStore: AnyObject {
    /// The key kept, or nil when none was ever kept (before the first open, after a wipe); an
    /// error when one is kept but cannot be read now (then no new key is made).
    func load() throws -> Data?
    /// Keeps a key; an error when one is kept already.
    func save(_ key: Data) throws
    /// Forgets the key: the store it opened is gone.
    func clear() throws
}

public extension StoreKeyStore {
    /// The key kept, or a new one made and kept now: an install's first open.
    func loadOrCreate() throws -> Data {
        if let key = try load() { return key }
        let key = newStoreKey()
        try save(key)
        return key
    }
}

/// The open store and sync client of an enrolled phone.
public final class Session: @unchecked Sendable {
    public let dataDir: URL
    public let credentials: Credentials
    public let keys: StoreKeyStore
    public let storePath: String
    public let store: LinliStore
    public let client: SyncClient

    public init(dataDir: URL, credentials: Credentials, keys: StoreKeyStore) throws {
        self.dataDir = dataDir
        self.credentials = credentials
        self.keys = keys
        storePath = Session.storePath(dataDir: dataDir, memberId: credentials.memberId)
        store = try LinliStore.open(path: storePath, key: try keys.loadOrCreate(), memberId: credentials.memberId,
                                    deviceId: credentials.deviceId, actorId: credentials.actorId)
        client = try SyncClient(server: credentials.relayUrl, token: credentials.token)
    }

    public static func storePath(dataDir: URL, memberId: String) -> String {
        dataDir.appendingPathComponent("linli-\(memberId).db").path
    }
}
