// Work run off the main thread lets go of what it captured before its caller resumes: a view
// model's store is then closed by its last owner, never by a background thread later (a store
// closed on a background thread while the process exits crashes in SQLCipher's shutdown).
import Foundation
import XCTest
@testable import LinliViewModels

final class OffMainTests: XCTestCase {
    /// Stands for a store captured by the work.
    final class Held {}

    func testWorkAndWhatItCapturedAreReleasedBeforeTheCallerResumes() async throws {
        for round in 0..<200 {
            weak var released: Held?
            var held: Held? = Held()
            released = held
            let value = try await offMain { [held] in
                // Long enough for the caller to be ready to resume at once.
                Thread.sleep(forTimeInterval: 0.0005)
                return held.map { _ in round } ?? -1
            }
            held = nil
            XCTAssertEqual(value, round)
            XCTAssertNil(released, "round \(round): the work still held what it captured after its caller resumed")
        }
    }

    func testAnErrorIsHandedToTheCallerAndTheWorkReleasedAlike() async {
        struct Refused: Error {}
        weak var released: Held?
        var held: Held? = Held()
        released = held
        do {
            _ = try await offMain { [held] () throws -> Int in
                _ = held
                throw Refused()
            }
            XCTFail("the work's error was not handed over")
        } catch {
            XCTAssertTrue(error is Refused)
        }
        held = nil
        XCTAssertNil(released)
    }
}
