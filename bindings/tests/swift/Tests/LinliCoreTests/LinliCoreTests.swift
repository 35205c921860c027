// The Swift bindings on Linux: every exported function and method called from Swift with
// Chinese text unchanged, sync and a conflict through a relay process on 127.0.0.1 with
// progress in order, cancellation, the error variants, one store from many threads, and
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

/// A screen already gone: every callback throws.
final class Thrower: DataObserver, SyncListener, @unchecked Sendable {
    struct Gone: Error {}
    func onChange(docIds: [String]) throws { throw Gone() }
    func onProgress(progress p: SyncProgress) throws { throw Gone() }
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

    /// The key every store of these tests is encrypted with.
    let key = newStoreKey()

    func testAResidentInHomeIsolationIsCheckedThreeTimesADay() throws {
        let s = try officeStore("isolation")
        let area = try s.addPlace(kind: .area, name: "第一片区", parent: nil)
        let compound = try s.addPlace(kind: .compound, name: "梅园新村", parent: area)
        let building = try s.addPlace(kind: .building, name: "9号楼", parent: compound)
        let h = try s.registerHousehold(input: HouseholdInput(
            buildingId: building, unit: "2单元", room: "201", phone: "",
            residents: [ResidentInput(name: "陆家明", birthYear: 1980, phone: "")], tags: [], watch: nil))
        let resident = try s.household(householdId: h).residents[0].id
        let today = try s.today()
        let iso = try s.startIsolation(householdId: h, input: IsolationInput(
            residentId: resident, start: today, plannedEnd: today, checksPerDay: nil))
        do {
            _ = try s.recordIsolationCheck(householdId: h, isolationId: iso,
                                           input: IsolationCheckInput(celsius: 45, symptoms: [], other: ""))
            XCTFail("45 ℃ was taken")
        } catch let LinliError.InvalidInput(field, _, code, _) {
            XCTAssertEqual(field, "celsius")
            XCTAssertEqual(code, "out_of_range")
        }
        let check = try s.recordIsolationCheck(householdId: h, isolationId: iso,
                                               input: IsolationCheckInput(celsius: 37.8, symptoms: [.cough], other: "嗓子痛"))
        XCTAssertTrue(check.flagged)
        let errand = try s.addErrand(householdId: h, kind: .medicine, note: "降压药")
        XCTAssertEqual(try s.errands(householdId: h).map(\.delivered), [false])
        try s.deliverErrand(householdId: h, errandId: errand)
        XCTAssertEqual(try s.errands(householdId: h).first?.id, errand)
        let day = try XCTUnwrap(try s.isolationDays(date: today).first)
        XCTAssertTrue((1...3).contains(day.due), "the checks due after the start: \(day.due)")
        XCTAssertEqual(day.done, 1)
        XCTAssertEqual(day.flagged, 1)
        XCTAssertEqual(day.errandsOpen, 0)
        XCTAssertEqual(try s.dayReport(date: today).isolation.first?.flagged, 1)
        try s.releaseIsolation(householdId: h, isolationId: iso)
        do {
            _ = try s.recordIsolationCheck(householdId: h, isolationId: iso,
                                           input: IsolationCheckInput(celsius: 36.5, symptoms: [], other: ""))
            XCTFail("a released resident was checked")
        } catch LinliError.Conflict {}
    }

    func testAPassIsCheckedAtAGateOfflineAndRevoked() throws {
        let s = try officeStore("passes")
        let area = try s.addPlace(kind: .area, name: "第一片区", parent: nil)
        let compound = try s.addPlace(kind: .compound, name: "梅园新村", parent: area)
        let gate = try s.addPlace(kind: .gate, name: "东门", parent: compound)
        let building = try s.addPlace(kind: .building, name: "8号楼", parent: compound)
        let h = try s.registerHousehold(input: HouseholdInput(
            buildingId: building, unit: "", room: "101", phone: "", residents: [], tags: [], watch: nil))
        // No pass was ever signed here: whatever is scanned is refused as forged, and logged.
        let check = try s.checkPass(gateId: gate, text: "LINLI-PASS1.e30.AAAA")
        XCTAssertEqual(check.result, .forged)
        XCTAssertEqual(check.result.labelZh(), "伪造或无效")
        XCTAssertEqual(PassKind.night.code(), "night")
        XCTAssertTrue(try s.gateEntries(gateId: gate, date: s.today()).contains { $0.kind == "pass_forged" && $0.flagged })
        XCTAssertTrue(try s.passes(householdId: h).isEmpty)
        try s.revokePass(passId: "01PASS0000000000000000000")
        // A pass's text as the QR code the lead's phone draws.
        let qr = try qrCode(text: "LINLI-PASS1." + String(repeating: "x", count: 300))
        XCTAssertGreaterThan(qr.size, 40)
        XCTAssertEqual(Int(qr.size * qr.size), qr.dark.count)
        do { _ = try qrCode(text: String(repeating: "x", count: 5000)); XCTFail("too long") } catch LinliError.InvalidInput {}
        XCTAssertTrue(try s.passesLetThroughAfterRevocation().isEmpty)
    }

