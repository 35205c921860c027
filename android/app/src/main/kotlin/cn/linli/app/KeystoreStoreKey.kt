// The store's 256-bit key, wrapped by a key that never leaves the Android Keystore (AES-256-GCM,
// usable only on this device, from the first unlock after boot): what sits in the app's files is
// the wrapped key and its IV, never the key's plain bytes. The file lives in no-backup storage,
// since the Keystore key that unwraps it does not travel with a backup either.
//
// A key is never replaced: `load` answers null only when no key was ever kept, and throws when
// one was kept but cannot be read (the Keystore locked, the file damaged), so that the app does
// not make a new key that would not open the store; `save` refuses to overwrite one.
package cn.linli.app

import android.content.Context
import android.security.keystore.KeyGenParameterSpec
import android.security.keystore.KeyProperties
import cn.linli.viewmodels.StoreKeyStore
import java.io.File
import java.io.FileOutputStream
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
        val key = keystore.getKey(ALIAS, null) as? SecretKey
            ?: error("the store key's wrapping key is missing from the Keystore")
        val bytes = file.readBytes()
        check(bytes.size > IV_LEN) { "the wrapped store key is damaged" }
        val cipher = Cipher.getInstance(TRANSFORMATION)
        cipher.init(Cipher.DECRYPT_MODE, key, GCMParameterSpec(128, bytes.copyOfRange(0, IV_LEN)))
        return cipher.doFinal(bytes, IV_LEN, bytes.size - IV_LEN)
    }

    override fun save(key: ByteArray) {
        check(!file.exists()) { "a store key is kept already: it is never replaced" }
        val cipher = Cipher.getInstance(TRANSFORMATION)
        cipher.init(Cipher.ENCRYPT_MODE, wrappingKey())
        val wrapped = cipher.iv + cipher.doFinal(key)
        // On the disk before it takes its name: a power cut leaves the old state or the new.
        val tmp = File(file.parentFile, file.name + ".tmp")
        FileOutputStream(tmp).use { out ->
            out.write(wrapped)
            out.fd.sync()
        }
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
