// UiText from the view models into words from the string tables (res/values is zh-Hans, the
// default; res/values-en is English), and the few formats the screens share.
package cn.linli.app

import android.annotation.SuppressLint
import android.content.Context
import androidx.compose.runtime.Composable
import androidx.compose.ui.platform.LocalContext
import cn.linli.viewmodels.UiText
import java.time.Instant
import java.time.ZoneId
import java.time.ZoneOffset
import java.time.format.DateTimeFormatter
import java.time.format.FormatStyle

/** The text of a key the view models chose; the keys are checked against the tables in tests. */
@Composable
fun text(t: UiText): String = textOf(LocalContext.current, t)

/** The same outside a screen (a notification's title). */
@SuppressLint("DiscouragedApi")
fun textOf(context: Context, t: UiText): String {
    val id = context.resources.getIdentifier(t.key, "string", context.packageName)
    if (id == 0) return t.key
    // A label key passed as an argument (a department, an action) is looked up too.
    val args = t.args.map { a ->
        val argId = context.resources.getIdentifier(a, "string", context.packageName)
        if (argId != 0) context.getString(argId) else a
    }
    return context.getString(id, *args.toTypedArray())
}

private val timeFormat = DateTimeFormatter.ofLocalizedDateTime(FormatStyle.SHORT)

fun Instant.shown(): String = timeFormat.format(atZone(ZoneId.systemDefault()))

/** The date and time in the community's time (`utcOffsetMinutes` from UTC), not the phone's zone. */
fun Instant.shownIn(utcOffsetMinutes: Int): String = timeFormat.format(atOffset(ZoneOffset.ofTotalSeconds(utcOffsetMinutes * 60)))
