// Takes a ticket's photo with the camera (UIImagePickerController), asking for the camera first
// (NSCameraUsageDescription in Info.plist); a refusal goes to the caller, whose form stays as
// it is. Where there is no camera (the simulator, some iPads), a picture is picked from the
// library instead (PhotosPicker). The photo goes on as JPEG, its longer side at most 1600 px.
import AVFoundation
import PhotosUI
import SwiftUI
import UIKit

struct CameraPhotoButton: View {
    let onPhoto: (Data) -> Void
    let onRefused: () -> Void
    @State private var shooting = false
    @State private var picked: PhotosPickerItem?

    var body: some View {
        if UIImagePickerController.isSourceTypeAvailable(.camera) {
            Button(tr("ticket_add_photo")) { Task { await askForCamera() } }
                .fullScreenCover(isPresented: $shooting) {
                    CameraPicker { data in
                        shooting = false
                        if let data { onPhoto(data) }
                    }
                    .ignoresSafeArea()
                }
        } else {
            PhotosPicker(tr("ticket_add_photo"), selection: $picked, matching: .images)
                .onChange(of: picked) { item in
                    guard let item else { return }
                    Task {
                        if let data = try? await item.loadTransferable(type: Data.self),
                           let image = UIImage(data: data), let jpeg = CameraPicker.jpeg(image) {
                            onPhoto(jpeg)
                        }
                        picked = nil
                    }
                }
        }
    }

    @MainActor
    private func askForCamera() async {
        switch AVCaptureDevice.authorizationStatus(for: .video) {
        case .authorized:
            shooting = true
        case .notDetermined:
            if await AVCaptureDevice.requestAccess(for: .video) { shooting = true } else { onRefused() }
        default:
            onRefused()
        }
    }
}

/// The system camera, handing back the photo taken as JPEG (nil when cancelled).
struct CameraPicker: UIViewControllerRepresentable {
    let onDone: (Data?) -> Void

    func makeUIViewController(context: Context) -> UIImagePickerController {
        let picker = UIImagePickerController()
        picker.sourceType = .camera
        picker.delegate = context.coordinator
        return picker
    }

    func updateUIViewController(_ controller: UIImagePickerController, context: Context) {}

    func makeCoordinator() -> Coordinator { Coordinator(onDone: onDone) }

    /// JPEG of `image`, its longer side at most 1600 px.
    static func jpeg(_ image: UIImage) -> Data? {
        let longest = max(image.size.width, image.size.height)
        let scale = longest > 1600 ? 1600 / longest : 1
        let size = CGSize(width: (image.size.width * scale).rounded(), height: (image.size.height * scale).rounded())
        let format = UIGraphicsImageRendererFormat()
        format.scale = 1
        let resized = UIGraphicsImageRenderer(size: size, format: format).image { _ in
            image.draw(in: CGRect(origin: .zero, size: size))
        }
        return resized.jpegData(compressionQuality: 0.7)
    }

    final class Coordinator: NSObject, UIImagePickerControllerDelegate, UINavigationControllerDelegate {
        let onDone: (Data?) -> Void
        init(onDone: @escaping (Data?) -> Void) { self.onDone = onDone }

        func imagePickerController(_ picker: UIImagePickerController,
                                   didFinishPickingMediaWithInfo info: [UIImagePickerController.InfoKey: Any]) {
            onDone((info[.originalImage] as? UIImage).flatMap(CameraPicker.jpeg))
        }

        func imagePickerControllerDidCancel(_ picker: UIImagePickerController) {
            onDone(nil)
        }
    }
}
