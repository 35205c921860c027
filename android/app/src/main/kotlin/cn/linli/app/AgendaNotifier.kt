// Posts the notifications the view models plan for today's list (AgendaNotifications): those
// due now at once, each once (an overdue one once more), the later ones as WorkManager one-time
// work delayed until their time. Every plan replaces the work the last one scheduled, by the
// items' stable ids; it runs after each sync and each time the home screen shows.
package cn.linli.app

import android.Manifest
import android.annotation.SuppressLint
import android.app.PendingIntent
import android.content.Context
import android.content.Intent
import android.content.pm.PackageManager
import android.os.Build
import androidx.core.app.NotificationChannelCompat
import androidx.core.app.NotificationCompat
import androidx.core.app.NotificationManagerCompat
import androidx.core.content.ContextCompat
import androidx.work.ExistingWorkPolicy
import androidx.work.OneTimeWorkRequestBuilder
import androidx.work.WorkManager
import androidx.work.Worker
import androidx.work.WorkerParameters
import androidx.work.workDataOf
import cn.linli.core.LinliException
import cn.linli.viewmodels.AgendaNotifications
import cn.linli.viewmodels.PlannedNotification
import cn.linli.viewmodels.Session
import java.time.Duration
import java.time.Instant
import java.util.concurrent.TimeUnit
import kotlinx.coroutines.Dispatchers
import kotlinx.coroutines.withContext

object AgendaNotifier {
    private const val CHANNEL = "agenda"
    private const val TAG = "agenda-notification"
    private const val PREFS = "agenda-notifications"
    /** What was posted already, as `<id>#<title key>` (so an item notified ahead of its time is
     * notified again when it becomes overdue). */
    private const val POSTED = "posted"
    private const val ASKED = "asked"

    /** Whether to ask for the permission to notify: Android 13 and later, not granted, and
     * not asked before. */
    fun shouldAsk(context: Context): Boolean =
        Build.VERSION.SDK_INT >= 33 && !allowed(context) && !prefs(context).getBoolean(ASKED, false)

    fun asked(context: Context) {
        prefs(context).edit().putBoolean(ASKED, true).apply()
    }

    /** Plans from the session's agenda now and posts (after a sync). */
    suspend fun refresh(context: Context, session: Session) {
        val plan = try {
            withContext(Dispatchers.IO) { AgendaNotifications.plan(session, Instant.now()) }
        } catch (e: LinliException) {
            return
        }
        post(context, plan)
    }

    /** Posts what is due now and not posted yet, schedules the rest, and forgets (and takes
     * down) the notifications of items no longer on the list. */
    fun post(context: Context, plan: List<PlannedNotification>, now: Instant = Instant.now()) {
        createChannel(context)
        val work = WorkManager.getInstance(context)
        work.cancelAllWorkByTag(TAG)
        val prefs = prefs(context)
        val before = prefs.getStringSet(POSTED, emptySet()).orEmpty()
        val ids = plan.map { it.id }.toSet()
        val posted = before.filter { it.substringBeforeLast('#') in ids }.toMutableSet()
        for (gone in before.map { it.substringBeforeLast('#') }.toSet() - ids) {
            NotificationManagerCompat.from(context).cancel(gone, NOTIFICATION)
        }
        for (p in plan) {
            val key = "${p.id}#${p.title.key}"
            val title = textOf(context, p.title)
            if (!p.at.isAfter(now)) {
                if (key !in posted && show(context, p.id, title, p.body)) posted += key
            } else {
                val request = OneTimeWorkRequestBuilder<AgendaNotificationWorker>()
                    .setInitialDelay(Duration.between(now, p.at).toMillis(), TimeUnit.MILLISECONDS)
                    .setInputData(workDataOf("id" to p.id, "key" to key, "title" to title, "body" to p.body))
                    .addTag(TAG)
                    .build()
                work.enqueueUniqueWork("agenda:${p.id}", ExistingWorkPolicy.REPLACE, request)
            }
        }
        prefs.edit().putStringSet(POSTED, posted).apply()
    }

    /** Takes everything down: signed out or wiped. */
    fun clear(context: Context) {
        WorkManager.getInstance(context).cancelAllWorkByTag(TAG)
        NotificationManagerCompat.from(context).cancelAll()
        prefs(context).edit().clear().apply()
    }

    /** Posts one notification (replacing the item's last one); false when not allowed. */
    @SuppressLint("MissingPermission")
    internal fun show(context: Context, id: String, title: String, body: String): Boolean {
        if (!allowed(context)) return false
        createChannel(context)
        val open = PendingIntent.getActivity(
            context, 0,
            Intent(context, MainActivity::class.java).addFlags(Intent.FLAG_ACTIVITY_NEW_TASK or Intent.FLAG_ACTIVITY_CLEAR_TOP),
            PendingIntent.FLAG_IMMUTABLE or PendingIntent.FLAG_UPDATE_CURRENT,
        )
        val notification = NotificationCompat.Builder(context, CHANNEL)
            .setSmallIcon(android.R.drawable.ic_popup_reminder)
            .setContentTitle(title)
            .setContentText(body)
            .setStyle(NotificationCompat.BigTextStyle().bigText(body))
            .setContentIntent(open)
            .setAutoCancel(true)
            .build()
        NotificationManagerCompat.from(context).notify(id, NOTIFICATION, notification)
        return true
    }

    internal fun markPosted(context: Context, key: String) {
        val prefs = prefs(context)
        prefs.edit().putStringSet(POSTED, prefs.getStringSet(POSTED, emptySet()).orEmpty() + key).apply()
    }

    private fun allowed(context: Context): Boolean =
        (Build.VERSION.SDK_INT < 33 ||
            ContextCompat.checkSelfPermission(context, Manifest.permission.POST_NOTIFICATIONS) == PackageManager.PERMISSION_GRANTED) &&
            NotificationManagerCompat.from(context).areNotificationsEnabled()

    private fun createChannel(context: Context) {
        val channel = NotificationChannelCompat.Builder(CHANNEL, NotificationManagerCompat.IMPORTANCE_DEFAULT)
            .setName(context.getString(R.string.notify_channel))
            .build()
        NotificationManagerCompat.from(context).createNotificationChannel(channel)
    }

    private fun prefs(context: Context) = context.getSharedPreferences(PREFS, Context.MODE_PRIVATE)

    /** Every item's notification has this number; its id is the notification's tag. */
    private const val NOTIFICATION = 1
}

/** Posts one planned notification at its time. */
class AgendaNotificationWorker(context: Context, params: WorkerParameters) : Worker(context, params) {
    override fun doWork(): Result {
        val id = inputData.getString("id") ?: return Result.success()
        val shown = AgendaNotifier.show(
            applicationContext, id, inputData.getString("title").orEmpty(), inputData.getString("body").orEmpty(),
        )
        if (shown) inputData.getString("key")?.let { AgendaNotifier.markPosted(applicationContext, it) }
        return Result.success()
    }
}