    func testAStoreIsEncryptedAtRestAndOnlyItsKeyOpensIt() throws {
        let name = "欧阳秀兰", phone = "13700001234"
        var store: LinliStore? = try officeStore("encrypted")
        let area = try store!.addPlace(kind: .area, name: "第一片区", parent: nil)
        let compound = try store!.addPlace(kind: .compound, name: "梅园新村", parent: area)
        let building = try store!.addPlace(kind: .building, name: "7号楼", parent: compound)
        _ = try store!.registerHousehold(input: HouseholdInput(
            buildingId: building, unit: "", room: "101", phone: phone,
            residents: [ResidentInput(name: name, birthYear: 1950, phone: phone)], tags: [], watch: nil))
        // Copied while the app runs: the file and its WAL.
        let running = try Data(contentsOf: URL(fileURLWithPath: path("encrypted")))
            + Data(contentsOf: URL(fileURLWithPath: path("encrypted") + "-wal"))
        for text in [name, phone, "梅园社区"] {
            XCTAssertNil(running.range(of: Data(text.utf8)), "\(text) readable in the running store")
        }
        store = nil
        let closed = try Data(contentsOf: URL(fileURLWithPath: path("encrypted")))
        XCTAssertNil(closed.range(of: Data(name.utf8)), "readable after the checkpoint")
        do {
            _ = try LinliStore.open(path: path("encrypted"), key: newStoreKey(), memberId: "office-encrypted", deviceId: "encrypted-pc", actorId: nil)
            XCTFail("a wrong key opened the store")
        } catch LinliError.WrongKey {}
        XCTAssertEqual(try Data(contentsOf: URL(fileURLWithPath: path("encrypted"))), closed, "a wrong key touches nothing")
        let next = newStoreKey()
        try rekeyStore(path: path("encrypted"), oldKey: key, newKey: next)
        do {
            _ = try LinliStore.open(path: path("encrypted"), key: key, memberId: "office-encrypted", deviceId: "encrypted-pc", actorId: nil)
            XCTFail("the old key still opens the store")
        } catch LinliError.WrongKey {}
        let reopened = try LinliStore.open(path: path("encrypted"), key: next, memberId: "office-encrypted", deviceId: "encrypted-pc", actorId: nil)
        XCTAssertTrue(try reopened.householdsInBuilding(buildingId: building).first!.residents.contains(name))
    }

    func officeStore(_ name: String) throws -> LinliStore {
        let s = try LinliStore.open(path: path(name), key: key, memberId: "office-\(name)", deviceId: "\(name)-pc", actorId: newActorId())
        _ = try s.createCommunity(name: "梅园社区", utcOffsetMinutes: 480, adminName: "陈主任", adminPhone: "13800000001")
        return s
    }

