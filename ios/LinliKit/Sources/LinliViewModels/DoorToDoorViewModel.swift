// Door to door: my buildings, the households of one with their tags, last visit and checks due
// or overdue (those come first), a visit logged in a few taps, and a problem reported from the
// visit as a ticket that names the household.
import Foundation
import LinliCore

public struct HouseholdItem: Equatable, Sendable {
    public let id: String
    /// "1单元 101"
    public let address: String
    public let residents: String
    public let tags: [UiText]
    public let lastVisit: Date?
    public let lastOutcome: UiText?
    public let check: CheckState
    public let checkText: UiText
}

/// A resident in home isolation, with today's checks.
public struct IsolationItem: Equatable, Sendable {
    public let householdId: String
    public let isolationId: String
    public let resident: String
    /// "已询问 1/3 次"
    public let progress: UiText
    public let missed: Int64
    public let flagged: Int64
    public let errandsOpen: Int64
}

/// A home isolation check: temperature when taken, symptoms, anything else.
/// A household to register in the building chosen on the screen.
public struct HouseholdForm: Sendable {
    public var unit = ""
    public var room = ""
    public var phone = ""
    public var residents: [ResidentForm] = []
    public var tags: [Tag] = []
    public var watch: WatchPlanInput?

    public init(unit: String = "", room: String = "", phone: String = "", residents: [ResidentForm] = [],
                tags: [Tag] = [], watch: WatchPlanInput? = nil) {
        (self.unit, self.room, self.phone, self.residents, self.tags, self.watch) = (unit, room, phone, residents, tags, watch)
    }
}

public struct IsolationCheckForm: Sendable {
    public var temperatureC: Double?
    public var symptoms: Set<Symptom> = []
    public var other = ""

    /// The symptoms in the order they are asked.
    public static let order: [Symptom] = [.fever, .cough, .fatigue, .soreThroat, .diarrhoea, .other]

    public init(temperatureC: Double? = nil, symptoms: Set<Symptom> = [], other: String = "") {
        self.temperatureC = temperatureC
        self.symptoms = symptoms
        self.other = other
    }
}

public struct DoorToDoorState: Sendable {
    public var buildings: [PlaceItem] = []
    public var buildingId: String?
    public var households: [HouseholdItem] = []
    /// Watched households due or overdue across my buildings.
    public var checksDue = 0
    /// Residents in home isolation in my buildings, those with a missed check first.
    public var isolations: [IsolationItem] = []
}

/// The visit form: outcome first, everything else optional.
public struct VisitForm: Sendable {
    public var outcome: VisitOutcome = .met
    public var needs = ""
    public var opinions = ""
    public var temperatureC: Double?
    public var systolic: UInt32?
    public var diastolic: UInt32?
    public var healthNote = ""
    public var healthConcern = false
    /// `YYYY-MM-DD`.
    public var followUpDue: String?
    public var followUpNote = ""

    public init() {}

    public var input: VisitInput {
        let anyHealth = temperatureC != nil || systolic != nil || diastolic != nil || !healthNote.isEmpty || healthConcern
        let health = anyHealth ? HealthInput(temperatureC: temperatureC, systolic: systolic, diastolic: diastolic,
                                             note: healthNote, concern: healthConcern) : nil
        return VisitInput(at: nil, outcome: outcome, needs: needs, opinions: opinions, health: health,
                          followUpDue: followUpDue, followUpNote: followUpNote)
    }
}

public final class DoorToDoorViewModel: ScreenModel<DoorToDoorState>, @unchecked Sendable {
    private let session: Session
    private var store: LinliStore { session.store }

    public init(session: Session) {
        self.session = session
        super.init(DoorToDoorState())
    }

    override func load() throws -> DoorToDoorState {
        let buildings = try store.myPlaces(kind: .building).map { PlaceItem(id: $0.id, name: $0.name) }
        let chosen = state.buildingId.flatMap { id in buildings.contains { $0.id == id } ? id : nil } ?? buildings.first?.id
        let mine = Set(buildings.map(\.id))
        let rank: (CheckState) -> Int = { $0 == .overdue ? 0 : $0 == .due ? 1 : 2 }
        let households = try chosen.map { try store.householdsInBuilding(buildingId: $0).map(Self.item) } ?? []
        return DoorToDoorState(
            buildings: buildings,
            buildingId: chosen,
            // Overdue, then due, then the rest in building order.
            households: households.enumerated().sorted { (rank($0.element.check), $0.offset) < (rank($1.element.check), $1.offset) }.map(\.element),
            checksDue: try store.watchChecksDue().filter { mine.contains($0.buildingId) }.count,
            isolations: try store.isolationDays(date: store.today())
                .filter { mine.contains($0.buildingId) && !$0.released }
                .sorted { $0.missed > $1.missed }
                .map {
                    IsolationItem(householdId: $0.householdId, isolationId: $0.isolationId, resident: $0.resident,
                                  progress: UiText(Keys.isolationProgress, [String($0.done), String($0.due)]),
                                  missed: $0.missed, flagged: $0.flagged, errandsOpen: $0.errandsOpen)
                }
        )
    }

