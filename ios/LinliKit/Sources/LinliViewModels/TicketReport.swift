// The tickets screen's report form, for a problem met anywhere (the gate, the street, a call):
// its category, its place (typed, or one of the member's buildings and gates), what is wrong,
// the channel it came by (走访, 12345, 微信群, 来访 …) and the photos taken for it, each stored
// on the phone as it is taken and kept on the form until the report goes.
import Foundation
import LinliCore

/// One of the member's places a report may name.
public struct ReportPlace: Equatable, Sendable {
    public let id: String
    public let name: String
    public let kind: PlaceRefKind
}

/// A photo taken for a report, stored on the phone already.
public struct ReportPhoto: Equatable, Sendable {
    public let sha256: String
    public let bytes: Data
}

/// What the report form says.
public struct TicketReportForm: Equatable, Sendable {
    public var category: LinliCore.Category = .other
    /// One of the member's places (`ReportPlace.id`), or nil for the place typed in `placeText`.
    public var placeId: String?
    public var placeText = ""
    public var description = ""
    public var channel: Channel = .visit
    /// In the order taken.
    public internal(set) var photos: [ReportPhoto] = []

    public init() {}
}

public extension TicketsViewModel {
    /// Opens an empty report form.
    func startReport() {
        state.report = TicketReportForm()
    }

    /// Changes what the open form says.
    func editReport(_ change: (inout TicketReportForm) -> Void) {
        guard var form = state.report else { return }
        change(&form)
        state.report = form
    }

    /// Stores a photo taken for the open form on the phone and keeps it on the form.
    @discardableResult
    func addPhoto(_ bytes: Data) async -> Bool {
        guard state.report != nil else { return false }
        guard let sha256 = await act({ _ in nil }, { [self] in try store.addPhoto(bytes: bytes) }) else { return false }
        editReport { $0.photos.append(ReportPhoto(sha256: sha256, bytes: bytes)) }
        return true
    }

    /// Takes a photo off the open form (it stays stored, unnamed by any record, and is not sent).
    func removePhoto(_ sha256: String) {
        editReport { $0.photos.removeAll { $0.sha256 == sha256 } }
    }

    /// The camera was refused: says so, and the form keeps what it holds.
    func cameraRefused() {
        notice = Notice(text: UiText(Keys.ticketPhotoCameraRefused), isError: true)
    }

    /// Reports the open form's problem with its photos; the form closes once the core took it.
    @discardableResult
    func submitReport() async -> String? {
        guard let form = state.report else { return nil }
        let place = form.placeId.flatMap { id in state.places.first { $0.id == id } }
        let id = await report(TicketInput(
            category: form.category, placeKind: place?.kind ?? .freeText, placeRef: place?.id ?? "",
            placeText: place?.name ?? form.placeText, description: form.description,
            photos: form.photos.map(\.sha256), channel: form.channel))
        if id != nil { state.report = nil }
        return id
    }

    func cancelReport() {
        state.report = nil
    }
}