    func testTheApiFromSwiftWithChineseTextUnchanged() throws {
        let s = try officeStore("api")
        XCTAssertEqual(s.memberId(), "office-api")
        XCTAssertEqual(s.deviceId(), "api-pc")
        XCTAssertEqual(s.actorId().count, 32)
        XCTAssertEqual(try s.community().name, "梅园社区")
        let sink = Sink()
        let sub = s.subscribe(observer: sink)
        XCTAssertEqual(s.subscriberCount(), 1)
        XCTAssertTrue(sub.isActive())
        let today = try s.today()

        // Directory.
        let area = try s.addPlace(kind: .area, name: "第一片区", parent: nil)
        let compound = try s.addPlace(kind: .compound, name: "梅园新村", parent: area)
        let gate = try s.addPlace(kind: .gate, name: "东门", parent: compound)
        let b3 = try s.addPlace(kind: .building, name: "3号楼", parent: compound)
        XCTAssertEqual(try s.placeName(id: b3), "3号楼")
        XCTAssertEqual(try s.places(kind: .building).map { $0.name }, ["3号楼"])
        XCTAssertEqual(try s.places(kind: nil).count, 4)
        XCTAssertEqual(try s.myPlaces(kind: .building).map(\.id), [b3])
        let sun = try s.addMember(input: MemberInput(
            id: "guard-sun", name: "孙志刚", phone: "13900000002", roles: [RoleInput(role: .safetyOfficer, places: [gate])]))
        _ = try s.addMember(input: MemberInput(id: "gate-zhao", name: "赵卫东", phone: "", roles: [RoleInput(role: .gateLead, places: [gate])]))
        _ = try s.addMember(input: MemberInput(id: "guard-zhou", name: "周建军", phone: "", roles: [RoleInput(role: .safetyOfficer, places: [gate])]))
        try s.grantRole(memberId: sun, role: RoleInput(role: .volunteer, places: [gate]))
        XCTAssertEqual(try s.member(id: sun).name, "孙志刚")
        XCTAssertEqual(try s.member(id: sun).roles.count, 2)
        XCTAssertGreaterThanOrEqual(try s.members().count, 3)
        let leaving = try s.addMember(input: MemberInput(id: nil, name: "临时志愿者", phone: "", roles: [RoleInput(role: .volunteer, places: [gate])]))
        try s.deactivateMember(memberId: leaving)
        XCTAssertFalse(try s.member(id: leaving).active)
        XCTAssertFalse(sink.changes.isEmpty, "the subscription heard the writes")

        // Households and visits.
        let h = try s.registerHousehold(input: HouseholdInput(
            buildingId: b3, unit: "1单元", room: "101", phone: "13700000000",
            residents: [ResidentInput(name: "张桂英", birthYear: 1942, phone: "")],
            tags: [.livingAlone, .elderly], watch: WatchPlanInput(frequency: .everyDays, n: 2)))
        let imported = try s.importHouseholds(inputs: [
            HouseholdInput(buildingId: b3, unit: "1单元", room: "102", phone: "", residents: [], tags: [], watch: nil),
            HouseholdInput(buildingId: b3, unit: "2单元", room: "201", phone: "", residents: [], tags: [], watch: nil),
        ])
        XCTAssertEqual(imported.count, 2)
        try s.setHouseholdPhone(householdId: h, phone: "13700000001")
        try s.setHouseholdTag(householdId: imported[0], tag: .tenant, on: true)
        try s.setWatchPlan(householdId: imported[1], plan: WatchPlanInput(frequency: .timesPerDay, n: 1))
        XCTAssertFalse(try s.addResident(householdId: h, resident: ResidentInput(name: "李建华", birthYear: 1968, phone: "13600000000")).isEmpty)
        _ = try s.logVisit(householdId: h, input: VisitInput(
            at: nil, outcome: .met, needs: "需要代购药品", opinions: "希望加装扶手",
            health: HealthInput(temperatureC: 36.6, systolic: 135, diastolic: 85, note: "精神好", concern: false),
            followUpDue: today, followUpNote: "周三再来"))
        let detail = try s.household(householdId: h)
        XCTAssertEqual(detail.visits.map { $0.needs }, ["需要代购药品"])
        XCTAssertEqual(detail.visits.first?.opinions, "希望加装扶手")
        let only = detail.visits[0]
        XCTAssertEqual(try s.householdVisits(householdId: h, beforeMs: nil, beforeId: nil, limit: 10).map { $0.id }, [only.id])
        XCTAssertTrue(try s.householdVisits(householdId: h, beforeMs: only.atMs, beforeId: only.id, limit: 10).isEmpty)
        let unsent = try s.exportUnsent(token: "device-token")
        XCTAssertTrue(unsent.contains("\"format\": \"linli-unsent/1\""))
        XCTAssertTrue(unsent.contains("\"action\": \"visit.log\""))
        XCTAssertTrue(unsent.contains("需要代购药品"))
        XCTAssertNotNil(unsent.range(of: "\"seal\": \"[0-9a-f]{64}\"", options: .regularExpression))
        XCTAssertEqual(detail.phone, "13700000001")
        XCTAssertEqual(Set(detail.tags), [.livingAlone, .elderly])
        XCTAssertEqual(Set(detail.residents.map { $0.name }), ["张桂英", "李建华"])
        // Residents who arrive and leave: a tenant back from 武汉 today.
        let zhang = detail.residents.first { $0.name == "张桂英" }!.id
        try s.setResidentMoves(householdId: h, residentId: zhang, moves: ResidentMoves(status: .tenant, movedIn: nil, movedOut: nil, arrivedFrom: "武汉", arrivedOn: today))
        XCTAssertEqual(try s.household(householdId: h).residents.first { $0.id == zhang }?.status, .tenant)
        XCTAssertEqual(try s.householdsWith(buildingId: b3, filter: ResidentFilter(status: .tenant, arrivedSince: today, includeMovedOut: false)).map { $0.id }, [h])
        XCTAssertEqual(try s.dayReport(date: today).arrivals, 1)
        let rows = try s.householdsInBuilding(buildingId: b3)
        XCTAssertEqual(rows.first { $0.id == h }?.phone, "137****0001")
        XCTAssertEqual(rows.count, 3)
        XCTAssertEqual(rows.first { $0.id == h }?.visitCount, 1)
        XCTAssertTrue(try s.householdsInBuilding(buildingId: b3).first { $0.id == imported[0] }!.tags.contains(.tenant))
        _ = try s.watchChecksDue()
        XCTAssertEqual(try s.followUpsDue(on: today).map { $0.note }, ["周三再来"])
        let agenda = try s.agenda(date: today)
        XCTAssertTrue(agenda.contains { $0.kind == .followUp && $0.title.hasSuffix("周三再来") && $0.action == "visit.log" })

        // The office's reminders (民情日志): due today, on the agenda, completed, back next year.
        let reminder = try s.addReminder(input: ReminderInput(what: "3号楼电梯年检", place: b3, ownerMember: nil, ownerRole: .buildingLead, firstDue: today, leadDays: nil, repeat: .yearly))
        XCTAssertTrue(try s.agenda(date: today).contains { $0.kind == .reminder && $0.recordId == reminder && $0.action == "reminder.complete" })
        let nextDue = try s.completeReminder(reminderId: reminder)
        XCTAssertNotNil(nextDue)
        XCTAssertEqual(try s.reminders(date: today).first { $0.id == reminder }?.doneCount, 1)
        XCTAssertEqual(try s.dayReport(date: today).reminders.done, 1)

        // Gate duty.
        let now = Date()
        let shift = try s.addShift(gateId: gate, label: "早班", start: now.addingTimeInterval(-3600), end: now.addingTimeInterval(7 * 3600), safetyOfficers: 1)
        // A night shift typed in the community's time: 22:00 at +08:00 is 14:00 UTC, ending next morning.
        let night = try s.addShiftOn(gateId: gate, label: "夜班", day: "2027-01-06", start: "22:00", end: "06:00", safetyOfficers: 1)
        let nightRow = try XCTUnwrap(try s.rosterWeek(gateId: gate, day: "2027-01-06").first { $0.shiftId == night })
        XCTAssertEqual(nightRow.start, Date(timeIntervalSince1970: 1_799_244_000))
        XCTAssertEqual(nightRow.end.timeIntervalSince(nightRow.start), 8 * 3600)
        XCTAssertEqual([try addDays(date: "2026-02-28", days: 1), try addDays(date: "2024-03-01", days: -1)], ["2026-03-01", "2024-02-29"])
        let slots = try s.rosterWeek(gateId: gate, day: today).first { $0.shiftId == shift }!.slots
        try s.assignSlot(gateId: gate, shiftId: shift, slotId: slots.first { $0.role == .gateLead }!.slotId, memberId: "gate-zhao")
        let guardSlot = slots.first { $0.role == .safetyOfficer }!.slotId
        try s.assignSlot(gateId: gate, shiftId: shift, slotId: guardSlot, memberId: sun)
        let swap = try s.requestSwap(gateId: gate, shiftId: shift, slotId: guardSlot, toMember: "guard-zhou")
        XCTAssertEqual(try s.swaps(gateId: gate).first { $0.swapId == swap }?.status, .requested)
        do { try s.acceptSwap(gateId: gate, swapId: swap); XCTFail("only 周建军 accepts") } catch LinliError.Forbidden {}
        do {
            try s.approveSwap(gateId: gate, swapId: swap)
            XCTFail("not accepted yet")
        } catch let LinliError.Conflict(code, detail) {
            XCTAssertTrue(detail.contains("待接受"), detail)
            XCTAssertEqual(code, "swap_not_waiting")
        }
        _ = try s.checkIn(gateId: gate)
        let badge = try s.onDuty(gateId: gate)
        XCTAssertEqual(badge.gateName, "东门")
        XCTAssertTrue(badge.others.contains { $0.id == "office-api" } || badge.slots.contains { $0.onDuty?.id == "office-api" })
        _ = try s.handOver(gateId: gate, toMember: sun)
        _ = try s.checkIn(gateId: gate)
        _ = try s.checkOut(gateId: gate)
        // The address visited, as a gate phone names it; this office phone holds the household
        // there, so the core links it.
        _ = try s.registerVisitor(gateId: gate, visitor: VisitorInput(name: "周先生", phone: "13500000000", purpose: "探望父母",
                                                                      household: nil, passType: .temporary, buildingId: b3, room: "1单元 101"))
        _ = try s.registerVehicle(gateId: gate, plate: "沪A·12345", purpose: "送货")
        let parcel = try s.registerParcel(gateId: gate, recipient: "张桂英", household: h, carrier: "顺丰")
        XCTAssertEqual(try s.vehiclesInside(gateId: gate).map(\.summary), ["沪A12345：送货"])
        _ = try s.registerVehicleExit(gateId: gate, plate: "沪A·12345")
        XCTAssertTrue(try s.vehiclesInside(gateId: gate).isEmpty)
        XCTAssertEqual(try s.parcelsWaiting(gateId: gate).map(\.id), [parcel])
        _ = try s.pickUpParcel(gateId: gate, parcelId: parcel, collectedBy: "张桂英")
        XCTAssertTrue(try s.parcelsWaiting(gateId: gate).isEmpty)
        XCTAssertEqual(conflictCode { try s.pickUpParcel(gateId: gate, parcelId: parcel, collectedBy: "张桂英") }, "parcel_collected")
        XCTAssertTrue(try s.recordTemperature(gateId: gate, person: "周先生", celsius: 38.2).fever)
        XCTAssertFalse(try s.recordTemperature(gateId: gate, person: "王阿姨", celsius: 36.5).fever)
        _ = try s.recordPatrol(gateId: gate, note: "巡逻一圈，一切正常")
        _ = try s.recordIncident(gateId: gate, note: "有人翻越围墙", severity: .high)
        let entries = try s.gateEntries(gateId: gate, date: today)
        XCTAssertTrue(entries.contains { $0.summary.contains("周先生") })
        XCTAssertTrue(entries.contains { $0.summary.contains("沪A12345") }, "the plate is stored normalised")
        XCTAssertTrue(entries.contains { $0.flagged })
        let visitor = try XCTUnwrap(entries.first { $0.kind == "visitor" })
        XCTAssertEqual(visitor.visiting, "3号楼 1单元 101")
        XCTAssertEqual(visitor.summary, "周先生：探望父母 → 3号楼 1单元 101")
        XCTAssertEqual(visitor.passType, .temporary)
        XCTAssertNil(visitor.severity)
        XCTAssertEqual(entries.first { $0.kind == "incident" }?.severity, .high)
        XCTAssertEqual(Set(entries.map(\.recordId)), ["gatelog:\(gate):\(today)"])

        // Tickets.
        let photo = try s.addPhoto(bytes: Data("照片".utf8))
        let t = try s.reportTicket(input: TicketInput(
            category: .noise, placeKind: .building, placeRef: b3, placeText: "", description: "夜间广场舞音响太吵",
            photos: [photo], channel: .visit))
        let dup = try s.reportTicket(input: TicketInput(
            category: .noise, placeKind: .freeText, placeRef: "", placeText: "3号楼楼下", description: "广场舞太吵",
            photos: [], channel: .hotline12345))
        XCTAssertEqual(try s.ticketActions(id: t).first, .accept)
        _ = try s.acceptTicket(id: t)
        XCTAssertFalse(try s.ticketActions(id: t).contains(.accept))
        _ = try s.assignTicket(id: t, department: .cityManagement)
        _ = try s.escalateTicket(id: t, to: .street, reason: "社区协调无果")
        _ = try s.replyTicket(id: t, message: "已联系街道城管中队")
        _ = try s.attachPhoto(id: t, sha256: photo)
        try s.mergeTicket(duplicate: dup, into: t)
        _ = try s.resolveTicket(id: t, summary: "已限定音量和时间")
        _ = try s.evaluateTicket(id: t, satisfied: true, comment: "满意")
        let ticket = try s.ticket(id: t)
        XCTAssertEqual(ticket.description, "夜间广场舞音响太吵")
        XCTAssertEqual(ticket.state.level, .street)
        XCTAssertTrue(ticket.events.contains { if case .escalated(.street, "社区协调无果") = $0.action { return true } else { return false } })
        XCTAssertTrue(ticket.events.contains { if case .replied("已联系街道城管中队") = $0.action { return true } else { return false } })
        let noise = try s.tickets(filter: TicketFilter(status: nil, level: nil, category: .noise, placeRef: nil, openOnly: false, mine: false, overdue: false, limit: nil, offset: 0))
        XCTAssertTrue(noise.contains { $0.id == t })
        let page = try s.tickets(filter: TicketFilter(status: nil, level: nil, category: nil, placeRef: nil, openOnly: false, mine: false, overdue: false, limit: 1, offset: 0))
        let next = try s.tickets(filter: TicketFilter(status: nil, level: nil, category: nil, placeRef: nil, openOnly: false, mine: false, overdue: false, limit: 1, offset: 1))
        XCTAssertEqual(page.count, 1)
        XCTAssertFalse(next.contains { $0.id == page[0].id }, "pages do not repeat")
        guard case let .available(bytes) = try s.photo(sha256: photo) else { return XCTFail("the photo was taken here") }
        XCTAssertEqual(String(decoding: bytes, as: UTF8.self), "照片")

        // History, conflicts, report.
        let history = try s.history(docId: h)
        XCTAssertGreaterThanOrEqual(history.count, 3)
        XCTAssertTrue(history.contains { $0.member == "office-api" && $0.device == "api-pc" })
        XCTAssertEqual(history.map(\.action).filter { !actionCodes().contains($0) }, [])
        XCTAssertTrue(try s.openConflicts().isEmpty)
        XCTAssertTrue(try s.conflicts(docId: h).isEmpty)
        let report = try s.dayReport(date: today)
        XCTAssertEqual(report.community, "梅园社区")
        XCTAssertEqual(report.totalVisits, 1)
        XCTAssertTrue(try s.dayReportMarkdown(date: today).contains("梅园社区"))
        XCTAssertTrue(try s.dayReportCsv(date: today).contains("走访次数"))
        XCTAssertGreaterThan(try s.outboxLen(), 0)
        XCTAssertGreaterThan(s.stats().documentsCached, 0)

        // Enum codes and labels.
        XCTAssertEqual(Category.noise.labelZh(), "噪声")
        XCTAssertEqual(Category.noise.code(), "noise")
        XCTAssertEqual(Role.buildingLead.code(), "building_lead")
        XCTAssertEqual(Tag.livingAlone.labelZh(), "独居")
        XCTAssertEqual(DutyRole.gateLead.labelZh(), "门长")

        sub.cancel()
        XCTAssertFalse(sub.isActive())
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
        do {
            _ = try await enrol(server: relay.url, code: "XXXX-XXXX", deviceName: "手机", actorId: newActorId())
            XCTFail("a wrong code must be refused")
        } catch let LinliError.Rejected(status, code, _) {
            XCTAssertEqual(status, 401)
            XCTAssertEqual(code, "bad_code", "a wrong code is no lost sign-in")
        }
        let wangEnrol = try await enrol(server: relay.url, code: try relay.code("lead-wang"), deviceName: "王建国的手机", actorId: wangActor)
        let officeActor = newActorId()
        let officeEnrol = try await enrol(server: relay.url, code: try relay.code("office-admin"), deviceName: "办公室", actorId: officeActor)
        let wang = try LinliStore.open(path: path("wang"), key: key, memberId: wangEnrol.memberId, deviceId: wangEnrol.deviceId, actorId: wangActor)
        let office = try LinliStore.open(path: path("office"), key: key, memberId: officeEnrol.memberId, deviceId: officeEnrol.deviceId, actorId: officeActor)
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
        // A listener and an observer that throw fail neither the write nor the sync.
        let thrower = Thrower()
        let throwing = wang.subscribe(observer: thrower)
        try wang.setHouseholdTag(householdId: h, tag: .tenant, on: true)
        let thrown = try await wangSync.sync(store: wang, listener: thrower, cancel: CancelToken())
        XCTAssertEqual(thrown.outboxLeft, 0)
        XCTAssertGreaterThan(thrown.pushed, 0)
        throwing.cancel()

        let pulled = try await officeSync.sync(store: office, listener: nil, cancel: nil)
        XCTAssertGreaterThan(pulled.bootstrappedDocs + pulled.pulled, 0)
        XCTAssertEqual(try office.household(householdId: h).visits.first?.needs, "行动不便，需要送菜上门")
        let status = try officeSync.status(store: office)
        XCTAssertEqual(status.outboxLeft, 0)
        XCTAssertNotNil(status.lastContactMs)

        // The same field changed on both phones offline: a conflict on both, resolved on one.
        try office.setHouseholdPhone(householdId: h, phone: "13911112222")
        try wang.setHouseholdPhone(householdId: h, phone: "13933334444")
        _ = try await wangSync.sync(store: wang, listener: nil, cancel: nil)
        _ = try await officeSync.sync(store: office, listener: nil, cancel: nil)
        _ = try await wangSync.sync(store: wang, listener: nil, cancel: nil)
        for store in [wang, office] {
            let conflicts = try store.conflicts(docId: h)
            XCTAssertEqual(conflicts.count, 1)
            XCTAssertEqual(Set(conflicts[0].values.map { $0.display }), ["13911112222", "13933334444"])
            XCTAssertEqual(Set(conflicts[0].values.map { $0.member }), ["lead-wang", "office-admin"])
            XCTAssertEqual(try store.openConflicts().map { $0.docId }, [h])
        }
        let conflict = try office.conflicts(docId: h)[0]
        let pick = conflict.values.firstIndex { $0.display == "13933334444" }!
        try office.resolveConflict(docId: h, path: conflict.path, resolution: .pick(index: UInt32(pick)))
        _ = try await officeSync.sync(store: office, listener: nil, cancel: nil)
        _ = try await wangSync.sync(store: wang, listener: nil, cancel: nil)
        XCTAssertTrue(try wang.openConflicts().isEmpty)
        XCTAssertEqual(try wang.household(householdId: h).phone, "13933334444")
        XCTAssertTrue(try wang.history(docId: h).contains { $0.member == "office-admin" })
        XCTAssertEqual(try wang.recordName(docId: h), "3号楼 302")
        XCTAssertEqual(conflict.fieldKey, "phone")
        // Nothing was refused or set aside on either phone.
        XCTAssertTrue(try wang.setAsideChanges().isEmpty)
        XCTAssertEqual(try officeSync.status(store: office).setAside, 0)

        // A pass asked for from a phone, signed by the relay: not for a building lead; the
        // office's is recorded in the household, on the lead's phone after a sync.
        let resident = try wang.addResident(householdId: h, resident: ResidentInput(name: "周桂兰", birthYear: 1946, phone: ""))
        _ = try await wangSync.sync(store: wang, listener: nil, cancel: nil)
        _ = try await officeSync.sync(store: office, listener: nil, cancel: nil)
        let day = try wang.today()
        let ask = PassDaysInput(householdId: h, residentId: resident, visitorName: "", kind: .resident,
                                from: day, until: day, gates: [], address: nil)
        do {
            _ = try await wangSync.issuePass(store: wang, input: ask, cancel: nil)
            XCTFail("a building lead issues no pass")
        } catch LinliError.Rejected(let status, _, _) {
            XCTAssertEqual(status, 403)
        }
        let signed = try await officeSync.issuePass(store: office, input: ask, cancel: nil)
        XCTAssertEqual(signed.holder, "周桂兰")
        _ = try await wangSync.sync(store: wang, listener: nil, cancel: nil)
        XCTAssertEqual(try wang.passes(householdId: h).map(\.text), [signed.text])

        // Cancelled before it starts: the error says so, and the next sync completes.
        let token = CancelToken()
        token.cancel()
        XCTAssertTrue(token.isCancelled())
        do {
            _ = try await officeSync.sync(store: office, listener: nil, cancel: token)
            XCTFail("a cancelled sync must fail")
        } catch LinliError.Cancelled {}
        let after = try await officeSync.sync(store: office, listener: nil, cancel: nil)
        XCTAssertEqual(after.outboxLeft, 0)

        // A new token replaces the old one at once.
        let fresh = try await officeSync.rotateToken(store: office, cancel: nil)
        do {
            _ = try await officeSync.sync(store: office, listener: nil, cancel: nil)
            XCTFail("the old token must stop working")
        } catch LinliError.Unauthorized {}
        let renewed = try SyncClient(server: relay.url, token: fresh)
        let renewedSummary = try await renewed.sync(store: office, listener: nil, cancel: nil)
        XCTAssertEqual(renewedSummary.outboxLeft, 0)

        // A revoked device is told so.
        try relay.admin("revoke", "--device", wangEnrol.deviceId)
        do {
            _ = try await wangSync.sync(store: wang, listener: nil, cancel: nil)
            XCTFail("a revoked device must be refused")
        } catch LinliError.DeviceRevoked {}

        // Signing out after a last sync: nothing lost, the store erased, the token dead.
        let out = try await renewed.signOut(store: office, force: false, cancel: nil)
        XCTAssertTrue(out.erased)
        XCTAssertEqual(out.unsent, 0)
        do { _ = try office.household(householdId: h); XCTFail("erased") } catch LinliError.NotFound {}
        do {
            _ = try await renewed.sync(store: office, listener: nil, cancel: nil)
            XCTFail("a signed-out device must be refused")
        } catch LinliError.DeviceRevoked {}
    }

