// The store's 256-bit key in the Keychain: readable after the first unlock (so that the
// background sync can open the store) and on this device only, so that it never leaves the phone
// in a backup or a migration to another phone.
import Foundation
import LinliViewModels
import Security

final class KeychainStoreKey: StoreKeyStore {
    private let query: [String: Any] = [
        kSecClass as String: kSecClassGenericPassword,
        kSecAttrService as String: "cn.linli.app",
        kSecAttrAccount as String: "store-key",
    ]

    func load() -> Data? {
        var q = query
        q[kSecReturnData as String] = true
        var item: CFTypeRef?
        guard SecItemCopyMatching(q as CFDictionary, &item) == errSecSuccess else { return nil }
        return item as? Data
    }

    func save(_ key: Data) {
        clear()
        var q = query
        q[kSecValueData as String] = key
        q[kSecAttrAccessible as String] = kSecAttrAccessibleAfterFirstUnlockThisDeviceOnly
        SecItemAdd(q as CFDictionary, nil)
    }

    func clear() {
        SecItemDelete(query as CFDictionary)
    }
}
