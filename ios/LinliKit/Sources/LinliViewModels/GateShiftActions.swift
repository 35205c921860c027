// The rest of a gate shift beyond the register: the duty handed over to another duty member,
// an incident recorded with its severity, a vehicle logged leaving (from the list of vehicles
// inside, or a plate typed), and a parcel collected (from the list of parcels waiting, by its
// recipient unless someone else's name is typed).
import Foundation
import LinliCore

/// A vehicle logged coming in and not leaving since.
public struct VehicleItem: Equatable, Sendable {
    public let id: String
    public let plate: String
    /// `沪A12345：送货`, or the plate alone.
    public let summary: String
    public let since: Date

    init(_ r: GateEntryRow) {
        // The core's summary is the plate, then `：` and the purpose when one was given.
        self.init(id: r.id, plate: String(r.summary.split(separator: "：", maxSplits: 1).first ?? ""),
                  summary: r.summary, since: r.at)
    }

    public init(id: String, plate: String, summary: String, since: Date) {
        (self.id, self.plate, self.summary, self.since) = (id, plate, summary, since)
    }
}

/// A parcel logged at the gate and not collected.
public struct ParcelItem: Equatable, Sendable {
    public let id: String
    public let recipient: String
    /// `张阿姨（顺丰）`.
    public let summary: String
    public let since: Date

    init(_ r: GateEntryRow) {
        // The core's summary is the recipient, then the carrier in `（…）`.
        self.init(id: r.id, recipient: String(r.summary.split(separator: "（", maxSplits: 1).first ?? ""),
                  summary: r.summary, since: r.at)
    }

    public init(id: String, recipient: String, summary: String, since: Date) {
        (self.id, self.recipient, self.summary, self.since) = (id, recipient, summary, since)
    }
}

public extension GateDutyViewModel {
    /// Hands the member's duty (and its slot) over to `memberId`, one of `handoverTo`.
    @discardableResult
    func handOver(_ memberId: String) async -> Bool {
        await act({ _ in UiText(Keys.doneHandover) }) { [self] in try store.handOver(gateId: gateId, toMember: memberId) } != nil
    }

    /// Records an incident; it stands out in the day's register.
    @discardableResult
    func recordIncident(note: String, severity: Severity) async -> Bool {
        await act({ _ in UiText(Keys.doneIncident) }) { [self] in
            try store.recordIncident(gateId: gateId, note: note, severity: severity)
        } != nil
    }

    /// Logs a vehicle leaving: a plate from `vehiclesInside`, or one typed.
    @discardableResult
    func vehicleLeft(plate: String) async -> Bool {
        let plate = plate.trimmingCharacters(in: .whitespacesAndNewlines)
        return await act({ _ in UiText(Keys.doneVehicleExit) }) { [self] in
            try store.registerVehicleExit(gateId: gateId, plate: plate)
        } != nil
    }

    /// Logs the parcel `parcelId` (of `parcelsWaiting`) collected by `collectedBy`; left empty,
    /// by its recipient.
    @discardableResult
    func pickUp(parcelId: String, collectedBy: String) async -> Bool {
        let typed = collectedBy.trimmingCharacters(in: .whitespacesAndNewlines)
        return await act({ _ in UiText(Keys.doneParcelPickedUp) }) { [self] in
            var by = typed
            if by.isEmpty {
                guard let parcel = try store.parcelsWaiting(gateId: gateId).first(where: { $0.id == parcelId }) else {
                    throw LinliError.NotFound(what: "parcel", id: parcelId)
                }
                by = ParcelItem(parcel).recipient
            }
            return try store.pickUpParcel(gateId: gateId, parcelId: parcelId, collectedBy: by)
        } != nil
    }
}
