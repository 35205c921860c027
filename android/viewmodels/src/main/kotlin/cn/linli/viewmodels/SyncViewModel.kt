// Sync: last contact, what is waiting to go, photos pending, conflicts to resolve (both values
// and who made them; the member picks one), the changes the relay did not accept (未被接受的修改,
// in SetAside.kt), "sync now" with progress by phase, and a revoked device told so and offered
// to wipe its data. A phone that can no longer sync, or signs out offline with work unsent, is
// offered to hand that work over as a file. The app's background worker and its foreground hook
// call `syncNow` too.
package cn.linli.viewmodels

import cn.linli.core.*
import kotlinx.coroutines.CoroutineDispatcher
import kotlinx.coroutines.Dispatchers
import kotlinx.coroutines.withContext
import java.time.Instant

/** One of a conflict's values and who made it. */
data class ConflictChoice(val display: String, val memberName: String, val device: String, val shown: Boolean)

/** A field two people changed at once, in the record people know by [recordName]
 * (3号楼 1单元 302) and under the field's label (电话). */
data class ConflictItem(
    val docId: String,
    val path: List<String>,
    val recordName: String,
    val fieldLabel: UiText,
    val choices: List<ConflictChoice>,
) {
    /** The field's path, e.g. "phone" or "visits › 3 › needs": a stable identity for lists. */
    val field: String get() = path.joinToString(" › ")
}

/** Where a running sync is. */
data class SyncProgressItem(val phase: SyncPhase, val label: UiText, val done: Long, val total: Long)

data class SyncState(
    val lastContact: Instant? = null,
    val waiting: Long = 0,
    val held: Long = 0,
    val photosPending: Long = 0,
    val conflicts: List<ConflictItem> = emptyList(),
    val running: Boolean = false,
    val progress: SyncProgressItem? = null,
    /** The phases this run has been through, in order. */
    val phases: List<SyncPhase> = emptyList(),
    val revoked: Boolean = false,
    /** A sign-out that could not reach the relay: how many changes and photos would be lost
     * if the person insists. */
    val signOutWouldLose: Long? = null,
    /** The changes set aside on this phone, newest first. */
    val setAside: List<SetAsideItem> = emptyList(),
    /** The community's offset from UTC: the screen shows times in it. */
    val utcOffsetMinutes: Int = 8 * 60,
    /** The phone can no longer sync (revoked, its member deactivated, its store replaced) or
     * signs out offline with work unsent: its unsent work may be handed over ([SyncViewModel.exportUnsent]). */
    val exportOffered: Boolean = false,
)

/** A phone's unsent work as a file to share with the office. */
data class UnsentFile(
    /** `linli-unsent-<deviceId>.json`. */
    val fileName: String,
    val json: String,
)

