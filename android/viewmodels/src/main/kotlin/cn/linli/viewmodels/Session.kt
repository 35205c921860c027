// One enrolled phone: its credentials, its store and its sync client, opened once and shared
// by every screen. Credentials live in platform storage (EncryptedSharedPreferences in the app,
// memory in tests) behind CredentialStore; the store's 256-bit key behind StoreKeyStore (wrapped
// by the Android Keystore in the app), never in the store or in preferences as plain bytes.
package cn.linli.viewmodels

import cn.linli.core.LinliStore
import cn.linli.core.SyncClient
import cn.linli.core.newStoreKey
import java.io.File

/** What enrolment gave this install. */
data class Credentials(
    val relayUrl: String,
    val token: String,
    val memberId: String,
    val deviceId: String,
    val actorId: String,
)

/** Where the app keeps the credentials between launches. */
interface CredentialStore {
    fun load(): Credentials?
    fun save(credentials: Credentials)
    fun clear()
}

/** Where the app keeps the key its store is encrypted with. A key is never replaced. */
interface StoreKeyStore {
    /** The key kept, or null when none was ever kept (before the first open, after a wipe);
     * throws when one is kept but cannot be read now (then no new key is made). */
    fun load(): ByteArray?
    /** Keeps a key; throws when one is kept already. */
    fun save(key: ByteArray)
    /** Forgets the key: the store it opened is gone. */
    fun clear()
}

/** The key kept, or a new one made and kept now: an install's first open. */
fun StoreKeyStore.loadOrCreate(): ByteArray = load() ?: newStoreKey().also { save(it) }

/** The open store and sync client of an enrolled phone. */
class Session(val dataDir: File, val credentials: Credentials, val keys: StoreKeyStore) : AutoCloseable {
    val storePath: String = storePath(dataDir, credentials.memberId)
    val store: LinliStore = LinliStore.open(
        storePath, keys.loadOrCreate(), credentials.memberId, credentials.deviceId, credentials.actorId,
    )
    val client: SyncClient = SyncClient(credentials.relayUrl, credentials.token)

    override fun close() {
        client.close()
        store.close()
    }

    companion object {
        fun storePath(dataDir: File, memberId: String): String =
            File(dataDir, "linli-$memberId.db").path
    }
}
