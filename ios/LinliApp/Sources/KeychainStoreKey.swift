// The store's 256-bit key in the Keychain: readable after the first unlock (so that the
// background sync can open the store) and on this device only, so that it never leaves the phone
// in a backup or a migration to another phone.
//
// A key is never replaced: `load` answers nil only when no key was ever kept, and throws on any
// other Keychain error (the device locked since boot, say), so that the app does not make a new
// key that would not open the store; `save` adds the key and fails if one is kept already.
import Foundation
import LinliViewModels
import Security

struct KeychainError: Error {
    let status: OSStatus
}

final class KeychainStoreKey: StoreKeyStore {
    private let query: [String: Any] = [
        kSecClass as String: kSecClassGenericPassword,
        kSecAttrService as String: "cn.linli.app",
        kSecAttrAccount as String: "store-key",
    ]

    func load() throws -> Data? {
        var q = query
        q[kSecReturnData as String] = true
        var item: CFTypeRef?
        let status = SecItemCopyMatching(q as CFDictionary, &item)
        if status == errSecItemNotFound { return nil }
        guard status == errSecSuccess, let data = item as? Data else { throw KeychainError(status: status) }
        return data
    }

    func save(_ key: Data) throws {
        var q = query
        q[kSecValueData as String] = key
        q[kSecAttrAccessible as String] = kSecAttrAccessibleAfterFirstUnlockThisDeviceOnly
        let status = SecItemAdd(q as CFDictionary, nil)
        guard status == errSecSuccess else { throw KeychainError(status: status) }
    }

    func clear() throws {
        let status = SecItemDelete(query as CFDictionary)
        guard status == errSecSuccess || status == errSecItemNotFound else { throw KeychainError(status: status) }
    }
}
