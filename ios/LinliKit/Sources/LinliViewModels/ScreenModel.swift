// What every screen's view model shares: its state, a notice line (what just happened, or what
// went wrong), a change callback for the UI, and one way to run an action off the calling
// thread that turns a core error into words and reloads the screen.
import Foundation
import LinliCore

/// The line under a screen's title: a confirmation, or an error to act on.
public struct Notice: Equatable, Sendable {
    public let text: UiText
    public let isError: Bool
}

open class ScreenModel<S>: @unchecked Sendable {
    public internal(set) var state: S { didSet { onChange?() } }
    public internal(set) var notice: Notice? { didSet { onChange?() } }
    /// Called after every change of `state` or `notice` (the app hops to the main actor).
    public var onChange: (() -> Void)?

    init(_ initial: S) {
        state = initial
    }

    /// Reads the screen's state from the store (called off the main thread).
    func load() throws -> S { state }

    /// Reloads the screen; an error goes to the notice and the old state stays.
    public func refresh() async {
        do {
            state = try await offMain { try self.load() }
        } catch {
            notice = Notice(text: uiText(error), isError: true)
        }
    }

    /// Runs `block` off the calling thread; on success shows `done(result)`, on a core error
    /// its words, and reloads either way. Returns the result, or nil when it failed.
    @discardableResult
    func act<T>(_ done: (T) -> UiText?, _ block: @escaping () throws -> T) async -> T? {
        var result: T?
        do {
            let r = try await offMain(block)
            notice = done(r).map { Notice(text: $0, isError: false) }
            result = r
        } catch {
            notice = Notice(text: uiText(error), isError: true)
        }
        await refresh()
        return result
    }

    /// Refuses an action before it reaches the core (what was typed is not a number, a date or a
    /// time): says why, and reports the failure.
    func refuse(_ text: UiText) -> Bool {
        notice = Notice(text: text, isError: true)
        return false
    }

    public func dismissNotice() {
        notice = nil
    }
}

/// Runs blocking store work on a background thread.
///
/// The work, and everything it captured (a view model, the store it holds), is released on the
/// background thread before the caller resumes: the caller is then the last owner again, so a
/// store is never closed on a background thread behind the caller's back (a second open is
/// refused while another handle lives, and a database closed while the process exits crashes
/// in SQLCipher's shutdown).
func offMain<T>(_ block: @escaping () throws -> T) async throws -> T {
    let work = OneShot(block)
    return try await withCheckedThrowingContinuation { continuation in
        DispatchQueue.global(qos: .userInitiated).async {
            continuation.resume(with: work.run())
        }
    }
}

/// Work run once, and let go of as soon as it has run.
final class OneShot<T>: @unchecked Sendable {
    private var block: (() throws -> T)?

    init(_ block: @escaping () throws -> T) {
        self.block = block
    }

    /// Runs the work and releases it (and what it captured) before returning its result.
    func run() -> Result<T, Error> {
        guard let block = self.block else {
            preconditionFailure("offMain work run twice")
        }
        self.block = nil
        return Result { try block() }
    }
}