    /// The code of the `Conflict` a step is refused with (nil when it is not refused so).
    func conflictCode(_ block: () throws -> Any) -> String? {
        do { _ = try block() } catch let LinliError.Conflict(code, _) { return code } catch {}
        return nil
    }

    func testATicketDispatchedToADepartmentIsWorkedStepByStepAndOneHandedBackReturns() throws {
        let s = try officeStore("departments")
        let area = try s.addPlace(kind: .area, name: "第一片区", parent: nil)
        let city = try s.addPlace(kind: .department, name: "城管中队", parent: nil)
        let police = try s.addPlace(kind: .department, name: "梅园派出所", parent: nil)
        XCTAssertEqual(Set(try s.places(kind: .department).map(\.id)), [city, police])
        _ = try s.addMember(input: MemberInput(id: "leader-hu", name: "胡书记", phone: "",
                                               roles: [RoleInput(role: .areaLead, places: [area])]))
        // This phone's member also works for both departments: every step can be taken here.
        try s.grantRole(memberId: "office-departments", role: RoleInput(role: .departmentStaff, places: [city, police]))
        let t = try s.reportTicket(input: TicketInput(
            category: .cityAppearance, placeKind: .freeText, placeRef: "", placeText: "梅园新村东门外",
            description: "占道经营，堵塞消防通道", photos: [], channel: .visit))
        XCTAssertTrue(try s.ticketActions(id: t).contains(.dispatch))
        XCTAssertTrue(try s.ticketActions(id: t).contains(.nameLeader))
        XCTAssertFalse(try s.nameTicketLeader(ticketId: t, memberId: "leader-hu").isEmpty)
        do { _ = try s.nameTicketLeader(ticketId: t, memberId: "nobody"); XCTFail("nobody was named") } catch let LinliError.InvalidInput(_, _, code, _) {
            XCTAssertEqual(code, "no_such_member")
        }
        let order = try s.dispatchTicket(ticketId: t, unit: city)
        XCTAssertEqual(conflictCode { try s.dispatchTicket(ticketId: t, unit: police) }, "already_dispatched")
        let state = try s.ticket(id: t).state
        XCTAssertEqual(state.status, .assigned)
        XCTAssertEqual([state.unit, state.`case`, state.leader], [city, order, "leader-hu"])
        XCTAssertTrue(try s.ticket(id: t).events.contains { if case .dispatched(city, order) = $0.action { return true } else { return false } })
        XCTAssertTrue(try s.ticket(id: t).events.contains { if case .leaderNamed("leader-hu") = $0.action { return true } else { return false } })

        let row = try XCTUnwrap(try s.orders(filter: OrderFilter(unit: city, ticketId: nil, openOnly: true)).first)
        XCTAssertEqual([row.id, row.ticketId, row.unitName, row.category, row.description],
                       [order, t, "城管中队", "city_appearance", "占道经营，堵塞消防通道"])
        XCTAssertEqual(row.leader, "leader-hu")
        XCTAssertEqual(row.status, .waiting)
        XCTAssertTrue(try s.orders(filter: OrderFilter(unit: police, ticketId: nil, openOnly: false)).isEmpty)
        XCTAssertEqual(try s.orders(filter: OrderFilter(unit: nil, ticketId: t, openOnly: false)).map(\.id), [order])
        XCTAssertTrue(try s.agenda(date: s.today()).contains { $0.kind == .workOrder && $0.recordId == order && $0.action == "order.handle" })
        XCTAssertEqual(try s.orderActions(id: order), [.accept, .askInfo, .reply, .resolve, .handBack])

        XCTAssertFalse(try s.acceptOrder(id: order).isEmpty)
        XCTAssertEqual(conflictCode { try s.acceptOrder(id: order) }, "order_accepted")
        _ = try s.askOrderInfo(id: order, question: "摊位具体在东门哪一侧？")
        XCTAssertEqual(try s.ticket(id: t).state.status, .infoRequested)
        XCTAssertEqual(try s.orderActions(id: order), [.answerInfo, .reply, .resolve, .handBack])
        do { _ = try s.answerOrderInfo(id: order, answer: " "); XCTFail("a blank answer was taken") } catch let LinliError.InvalidInput(_, fieldKey, code, _) {
            XCTAssertEqual([fieldKey, code], ["answer", "empty"])
        }
        _ = try s.answerOrderInfo(id: order, answer: "东门北侧消防通道")
        XCTAssertEqual(conflictCode { try s.answerOrderInfo(id: order, answer: "再答") }, "no_question_open")
        _ = try s.replyOrder(id: order, message: "已约谈摊主，明日清理")
        XCTAssertEqual(try s.ticket(id: t).state.status, .replied)
        _ = try s.resolveOrder(id: order, summary: "摊位已清理，通道畅通")
        let done = try s.order(id: order)
        XCTAssertEqual([done.ticketId, done.unit, done.dispatchedBy], [t, city, "office-departments"])
        XCTAssertEqual(done.status, .resolved)
        XCTAssertEqual(done.status.labelZh(), "已办结")
        XCTAssertEqual(done.events.map(\.action), [.accepted, .infoRequested(question: "摊位具体在东门哪一侧？"),
                                                   .infoGiven(answer: "东门北侧消防通道"), .replied(message: "已约谈摊主，明日清理"),
                                                   .resolved(summary: "摊位已清理，通道畅通")])
        XCTAssertEqual(try s.orderActions(id: order), [])
        XCTAssertEqual(conflictCode { try s.handBackOrder(id: order, reason: "晚了") }, "order_finished")
        XCTAssertEqual(try s.ticket(id: t).state.status, .resolved)
        XCTAssertTrue(try s.orders(filter: OrderFilter(unit: city, ticketId: nil, openOnly: true)).isEmpty)

        // Handed back by 派出所: the ticket is back with the community, deadlines kept.
        let t2 = try s.reportTicket(input: TicketInput(
            category: .publicSecurity, placeKind: .freeText, placeRef: "", placeText: "北门",
            description: "夜间有人在门口摆摊", photos: [], channel: .walkIn))
        _ = try s.acceptTicket(id: t2)
        _ = try s.escalateTicket(id: t2, to: .street, reason: "需派出所处理")
        let due = try s.ticket(id: t2).state.replyDueMs
        let second = try s.dispatchTicket(ticketId: t2, unit: police)
        _ = try s.handBackOrder(id: second, reason: "不属于治安案件，应由城管处理")
        let back = try s.ticket(id: t2).state
        XCTAssertEqual(back.status, .returned)
        XCTAssertEqual(back.level, .community)
        XCTAssertNil(back.unit)
        XCTAssertEqual(back.replyDueMs, due)
        XCTAssertEqual(try s.order(id: second).status, .handedBack)
        XCTAssertEqual(try s.order(id: second).events.map(\.action), [.handedBack(reason: "不属于治安案件，应由城管处理")])
        XCTAssertTrue(try s.dayReport(date: s.today()).departments.contains { $0.unit == city && $0.received == 1 })
    }

