// Enrolment: the relay address and the one-time code (typed, or scanned from the QR code the
// office prints), exchanged for a device token; then the store is opened and synced once so
// that the home screen can show the member's roles. At every later start the kept session is
// opened here too, off the main thread: the first open with a key encrypts a plain store,
// which takes seconds on a large one.
package cn.linli.viewmodels

import cn.linli.core.LinliException
import cn.linli.core.enrol
import cn.linli.core.newActorId
import kotlinx.coroutines.CoroutineDispatcher
import kotlinx.coroutines.Dispatchers
import kotlinx.coroutines.flow.MutableStateFlow
import kotlinx.coroutines.flow.StateFlow
import kotlinx.coroutines.flow.asStateFlow
import kotlinx.coroutines.flow.update
import kotlinx.coroutines.sync.Mutex
import kotlinx.coroutines.sync.withLock
import kotlinx.coroutines.withContext
import java.io.File

data class EnrolmentState(
    val relayUrl: String = "",
    val code: String = "",
    val busy: Boolean = false,
    /** The kept store is being opened (and, the first time with a key, encrypted). */
    val opening: Boolean = false,
    val error: UiText? = null,
    val session: Session? = null,
)

class EnrolmentViewModel(
    private val dataDir: File,
    private val deviceName: String,
    private val credentials: CredentialStore,
    private val keys: StoreKeyStore,
    private val io: CoroutineDispatcher = Dispatchers.IO,
) {
    private val _state = MutableStateFlow(EnrolmentState())
    private val opening = Mutex()
    val state: StateFlow<EnrolmentState> = _state.asStateFlow()

    fun setRelayUrl(url: String) = _state.update { it.copy(relayUrl = url.trim(), error = null) }

    fun setCode(code: String) = _state.update { it.copy(code = normaliseCode(code), error = null) }

    /** A scanned QR code holds the code as the office's relay printed it ("ABCD-EFGH"). */
    fun onScanned(text: String) = setCode(text)

    /**
     * Opens the session of an install enrolled before, if there is one, on the IO dispatcher;
     * `opening` is set meanwhile. Called again (the app's start and its background sync at
     * once), it waits for the first open and returns the same session: a store has one owner.
     * A store that cannot be opened (a key that does not open it) is an error on screen, and
     * nothing is changed.
     */
    suspend fun resume(): Session? = opening.withLock {
        _state.value.session?.let { return@withLock it }
        val kept = credentials.load() ?: return@withLock null
        _state.update { it.copy(opening = true, error = null) }
        try {
            val s = withContext(io) { Session(dataDir, kept, keys) }
            _state.update { it.copy(opening = false, session = s) }
            s
        } catch (e: LinliException) {
            _state.update { it.copy(opening = false, error = e.toUiText()) }
            null
        }
    }

    /** The session is gone (signed out, wiped): enrolment starts again at the same relay. */
    fun forget() = _state.update { EnrolmentState(relayUrl = it.relayUrl) }

    /** Enrols, opens the store and runs the first sync. Errors stay on screen; nothing is kept. */
    suspend fun enrol(): Session? {
        val s = _state.value
        val missing = when {
            s.relayUrl.isBlank() -> UiText(Keys.ENROL_MISSING_RELAY)
            s.code.isBlank() -> UiText(Keys.ENROL_MISSING_CODE)
            else -> null
        }
        if (missing != null) {
            _state.update { it.copy(error = missing) }
            return null
        }
        _state.update { it.copy(busy = true, error = null) }
        return try {
            val actor = newActorId()
            val e = enrol(s.relayUrl, s.code, deviceName, actor)
            val creds = Credentials(s.relayUrl, e.token, e.memberId, e.deviceId, actor)
            val session = withContext(io) { Session(dataDir, creds, keys) }
            credentials.save(creds)
            // Enrolled even if the first sync fails: the sync screen retries it.
            val firstSync = try {
                session.client.sync(session.store, null, null)
                null
            } catch (e: LinliException) {
                e.toUiText()
            }
            _state.update { it.copy(busy = false, session = session, error = firstSync) }
            session
        } catch (e: LinliException) {
            // A wrong code is the relay's refusal with its code (401 bad_code), said like any.
            _state.update { it.copy(busy = false, error = e.toUiText()) }
            null
        }
    }

    companion object {
        /** Upper case, without spaces; the dash the relay prints stays (it accepts either). */
        fun normaliseCode(code: String): String =
            code.trim().uppercase().filter { !it.isWhitespace() }
    }
}
