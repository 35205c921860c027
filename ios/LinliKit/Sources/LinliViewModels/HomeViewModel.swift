// The home screen: one tile per kind of work the member's roles allow, with the places each
// covers, and the member's name and roles in words.
import Foundation
import LinliCore

/// A kind of work on the home screen; the raw value is its string key.
public enum HomeTile: String, CaseIterable, Sendable {
    case gateDuty = "home_gate_duty"
    case doorToDoor = "home_door_to_door"
    case tickets = "home_tickets"
    case sync = "home_sync"
    case office = "home_office"
}

/// A place the member works at.
public struct PlaceItem: Equatable, Sendable {
    public let id: String
    public let name: String
}

public struct HomeState: Sendable {
    public var memberName = ""
    public var roles: [UiText] = []
    public var tiles: [HomeTile] = []
    public var gates: [PlaceItem] = []
    public var buildings: [PlaceItem] = []
}

public final class HomeViewModel: ScreenModel<HomeState>, @unchecked Sendable {
    private let session: Session

    public init(session: Session) {
        self.session = session
        super.init(HomeState())
    }

    override func load() throws -> HomeState {
        let store = session.store
        let me = try store.member(id: session.credentials.memberId)
        let office = me.roles.contains { $0.role == .office }
        let gates = try store.myPlaces(kind: .gate).map { PlaceItem(id: $0.id, name: $0.name) }
        let buildings = try store.myPlaces(kind: .building).map { PlaceItem(id: $0.id, name: $0.name) }
        var tiles: [HomeTile] = []
        if !gates.isEmpty { tiles.append(.gateDuty) }
        if !buildings.isEmpty { tiles.append(.doorToDoor) }
        tiles += [.tickets, .sync]
        if office { tiles.append(.office) }
        return HomeState(memberName: me.name, roles: me.roles.map { UiText(Keys.of($0.role)) },
                         tiles: tiles, gates: gates, buildings: buildings)
    }
}
