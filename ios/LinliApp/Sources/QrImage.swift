// A QR code drawn from the core's module matrix (qrCode), black on white with its quiet zone: a
// pass shown to the gate's camera from the lead's phone.
import LinliCore
import SwiftUI

struct QrImage: View {
    let matrix: QrMatrix

    var body: some View {
        Canvas { context, size in
            let n = Int(matrix.size)
            let cell = size.width / CGFloat(n + 8) // four modules of quiet zone on each side
            context.fill(Path(CGRect(origin: .zero, size: size)), with: .color(.white))
            for row in 0..<n {
                for col in 0..<n where matrix.dark[row * n + col] {
                    let rect = CGRect(x: CGFloat(col + 4) * cell, y: CGFloat(row + 4) * cell, width: cell, height: cell)
                    context.fill(Path(rect), with: .color(.black))
                }
            }
        }
        .aspectRatio(1, contentMode: .fit)
    }
}