    func testANeedIsServedARoundCountsVotesAndAJointActionShowsWhoIsLate() throws {
        let s = try officeStore("needs")
        let me = "office-needs"
        let area = try s.addPlace(kind: .area, name: "第一片区", parent: nil)
        let compound = try s.addPlace(kind: .compound, name: "梅园新村", parent: area)
        let building = try s.addPlace(kind: .building, name: "3号楼", parent: compound)
        let city = try s.addPlace(kind: .department, name: "城管中队", parent: nil)
        _ = try s.addMember(input: MemberInput(id: "lead-wang", name: "王建国", phone: "",
                                               roles: [RoleInput(role: .buildingLead, places: [building])]))
        _ = try s.addMember(input: MemberInput(id: "leader-hu", name: "胡书记", phone: "",
                                               roles: [RoleInput(role: .areaLead, places: [area])]))
        try s.grantRole(memberId: me, role: RoleInput(role: .volunteer, places: []))
        try s.grantRole(memberId: me, role: RoleInput(role: .departmentStaff, places: [city]))
        let h = try s.registerHousehold(input: HouseholdInput(
            buildingId: building, unit: "1单元", room: "302", phone: "", residents: [], tags: [], watch: nil))

        // The needs list: recorded, claimed, served 1.5 h, confirmed.
        let need = try s.recordNeed(input: NeedInput(householdId: h, category: .shopping, urgency: .urgent,
                                                     description: "代购降压药", visitId: nil))
        let open = try XCTUnwrap(try s.needs(filter: NeedFilter(status: .open, areaId: area, mine: false, householdId: nil)).first)
        XCTAssertEqual([open.id, open.address, open.category.labelZh()], [need, "3号楼 1单元 302", "代购"])
        try s.claimNeed(id: need)
        XCTAssertEqual(conflictCode { try s.claimNeed(id: need) }, "need_claimed")
        XCTAssertEqual(conflictCode { try s.confirmNeed(id: need) }, "not_served")
        XCTAssertFalse(try s.recordService(id: need, minutes: 90, note: "药店代购并送到家").isEmpty)
        try s.confirmNeed(id: need)
        let detail = try s.need(id: need)
        XCTAssertEqual(detail.status, .confirmed)
        XCTAssertEqual([detail.claimedBy, detail.confirmedBy], [me, me])
        XCTAssertEqual(detail.services.map(\.minutes), [90])
        XCTAssertEqual(try s.needs(filter: NeedFilter(status: nil, areaId: nil, mine: true, householdId: h)).map(\.id), [need])
        let hours = try XCTUnwrap(try s.serviceHours(date: s.today()).first { $0.kind == "member" })
        XCTAssertEqual([hours.services, hours.minutes, hours.confirmedMinutes], [1, 90, 90])
        XCTAssertEqual(try s.dayReport(date: s.today()).needs.minutes, 90)

        // An evaluation round: one vote and one rating per member, a result when closed.
        let round = try s.openRound(date: s.today())
        XCTAssertTrue(round.hasPrefix("round:"))
        _ = try s.rate(roundId: round, kind: .areaLead, subject: "leader-hu", score: 4, comment: "走访勤")
        _ = try s.vote(roundId: round, candidate: "lead-wang")
        XCTAssertEqual(conflictCode { try s.vote(roundId: round, candidate: "lead-wang") }, "already_voted")
        XCTAssertEqual(try s.roundResult(roundId: round).winner, "lead-wang")
        let ballot = try XCTUnwrap(try s.ballot(date: s.today()))
        XCTAssertEqual([ballot.roundId, ballot.myVote], [round, "lead-wang"])
        XCTAssertEqual(ballot.subjects.first { $0.id == "leader-hu" }?.myScore, 4)
        XCTAssertTrue(ballot.mayClose)
        let closed = try s.closeRound(roundId: round)
        XCTAssertTrue(closed.closed)
        XCTAssertEqual(closed.subjects.map(\.meanX100), [400])
        XCTAssertEqual(try s.dayReport(date: s.today()).evaluations.first?.winner, "王建国")

        // A joint action: the step started an hour ago and not done is late.
        let t = try s.reportTicket(input: TicketInput(
            category: .cityAppearance, placeKind: .freeText, placeRef: "", placeText: "东门外",
            description: "占道经营", photos: [], channel: .visit))
        let joint = try s.planJointAction(tickets: [t], title: "东门联合整治", steps: [
            PlanStepInput(unit: city, start: Date().addingTimeInterval(-3600), what: "清理摊位"),
            PlanStepInput(unit: city, start: Date().addingTimeInterval(7200), what: "复查"),
        ])
        let plan = try s.jointAction(id: joint)
        XCTAssertEqual(plan.steps.map(\.late), [true, false])
        _ = try s.markStepDone(jointId: joint, step: plan.steps[0].id, note: "已清理")
        XCTAssertEqual(try s.jointAction(id: joint).steps[0].doneBy, me)
        let row = try XCTUnwrap(try s.jointActions().first)
        XCTAssertEqual([row.steps, row.done, row.late], [2, 1, 0])
    }

