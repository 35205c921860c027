// The store's 256-bit key, wrapped by a key that never leaves the Android Keystore (AES-256-GCM,
// usable only on this device, from the first unlock after boot): what sits in the app's files is
// the wrapped key and its IV, never the key's plain bytes. The file lives in no-backup storage,
// since the Keystore key that unwraps it does not travel with a backup either.
package cn.linli.app

import android.content.Context
import android.security.keystore.KeyGenParameterSpec
import android.security.keystore.KeyProperties
import cn.linli.viewmodels.StoreKeyStore
import java.io.File
import java.security.KeyStore
import javax.crypto.Cipher
import javax.crypto.KeyGenerator
import javax.crypto.SecretKey
import javax.crypto.spec.GCMParameterSpec

class KeystoreStoreKey(context: Context) : StoreKeyStore {
    private val file = File(context.noBackupFilesDir, "linli-store-key.wrapped")
    private val keystore = KeyStore.getInstance(ANDROID_KEYSTORE).apply { load(null) }

    override fun load(): ByteArray? {
        if (!file.exists()) return null
        val key = keystore.getKey(ALIAS, null) as? SecretKey ?: return null
        val bytes = file.readBytes()
        val iv = bytes.copyOfRange(0, IV_LEN)
        val cipher = Cipher.getInstance(TRANSFORMATION)
        cipher.init(Cipher.DECRYPT_MODE, key, GCMParameterSpec(128, iv))
        return cipher.doFinal(bytes, IV_LEN, bytes.size - IV_LEN)
    }

    override fun save(key: ByteArray) {
        val cipher = Cipher.getInstance(TRANSFORMATION)
        cipher.init(Cipher.ENCRYPT_MODE, wrappingKey())
        val wrapped = cipher.iv + cipher.doFinal(key)
        val tmp = File(file.parentFile, file.name + ".tmp")
        tmp.writeBytes(wrapped)
        check(tmp.renameTo(file)) { "cannot keep the store key" }
    }

    override fun clear() {
        file.delete()
        if (keystore.containsAlias(ALIAS)) keystore.deleteEntry(ALIAS)
    }

    private fun wrappingKey(): SecretKey =
        (keystore.getKey(ALIAS, null) as? SecretKey) ?: KeyGenerator
            .getInstance(KeyProperties.KEY_ALGORITHM_AES, ANDROID_KEYSTORE)
            .apply {
                init(
                    KeyGenParameterSpec.Builder(ALIAS, KeyProperties.PURPOSE_ENCRYPT or KeyProperties.PURPOSE_DECRYPT)
                        .setKeySize(256)
                        .setBlockModes(KeyProperties.BLOCK_MODE_GCM)
                        .setEncryptionPaddings(KeyProperties.ENCRYPTION_PADDING_NONE)
                        .build(),
                )
            }
            .generateKey()

    private companion object {
        const val ANDROID_KEYSTORE = "AndroidKeyStore"
        const val ALIAS = "linli-store-key"
        const val TRANSFORMATION = "AES/GCM/NoPadding"
        const val IV_LEN = 12
    }
}
