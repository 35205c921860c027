// The Swift bindings on Linux: the API from Swift with Chinese text unchanged, sync through a
// relay process on 127.0.0.1 with progress in order, cancellation, the error variants, and
// 10,000 handles created and dropped without a leak.
import Foundation
import XCTest
@testable import LinliCore

final class Sink: DataObserver, SyncListener, @unchecked Sendable {
    private let lock = NSLock()
    private(set) var changes: [[String]] = []
    private(set) var progress: [SyncProgress] = []
    func onChange(docIds: [String]) { lock.lock(); changes.append(docIds); lock.unlock() }
    func onProgress(progress p: SyncProgress) { lock.lock(); progress.append(p); lock.unlock() }
}

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

final class LinliCoreTests: XCTestCase {
    let tmp = FileManager.default.temporaryDirectory.appendingPathComponent("linli-swift-\(UUID())")

    override func setUpWithError() throws {
        try FileManager.default.createDirectory(at: tmp, withIntermediateDirectories: true)
    }

    override func tearDownWithError() throws {
        try? FileManager.default.removeItem(at: tmp)
    }

    func path(_ name: String) -> String { tmp.appendingPathComponent("\(name).db").path }

    func officeStore(_ name: String) throws -> LinliStore {
        let s = try LinliStore.open(path: path(name), memberId: "office-\(name)", deviceId: "\(name)-pc", actorId: newActorId())
        _ = try s.createCommunity(name: "梅园社区", utcOffsetMinutes: 480, adminName: "陈主任", adminPhone: "13800000001")
        return s
    }

    func testTheApiFromSwiftWithChineseTextUnchanged() throws {
        let s = try officeStore("api")
        let sink = Sink()
        let sub = s.subscribe(observer: sink)
        XCTAssertEqual(s.subscriberCount(), 1)
        let today = try s.today()
        let area = try s.addPlace(kind: .area, name: "第一片区", parent: nil)
        let compound = try s.addPlace(kind: .compound, name: "梅园新村", parent: area)
        let gate = try s.addPlace(kind: .gate, name: "东门", parent: compound)
        let b3 = try s.addPlace(kind: .building, name: "3号楼", parent: compound)
        XCTAssertEqual(try s.placeName(id: b3), "3号楼")
        XCTAssertFalse(sink.changes.isEmpty)

        let h = try s.registerHousehold(input: HouseholdInput(
            buildingId: b3, unit: "1单元", room: "101", phone: "", residents: [ResidentInput(name: "张桂英", birthYear: 1942, phone: "")],
            tags: [.livingAlone], watch: nil))
        _ = try s.logVisit(householdId: h, input: VisitInput(
            at: Date(), outcome: .met, needs: "需要代购药品", opinions: "希望加装扶手",
            health: HealthInput(temperatureC: 36.6, systolic: 130, diastolic: 80, note: "", concern: false),
            followUpDue: today, followUpNote: "周三再来"))
        let detail = try s.household(householdId: h)
        XCTAssertEqual(detail.visits.first?.needs, "需要代购药品")
        XCTAssertEqual(detail.residents.first?.name, "张桂英")
        XCTAssertEqual(try s.householdsInBuilding(buildingId: b3).first?.visitCount, 1)
        XCTAssertEqual(try s.followUpsDue(on: today).first?.note, "周三再来")

        _ = try s.checkIn(gateId: gate)
        XCTAssertEqual(try s.onDuty(gateId: gate).gateName, "东门")
        XCTAssertTrue(try s.recordTemperature(gateId: gate, person: "周先生", celsius: 38.4).fever)
        _ = try s.registerVehicle(gateId: gate, plate: "沪B54321", purpose: "送货")
        XCTAssertTrue(try s.gateEntries(gateId: gate, date: today).contains { $0.flagged })

        let t = try s.reportTicket(input: TicketInput(
            category: .noise, placeKind: .building, placeRef: b3, placeText: "", description: "夜间广场舞音响太吵",
            photos: [], channel: .visit))
        _ = try s.acceptTicket(id: t)
        _ = try s.escalateTicket(id: t, to: .street, reason: "社区协调无果")
        _ = try s.replyTicket(id: t, message: "已联系街道")
        _ = try s.resolveTicket(id: t, summary: "已限定音量")
        _ = try s.evaluateTicket(id: t, satisfied: true, comment: "满意")
        let ticket = try s.ticket(id: t)
        XCTAssertEqual(ticket.description, "夜间广场舞音响太吵")
        XCTAssertEqual(ticket.state.level, .street)
        XCTAssertTrue(ticket.events.contains { if case .escalated = $0.action { return true } else { return false } })

        let report = try s.dayReport(date: today)
        XCTAssertEqual(report.community, "梅园社区")
        XCTAssertEqual(report.totalVisits, 1)
        XCTAssertTrue(try s.dayReportMarkdown(date: today).contains("梅园社区"))
        XCTAssertTrue(try s.dayReportCsv(date: today).contains("走访次数"))
        XCTAssertFalse(try s.history(docId: h).isEmpty)
        XCTAssertTrue(try s.openConflicts().isEmpty)

        XCTAssertEqual(Category.noise.labelZh(), "噪声")
        XCTAssertEqual(Role.buildingLead.code(), "building_lead")
        XCTAssertEqual(Tag.livingAlone.labelZh(), "独居")
        sub.cancel()
        XCTAssertEqual(s.subscriberCount(), 0)
    }

