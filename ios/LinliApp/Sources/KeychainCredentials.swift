// The device token and identity in the Keychain, readable after the first unlock so that the
// background sync can use them.
import Foundation
import LinliViewModels
import Security

final class KeychainCredentials: CredentialStore {
    private let query: [String: Any] = [
        kSecClass as String: kSecClassGenericPassword,
        kSecAttrService as String: "cn.linli.app",
        kSecAttrAccount as String: "device",
    ]

    func load() -> Credentials? {
        var q = query
        q[kSecReturnData as String] = true
        var item: CFTypeRef?
        guard SecItemCopyMatching(q as CFDictionary, &item) == errSecSuccess, let data = item as? Data else { return nil }
        return try? JSONDecoder().decode(Credentials.self, from: data)
    }

    func save(_ credentials: Credentials) {
        clear()
        var q = query
        q[kSecValueData as String] = try? JSONEncoder().encode(credentials)
        q[kSecAttrAccessible as String] = kSecAttrAccessibleAfterFirstUnlockThisDeviceOnly
        SecItemAdd(q as CFDictionary, nil)
    }

    func clear() {
        SecItemDelete(query as CFDictionary)
    }
}
