// The string keys of the gate's whole shift: what its actions say when done, the labels of an
// incident's severity, a visitor's pass type and each kind of entry in the day's register, and
// a choice offered with its label. The same keys as the Android app's.
import Foundation
import LinliCore

/// A value offered on a screen with its label (a pass type, a severity).
public struct Choice<T: Equatable & Sendable>: Equatable, Sendable {
    public let value: T
    public let label: UiText
}

public extension Keys {
    static let doneVehicleExit = "done_vehicle_exit"
    static let doneParcelPickedUp = "done_parcel_picked_up"
    static let doneIncident = "done_incident"
    static let doneHandover = "done_handover"
    /// The field of the number of 安全员 typed for a shift.
    static let fieldOfficers = "field_officers"

    static func of(_ v: Severity) -> String { "severity_" + v.code() }

    /// The label of a gate entry's kind (`GateEntryRow.kind`).
    static func gateKind(_ code: String) -> String { "gate_kind_" + code }

    /// Every pass type, in the core's order.
    static let passTypes: [PassType] = [.temporary, .visitorCode, .longTerm, .delivery, .contractor]
    /// Every severity, least serious first.
    static let severities: [Severity] = [.low, .medium, .high]
    /// Every kind of gate entry the core writes.
    static let gateKinds = [
        "check_in", "check_out", "handover", "visitor", "vehicle", "vehicle_exit", "parcel", "parcel_pickup",
        "temperature", "patrol", "incident", "pass_valid", "pass_expired", "pass_not_yet_valid", "pass_wrong_gate",
        "pass_revoked", "pass_forged", "pass_outside_hours",
    ]

    /// The gate shift's keys and labels, for the string-table check.
    static let gateShift: [String] = [doneVehicleExit, doneParcelPickedUp, doneIncident, doneHandover, fieldOfficers]
        + passTypes.map(of) + severities.map(of) + gateKinds.map(gateKind)
}
