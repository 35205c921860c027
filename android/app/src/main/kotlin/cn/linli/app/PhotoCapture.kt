// Takes a photo for a ticket with the camera, after asking for the camera permission when it is
// not granted yet: the picture comes back as JPEG bytes, and a refusal goes to the caller, which
// says so and keeps its form.
package cn.linli.app

import android.Manifest
import android.content.pm.PackageManager
import android.graphics.Bitmap
import androidx.activity.compose.rememberLauncherForActivityResult
import androidx.activity.result.contract.ActivityResultContracts
import androidx.compose.runtime.Composable
import androidx.compose.ui.platform.LocalContext
import androidx.core.content.ContextCompat
import java.io.ByteArrayOutputStream

/** What takes a photo: the camera at once when allowed, else after asking. */
@Composable
fun rememberPhotoTaker(onPhoto: (ByteArray) -> Unit, onRefused: () -> Unit): () -> Unit {
    val context = LocalContext.current
    val camera = rememberLauncherForActivityResult(ActivityResultContracts.TakePicturePreview()) { bitmap: Bitmap? ->
        bitmap?.let { onPhoto(jpeg(it)) }
    }
    val ask = rememberLauncherForActivityResult(ActivityResultContracts.RequestPermission()) { granted ->
        if (granted) camera.launch(null) else onRefused()
    }
    return {
        if (ContextCompat.checkSelfPermission(context, Manifest.permission.CAMERA) == PackageManager.PERMISSION_GRANTED) {
            camera.launch(null)
        } else {
            ask.launch(Manifest.permission.CAMERA)
        }
    }
}

private fun jpeg(bitmap: Bitmap): ByteArray =
    ByteArrayOutputStream().also { bitmap.compress(Bitmap.CompressFormat.JPEG, 85, it) }.toByteArray()
