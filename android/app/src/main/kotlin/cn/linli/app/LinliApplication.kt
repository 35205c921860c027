// The app process: the enrolled session (if any), sync whenever the app comes to the
// foreground with a network, and the periodic background sync; after each, today's list's
// notifications are planned afresh.
package cn.linli.app

import android.app.Application
import android.os.Build
import android.net.ConnectivityManager
import android.net.NetworkCapabilities
import androidx.lifecycle.DefaultLifecycleObserver
import androidx.lifecycle.LifecycleOwner
import androidx.lifecycle.ProcessLifecycleOwner
import cn.linli.viewmodels.EnrolmentViewModel
import cn.linli.viewmodels.Session
import cn.linli.viewmodels.SyncViewModel
import kotlinx.coroutines.CoroutineScope
import kotlinx.coroutines.SupervisorJob
import kotlinx.coroutines.flow.MutableStateFlow
import kotlinx.coroutines.launch

class LinliApplication : Application() {
    val scope = CoroutineScope(SupervisorJob())
    val credentials by lazy { CredentialPrefs(this) }
    val storeKeys by lazy { KeystoreStoreKey(this) }
    /** Enrolment, and the opening of the kept session at each start: one for the process. */
    val enrolment by lazy { EnrolmentViewModel(filesDir, Build.MODEL, credentials, storeKeys) }
    /** The enrolled session; null until enrolment (or after a wipe). */
    val session = MutableStateFlow<Session?>(null)
    /** One sync view model for the process, so that the screen, the foreground hook and the
     * worker never run two syncs at once. */
    var sync: SyncViewModel? = null
        private set

    override fun onCreate() {
        super.onCreate()
        // Off the main thread: the enrolment screen shows that the store is opening.
        scope.launch { resume() }
        ProcessLifecycleOwner.get().lifecycle.addObserver(object : DefaultLifecycleObserver {
            override fun onStart(owner: LifecycleOwner) {
                if (online()) scope.launch {
                    sync?.syncNow()
                    session.value?.let { AgendaNotifier.refresh(this@LinliApplication, it) }
                }
            }
        })
    }

    /** The kept session, opened now if it is not yet; null before enrolment. */
    suspend fun resume(): SyncViewModel? {
        enrolment.resume()?.let(::open)
        return sync
    }

    fun open(s: Session) {
        if (session.value === s) return
        sync = SyncViewModel(s)
        session.value = s
        SyncWorker.schedule(this)
    }

    fun forget() {
        sync = null
        session.value = null
        enrolment.forget()
        SyncWorker.cancel(this)
        AgendaNotifier.clear(this)
    }

    private fun online(): Boolean {
        val cm = getSystemService(ConnectivityManager::class.java)
        val caps = cm.getNetworkCapabilities(cm.activeNetwork) ?: return false
        return caps.hasCapability(NetworkCapabilities.NET_CAPABILITY_INTERNET)
    }
}
