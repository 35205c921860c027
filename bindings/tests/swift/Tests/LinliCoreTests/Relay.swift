// A relay process for the Swift tests (the bindings' and the view models'): admin commands on
// a throw-away database, and `serve` on an ephemeral port of 127.0.0.1.
import Foundation

/// `linli-relay` on a throw-away database: admin commands, and `serve` on an ephemeral port.
final class Relay {
    let exe = "/build/lib/linli-relay"
    let dir = FileManager.default.temporaryDirectory.appendingPathComponent("linli-relay-\(UUID())")
    var db: String { dir.appendingPathComponent("relay.db").path }
    var server: Process?
    var url = ""

    init() throws {
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
    }

    @discardableResult
    func admin(_ args: String...) throws -> String {
        let p = Process()
        p.executableURL = URL(fileURLWithPath: exe)
        p.arguments = ["--db", db] + args
        let pipe = Pipe()
        p.standardOutput = pipe
        p.standardError = pipe
        try p.run()
        let out = String(decoding: pipe.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
        p.waitUntilExit()
        guard p.terminationStatus == 0 else { throw NSError(domain: out, code: 1) }
        return out.trimmingCharacters(in: .whitespacesAndNewlines)
    }

    func code(_ member: String) throws -> String {
        let out = try admin("enrol-code", "--member", member)
        let line = out.split(separator: "\n").first { $0.contains("enrolment code for") }!
        return String(line.split(separator: " ").last!)
    }

    func start() throws {
        let p = Process()
        p.executableURL = URL(fileURLWithPath: exe)
        p.arguments = ["--db", db, "serve", "--listen", "127.0.0.1:0"]
        p.environment = ["NO_COLOR": "1", "RUST_LOG": "info"]
        let pipe = Pipe()
        p.standardError = pipe
        p.standardOutput = FileHandle.nullDevice
        try p.run()
        server = p
        var buffer = ""
        while !buffer.contains("listening") || !buffer.contains("db=") {
            let data = pipe.fileHandleForReading.availableData
            if data.isEmpty { throw NSError(domain: "the relay exited", code: 1) }
            buffer += String(decoding: data, as: UTF8.self)
        }
        let addr = buffer.split(separator: " ").first { $0.hasPrefix("addr=") }!.dropFirst(5)
        url = "http://\(addr)"
        Thread.detachNewThread { while !pipe.fileHandleForReading.availableData.isEmpty {} }
    }

    deinit {
        server?.terminate()
        try? FileManager.default.removeItem(at: dir)
    }
}
