// One enrolled phone: its credentials, its store and its sync client, opened once and shared
// by every screen. Credentials live in platform storage (EncryptedSharedPreferences in the app,
// a plain file in tests) behind CredentialStore.
package cn.linli.viewmodels

import cn.linli.core.LinliStore
import cn.linli.core.SyncClient
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

/** The open store and sync client of an enrolled phone. */
class Session(val dataDir: File, val credentials: Credentials) : AutoCloseable {
    val storePath: String = storePath(dataDir, credentials.memberId)
    val store: LinliStore =
        LinliStore.open(storePath, credentials.memberId, credentials.deviceId, credentials.actorId)
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