    func testAVisitSyncsThroughTheRelayToAnotherStore() async throws {
        let relay = try Relay()
        try relay.admin("create-community", "--name", "梅园社区", "--admin-name", "陈主任")
        let area = try relay.admin("add-place", "--kind", "area", "--name", "第一片区")
        let compound = try relay.admin("add-place", "--kind", "compound", "--name", "梅园新村", "--parent", area)
        let b3 = try relay.admin("add-place", "--kind", "building", "--name", "3号楼", "--parent", compound)
        try relay.admin("add-member", "--id", "lead-wang", "--name", "王建国", "--role", "building_lead:\(b3)")
        try relay.start()

        let wangActor = newActorId()
        let wangEnrol = try await enrol(server: relay.url, code: try relay.code("lead-wang"), deviceName: "王建国的手机", actorId: wangActor)
        let officeActor = newActorId()
        let officeEnrol = try await enrol(server: relay.url, code: try relay.code("office-admin"), deviceName: "办公室", actorId: officeActor)
        let wang = try LinliStore.open(path: path("wang"), memberId: wangEnrol.memberId, deviceId: wangEnrol.deviceId, actorId: wangActor)
        let office = try LinliStore.open(path: path("office"), memberId: officeEnrol.memberId, deviceId: officeEnrol.deviceId, actorId: officeActor)
        let wangSync = try SyncClient(server: relay.url, token: wangEnrol.token)
        let officeSync = try SyncClient(server: relay.url, token: officeEnrol.token)

        _ = try await wangSync.sync(store: wang, listener: nil, cancel: nil)
        let h = try wang.registerHousehold(input: HouseholdInput(
            buildingId: b3, unit: "", room: "302", phone: "", residents: [], tags: [.homeWatch], watch: nil))
        _ = try wang.logVisit(householdId: h, input: VisitInput(
            at: nil, outcome: .met, needs: "行动不便，需要送菜上门", opinions: "", health: nil, followUpDue: nil, followUpNote: ""))
        let sink = Sink()
        let summary = try await wangSync.sync(store: wang, listener: sink, cancel: CancelToken())
        XCTAssertEqual(summary.outboxLeft, 0)
        XCTAssertTrue(summary.lineZh().hasPrefix("本机记录已全部送达"))
        let pushes = sink.progress.filter { $0.phase == .push }.map { $0.done }
        XCTAssertFalse(pushes.isEmpty)
        XCTAssertEqual(pushes, pushes.sorted())

        _ = try await officeSync.sync(store: office, listener: nil, cancel: nil)
        XCTAssertEqual(try office.household(householdId: h).visits.first?.needs, "行动不便，需要送菜上门")

        // Cancelled before it starts: the error says so, and the next sync completes.
        let token = CancelToken()
        token.cancel()
        do {
            _ = try await officeSync.sync(store: office, listener: nil, cancel: token)
            XCTFail("a cancelled sync must fail")
        } catch LinliError.Cancelled {}
        let after = try await officeSync.sync(store: office, listener: nil, cancel: nil)
        XCTAssertEqual(after.outboxLeft, 0)

        // A revoked device is told so.
        try relay.admin("revoke", "--device", wangEnrol.deviceId)
        do {
            _ = try await wangSync.sync(store: wang, listener: nil, cancel: nil)
            XCTFail("a revoked device must be refused")
        } catch LinliError.DeviceRevoked {}
    }

    func testErrorVariantsReachSwift() async throws {
        let s = try officeStore("errors")
        do {
            _ = try s.registerHousehold(input: HouseholdInput(buildingId: "", unit: "", room: "", phone: "", residents: [], tags: [], watch: nil))
            XCTFail("an empty building is refused")
        } catch let LinliError.InvalidInput(field, _) {
            XCTAssertEqual(field, "building_id")
        }
        do {
            _ = try s.dayReport(date: "2026年11月23日")
            XCTFail("a bad date is refused")
        } catch let LinliError.InvalidInput(field, detail) {
            XCTAssertEqual(field, "date")
            XCTAssertTrue(detail.contains("2026年11月23日"))
        }
        do { _ = try s.household(householdId: "nope"); XCTFail() } catch LinliError.NotFound {}
        do { _ = try LinliStore.open(path: path("errors"), memberId: "else", deviceId: "x", actorId: nil); XCTFail() } catch LinliError.Conflict {}
        do { _ = try LinliStore.open(path: tmp.path, memberId: "m", deviceId: "d", actorId: nil); XCTFail() } catch LinliError.Storage {}
        let volunteer = try LinliStore.open(path: path("volunteer"), memberId: "vol", deviceId: "v", actorId: nil)
        do { _ = try volunteer.addPlace(kind: .area, name: "第二片区", parent: nil); XCTFail() } catch LinliError.Forbidden {}
        let offline = try SyncClient(server: "http://127.0.0.1:1", token: "t")
        do { _ = try await offline.sync(store: s, listener: nil, cancel: nil); XCTFail() } catch LinliError.Network {}
    }

    func testTenThousandHandlesWithoutALeak() throws {
        let s = try officeStore("handles")
        let sink = Sink()
        for _ in 0..<10_000 {
            let sub = s.subscribe(observer: sink)
            _ = CancelToken()
            _ = sub
        }
        XCTAssertEqual(s.subscriberCount(), 0, "every dropped subscription unregistered")
        for _ in 0..<200 {
            _ = try LinliStore.open(path: path("handles"), memberId: "office-handles", deviceId: "handles-pc", actorId: nil)
        }
        let fds = try FileManager.default.contentsOfDirectory(atPath: "/proc/self/fd").count
        for _ in 0..<300 {
            _ = try LinliStore.open(path: path("handles"), memberId: "office-handles", deviceId: "handles-pc", actorId: nil)
        }
        XCTAssertLessThanOrEqual(try FileManager.default.contentsOfDirectory(atPath: "/proc/self/fd").count, fds + 4)
    }
}