    func testErrorVariantsReachSwift() async throws {
        let s = try officeStore("errors")
        do {
            _ = try s.registerHousehold(input: HouseholdInput(buildingId: "", unit: "", room: "", phone: "", residents: [], tags: [], watch: nil))
            XCTFail("an empty building is refused")
        } catch let LinliError.InvalidInput(field, fieldKey, code, _) {
            XCTAssertEqual([field, fieldKey, code], ["building_id", "building_id", "empty"])
        }
        XCTAssertTrue(Set(relayCodes()).isSuperset(of: ["device_revoked", "wrong_offset", "append_only", "scope_forbidden"]))
        XCTAssertTrue(Set(errorCodes()).isSuperset(of: ["empty", "not_a_date", "role_required", "identity_mismatch"]))
        XCTAssertTrue(Set(inputFieldKeys()).isSuperset(of: ["building_id", "name", "date", "celsius"]))
        do {
            _ = try s.dayReport(date: "2026年11月23日")
            XCTFail("a bad date is refused")
        } catch let LinliError.InvalidInput(field, _, code, detail) {
            XCTAssertEqual(field, "date")
            XCTAssertEqual(code, "not_a_date")
            XCTAssertTrue(detail.contains("2026年11月23日"))
        }
        do { _ = try s.household(householdId: "nope"); XCTFail() } catch LinliError.NotFound {}
        do { _ = try LinliStore.open(path: path("errors"), key: key, memberId: "else", deviceId: "x", actorId: nil); XCTFail() } catch LinliError.StoreInUse {}
        do { _ = try LinliStore.open(path: tmp.path, key: key, memberId: "m", deviceId: "d", actorId: nil); XCTFail() } catch LinliError.Storage {}
        let volunteer = try LinliStore.open(path: path("volunteer"), key: key, memberId: "vol", deviceId: "v", actorId: nil)
        do { _ = try volunteer.addPlace(kind: .area, name: "第二片区", parent: nil); XCTFail() } catch let LinliError.Forbidden(_, code, _) {
            XCTAssertEqual(code, "role_required")
        }
        let offline = try SyncClient(server: "http://127.0.0.1:1", token: "t")
        do { _ = try await offline.sync(store: s, listener: nil, cancel: nil); XCTFail() } catch LinliError.Network {}
        try wipeStore(path: path("volunteer"))
        XCTAssertFalse(FileManager.default.fileExists(atPath: path("volunteer")))
    }

