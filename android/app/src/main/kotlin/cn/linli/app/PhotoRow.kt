// A ticket's photos in a row: each picture, or 照片待同步 in its place while its bytes have not
// reached this phone (not uploaded yet by the phone that took it, or not downloaded here yet);
// on the report form each can be taken off again.
package cn.linli.app

import android.graphics.BitmapFactory
import androidx.compose.foundation.Image
import androidx.compose.foundation.background
import androidx.compose.foundation.horizontalScroll
import androidx.compose.foundation.layout.Box
import androidx.compose.foundation.layout.Column
import androidx.compose.foundation.layout.Row
import androidx.compose.foundation.layout.padding
import androidx.compose.foundation.layout.size
import androidx.compose.foundation.rememberScrollState
import androidx.compose.material3.MaterialTheme
import androidx.compose.material3.Text
import androidx.compose.material3.TextButton
import androidx.compose.runtime.Composable
import androidx.compose.runtime.remember
import androidx.compose.ui.Alignment
import androidx.compose.ui.Modifier
import androidx.compose.ui.graphics.asImageBitmap
import androidx.compose.ui.layout.ContentScale
import androidx.compose.ui.res.stringResource
import androidx.compose.ui.unit.dp
import cn.linli.viewmodels.TicketPhoto

@Composable
fun PhotoRow(photos: List<TicketPhoto>, onRemove: ((String) -> Unit)? = null) {
    Row(Modifier.horizontalScroll(rememberScrollState())) {
        for (p in photos) {
            Column(Modifier.padding(end = 8.dp), horizontalAlignment = Alignment.CenterHorizontally) {
                val image = remember(p.sha256, p.bytes == null) {
                    p.bytes?.let { BitmapFactory.decodeByteArray(it, 0, it.size) }?.asImageBitmap()
                }
                if (image != null) {
                    Image(
                        bitmap = image,
                        contentDescription = stringResource(R.string.ticket_photos),
                        modifier = Modifier.size(96.dp),
                        contentScale = ContentScale.Crop,
                    )
                } else {
                    Box(Modifier.size(96.dp).background(MaterialTheme.colorScheme.surfaceVariant), contentAlignment = Alignment.Center) {
                        p.pending?.let { Text(text(it), style = MaterialTheme.typography.bodySmall) }
                    }
                }
                if (onRemove != null) {
                    TextButton(onClick = { onRemove(p.sha256) }) { Text(stringResource(R.string.action_cancel)) }
                }
            }
        }
    }
}