class SyncViewModel(
    private val session: Session,
    io: CoroutineDispatcher = Dispatchers.IO,
) : ScreenModel<SyncState>(SyncState(), io) {
    private val store get() = session.store
    private var cancel: CancelToken? = null

    private val labelled: Set<String> by lazy { inputFieldKeys().toSet() }

    override fun load(): SyncState {
        val summary = session.client.status(store)
        val conflicts = store.openConflicts().groupBy { it.docId }.flatMap { (doc, open) ->
            val paths = open.map { it.path }.toSet()
            val name = store.recordName(doc)
            store.conflicts(doc).filter { it.path in paths }.map { c ->
                // A field without a label of its own is shown by its path.
                val label = if (c.fieldKey in labelled) UiText(Keys.field(c.fieldKey))
                    else UiText(Keys.LABEL_PLAIN, c.path.joinToString(" › "))
                ConflictItem(doc, c.path, name, label, c.values.map { v ->
                    ConflictChoice(v.display, memberName(v.member), v.device, v.shown)
                })
            }
        }
        return state.value.copy(
            lastContact = summary.lastContactMs?.let(Instant::ofEpochMilli),
            waiting = summary.outboxLeft.toLong(),
            held = summary.held.toLong(),
            photosPending = summary.photosPending.toLong(),
            conflicts = conflicts,
            setAside = setAsideItems(store),
            utcOffsetMinutes = store.community().utcOffsetMinutes,
        )
    }

    /** One complete sync with progress; a second call while one runs does nothing. */
    suspend fun syncNow(): SyncSummary? {
        if (state.value.running || state.value.revoked) return null
        val token = CancelToken()
        cancel = token
        mutableState.value = state.value.copy(running = true, progress = null, phases = emptyList())
        val listener = object : SyncListener {
            override fun onProgress(progress: SyncProgress) {
                val s = state.value
                mutableState.value = s.copy(
                    progress = SyncProgressItem(progress.phase, UiText(Keys.of(progress.phase)),
                        progress.done.toLong(), progress.total.toLong()),
                    phases = if (s.phases.lastOrNull() == progress.phase) s.phases else s.phases + progress.phase,
                )
            }
        }
        val summary = try {
            session.client.sync(store, listener, token).also { done(UiText(Keys.DONE_SYNCED, it.pushed, it.pulled)) }
        } catch (e: LinliException) {
            if (e is LinliException.DeviceRevoked || e is LinliException.DeviceWiped) mutableState.value = state.value.copy(revoked = true)
            offerExport(after = e)
            fail(e.toUiText())
            null
        } finally {
            cancel = null
            token.close()
            mutableState.value = state.value.copy(running = false)
        }
        refresh()
        return summary
    }

    /** Stops a running sync; what arrived so far stays and the next sync resumes. */
    fun cancelSync() {
        cancel?.cancel()
    }

    /** Keeps the value at `index` of the conflict's choices. */
    suspend fun resolve(conflict: ConflictItem, index: Int) =
        act({ UiText(Keys.DONE_CONFLICT_RESOLVED) }) {
            store.resolveConflict(conflict.docId, conflict.path, Resolution.Pick(index.toUInt()))
        }

    /** Resolves the conflict with a value of the person's own ("enter a new value"), checked
     * by the core like any input of the field's type. */
    suspend fun resolveWithValue(conflict: ConflictItem, value: String) =
        act({ UiText(Keys.DONE_CONFLICT_RESOLVED) }) {
            store.resolveConflict(conflict.docId, conflict.path, Resolution.Enter(value))
        }

    /** After a revocation: closes the session, deletes the store and forgets the credentials
     * and the store's key. */
    suspend fun wipe(credentials: CredentialStore) = withContext(io) {
        session.close()
        wipeStore(session.storePath)
        credentials.clear()
        session.keys.clear()
    }

    /**
     * "Sign out and erase this phone": syncs what the phone holds, tells the relay, erases the
     * store, then deletes it and forgets the credentials and the key; true when done. When the
     * relay cannot be reached and work would be lost, nothing is erased unless [force]: the
     * state says how many changes and photos (`signOutWouldLose`) for the person to decide.
     */
    suspend fun signOut(credentials: CredentialStore, force: Boolean = false): Boolean {
        if (state.value.running) return false
        mutableState.value = state.value.copy(running = true, signOutWouldLose = null)
        val outcome = try {
            session.client.signOut(store, force, null)
        } catch (e: LinliException) {
            offerExport(after = e)
            fail(e.toUiText())
            null
        } finally {
            mutableState.value = state.value.copy(running = false)
        }
        if (outcome == null) return false
        if (!outcome.erased) {
            mutableState.value = state.value.copy(signOutWouldLose = outcome.unsent.toLong(), exportOffered = true)
            fail(UiText(Keys.SIGN_OUT_WOULD_LOSE, outcome.unsent.toLong()))
            return false
        }
        wipe(credentials)
        return true
    }

    /** The phone's unsent work (what waits to go and what the relay refused) as JSON sealed with
     * its token, named for its device, for the screen to share; null when it cannot be read
     * (the notice says why). The screen's notice is otherwise left as it is. */
    suspend fun exportUnsent(): UnsentFile? {
        val credentials = session.credentials
        return try {
            val json = withContext(io) { store.exportUnsent(credentials.token) }
            UnsentFile("linli-unsent-${credentials.deviceId}.json", json)
        } catch (e: LinliException) {
            fail(e.toUiText())
            null
        }
    }

    /** Offers the export when `after` says the phone can no longer sync. */
    private fun offerExport(after: LinliException) {
        if (after is LinliException.DeviceRevoked || after is LinliException.MemberDeactivated ||
            after is LinliException.StoreReplaced) {
            mutableState.value = state.value.copy(exportOffered = true)
        }
    }

    private fun memberName(id: String) =
        try { store.member(id).name } catch (e: LinliException.NotFound) { id }
}
