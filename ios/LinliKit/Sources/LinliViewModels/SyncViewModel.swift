// Sync: last contact, what is waiting to go, photos pending, conflicts to resolve (both values
// and who made them; the member picks one), the changes the relay did not accept (未被接受的修改,
// in SetAside.swift), "sync now" with progress by phase, and a revoked device told so and
// offered to wipe its data. A phone that can no longer sync, or signs out offline with work
// unsent, is offered to hand that work over as a file. The app's background task and its
// foreground hook call `syncNow` too.
import Foundation
import LinliCore

/// One of a conflict's values and who made it.
public struct ConflictChoice: Equatable, Sendable {
    public let display: String
    public let memberName: String
    public let device: String
    public let shown: Bool
}

/// A field two people changed at once, in the record people know by `recordName`
/// (3号楼 1单元 302) and under the field's label (电话).
public struct ConflictItem: Equatable, Sendable {
    public let docId: String
    public let path: [String]
    public let recordName: String
    public let fieldLabel: UiText
    public let choices: [ConflictChoice]
    /// The field's path, e.g. "phone" or "visits › 3 › needs": a stable identity for lists.
    public var field: String { path.joined(separator: " › ") }
}

/// Where a running sync is.
public struct SyncProgressItem: Equatable, Sendable {
    public let phase: SyncPhase
    public let label: UiText
    public let done: UInt64
    public let total: UInt64
}

public struct SyncState: Sendable {
    public var lastContact: Date?
    public var waiting: UInt64 = 0
    public var held: UInt64 = 0
    public var photosPending: UInt64 = 0
    public var conflicts: [ConflictItem] = []
    public var running = false
    public var progress: SyncProgressItem?
    /// The phases this run has been through, in order.
    public var phases: [SyncPhase] = []
    public var revoked = false
    /// A sign-out that could not reach the relay: how many changes and photos would be lost if
    /// the person insists.
    public var signOutWouldLose: UInt64?
    /// The changes set aside on this phone, newest first.
    public var setAside: [SetAsideItem] = []
    /// The community's offset from UTC: the screen shows times in it.
    public var utcOffsetMinutes: Int32 = 8 * 60
    /// The phone can no longer sync (revoked, its member deactivated, its store replaced) or
    /// signs out offline with work unsent: its unsent work may be handed over (`exportUnsent`).
    public var exportOffered = false
}

/// A phone's unsent work as a file to share with the office.
public struct UnsentFile: Equatable, Sendable {
    /// `linli-unsent-<deviceId>.json`.
    public let fileName: String
    public let json: String
}

public final class SyncViewModel: ScreenModel<SyncState>, SyncListener, @unchecked Sendable {
    private let session: Session
    private var store: LinliStore { session.store }
    private let lock = NSLock()
    private var cancel: CancelToken?

    public init(session: Session) {
        self.session = session
        super.init(SyncState())
    }

    override func load() throws -> SyncState {
        let summary = try session.client.status(store: store)
        var s = state
        s.lastContact = summary.lastContactMs.map { Date(timeIntervalSince1970: Double($0) / 1000) }
        s.waiting = summary.outboxLeft
        s.held = summary.held
        s.photosPending = summary.photosPending
        s.utcOffsetMinutes = try store.community().utcOffsetMinutes
        s.setAside = try setAsideItems(store)
        let open = try store.openConflicts()
        let labelled = Set(inputFieldKeys())
        s.conflicts = try Dictionary(grouping: open, by: \.docId).keys.sorted().flatMap { doc -> [ConflictItem] in
            let paths = Set(open.filter { $0.docId == doc }.map(\.path))
            let name = try store.recordName(docId: doc)
            return try store.conflicts(docId: doc).filter { paths.contains($0.path) }.map { c in
                // A field without a label of its own is shown by its path.
                let label = labelled.contains(c.fieldKey) ? UiText(Keys.field(c.fieldKey))
                    : UiText(Keys.labelPlain, [c.path.joined(separator: " › ")])
                return ConflictItem(docId: doc, path: c.path, recordName: name, fieldLabel: label, choices: c.values.map { v in
                    ConflictChoice(display: v.display, memberName: (try? store.member(id: v.member).name) ?? v.member,
                                   device: v.device, shown: v.shown)
                })
            }
        }
        return s
    }