    /// Puts a resident under home isolation from today for `days` days.
    @discardableResult
    public func startIsolation(householdId: String, residentId: String, days: Int, checksPerDay: UInt32? = nil) async -> String? {
        await act({ _ in UiText(Keys.doneIsolationStarted) }) { [self] in
            let today = try store.today()
            var calendar = Calendar(identifier: .gregorian)
            calendar.timeZone = TimeZone(identifier: "UTC")!
            let formatter = DateFormatter()
            formatter.calendar = calendar
            formatter.timeZone = calendar.timeZone
            formatter.dateFormat = "yyyy-MM-dd"
            let start = formatter.date(from: today) ?? Date()
            let end = formatter.string(from: calendar.date(byAdding: .day, value: max(days, 1) - 1, to: start) ?? start)
            return try store.startIsolation(householdId: householdId, input: IsolationInput(
                residentId: residentId, start: today, plannedEnd: end, checksPerDay: checksPerDay))
        }
    }

    /// Records a check; a fever or a symptom is confirmed in the warning style.
    @discardableResult
    public func recordIsolationCheck(_ item: IsolationItem, _ form: IsolationCheckForm) async -> IsolationCheckRecorded? {
        await act({ (r: IsolationCheckRecorded) in
            UiText(r.flagged ? Keys.doneIsolationFlagged : Keys.doneIsolationChecked)
        }) { [self] in
            try store.recordIsolationCheck(householdId: item.householdId, isolationId: item.isolationId,
                                           input: IsolationCheckInput(celsius: form.temperatureC,
                                                                      symptoms: IsolationCheckForm.order.filter { form.symptoms.contains($0) },
                                                                      other: form.other))
        }
    }

    public func releaseIsolation(_ item: IsolationItem) async {
        await act({ _ in UiText(Keys.doneIsolationReleased) }) { [self] in
            try store.releaseIsolation(householdId: item.householdId, isolationId: item.isolationId)
        }
    }

    public func errands(_ householdId: String) async -> [ErrandRow] {
        await act({ _ in nil }) { [self] in try store.errands(householdId: householdId) } ?? []
    }

    @discardableResult
    public func addErrand(_ householdId: String, kind: ErrandKind, note: String) async -> String? {
        await act({ _ in UiText(Keys.doneErrandAdded) }) { [self] in
            try store.addErrand(householdId: householdId, kind: kind, note: note)
        }
    }

    public func deliverErrand(_ householdId: String, errandId: String) async {
        await act({ _ in UiText(Keys.doneErrandDelivered) }) { [self] in
            try store.deliverErrand(householdId: householdId, errandId: errandId)
        }
    }

    public func selectBuilding(_ id: String) async {
        state.buildingId = id
        await refresh()
    }

    public func household(_ id: String) async -> HouseholdDetail? {
        await act({ _ in nil }) { [self] in try store.household(householdId: id) }
    }

    /// Registers a household in the chosen building (its leads and the office); its id.
    @discardableResult
    public func registerHousehold(_ form: HouseholdForm) async -> String? {
        guard let building = state.buildingId else { return nil }
        let address = "\(form.unit) \(form.room)".trimmingCharacters(in: .whitespaces)
        return await act({ _ in UiText(Keys.doneHouseholdRegistered, [address]) }) { [self] in
            try store.registerHousehold(input: HouseholdInput(
                buildingId: building, unit: form.unit, room: form.room, phone: form.phone,
                residents: form.residents.map(\.input), tags: form.tags, watch: form.watch))
        }
    }

    /// The passes issued to the household's residents (each shown as a QR code of its `text`),
    /// those still usable first.
    public func passes(_ householdId: String) async -> [IssuedPassRow] {
        await act({ _ in nil }) { [self] in
            try store.passes(householdId: householdId).sorted { !$0.revoked && $1.revoked }
        } ?? []
    }

    @discardableResult
    public func logVisit(householdId: String, form: VisitForm) async -> String? {
        await act({ _ in UiText(Keys.doneVisitLogged) }) { [self] in try store.logVisit(householdId: householdId, input: form.input) }
    }

    /// Reports a problem seen during a visit: the ticket points at the household.
    @discardableResult
    public func reportFromVisit(householdId: String, category: LinliCore.Category, description: String, photos: [Data]) async -> String? {
        await act({ _ in UiText(Keys.doneTicketReported) }) { [self] in
            let detail = try store.household(householdId: householdId)
            let place = "\(try store.placeName(id: detail.buildingId)) \(detail.unit) \(detail.room)"
                .trimmingCharacters(in: .whitespaces)
            let hashes = try photos.map { try store.addPhoto(bytes: $0) }
            return try store.reportTicket(input: TicketInput(
                category: category, placeKind: .household, placeRef: householdId, placeText: place,
                description: description, photos: hashes, channel: .visit))
        }
    }

    private static func item(_ r: HouseholdRow) -> HouseholdItem {
        HouseholdItem(id: r.id, address: "\(r.unit) \(r.room)".trimmingCharacters(in: .whitespaces),
                      residents: r.residents, tags: r.tags.map { UiText(Keys.of($0)) }, lastVisit: r.lastVisitAt,
                      lastOutcome: r.lastVisitOutcome.map { UiText(Keys.of($0)) }, check: r.check,
                      checkText: UiText(Keys.of(r.check)))
    }
}