    func testOneStoreFromManyThreadsAtOnce() throws {
        let s = try officeStore("threads")
        let area = try s.addPlace(kind: .area, name: "第一片区", parent: nil)
        let compound = try s.addPlace(kind: .compound, name: "梅园新村", parent: area)
        let b = try s.addPlace(kind: .building, name: "7号楼", parent: compound)
        let failures = Sink()
        DispatchQueue.concurrentPerform(iterations: 8) { t in
            for i in 0..<25 {
                do {
                    let h = try s.registerHousehold(input: HouseholdInput(
                        buildingId: b, unit: "\(t + 1)单元", room: "\(i + 101)", phone: "", residents: [], tags: [], watch: nil))
                    _ = try s.logVisit(householdId: h, input: VisitInput(
                        at: nil, outcome: .met, needs: "第\(t)组第\(i)户", opinions: "", health: nil, followUpDue: nil, followUpNote: ""))
                    _ = try s.householdsInBuilding(buildingId: b)
                } catch {
                    failures.onChange(docIds: ["\(error)"])
                }
            }
        }
        XCTAssertEqual(failures.changes, [])
        let rows = try s.householdsInBuilding(buildingId: b)
        XCTAssertEqual(rows.count, 200)
        XCTAssertTrue(rows.allSatisfy { $0.visitCount == 1 })
    }

