// The device token and identity in EncryptedSharedPreferences (keys in the Android Keystore).
package cn.linli.app

import android.content.Context
import androidx.security.crypto.EncryptedSharedPreferences
import androidx.security.crypto.MasterKey
import cn.linli.viewmodels.CredentialStore
import cn.linli.viewmodels.Credentials

class CredentialPrefs(context: Context) : CredentialStore {
    private val prefs = EncryptedSharedPreferences.create(
        context,
        "linli-credentials",
        MasterKey.Builder(context).setKeyScheme(MasterKey.KeyScheme.AES256_GCM).build(),
        EncryptedSharedPreferences.PrefKeyEncryptionScheme.AES256_SIV,
        EncryptedSharedPreferences.PrefValueEncryptionScheme.AES256_GCM,
    )

    override fun load(): Credentials? {
        val token = prefs.getString("token", null) ?: return null
        return Credentials(
            relayUrl = prefs.getString("relay", "")!!,
            token = token,
            memberId = prefs.getString("member", "")!!,
            deviceId = prefs.getString("device", "")!!,
            actorId = prefs.getString("actor", "")!!,
        )
    }

    override fun save(credentials: Credentials) {
        prefs.edit()
            .putString("relay", credentials.relayUrl)
            .putString("token", credentials.token)
            .putString("member", credentials.memberId)
            .putString("device", credentials.deviceId)
            .putString("actor", credentials.actorId)
            .apply()
    }

    override fun clear() {
        prefs.edit().clear().apply()
    }
}
