// A QR code drawn from the core's module matrix (qrCode), black on white with its quiet zone: a
// pass shown to the gate's camera from the lead's phone.
package cn.linli.app

import androidx.compose.foundation.Canvas
import androidx.compose.foundation.background
import androidx.compose.foundation.layout.aspectRatio
import androidx.compose.foundation.layout.fillMaxWidth
import androidx.compose.runtime.Composable
import androidx.compose.ui.Modifier
import androidx.compose.ui.geometry.Offset
import androidx.compose.ui.geometry.Size
import androidx.compose.ui.graphics.Color
import cn.linli.core.QrMatrix

@Composable
fun QrImage(matrix: QrMatrix, modifier: Modifier = Modifier) {
    val n = matrix.size.toInt()
    val side = n + 8 // four modules of quiet zone on each side
    Canvas(modifier.fillMaxWidth().aspectRatio(1f).background(Color.White)) {
        val cell = size.width / side
        for (row in 0 until n) {
            for (col in 0 until n) {
                if (matrix.dark[row * n + col]) {
                    drawRect(Color.Black, Offset((col + 4) * cell, (row + 4) * cell), Size(cell, cell))
                }
            }
        }
    }
}
