// Background sync with WorkManager: every hour when a network is up, retried with backoff; each
// sync plans today's list's notifications afresh.
package cn.linli.app

import android.content.Context
import androidx.work.Constraints
import androidx.work.CoroutineWorker
import androidx.work.ExistingPeriodicWorkPolicy
import androidx.work.NetworkType
import androidx.work.PeriodicWorkRequestBuilder
import androidx.work.WorkManager
import androidx.work.WorkerParameters
import java.util.concurrent.TimeUnit

class SyncWorker(context: Context, params: WorkerParameters) : CoroutineWorker(context, params) {
    override suspend fun doWork(): Result {
        val app = applicationContext as LinliApplication
        // The process may have been started for this work alone: the session opens first.
        val sync = app.sync ?: app.resume() ?: return Result.success()
        sync.syncNow()
        app.session.value?.let { AgendaNotifier.refresh(app, it) }
        return when {
            sync.state.value.revoked -> Result.failure()
            sync.notice.value?.isError == true -> Result.retry()
            else -> Result.success()
        }
    }

    companion object {
        private const val NAME = "linli-sync"

        fun schedule(context: Context) {
            val request = PeriodicWorkRequestBuilder<SyncWorker>(1, TimeUnit.HOURS)
                .setConstraints(Constraints.Builder().setRequiredNetworkType(NetworkType.CONNECTED).build())
                .build()
            WorkManager.getInstance(context)
                .enqueueUniquePeriodicWork(NAME, ExistingPeriodicWorkPolicy.KEEP, request)
        }

        fun cancel(context: Context) {
            WorkManager.getInstance(context).cancelUniqueWork(NAME)
        }
    }
}
