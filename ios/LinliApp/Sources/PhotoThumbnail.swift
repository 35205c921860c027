// A photo as a small square for a ticket's detail and the report form, or, while its bytes have
// not arrived, the words saying so (照片待同步), photo by photo.
import SwiftUI
import UIKit

/// A photo as a small square, or the words saying its bytes have not arrived.
struct PhotoThumbnail: View {
    let bytes: Data?
    let pending: String

    var body: some View {
        Group {
            if let bytes, let image = UIImage(data: bytes) {
                Image(uiImage: image).resizable().scaledToFill()
            } else {
                Text(pending).font(.footnote).multilineTextAlignment(.center).padding(4)
            }
        }
        .frame(width: 96, height: 96)
        .background(Color.secondary.opacity(0.15))
        .clipShape(RoundedRectangle(cornerRadius: 8))
    }
}
