// Hands a phone's unsent work to the office: the export is written to the app's cache as
// `linli-unsent-<deviceId>.json` and offered to the share sheet (ACTION_SEND), by which the
// person sends it on (微信, e-mail, a cable to the office's computer).
package cn.linli.app

import android.content.Context
import android.content.Intent
import androidx.core.content.FileProvider
import cn.linli.viewmodels.UnsentFile
import java.io.File
import kotlinx.coroutines.Dispatchers
import kotlinx.coroutines.withContext

suspend fun shareUnsent(context: Context, unsent: UnsentFile) {
    val file = withContext(Dispatchers.IO) {
        val dir = File(context.cacheDir, "exports").apply { mkdirs() }
        File(dir, unsent.fileName).apply { writeText(unsent.json) }
    }
    val uri = FileProvider.getUriForFile(context, context.packageName + ".files", file)
    val send = Intent(Intent.ACTION_SEND).setType("application/json").putExtra(Intent.EXTRA_STREAM, uri)
        .addFlags(Intent.FLAG_GRANT_READ_URI_PERMISSION)
    context.startActivity(Intent.createChooser(send, context.getString(R.string.sync_export_unsent)))
}