    func testTenThousandHandlesWithoutALeak() throws {
        let s = try officeStore("handles")
        let sink = Sink()
        func churn(_ n: Int) throws {
            for i in 0..<n {
                let sub = s.subscribe(observer: sink)
                sub.cancel()
                _ = CancelToken()
                if i % 20 == 0 {
                    _ = try LinliStore.open(path: path("handles-others"), key: key, memberId: "office-handles", deviceId: "handles-pc", actorId: nil)
                }
            }
        }
        try churn(10_000)
        XCTAssertEqual(s.subscriberCount(), 0, "every dropped subscription unregistered")
        let fds = try FileManager.default.contentsOfDirectory(atPath: "/proc/self/fd").count
        let rss0 = try rssKb()
        try churn(10_000)
        let grown = try rssKb() - rss0
        XCTAssertEqual(s.subscriberCount(), 0)
        XCTAssertLessThanOrEqual(try FileManager.default.contentsOfDirectory(atPath: "/proc/self/fd").count, fds + 4, "no file handles leaked")
        XCTAssertLessThan(grown, 64 * 1024, "resident memory grew by \(grown) KiB")
        print("handles: 20,000 subscriptions, 20,000 tokens, 1,000 stores; RSS grew by \(grown) KiB")
    }

    func rssKb() throws -> Int {
        let status = try String(contentsOfFile: "/proc/self/status", encoding: .utf8)
        let line = status.split(separator: "\n").first { $0.hasPrefix("VmRSS:") }!
        return Int(line.split(separator: " ", omittingEmptySubsequences: true)[1])!
    }
}