    public func onProgress(progress p: SyncProgress) {
        lock.lock()
        defer { lock.unlock() }
        state.progress = SyncProgressItem(phase: p.phase, label: UiText(Keys.of(p.phase)), done: p.done, total: p.total)
        if state.phases.last != p.phase { state.phases.append(p.phase) }
    }

    /// One complete sync with progress; a second call while one runs does nothing.
    @discardableResult
    public func syncNow() async -> SyncSummary? {
        if state.running || state.revoked { return nil }
        let token = CancelToken()
        cancel = token
        state.running = true
        state.progress = nil
        state.phases = []
        var summary: SyncSummary?
        do {
            let s = try await session.client.sync(store: store, listener: self, cancel: token)
            notice = Notice(text: UiText(Keys.doneSynced, [String(s.pushed), String(s.pulled)]), isError: false)
            summary = s
        } catch {
            if case LinliError.DeviceRevoked = error { state.revoked = true }
            if case LinliError.DeviceWiped = error { state.revoked = true }
            offerExport(after: error)
            notice = Notice(text: uiText(error), isError: true)
        }
        cancel = nil
        state.running = false
        await refresh()
        return summary
    }

    /// Stops a running sync; what arrived so far stays and the next sync resumes.
    public func cancelSync() {
        cancel?.cancel()
    }

    /// Keeps the value at `index` of the conflict's choices.
    public func resolve(_ conflict: ConflictItem, index: Int) async {
        await act({ _ in UiText(Keys.doneConflictResolved) }) { [self] in
            try store.resolveConflict(docId: conflict.docId, path: conflict.path, resolution: .pick(index: UInt32(index)))
        }
    }

    /// Resolves the conflict with a value of the person's own ("enter a new value"), checked by
    /// the core like any input of the field's type.
    public func resolve(_ conflict: ConflictItem, value: String) async {
        await act({ _ in UiText(Keys.doneConflictResolved) }) { [self] in
            try store.resolveConflict(docId: conflict.docId, path: conflict.path, resolution: .enter(value: value))
        }
    }

    /// After a revocation: deletes the store and forgets the credentials and the store's key.
    /// The session must not be used afterwards.
    public func wipe(credentials: CredentialStore) throws {
        try wipeStore(path: session.storePath)
        credentials.clear()
        try session.keys.clear()
    }

    /// "Sign out and erase this phone": syncs what the phone holds, tells the relay, erases the
    /// store, then deletes it and forgets the credentials and the key; true when done. When the
    /// relay cannot be reached and work would be lost, nothing is erased unless `force`: the
    /// state says how many changes and photos (`signOutWouldLose`) for the person to decide.
    public func signOut(credentials: CredentialStore, force: Bool = false) async -> Bool {
        if state.running { return false }
        state.running = true
        state.signOutWouldLose = nil
        defer { state.running = false }
        do {
            let outcome = try await session.client.signOut(store: store, force: force, cancel: nil)
            guard outcome.erased else {
                state.signOutWouldLose = outcome.unsent
                state.exportOffered = true
                notice = Notice(text: UiText(Keys.signOutWouldLose, [String(outcome.unsent)]), isError: true)
                return false
            }
            try wipe(credentials: credentials)
            return true
        } catch {
            offerExport(after: error)
            notice = Notice(text: uiText(error), isError: true)
            return false
        }
    }

    /// The phone's unsent work (what waits to go and what the relay refused) as JSON sealed
    /// with its token, named for its device, for the screen to share; nil when it cannot be
    /// read (the notice says why). The screen's notice is otherwise left as it is.
    public func exportUnsent() async -> UnsentFile? {
        let credentials = session.credentials
        do {
            let json = try await offMain { [store] in try store.exportUnsent(token: credentials.token) }
            return UnsentFile(fileName: "linli-unsent-\(credentials.deviceId).json", json: json)
        } catch {
            notice = Notice(text: uiText(error), isError: true)
            return nil
        }
    }

    /// Offers the export when `error` says the phone can no longer sync.
    private func offerExport(after error: Error) {
        switch error {
        case LinliError.DeviceRevoked, LinliError.MemberDeactivated, LinliError.StoreReplaced: state.exportOffered = true
        default: break
        }
    }
}
