// Each screen's view model driven through its main flows against real stores and a real relay
// process on 127.0.0.1: enrol, home tiles by role, today's list on home with its notifications
// and a reminder marked done there, gate duty (a visitor's address as the gate phone names it,
// and what the office then sees), a visit, a ticket reported and
// escalated, a ticket worked by a department on its own phone and another handed back, a
// conflict resolved, a sync with progress, a revoked phone wiped, the needs list (a need claimed
// twice offline, served, confirmed and counted), the month's evaluation (a member voting from two
// phones) and a joint action worked by three departments; a gate's whole shift (vehicles in and
// out, a parcel collected on another phone, an incident, a visitor's pass type, a handover, the
// number of 安全员), a record's history, and the relay's refusals in words; a ticket reported by
// a volunteer with its channel and a photo the office sees once sent, a refused change on the sync
// screen, a reminder the office adds on the phone, a resident who moved, and a revoked phone's
// unsent work handed over.
import Foundation
import XCTest
import LinliCore
@testable import LinliViewModels

/// Credentials kept in memory, as the app keeps them in the Keychain.
final class MemoryCredentials: CredentialStore {
    var saved: Credentials?
    func load() -> Credentials? { saved }
    func save(_ credentials: Credentials) { saved = credentials }
    func clear() { saved = nil }
}

/// The store's key kept in memory, as the app keeps it in the Keychain.
final class MemoryStoreKeys: StoreKeyStore {
    struct Kept: Error {}
    var saved: Data?
    func load() -> Data? { saved }
    func save(_ key: Data) throws {
        guard saved == nil else { throw Kept() }
        saved = key
    }
    func clear() { saved = nil }
}

final class ViewModelFlowsTests: XCTestCase {
    static var relay: Relay!
    static var gate = ""
    /// A second gate, 北门, for the whole-shift test alone (its register stays apart from 东门's):
    /// its gate lead 郑国强, shift lead 冯建华 and safety officer 韩立新.
    static var northGate = ""
    static var building = ""
    /// 梅园新村, where 3号楼 and the gates are.
    static var compound = ""
    /// Three departments of the directory (大联动): 城管 (staff 刘城管), 派出所 (staff 马警官) and
    /// 市场监管 (staff 何监管).
    static var cityUnit = ""
    static var policeUnit = ""
    static var marketUnit = ""
    /// A co-building unit (共建单位) that serves the needs list: 梅园物业 (its member 钱师傅).
    static var serviceUnit = ""
    let tmp = FileManager.default.temporaryDirectory.appendingPathComponent("linli-vm-\(UUID())")

    override class func setUp() {
        super.setUp()
        let r = try! Relay()
        try! r.admin("create-community", "--name", "梅园社区", "--admin-name", "陈主任")
        let area = try! r.admin("add-place", "--kind", "area", "--name", "第一片区")
        let compound = try! r.admin("add-place", "--kind", "compound", "--name", "梅园新村", "--parent", area)
        Self.compound = compound
        building = try! r.admin("add-place", "--kind", "building", "--name", "3号楼", "--parent", compound)
        gate = try! r.admin("add-place", "--kind", "gate", "--name", "东门", "--parent", compound)
        try! r.admin("add-member", "--id", "lead-wang", "--name", "王建国", "--role", "building_lead:\(building)")
        try! r.admin("add-member", "--id", "lead-li", "--name", "李秀英", "--role", "building_lead:\(building)")
        try! r.admin("add-member", "--id", "gate-zhao", "--name", "赵卫东", "--role", "gate_lead:\(gate)")
        try! r.admin("add-member", "--id", "guard-sun", "--name", "孙志刚", "--role", "safety_officer:\(gate)")
        northGate = try! r.admin("add-place", "--kind", "gate", "--name", "北门", "--parent", compound)
        try! r.admin("add-member", "--id", "north-zheng", "--name", "郑国强", "--role", "gate_lead:\(northGate)")
        try! r.admin("add-member", "--id", "north-feng", "--name", "冯建华", "--role", "shift_lead:\(northGate)")
        try! r.admin("add-member", "--id", "north-han", "--name", "韩立新", "--role", "safety_officer:\(northGate)")
        cityUnit = try! r.admin("add-place", "--kind", "department", "--name", "城管中队")
        policeUnit = try! r.admin("add-place", "--kind", "department", "--name", "梅园派出所")
        try! r.admin("add-member", "--id", "cg-liu", "--name", "刘城管", "--role", "department_staff:\(cityUnit)")
        try! r.admin("add-member", "--id", "pcs-ma", "--name", "马警官", "--role", "department_staff:\(policeUnit)")
        try! r.admin("add-member", "--id", "leader-hu", "--name", "胡书记", "--role", "area_lead:\(area)")
        marketUnit = try! r.admin("add-place", "--kind", "department", "--name", "市场监管所")
        try! r.admin("add-member", "--id", "scjg-he", "--name", "何监管", "--role", "department_staff:\(marketUnit)")
        serviceUnit = try! r.admin("add-place", "--kind", "unit", "--name", "梅园物业")
        try! r.admin("add-member", "--id", "vol-wu", "--name", "吴小梅", "--role", "volunteer")
        try! r.admin("add-member", "--id", "pm-zhou", "--name", "周红", "--role", "party_member")
        try! r.admin("add-member", "--id", "unit-qian", "--name", "钱师傅", "--role", "unit_member:\(serviceUnit)")
        try! r.start()
        relay = r
    }

    override class func tearDown() {
        relay = nil
        super.tearDown()
    }

    override func tearDown() {
        try? FileManager.default.removeItem(at: tmp)
    }

    var relay: Relay { Self.relay }

    /// Enrols `member` through the enrolment screen on a phone of its own.
    func enrolled(_ member: String, _ phone: String, _ creds: CredentialStore = MemoryCredentials()) async throws -> Session {
        let dir = tmp.appendingPathComponent(phone)
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        let vm = EnrolmentViewModel(dataDir: dir, deviceName: "\(phone) 的手机", credentials: creds, keys: MemoryStoreKeys())
        vm.setRelayUrl(relay.url)
        vm.onScanned(" \(try relay.code(member).lowercased()) ")
        let session = await vm.enrol()
        XCTAssertNil(vm.state.error)
        return try XCTUnwrap(session)
    }

    func testEnrolmentChecksItsFieldsShowsTheRefusalAndResumes() async throws {
        let creds = MemoryCredentials()
        let keys = MemoryStoreKeys()
        let dir = tmp.appendingPathComponent("enrol")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        let vm = EnrolmentViewModel(dataDir: dir, deviceName: "备用手机", credentials: creds, keys: keys)
        let none = await vm.enrol()
        XCTAssertNil(none)
        XCTAssertEqual(vm.state.error, UiText(Keys.enrolMissingRelay))
        vm.setRelayUrl(relay.url)
        _ = await vm.enrol()
        XCTAssertEqual(vm.state.error, UiText(Keys.enrolMissingCode))
        vm.setCode("ABCD-EFGH")
        _ = await vm.enrol()
        XCTAssertEqual(vm.state.error, UiText(Keys.relayCode("bad_code")))
        XCTAssertNil(creds.saved, "nothing kept after a refusal")
        vm.onScanned(try relay.code("lead-li"))
        var session = await vm.enrol()
        XCTAssertEqual(creds.saved?.memberId, "lead-li")
        XCTAssertEqual(try session?.store.member(id: "lead-li").name, "李秀英", "the first sync brought the directory")
        let enrolled = session?.credentials
        // The app resumes at its next start, when this session is gone: a store has one owner.
        // The start and a background refresh ask at once and get the one session.
        session = nil
        let restarted = EnrolmentViewModel(dataDir: dir, deviceName: "备用手机", credentials: creds, keys: keys)
        // (async let keeps its values until its scope ends: here, the helper's.)
        func twice() async -> (Session?, Session?) {
            async let first = restarted.resume()
            async let second = restarted.resume()
            return await (first, second)
        }
        var (resumed, again) = await twice()
        XCTAssertTrue(resumed != nil && resumed === again)
        XCTAssertEqual(resumed?.credentials, enrolled)
        XCTAssertFalse(restarted.state.opening)
        let path = resumed!.storePath
        (resumed, again) = (nil, nil)
        restarted.forget()
        vm.forget()
        XCTAssertEqual(vm.state.relayUrl, relay.url, "after a sign-out enrolment starts at the same relay")
        XCTAssertEqual(vm.state.code, "")
        // The store is encrypted with the key the install made: no name in its bytes, and
        // another key does not open it.
        let bytes = try Data(contentsOf: URL(fileURLWithPath: path))
        XCTAssertNil(bytes.range(of: Data("李秀英".utf8)))
        let stranger = MemoryStoreKeys()
        try stranger.save(newStoreKey())
        XCTAssertThrowsError(try stranger.save(newStoreKey()), "a kept key is never replaced")
        // The released sessions' last references may be dropped by a worker thread a moment
        // after the test lets go of them: until then the store is (rightly) in use.
        var refusal: Error?
        for _ in 0..<50 {
            do {
                _ = try Session(dataDir: dir, credentials: creds.saved!, keys: stranger)
                return XCTFail("a stranger's key opened the store")
            } catch {
                refusal = error
            }
            guard case LinliError.StoreInUse = refusal! else { break }
            try await Task.sleep(nanoseconds: 100_000_000)
        }
        guard case LinliError.WrongKey = refusal! else { return XCTFail("\(refusal!)") }
        // At a start, the same refusal is said on screen, and the file is not changed.
        let locked = EnrolmentViewModel(dataDir: dir, deviceName: "备用手机", credentials: creds, keys: stranger)
        let refused = await locked.resume()
        XCTAssertNil(refused)
        XCTAssertEqual(locked.state.error, UiText(Keys.errorWrongKey))
        XCTAssertFalse(locked.state.opening)
        XCTAssertEqual(try Data(contentsOf: URL(fileURLWithPath: path)), bytes)
    }

    func testTheHomeScreenOffersTheWorkOfEachRole() async throws {
        let wang = HomeViewModel(session: try await enrolled("lead-wang", "home-wang"))
        await wang.refresh()
        XCTAssertEqual(wang.state.memberName, "王建国")
        XCTAssertEqual(wang.state.tiles, [.doorToDoor, .tickets, .needs, .evaluation, .sync])
        XCTAssertEqual(wang.state.buildings.map(\.name), ["3号楼"])
        XCTAssertEqual(wang.state.roles, [UiText("role_building_lead")])
        let sun = HomeViewModel(session: try await enrolled("guard-sun", "home-sun"))
        await sun.refresh()
        XCTAssertEqual(sun.state.tiles, [.gateDuty, .tickets, .evaluation, .sync])
        XCTAssertEqual(sun.state.gates.map(\.id), [Self.gate])
        let office = HomeViewModel(session: try await enrolled("office-admin", "home-office"))
        await office.refresh()
        XCTAssertTrue(office.state.tiles.contains(.office) && office.state.tiles.contains(.gateDuty))
        XCTAssertEqual(office.state.tiles.filter { [.needs, .evaluation, .jointActions].contains($0) },
                       [.needs, .evaluation, .jointActions])
        let wu = HomeViewModel(session: try await enrolled("vol-wu", "home-wu"))
        await wu.refresh()
        XCTAssertEqual(wu.state.tiles, [.tickets, .needs, .evaluation, .sync])
    }

    /// The day `n` days after `day` (`YYYY-MM-DD`).
    static func day(_ day: String, plus n: Int) -> String {
        let f = DateFormatter()
        f.locale = Locale(identifier: "en_US_POSIX")
        f.timeZone = TimeZone(secondsFromGMT: 0)
        f.dateFormat = "yyyy-MM-dd"
        return f.string(from: f.date(from: day)! + TimeInterval(n * 86400))
    }

    /// The start of `day` (`YYYY-MM-DD`) in a community `offset` minutes from UTC.
    static func start(of day: String, offset: Int32) -> Date {
        let f = DateFormatter()
        f.locale = Locale(identifier: "en_US_POSIX")
        f.timeZone = TimeZone(secondsFromGMT: Int(offset) * 60)
        f.dateFormat = "yyyy-MM-dd"
        return f.date(from: day)!
    }

    func testTodaysListOnHomeOverdueFirstEachItemOpeningItsScreen() async throws {
        let wang = try await enrolled("lead-wang", "agenda-wang")
        let store = wang.store
        let today = try store.today()
        let (yesterday, tomorrow) = (Self.day(today, plus: -1), Self.day(today, plus: 1))
        let offset = try store.community().utcOffsetMinutes
        // A watched household, its check due from now; a visit with a follow-up tomorrow; and a
        // visit two days ago whose follow-up fell due yesterday.
        let watched = try store.registerHousehold(input: HouseholdInput(
            buildingId: Self.building, unit: "6单元", room: "601", phone: "",
            residents: [ResidentInput(name: "马秀兰", birthYear: 1938, phone: "")], tags: [.livingAlone],
            watch: WatchPlanInput(frequency: .timesPerDay, n: 1)))
        let later = try store.registerHousehold(input: HouseholdInput(
            buildingId: Self.building, unit: "6单元", room: "602", phone: "", residents: [], tags: [], watch: nil))
        let missed = try store.registerHousehold(input: HouseholdInput(
            buildingId: Self.building, unit: "6单元", room: "603", phone: "", residents: [], tags: [], watch: nil))
        let door = DoorToDoorViewModel(session: wang)
        var form = VisitForm()
        form.followUpDue = tomorrow
        form.followUpNote = "明天送药"
        let logged = await door.logVisit(householdId: later, form: form)
        XCTAssertNotNil(logged)
        _ = try store.logVisit(householdId: missed, input: VisitInput(
            at: Date() - 2 * 86400, outcome: .nobodyHome, needs: "", opinions: "", health: nil,
            followUpDue: yesterday, followUpNote: "再来敲门"))

        let home = HomeViewModel(session: wang)
        await home.refresh()
        XCTAssertEqual(home.state.agenda.first?.overdue, true, "overdue first: \(home.state.agenda)")
        // (Other tests' work for the same lead may be on the list too.)
        let ids = [watched, later, missed]
        let mine = home.state.agenda.filter { ids.contains($0.recordId) }
        XCTAssertEqual(mine.map(\.recordId), [missed, watched, later], "\(mine)")
        XCTAssertEqual(mine.map(\.label.key), ["agenda_kind_follow_up", "agenda_kind_watch_check", "agenda_kind_follow_up"])
        XCTAssertEqual(mine.map(\.overdue), [true, false, false])
        XCTAssertEqual(Set(mine.map(\.opens)), [.doorToDoor])
        XCTAssertEqual(Set(mine.map(\.placeId)), [Self.building])
        XCTAssertEqual(mine.last?.title, "3号楼 6单元 602：明天送药")
        // Tomorrow's follow-up is due on tomorrow in the community's time.
        let tomorrowStart = Self.start(of: tomorrow, offset: offset)
        XCTAssertEqual(mine.last?.due, tomorrowStart)
        XCTAssertEqual(mine.map(\.dueDay), [yesterday, nil, tomorrow])
        XCTAssertFalse(mine.contains { $0.canComplete })

        // Their notifications: the overdue one now, tomorrow's at 09:00 there, the check when due.
        let now = Date()
        let planned = await home.notifications(now: now)
        XCTAssertEqual(Set(planned.map(\.id)).count, planned.count)
        let byRecord = planned.filter { p in
            mine.contains { p.id.hasPrefix("\($0.label.key.dropFirst("agenda_kind_".count)):\($0.recordId):") }
        }
        XCTAssertEqual(byRecord.map(\.at), [now, now, tomorrowStart + 9 * 3600])
        XCTAssertEqual(byRecord.first?.title, UiText(Keys.notifyOverdue, ["agenda_kind_follow_up"]))
        XCTAssertEqual(byRecord.last?.title, UiText(Keys.notifyDue, ["agenda_kind_follow_up"]))
        XCTAssertEqual(byRecord.map(\.body), mine.map(\.title))
        let again = await home.notifications(now: now + 60)
        XCTAssertEqual(again.map(\.id), planned.map(\.id), "the same ids again")

        // Logging the visits clears them from the list.
        _ = await door.logVisit(householdId: missed, form: VisitForm())
        _ = await door.logVisit(householdId: watched, form: VisitForm())
        await home.refresh()
        XCTAssertEqual(home.state.agenda.map(\.recordId).filter { ids.contains($0) }, [later])
    }

    func testAReminderDueSoonShowsOnHomeAndIsMarkedDoneThere() async throws {
        let li = try await enrolled("lead-li", "reminder-li")
        let tomorrow = try Self.day(li.store.today(), plus: 1)
        let id = try relay.admin("add-reminder", "--what", "电梯年检", "--due", tomorrow, "--place", Self.building,
                                 "--member", "lead-li")
        await SyncViewModel(session: li).syncNow()
        let home = HomeViewModel(session: li)
        await home.refresh()
        XCTAssertTrue(home.state.tiles.contains(.reminders), "\(home.state.tiles)")
        let row = try XCTUnwrap(home.state.agenda.first { $0.recordId == id })
        XCTAssertEqual(row.label, UiText("agenda_kind_reminder"))
        XCTAssertEqual(row.title, "3号楼：电梯年检")
        XCTAssertEqual(row.opens, .reminders)
        XCTAssertEqual(row.dueDay, tomorrow)
        XCTAssertTrue(row.canComplete)
        XCTAssertFalse(row.overdue)
        let reminders = RemindersViewModel(session: li)
        await reminders.refresh()
        let listed = try XCTUnwrap(reminders.state.items.first { $0.id == id })
        XCTAssertEqual(listed.due, UiText(Keys.reminderDue, [tomorrow, "1"]))
        XCTAssertTrue(listed.canComplete)

        await home.completeReminder(id)
        XCTAssertEqual(home.notice, Notice(text: UiText(Keys.doneReminderCompleted), isError: false))
        XCTAssertFalse(home.state.agenda.contains { $0.recordId == id }, "\(home.state.agenda)")
        let planned = await home.notifications()
        XCTAssertFalse(planned.contains { $0.id.hasPrefix("reminder:\(id):") })
        await reminders.refresh()
        XCTAssertEqual(reminders.state.items.first { $0.id == id }?.due, UiText(Keys.reminderAllDone))
        XCTAssertEqual(reminders.state.items.first { $0.id == id }?.canComplete, false)
        // Done once is done: a second time is refused, in words.
        await home.completeReminder(id)
        XCTAssertEqual(home.notice?.isError, true)
    }

    func testGateDutyPlannedCheckedInRegisteredAndCheckedOut() async throws {
        let zhao = try await enrolled("gate-zhao", "gate-zhao")
        let lead = GateDutyViewModel(session: zhao, gateId: Self.gate)
        await lead.refresh()
        XCTAssertTrue(lead.state.canBuildRoster)
        // Times are typed in the community's time (+08:00), whatever the phone's zone: the core
        // reads them. The shift began an hour ago (to the minute) and lasts four.
        let began = Date(timeIntervalSince1970: (Date().timeIntervalSince1970 / 60 - 60).rounded(.down) * 60)
        var community = Calendar(identifier: .gregorian)
        community.timeZone = TimeZone(secondsFromGMT: 8 * 3600)!
        let c = community.dateComponents([.year, .month, .day, .hour, .minute], from: began)
        let day = String(format: "%04d-%02d-%02d", c.year!, c.month!, c.day!)
        let added = await lead.addShift(label: "白班", start: String(format: "%02d:%02d", c.hour!, c.minute!),
                                        end: String(format: "%02d:%02d", (c.hour! + 4) % 24, c.minute!),
                                        officers: "1", day: day)
        let shift = try XCTUnwrap(added)
        XCTAssertEqual(lead.state.week.first { $0.shiftId == shift }?.start, began)
        let badTime = await lead.addShift(label: "夜班", start: "22点", end: "06:00", officers: "1")
        XCTAssertNil(badTime)
        XCTAssertEqual(lead.notice?.text, UiText(Keys.errorCode("not_a_time"), [Keys.field("start")]))
        let slot = try XCTUnwrap(lead.state.week.first { $0.shiftId == shift }?.slots.first { $0.role == .safetyOfficer })
        let members = await lead.gateMembers()
        XCTAssertTrue(members.contains { $0.id == "guard-sun" })
        await lead.assignSlot(shiftId: shift, slotId: slot.slotId, memberId: "guard-sun")
        await SyncViewModel(session: zhao).syncNow()

        let sun = try await enrolled("guard-sun", "gate-sun")
        let duty = GateDutyViewModel(session: sun, gateId: Self.gate)
        await duty.refresh()
        XCTAssertFalse(duty.state.canBuildRoster)
        let planned = try XCTUnwrap(duty.state.badge.first { $0.role == UiText("duty_role_safety_officer") })
        XCTAssertEqual(planned.planned, "孙志刚")
        XCTAssertNil(planned.onDuty)
        await duty.checkIn()
        XCTAssertEqual(duty.notice, Notice(text: UiText(Keys.doneCheckedIn), isError: false))
        XCTAssertEqual(duty.state.badge.first { $0.isMe }?.onDuty, "孙志刚")
        XCTAssertTrue(duty.state.meOnDuty)

        // A visitor to 3号楼 1单元 302 with a 访客码: the building chosen from the places the
        // phone knows, the unit and room as said. The gate phone holds no household: it names
        // the address only. A room without a building, or a place that is no building, is
        // refused in words.
        XCTAssertEqual(duty.state.visitPlaces.map(\.name), ["3号楼"])
        var ok = await duty.registerVisitor(name: "周先生", phone: "13800001111", purpose: "探亲", passType: .visitorCode,
                                            buildingId: nil, room: "1单元 302")
        XCTAssertFalse(ok)
        XCTAssertEqual(duty.notice?.text, UiText(Keys.errorCode("incomplete"), [Keys.field("building_id")]))
        ok = await duty.registerVisitor(name: "周先生", phone: "13800001111", purpose: "探亲", passType: .visitorCode,
                                        buildingId: Self.gate, room: "1单元 302")
        XCTAssertFalse(ok)
        XCTAssertEqual(duty.notice?.text, UiText(Keys.errorCode("wrong_place_kind"), [Keys.field("building_id")]))
        let building3 = try XCTUnwrap(duty.state.visitPlaces.first).id
        ok = await duty.registerVisitor(name: "周先生", phone: "13800001111", purpose: "探亲", passType: .visitorCode,
                                        buildingId: building3, room: " 1单元 302 ")
        XCTAssertTrue(ok)
        let visitor = try XCTUnwrap(duty.state.entries.first { $0.kind == "visitor" })
        XCTAssertEqual(visitor.visiting, "3号楼 1单元 302")
        XCTAssertEqual(visitor.summary, "周先生：探亲 → 3号楼 1单元 302")
        XCTAssertEqual(visitor.passType, UiText("pass_type_visitor_code"))
        XCTAssertNil(visitor.severity)
        // The entry opens its gate day's history, which names the visitor's registration.
        let today = try sun.store.today()
        XCTAssertEqual(visitor.recordId, "gatelog:\(Self.gate):\(today)")
        XCTAssertEqual(duty.state.gateDayDoc, visitor.recordId)
        let dayHistory = HistoryViewModel(session: sun, docId: visitor.recordId)
        await dayHistory.refresh()
        XCTAssertEqual(dayHistory.state.rows.first?.action, UiText(Keys.historyAction("gate.visitor")))
        await duty.registerVehicle(plate: "沪A12345", purpose: "送货")
        await duty.registerParcel(recipient: "张桂英", carrier: "顺丰")
        await duty.recordTemperature(person: "周先生", celsius: 36.6)
        XCTAssertEqual(duty.notice?.text, UiText(Keys.doneRegistered))
        await duty.recordTemperature(person: "李女士", celsius: 38.4)
        XCTAssertEqual(duty.notice?.text, UiText(Keys.doneFever, ["李女士", "38.4"]))
        await duty.recordPatrol(note: "巡逻一圈，一切正常")
        // (Passes refused at this gate by another test stand out too, as pass checks.)
        let register = duty.state.entries.filter { !$0.kind.hasPrefix("pass_") }
        XCTAssertEqual(register.filter(\.flagged).count, 1, "only the fever stands out")
        XCTAssertTrue(register.first { $0.flagged }!.summary.contains("李女士"))
        await duty.approveSwap("no-such-swap")
        XCTAssertEqual(duty.notice?.isError, true, "a safety officer cannot approve swaps")
        await duty.checkOut()
        XCTAssertFalse(duty.state.meOnDuty)

        // A swap: asked by the officer, accepted and approved by the gate lead, names shown.
        await duty.requestSwap(shiftId: shift, slotId: slot.slotId, toMember: "gate-zhao")
        XCTAssertEqual(duty.notice?.isError, false, "\(String(describing: duty.notice))")
        await SyncViewModel(session: sun).syncNow()
        await SyncViewModel(session: zhao).syncNow()
        await lead.refresh()
        let swap = try XCTUnwrap(lead.state.swaps.first)
        XCTAssertEqual([swap.from, swap.to], ["孙志刚", "赵卫东"])
        XCTAssertTrue(swap.toMe)
        await lead.acceptSwap(swap.swapId)
        await lead.approveSwap(swap.swapId)
        XCTAssertEqual(lead.state.swaps.first?.status, UiText("swap_status_approved"))
        XCTAssertEqual(lead.state.week.first { $0.shiftId == shift }?.slots.first { $0.slotId == slot.slotId }?.memberName, "赵卫东")

        // 1单元 302 is a household of 3号楼 that its lead registered. After syncing, the office
        // — which holds every household — reads the officer's entry with the address and pass
        // type, and holds exactly one household at that address. The entry itself names no
        // household: it was the gate phone's (which holds none), and entries are never
        // rewritten; the office resolves the address against its own list. A visitor the
        // office registers there itself is linked to the household by the core.
        let li = try await enrolled("lead-li", "gate-li")
        let door = DoorToDoorViewModel(session: li)
        await door.refresh()
        let household = await door.registerHousehold(HouseholdForm(unit: "1单元", room: "302", phone: "13812340302"))
        XCTAssertNotNil(household, "\(String(describing: door.notice))")
        await sync(li)
        let office = try await enrolled("office-admin", "gate-office")
        let desk = GateDutyViewModel(session: office, gateId: Self.gate)
        await desk.refresh()
        let seen = try XCTUnwrap(desk.state.entries.first { $0.kind == "visitor" && $0.summary.hasPrefix("周先生") })
        XCTAssertEqual(seen.visiting, "3号楼 1单元 302")
        XCTAssertEqual(seen.passType, UiText("pass_type_visitor_code"))
        XCTAssertEqual(seen.recordId, visitor.recordId)
        XCTAssertEqual(try office.store.householdsInBuilding(buildingId: building3).filter { $0.room == "302" }.map { [$0.unit, $0.room] },
                       [["1单元", "302"]])
    }

    func testAGatesWholeShiftVehiclesParcelsIncidentVisitorAndHandover() async throws {
        let zheng = try await enrolled("north-zheng", "shift-zheng")
        let han = try await enrolled("north-han", "shift-han")
        let feng = try await enrolled("north-feng", "shift-feng")
        let gate = Self.northGate

        // The gate lead plans today's shift with the number of 安全员 typed: 1 to 6.
        let lead = GateDutyViewModel(session: zheng, gateId: gate)
        await lead.refresh()
        for typed in ["0", "7"] {
            let refused = await lead.addShift(label: "白班", start: "08:00", end: "20:00", officers: typed)
            XCTAssertNil(refused)
            XCTAssertEqual(lead.notice?.text, UiText(Keys.errorCode("out_of_range"), [Keys.field("officers")]))
        }
        let notANumber = await lead.addShift(label: "白班", start: "08:00", end: "20:00", officers: "三")
        XCTAssertNil(notANumber)
        XCTAssertEqual(lead.notice?.text, UiText(Keys.errorCode("malformed"), [Keys.field("officers")]))
        XCTAssertEqual(lead.state.week, [], "nothing planned by a refusal")
        let planned = await lead.addShift(label: "白班", start: "08:00", end: "20:00", officers: " 3 ")
        let shift = try XCTUnwrap(planned)
        let slots = try XCTUnwrap(lead.state.week.first { $0.shiftId == shift }).slots
        XCTAssertEqual(slots.filter { $0.role == .safetyOfficer }.count, 3)
        XCTAssertEqual(slots.count, 5, "a gate lead, a shift lead and 3 安全员")
        // The roster week's history names the lead.
        let roster = HistoryViewModel(session: zheng, docId: try XCTUnwrap(lead.state.rosterDoc))
        await roster.refresh()
        XCTAssertTrue(roster.state.title.hasPrefix("北门 排班（"), roster.state.title)
        XCTAssertEqual(roster.state.rows.map(\.action), [UiText(Keys.historyAction("roster.shift.add")),
                                                         UiText(Keys.historyAction("genesis"))])
        XCTAssertEqual(roster.state.rows.first?.member, UiText(Keys.labelPlain, ["郑国强"]))

        // The safety officer on duty: the gate's other duty members to hand over to, every pass
        // type and severity to choose from.
        let duty = GateDutyViewModel(session: han, gateId: gate)
        await duty.refresh()
        XCTAssertNil(duty.state.gateDayDoc, "nothing logged today yet")
        await duty.checkIn()
        XCTAssertTrue(duty.state.meOnDuty)
        XCTAssertEqual(duty.state.handoverTo.sorted { $0.id < $1.id },
                       [MemberItem(id: "north-feng", name: "冯建华"), MemberItem(id: "north-zheng", name: "郑国强")])
        XCTAssertEqual(duty.state.passTypes.map(\.label.key), ["pass_type_temporary", "pass_type_visitor_code",
                                                               "pass_type_long_term", "pass_type_delivery", "pass_type_contractor"])
        XCTAssertEqual(duty.state.severities.map(\.value), [.low, .medium, .high])
        XCTAssertEqual(duty.state.severities.map(\.label.key), ["severity_low", "severity_medium", "severity_high"])

        // Two vehicles in; one leaves from its row; the other stays listed.
        var ok = await duty.registerVehicle(plate: "京A10001", purpose: "送货")
        XCTAssertTrue(ok)
        ok = await duty.registerVehicle(plate: "京B20002", purpose: "")
        XCTAssertTrue(ok)
        XCTAssertEqual(duty.state.vehiclesInside.map(\.plate), ["京A10001", "京B20002"])
        XCTAssertEqual(duty.state.vehiclesInside.map(\.summary), ["京A10001：送货", "京B20002"])
        ok = await duty.vehicleLeft(plate: duty.state.vehiclesInside[0].plate)
        XCTAssertTrue(ok)
        XCTAssertEqual(duty.notice, Notice(text: UiText(Keys.doneVehicleExit), isError: false))
        XCTAssertEqual(duty.state.vehiclesInside.map(\.plate), ["京B20002"])
        ok = await duty.vehicleLeft(plate: "京A1")
        XCTAssertFalse(ok)
        XCTAssertEqual(duty.notice?.text, UiText(Keys.errorCode("not_a_plate"), [Keys.field("plate")]))

        // A parcel, an incident (较重) and a visitor with a 访客码.
        ok = await duty.registerParcel(recipient: "张阿姨", carrier: "顺丰")
        XCTAssertTrue(ok)
        let parcel = try XCTUnwrap(duty.state.parcelsWaiting.first)
        XCTAssertEqual([parcel.summary, parcel.recipient], ["张阿姨（顺丰）", "张阿姨"])
        ok = await duty.recordIncident(note: "有人翻越围墙", severity: .medium)
        XCTAssertTrue(ok)
        XCTAssertEqual(duty.notice?.text, UiText(Keys.doneIncident))
        ok = await duty.registerVisitor(name: "钱女士", phone: "13800002222", purpose: "探望父母", passType: .visitorCode)
        XCTAssertTrue(ok)
        XCTAssertEqual(duty.notice?.text, UiText(Keys.doneRegistered))
        // The register's row carries the pass type; so does the record (read from the phone's
        // unsent work, before it syncs).
        XCTAssertEqual(duty.state.entries.first { $0.kind == "visitor" }?.passType, UiText("pass_type_visitor_code"))
        let unsent = try JSONSerialization.jsonObject(with: Data(try han.store.exportUnsent(token: han.credentials.token).utf8))
        XCTAssertEqual(Self.objects(in: unsent).first { $0["name"] as? String == "钱女士" }?["pass"] as? String,
                       PassType.visitorCode.code())

        // The duty handed over to the shift lead.
        ok = await duty.handOver("north-feng")
        XCTAssertTrue(ok)
        XCTAssertEqual(duty.notice?.text, UiText(Keys.doneHandover))
        XCTAssertFalse(duty.state.meOnDuty)
        XCTAssertEqual(duty.state.entries.map(\.label.key), [
            "gate_kind_handover", "gate_kind_visitor", "gate_kind_incident", "gate_kind_parcel", "gate_kind_vehicle_exit",
            "gate_kind_vehicle", "gate_kind_vehicle", "gate_kind_check_in",
        ])
        XCTAssertEqual(duty.state.entries.map(\.flagged), [false, false, true, false, false, false, false, false])
        XCTAssertEqual(duty.state.entries.map(\.member), ["冯建华", nil, nil, nil, nil, nil, nil, "韩立新"])
        XCTAssertEqual(duty.state.entries[1].summary, "钱女士：探望父母")
        XCTAssertEqual(duty.state.entries[2].summary, "有人翻越围墙")
        XCTAssertEqual(duty.state.entries.prefix(3).map(\.passType), [nil, UiText("pass_type_visitor_code"), nil])
        XCTAssertEqual(duty.state.entries.prefix(3).map(\.severity), [nil, nil, UiText("severity_medium")])
        XCTAssertEqual(duty.state.entries.prefix(3).map(\.visiting), ["", "", ""], "no address named")
        // The day's history, newest first.
        let today = try han.store.today()
        let day = HistoryViewModel(session: han, docId: try XCTUnwrap(duty.state.gateDayDoc))
        await day.refresh()
        XCTAssertEqual(day.state.title, "北门 门岗日志 \(today)")
        XCTAssertEqual(day.state.rows.map(\.action.key), [
            "gate.handover", "gate.visitor", "gate.incident", "gate.parcel", "gate.vehicle_exit", "gate.vehicle",
            "gate.vehicle", "gate.check_in", "genesis",
        ].map(Keys.historyAction))
        XCTAssertEqual(day.state.rows.dropLast().map(\.member), Array(repeating: UiText(Keys.labelPlain, ["韩立新"]), count: 8))

        // On the shift lead's phone: on duty by the handover, the parcel waiting, collected by
        // its recipient when no other name is typed.
        await sync(han, feng)
        let other = GateDutyViewModel(session: feng, gateId: gate)
        await other.refresh()
        XCTAssertTrue(other.state.meOnDuty, "the handover put the shift lead on duty")
        XCTAssertEqual(other.state.vehiclesInside.map(\.plate), ["京B20002"])
        XCTAssertEqual(other.state.parcelsWaiting.map(\.id), [parcel.id])
        ok = await other.pickUp(parcelId: parcel.id, collectedBy: " ")
        XCTAssertTrue(ok)
        XCTAssertEqual(other.notice?.text, UiText(Keys.doneParcelPickedUp))
        XCTAssertEqual(other.state.parcelsWaiting, [])
        XCTAssertEqual(other.state.entries.first.map { [$0.label.key, $0.summary] }, ["gate_kind_parcel_pickup", "张阿姨（顺丰）"])
        ok = await other.pickUp(parcelId: parcel.id, collectedBy: "李先生")
        XCTAssertFalse(ok, "collected once")
        XCTAssertEqual(other.notice?.text, UiText(Keys.errorCode("parcel_collected")))
        await sync(feng, han)
        await duty.refresh()
        XCTAssertEqual(duty.state.parcelsWaiting, [])
        XCTAssertEqual(duty.state.entries.first?.label, UiText(Keys.gateKind("parcel_pickup")))
    }

    /// Every JSON object in `json`, depth first.
    static func objects(in json: Any) -> [[String: Any]] {
        if let o = json as? [String: Any] { return [o] + o.values.flatMap { objects(in: $0) } }
        if let a = json as? [Any] { return a.flatMap { objects(in: $0) } }
        return []
    }

    func testAHouseholdsHistoryNamesWhoChangedWhatNewestFirst() async throws {
        let wang = try await enrolled("lead-wang", "history-wang")
        let office = try await enrolled("office-admin", "history-office")
        let h = try wang.store.registerHousehold(input: HouseholdInput(
            buildingId: Self.building, unit: "8单元", room: "801", phone: "", residents: [], tags: [], watch: nil))
        await sync(wang, office)
        let desk = HouseholdViewModel(session: office, householdId: h)
        await desk.setPhone("13812340000")
        XCTAssertEqual(desk.notice?.text, UiText(Keys.doneHouseholdSaved))
        await sync(office, wang)

        let history = HistoryViewModel(session: wang, docId: h)
        await history.refresh()
        XCTAssertNil(history.notice)
        XCTAssertEqual(history.state.title, "3号楼 8单元 801")
        XCTAssertEqual(history.state.rows.map(\.action),
                       ["household.phone", "household.register", "genesis"].map { UiText(Keys.historyAction($0)) })
        XCTAssertEqual(history.state.rows.map(\.member),
                       [UiText(Keys.labelPlain, ["陈主任"]), UiText(Keys.labelPlain, ["王建国"]), UiText(Keys.historyMemberSystem)])
        XCTAssertEqual(history.state.rows.map(\.device), [office.credentials.deviceId, wang.credentials.deviceId, ""])
        XCTAssertEqual(history.state.rows.map(\.timed), [true, true, true])
        XCTAssertEqual(history.state.rows[2].at, history.state.rows[1].at, "created when registered")
        XCTAssertEqual(history.state.rows.first?.changed, 1)
        XCTAssertGreaterThanOrEqual(history.state.rows[0].at, history.state.rows[1].at)
        XCTAssertEqual(history.state.utcOffsetMinutes, try wang.store.community().utcOffsetMinutes)
        // An action this version has no label for reads by its code.
        XCTAssertEqual(HistoryViewModel.action("household.someday"), UiText(Keys.historyActionOther, ["household.someday"]))
        // A record the phone does not hold is said so.
        let none = HistoryViewModel(session: wang, docId: "no-such-record")
        await none.refresh()
        XCTAssertEqual(none.notice?.text, UiText(Keys.errorNotFound, ["no-such-record"]))
    }

    func testTheRelaysRefusalsReadAsTheirSentences() async throws {
        let dir = tmp.appendingPathComponent("refusals")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        // A wrong code: the relay answers 401 `bad_code`.
        let wrong = EnrolmentViewModel(dataDir: dir, deviceName: "备用手机", credentials: MemoryCredentials(), keys: MemoryStoreKeys())
        wrong.setRelayUrl(relay.url)
        wrong.setCode("WXYZ-2345")
        var none = await wrong.enrol()
        XCTAssertNil(none)
        XCTAssertEqual(wrong.state.error, UiText(Keys.relayCode("bad_code")))
        // A device name the relay refuses: 400 `bad_device_name`.
        let long = EnrolmentViewModel(dataDir: dir, deviceName: String(repeating: "长", count: 65),
                                      credentials: MemoryCredentials(), keys: MemoryStoreKeys())
        long.setRelayUrl(relay.url)
        long.onScanned(try relay.code("vol-wu"))
        none = await long.enrol()
        XCTAssertNil(none)
        XCTAssertEqual(long.state.error, UiText(Keys.relayCode("bad_device_name")))
        // Any code of the relay's list reads as its sentence; one this version does not know
        // falls back to the status and the code.
        XCTAssertEqual(uiText(LinliError.Rejected(status: 507, code: "photo_quota", detail: "quota")),
                       UiText(Keys.relayCode("photo_quota")))
        XCTAssertEqual(uiText(LinliError.Rejected(status: 418, code: "teapot", detail: "")),
                       UiText(Keys.errorRejected, ["418", "teapot"]))
        // A relay asking for a longer wait than the phone waits on its own: the sentence says how long.
        XCTAssertEqual(uiText(LinliError.Busy(waitSecs: 42, code: "rate_limited")), UiText(Keys.errorBusy, ["42"]))
        XCTAssertEqual(uiText(LinliError.Busy(waitSecs: 42, code: "too_many_attempts")), UiText(Keys.errorBusyCodes, ["42"]))
    }

    func testDoorToDoorVisitLoggedAndProblemReported() async throws {
        let wang = try await enrolled("lead-wang", "door-wang")
        let h = try wang.store.registerHousehold(input: HouseholdInput(
            buildingId: Self.building, unit: "1单元", room: "101", phone: "",
            residents: [ResidentInput(name: "张桂英", birthYear: 1942, phone: "")], tags: [.livingAlone, .elderly],
            watch: WatchPlanInput(frequency: .timesPerDay, n: 1)))
        let door = DoorToDoorViewModel(session: wang)
        await door.refresh()
        XCTAssertEqual(door.state.buildingId, Self.building)
        let before = try XCTUnwrap(door.state.households.first { $0.id == h })
        XCTAssertEqual(Set(before.tags.map(\.key)), ["tag_living_alone", "tag_elderly"])
        XCTAssertNil(before.lastVisit)
        XCTAssertGreaterThanOrEqual(door.state.checksDue, 1)

        var form = VisitForm()
        form.needs = "行动不便，需要送菜上门"
        form.temperatureC = 37.9
        form.healthConcern = true
        form.followUpDue = try wang.store.today()
        let visit = await door.logVisit(householdId: h, form: form)
        XCTAssertNotNil(visit)
        let after = try XCTUnwrap(door.state.households.first { $0.id == h })
        XCTAssertNotNil(after.lastVisit)
        XCTAssertEqual(after.lastOutcome, UiText("visit_outcome_met"))
        let detail = await door.household(h)
        XCTAssertEqual(detail?.visits.first?.health?.temperatureC, 37.9)

        var bad = VisitForm()
        bad.followUpDue = "明天"
        let refused = await door.logVisit(householdId: h, form: bad)
        XCTAssertNil(refused)
        // A whole sentence from the tables: 「跟进日期」不是有效的日期（如 2026-12-02）。
        XCTAssertEqual(door.notice?.text, UiText(Keys.errorCode("not_a_date"), [Keys.field("follow_up_due")]))

        let reported = await door.reportFromVisit(householdId: h, category: .property, description: "楼道灯坏了",
                                                      photos: [Data("照片".utf8)])
        let t = try XCTUnwrap(reported)
        let ticket = try wang.store.ticket(id: t)
        XCTAssertEqual(ticket.place.kind, .household)
        XCTAssertEqual(ticket.place.text, "3号楼 1单元 101")
        XCTAssertEqual(ticket.photos.count, 1)
    }

    func testTicketsReportedEscalatedAndCountingDown() async throws {
        let wang = try await enrolled("lead-wang", "tickets-wang")
        let office = try await enrolled("office-admin", "tickets-office")
        let mine = TicketsViewModel(session: wang)
        let reported = await mine.report(TicketInput(
            category: .elevator, placeKind: .building, placeRef: Self.building, placeText: "3号楼",
            description: "电梯停运两天", photos: [], channel: .visit))
        let t = try XCTUnwrap(reported)
        await mine.show(.mine)
        XCTAssertEqual(mine.state.items.map(\.id), [t])
        await SyncViewModel(session: wang).syncNow()
        await SyncViewModel(session: office).syncNow()

        var clock = Date()
        let desk = TicketsViewModel(session: office, now: { clock })
        await desk.show(.open)
        XCTAssertTrue(desk.state.items.contains { $0.id == t })
        await desk.open(t)
        XCTAssertEqual(desk.state.detail?.actions, Keys.ticketActions.filter { $0 != .evaluate })
        let accepted = await desk.perform(.accept)
        XCTAssertTrue(accepted)
        let escalated = await desk.perform(.escalate(to: .street, reason: "需维保单位到场"))
        XCTAssertTrue(escalated)
        let detail = try XCTUnwrap(desk.state.detail)
        XCTAssertEqual(detail.level, UiText("level_street"))
        XCTAssertEqual(detail.replyDeadline?.key, Keys.deadlineLeft)
        XCTAssertTrue((23...24).contains(Int(detail.replyDeadline!.args[0])!))
        XCTAssertEqual(detail.timeline.map(\.action.key), ["timeline_reported", "timeline_accepted", "timeline_escalated"])
        XCTAssertEqual(detail.timeline.first?.author, "王建国")
        XCTAssertEqual(detail.timeline.last?.subject, UiText("level_street"))
        await desk.show(.overdue)
        XCTAssertEqual(desk.state.items.map(\.id), [], "not overdue yet")
        clock = Date() + 25 * 3600
        await desk.refresh()
        XCTAssertEqual(desk.state.detail?.replyDeadline?.key, Keys.deadlineOverdue)
        await desk.show(.atLevel(.street))
        XCTAssertEqual(desk.state.items.map(\.id), [t])

        // A second call about the same lift is merged into the first, picked from the list.
        let reportedOther = await desk.report(TicketInput(
            category: .sanitation, placeKind: .freeText, placeRef: "", placeText: "小区南门",
            description: "垃圾未清运", photos: [], channel: .walkIn))
        let other = try XCTUnwrap(reportedOther)
        let reportedDup = await desk.report(TicketInput(
            category: .elevator, placeKind: .building, placeRef: Self.building, placeText: "3号楼",
            description: "3号楼电梯坏了", photos: [], channel: .chatGroup))
        let dup = try XCTUnwrap(reportedDup)
        await desk.open(dup)
        let targets = desk.state.detail?.mergeTargets.map(\.id) ?? []
        XCTAssertEqual(targets.first, t, "the same place first")
        XCTAssertTrue(targets.contains(other) && !targets.contains(dup), "\(targets)")
        let merged = await desk.perform(.merge(into: t))
        XCTAssertTrue(merged)
        XCTAssertEqual(desk.state.detail?.status, UiText("ticket_status_merged"))
        XCTAssertEqual(desk.state.detail?.mergeTargets, [], "a merged ticket offers no merge")
        await desk.open(other)
        let left = desk.state.detail?.mergeTargets.map(\.id) ?? []
        XCTAssertTrue(left.contains(t) && !left.contains(dup) && !left.contains(other), "the merged one is gone: \(left)")

        // A long list shows a page at a time.
        for i in 0..<ticketPage {
            _ = try office.store.reportTicket(input: TicketInput(
                category: .noise, placeKind: .freeText, placeRef: "", placeText: "广场",
                description: "夜间噪声 \(i)", photos: [], channel: .walkIn))
        }
        await desk.show(.open)
        XCTAssertEqual(desk.state.items.count, ticketPage)
        XCTAssertTrue(desk.state.hasMore)
        await desk.showMore()
        let all = desk.state.items.map(\.id)
        XCTAssertTrue(all.count > ticketPage && all.count == Set(all).count, "the next page, no repeats")
        XCTAssertTrue(all.contains(t) && all.contains(other))
        XCTAssertFalse(desk.state.hasMore)

        await SyncViewModel(session: office).syncNow()
        await SyncViewModel(session: wang).syncNow()
        await mine.open(t)
        XCTAssertEqual(mine.state.detail?.actions, [.reply, .resolve, .attachPhoto])
        let forbidden = await mine.perform(.escalate(to: .county, reason: "x"))
        XCTAssertFalse(forbidden)
        XCTAssertEqual(mine.notice?.text, UiText(Keys.errorCode("role_required")))
        let attached = await mine.perform(.attachPhoto(Data("现场照片".utf8)))
        XCTAssertTrue(attached)
        XCTAssertEqual(mine.state.detail?.photos.count, 1)
        XCTAssertEqual(mine.notice?.text, UiText(Keys.doneTicketAction, ["ticket_action_attach_photo"]))
    }

    /// Syncs each phone in turn, each once.
    func sync(_ phones: Session...) async {
        for p in phones {
            let summary = await SyncViewModel(session: p).syncNow()
            XCTAssertNotNil(summary, p.credentials.memberId)
        }
    }

    func testATicketDispatchedToADepartmentIsWorkedOnItsPhoneAndOneHandedBackReturns() async throws {
        let li = try await enrolled("lead-li", "orders-li")
        let office = try await enrolled("office-admin", "orders-office")
        let liu = try await enrolled("cg-liu", "orders-liu")
        let ma = try await enrolled("pcs-ma", "orders-ma")

        // A building lead reports; the office accepts, escalates, names the leader in charge
        // and dispatches it to 城管, chosen from the directory's departments.
        let reported = await TicketsViewModel(session: li).report(TicketInput(
            category: .cityAppearance, placeKind: .freeText, placeRef: "", placeText: "梅园新村东门外",
            description: "占道经营，堵塞消防通道", photos: [], channel: .visit))
        let t = try XCTUnwrap(reported)
        await sync(li, office)
        let desk = TicketsViewModel(session: office)
        await desk.open(t)
        var ok = await desk.perform(.accept)
        XCTAssertTrue(ok)
        ok = await desk.perform(.escalate(to: .street, reason: "需城管执法"))
        XCTAssertTrue(ok)
        var detail = try XCTUnwrap(desk.state.detail)
        XCTAssertTrue(detail.actions.contains(.dispatch) && detail.actions.contains(.nameLeader), "\(detail.actions)")
        XCTAssertEqual(Set(detail.departments.map(\.name)), ["城管中队", "梅园派出所", "市场监管所"])
        XCTAssertTrue(detail.leaders.contains(MemberItem(id: "leader-hu", name: "胡书记")), "\(detail.leaders)")
        XCTAssertFalse(detail.leaders.contains { $0.id == "cg-liu" || $0.id == "lead-wang" })
        ok = await desk.perform(.nameLeader(memberId: "leader-hu"))
        XCTAssertTrue(ok)
        let city = try XCTUnwrap(detail.departments.first { $0.name == "城管中队" }).id
        XCTAssertEqual(city, Self.cityUnit)
        ok = await desk.perform(.dispatch(unit: city))
        XCTAssertTrue(ok)
        XCTAssertEqual(desk.notice?.text, UiText(Keys.doneTicketAction, ["ticket_action_dispatch"]))
        detail = try XCTUnwrap(desk.state.detail)
        XCTAssertEqual(detail.status, UiText("ticket_status_assigned"))
        XCTAssertEqual(detail.unit, "城管中队")
        XCTAssertEqual(detail.leader, "胡书记")
        XCTAssertEqual(detail.responsible, "陈主任", "首问负责人 is who accepted it")
        XCTAssertFalse(detail.actions.contains(.dispatch))
        XCTAssertEqual(detail.orders.map(\.unitName), ["城管中队"])
        XCTAssertEqual(detail.orders.map(\.status), [UiText("case_status_waiting")])
        XCTAssertEqual(detail.timeline.first { $0.action.key == "timeline_dispatched" }?.subject, UiText(Keys.labelPlain, ["城管中队"]))
        XCTAssertEqual(detail.timeline.first { $0.action.key == "timeline_leader_named" }?.subject, UiText(Keys.labelPlain, ["胡书记"]))
        // A ticket with a department is not dispatched a second time.
        ok = await desk.perform(.dispatch(unit: Self.policeUnit))
        XCTAssertFalse(ok)
        XCTAssertEqual(desk.notice?.text, UiText(Keys.errorCode("already_dispatched")))
        let order = try XCTUnwrap(detail.orders.first).id
        await sync(office, liu, ma)

        // 城管's phone: its department's tile and today's item, the order with what it needs.
        let home = HomeViewModel(session: liu)
        await home.refresh()
        XCTAssertTrue(home.state.tiles.contains(.department) && !home.state.tiles.contains(.tickets), "\(home.state.tiles)")
        XCTAssertEqual(home.state.departments, [PlaceItem(id: Self.cityUnit, name: "城管中队")])
        let item = try XCTUnwrap(home.state.agenda.first { $0.kind == .workOrder })
        XCTAssertEqual(item.recordId, order)
        XCTAssertEqual(item.opens, .department)
        XCTAssertEqual(item.label, UiText("agenda_kind_work_order"))
        let cityVm = DepartmentViewModel(session: liu)
        await cityVm.refresh()
        XCTAssertEqual(cityVm.state.orders.map(\.id), [order])
        let row = try XCTUnwrap(cityVm.state.orders.first)
        XCTAssertEqual([row.description, row.place, row.unitName], ["占道经营，堵塞消防通道", "梅园新村东门外", "城管中队"])
        XCTAssertEqual(row.status, UiText("case_status_waiting"))
        XCTAssertEqual(row.category, UiText("category_city_appearance"))
        XCTAssertEqual(row.deadline?.key, Keys.deadlineLeft)
        // 派出所's phone lists nothing: the order is not in its scope.
        let policeVm = DepartmentViewModel(session: ma)
        await policeVm.refresh()
        XCTAssertEqual(policeVm.state.orders, [])
        XCTAssertEqual(policeVm.state.departments, [PlaceItem(id: Self.policeUnit, name: "梅园派出所")])
        XCTAssertTrue(try ma.store.orders(filter: OrderFilter(unit: nil, ticketId: nil, openOnly: false)).isEmpty)

        await cityVm.open(order)
        var o = try XCTUnwrap(cityVm.state.detail)
        XCTAssertEqual([o.responsible, o.leader, o.dispatchedBy], ["陈主任", "胡书记", "陈主任"])
        XCTAssertEqual(o.level, UiText("level_street"))
        XCTAssertEqual(o.replyDeadline?.key, Keys.deadlineLeft)
        XCTAssertEqual(o.actions, [.accept, .askInfo, .reply, .resolve, .handBack])
        XCTAssertEqual(o.steps, [])
        ok = await cityVm.accept()
        XCTAssertTrue(ok)
        XCTAssertEqual(cityVm.notice?.text, UiText(Keys.doneOrderAction, ["case_action_accept"]))
        ok = await cityVm.accept()
        XCTAssertFalse(ok, "taken once")
        XCTAssertEqual(cityVm.notice?.text, UiText(Keys.errorCode("order_accepted")))
        ok = await cityVm.askInfo(" ")
        XCTAssertFalse(ok)
        XCTAssertEqual(cityVm.notice?.text, UiText(Keys.errorCode("empty"), [Keys.field("question")]))
        ok = await cityVm.askInfo("摊位具体在东门哪一侧？")
        XCTAssertTrue(ok)
        XCTAssertEqual(cityVm.state.detail?.question, "摊位具体在东门哪一侧？")
        XCTAssertEqual(cityVm.state.detail?.status, UiText("case_status_info_requested"))
        await sync(liu, office)

        // The office answers the department's question from the ticket.
        await desk.open(t)
        XCTAssertEqual(desk.state.detail?.status, UiText("ticket_status_info_requested"))
        XCTAssertEqual(desk.state.detail?.questions,
                       [OrderQuestion(orderId: order, unitName: "城管中队", question: "摊位具体在东门哪一侧？", canAnswer: true)])
        ok = await desk.answer(orderId: order, answer: "东门北侧消防通道")
        XCTAssertTrue(ok)
        XCTAssertEqual(desk.notice?.text, UiText(Keys.doneOrderAction, ["case_action_answer_info"]))
        XCTAssertEqual(desk.state.detail?.questions, [])
        ok = await desk.answer(orderId: order, answer: "再说一遍")
        XCTAssertFalse(ok, "no question waits")
        XCTAssertEqual(desk.notice?.text, UiText(Keys.errorCode("no_question_open")))
        await sync(office, liu)

        // 城管 replies and resolves from its phone.
        await cityVm.refresh()
        o = try XCTUnwrap(cityVm.state.detail)
        XCTAssertNil(o.question)
        XCTAssertEqual(o.steps.map(\.action.key), ["case_action_accept", "case_action_ask_info", "case_action_answer_info"])
        XCTAssertEqual(o.steps.last?.text, "东门北侧消防通道")
        ok = await cityVm.reply("已约谈摊主，明日清理")
        XCTAssertTrue(ok)
        XCTAssertNil(cityVm.state.detail?.replyDeadline, "the reply met it")
        ok = await cityVm.resolve("摊位已清理，通道畅通")
        XCTAssertTrue(ok)
        XCTAssertEqual(cityVm.state.detail?.status, UiText("case_status_resolved"))
        XCTAssertEqual(cityVm.state.detail?.actions, [])
        XCTAssertFalse(cityVm.state.orders.contains { $0.id == order }, "a resolved order leaves the open list")
        ok = await cityVm.handBack("晚了")
        XCTAssertFalse(ok)
        XCTAssertEqual(cityVm.notice?.text, UiText(Keys.errorCode("order_finished")))
        await sync(liu, office)
        await desk.refresh()
        detail = try XCTUnwrap(desk.state.detail)
        XCTAssertEqual(detail.status, UiText("ticket_status_resolved"))
        XCTAssertEqual(detail.orders.map(\.status), [UiText("case_status_resolved")])
        let reply = try XCTUnwrap(detail.timeline.first { $0.action.key == "case_action_reply" })
        XCTAssertEqual([reply.author, reply.text], ["刘城管", "已约谈摊主，明日清理"])
        XCTAssertEqual(reply.subject, UiText(Keys.labelPlain, ["城管中队"]))

        // A second ticket, dispatched to 派出所, handed back with a reason.
        let reported2 = await desk.report(TicketInput(
            category: .publicSecurity, placeKind: .freeText, placeRef: "", placeText: "梅园新村北门",
            description: "夜间有人在门口摆摊占道", photos: [], channel: .walkIn))
        let t2 = try XCTUnwrap(reported2)
        await desk.open(t2)
        ok = await desk.perform(.accept)
        XCTAssertTrue(ok)
        ok = await desk.perform(.escalate(to: .street, reason: "需派出所处理"))
        XCTAssertTrue(ok)
        ok = await desk.perform(.dispatch(unit: Self.policeUnit))
        XCTAssertTrue(ok)
        let second = try XCTUnwrap(desk.state.detail?.orders.first).id
        await sync(office, ma, liu)
        await policeVm.refresh()
        XCTAssertEqual(policeVm.state.orders.map(\.id), [second])
        await cityVm.refresh()
        XCTAssertFalse(cityVm.state.orders.contains { $0.id == second }, "城管 lists only its own")
        await policeVm.open(second)
        ok = await policeVm.handBack(" ")
        XCTAssertFalse(ok)
        XCTAssertEqual(policeVm.notice?.text, UiText(Keys.errorCode("empty"), [Keys.field("reason")]))
        ok = await policeVm.handBack("不属于治安案件，应由城管处理")
        XCTAssertTrue(ok)
        XCTAssertEqual(policeVm.state.detail?.status, UiText("case_status_handed_back"))
        XCTAssertEqual(policeVm.state.orders, [])
        await sync(ma, office)
        await desk.open(t2)
        detail = try XCTUnwrap(desk.state.detail)
        XCTAssertEqual(detail.status, UiText("ticket_status_returned"))
        XCTAssertEqual(detail.level, UiText("level_community"))
        XCTAssertNil(detail.unit)
        XCTAssertTrue(detail.actions.contains(.dispatch), "it can be dispatched again")
        XCTAssertEqual(detail.orders.map(\.status), [UiText("case_status_handed_back")])
        XCTAssertEqual(detail.timeline.first { $0.action.key == "case_action_hand_back" }?.text, "不属于治安案件，应由城管处理")
    }

    func testSyncShowsProgressAndAConflictIsResolved() async throws {
        let wang = try await enrolled("lead-wang", "conflict-wang")
        let li = try await enrolled("lead-li", "conflict-li")
        let h = try wang.store.registerHousehold(input: HouseholdInput(
            buildingId: Self.building, unit: "2单元", room: "202", phone: "", residents: [], tags: [], watch: nil))
        let wangSync = SyncViewModel(session: wang)
        await wangSync.refresh()
        XCTAssertGreaterThan(wangSync.state.waiting, 0)
        let synced = await wangSync.syncNow()
        let summary = try XCTUnwrap(synced)
        XCTAssertGreaterThan(summary.pushed, 0)
        XCTAssertTrue(wangSync.state.phases.contains(.push), "\(wangSync.state.phases)")
        XCTAssertEqual(wangSync.state.waiting, 0)
        XCTAssertNotNil(wangSync.state.lastContact)
        XCTAssertFalse(wangSync.state.running)
        XCTAssertEqual(wangSync.notice?.text.key, Keys.doneSynced)

        let liSync = SyncViewModel(session: li)
        await liSync.syncNow()
        try wang.store.setHouseholdPhone(householdId: h, phone: "13911112222")
        try li.store.setHouseholdPhone(householdId: h, phone: "13933334444")
        await wangSync.syncNow()
        await liSync.syncNow()
        XCTAssertEqual(liSync.state.conflicts.count, 1)
        let conflict = try XCTUnwrap(liSync.state.conflicts.first)
        // Named as people know them: the household's address and the field's label.
        XCTAssertEqual(conflict.recordName, "3号楼 2单元 202")
        XCTAssertEqual(conflict.fieldLabel, UiText(Keys.field("phone")))
        XCTAssertEqual(Set(conflict.choices.map { "\($0.display) \($0.memberName)" }),
                       ["13911112222 王建国", "13933334444 李秀英"])
        await liSync.resolve(conflict, index: conflict.choices.firstIndex { $0.memberName == "王建国" }!)
        XCTAssertTrue(liSync.state.conflicts.isEmpty)
        XCTAssertEqual(liSync.notice?.text.key, Keys.doneConflictResolved)
        await liSync.syncNow()
        await wangSync.syncNow()
        XCTAssertTrue(wangSync.state.conflicts.isEmpty)
        XCTAssertEqual(try wang.store.household(householdId: h).phone, "13911112222")

        // Neither is right: the lead enters the number the resident gave at the door.
        try wang.store.setHouseholdPhone(householdId: h, phone: "13900000001")
        try li.store.setHouseholdPhone(householdId: h, phone: "13900000002")
        await wangSync.syncNow()
        await liSync.syncNow()
        let again = try XCTUnwrap(liSync.state.conflicts.first)
        await liSync.resolve(again, value: "13955556666")
        XCTAssertEqual(liSync.notice?.text, UiText(Keys.doneConflictResolved))
        XCTAssertTrue(liSync.state.conflicts.isEmpty)
        await liSync.syncNow()
        await wangSync.syncNow()
        XCTAssertTrue(wangSync.state.conflicts.isEmpty)
        XCTAssertEqual(try wang.store.household(householdId: h).phone, "13955556666")
    }

    func testALeadRegistersAndEditsAHouseholdReadsItsVisitsAndTheOfficeSeesIt() async throws {
        let wang = try await enrolled("lead-wang", "household-wang")
        let door = DoorToDoorViewModel(session: wang)
        await door.refresh()
        let blank = await door.registerHousehold(HouseholdForm(unit: "6单元", room: " "))
        XCTAssertNil(blank)
        XCTAssertEqual(door.notice?.text, UiText(Keys.errorCode("empty"), [Keys.field("room")]))
        let registered = await door.registerHousehold(HouseholdForm(
            unit: "6单元", room: "601", phone: "13812345678", residents: [ResidentForm(name: "高玉兰", birthYear: 1938)],
            tags: [.livingAlone]))
        let h = try XCTUnwrap(registered, "\(String(describing: door.notice))")
        XCTAssertEqual(door.notice?.text, UiText(Keys.doneHouseholdRegistered, ["6单元 601"]))
        XCTAssertTrue(door.state.households.contains { $0.id == h }, "listed in its building")

        let one = HouseholdViewModel(session: wang, householdId: h)
        await one.refresh()
        XCTAssertEqual(one.state.name, "3号楼 6单元 601")
        let added = await one.addResident(ResidentForm(name: "高建国", birthYear: 1965, phone: "13900001111"))
        XCTAssertNotNil(added)
        XCTAssertEqual(one.notice?.text, UiText(Keys.doneResidentAdded, ["高建国"]))
        await one.setTag(.elderly, on: true)
        await one.setWatchPlan(WatchPlanInput(frequency: .everyDays, n: 2))
        await one.setPhone("021-62345678")
        XCTAssertEqual(one.notice?.text, UiText(Keys.doneHouseholdSaved))
        XCTAssertEqual(one.state.residents.map(\.name), ["高玉兰", "高建国"])
        XCTAssertEqual(one.state.tags, [.livingAlone, .elderly])
        XCTAssertEqual(one.state.watch?.frequency, .everyDays)
        XCTAssertEqual(one.state.watch?.n, 2)
        XCTAssertEqual(one.state.phone, "021-62345678")
        await one.setPhone("12345")
        XCTAssertEqual(one.notice?.text, UiText(Keys.errorCode("not_a_phone"), [Keys.field("phone")]))

        // What the residents said comes back, newest first, with who visited; older visits a
        // page at a time.
        for i in 1...21 {
            var form = VisitForm()
            form.needs = "第\(i)次：想要助餐服务"
            form.opinions = "楼道灯太暗"
            _ = await door.logVisit(householdId: h, form: form)
        }
        await one.refresh()
        XCTAssertEqual(one.state.visits.count, 20)
        XCTAssertTrue(one.state.olderVisits)
        XCTAssertEqual(one.state.visits.first.map { [$0.leadName, $0.needs, $0.opinions] }, ["王建国", "第21次：想要助餐服务", "楼道灯太暗"])
        await one.loadOlder()
        XCTAssertEqual(one.state.visits.count, 21)
        XCTAssertEqual(one.state.visits.last?.needs, "第1次：想要助餐服务")
        XCTAssertFalse(one.state.olderVisits)

        await SyncViewModel(session: wang).syncNow()
        let seen = HouseholdViewModel(session: try await enrolled("office-admin", "household-office"), householdId: h)
        await seen.refresh()
        XCTAssertEqual(seen.state.residents.map(\.name), ["高玉兰", "高建国"])
        XCTAssertEqual(seen.state.visits.first?.needs, "第21次：想要助餐服务")
    }

    func testAResidentInHomeIsolationIsAskedFlaggedServedAndReleased() async throws {
        let wang = try await enrolled("lead-wang", "isolation-wang")
        let door = DoorToDoorViewModel(session: wang)
        let h = try wang.store.registerHousehold(input: HouseholdInput(
            buildingId: Self.building, unit: "5单元", room: "501", phone: "",
            residents: [ResidentInput(name: "陆家明", birthYear: 1980, phone: "")], tags: [], watch: nil))
        let resident = try wang.store.household(householdId: h).residents[0].id
        let started = await door.startIsolation(householdId: h, residentId: resident, days: 14)
        XCTAssertNotNil(started)
        XCTAssertEqual(door.notice?.text, UiText(Keys.doneIsolationStarted))
        let item = try XCTUnwrap(door.state.isolations.first)
        XCTAssertEqual(item.resident, "陆家明")
        // Asked 0 times of the checks due after the start (fewer than 3 when begun late in the day).
        XCTAssertEqual(item.progress.key, Keys.isolationProgress)
        XCTAssertEqual(item.progress.args.first, "0")
        let hot = await door.recordIsolationCheck(item, IsolationCheckForm(temperatureC: 45))
        XCTAssertNil(hot)
        XCTAssertEqual(door.notice?.text, UiText(Keys.errorCode("out_of_range"), [Keys.field("celsius")]))
        let flagged = await door.recordIsolationCheck(item, IsolationCheckForm(temperatureC: 38.2, symptoms: [.cough]))
        XCTAssertEqual(flagged?.flagged, true)
        XCTAssertEqual(door.notice?.text, UiText(Keys.doneIsolationFlagged))
        let after = try XCTUnwrap(door.state.isolations.first)
        XCTAssertEqual(after.progress.args.first, "1")
        XCTAssertEqual(after.flagged, 1)
        let added = await door.addErrand(h, kind: .medicine, note: "降压药")
        let errand = try XCTUnwrap(added)
        XCTAssertEqual(door.state.isolations.first?.errandsOpen, 1)
        await door.deliverErrand(h, errandId: errand)
        let errands = await door.errands(h)
        XCTAssertEqual(errands.map(\.delivered), [true])
        await door.releaseIsolation(after)
        XCTAssertEqual(door.notice?.text, UiText(Keys.doneIsolationReleased))
        XCTAssertTrue(door.state.isolations.isEmpty)
    }

    func testAPassIssuedByTheOfficeIsCheckedAtTheGateOfflineThenRevoked() async throws {
        let wang = try await enrolled("lead-wang", "pass-wang")
        let sun = try await enrolled("guard-sun", "pass-sun")
        let h = try wang.store.registerHousehold(input: HouseholdInput(
            buildingId: Self.building, unit: "4单元", room: "401", phone: "",
            residents: [ResidentInput(name: "周桂兰", birthYear: 1948, phone: "")], tags: [], watch: nil))
        let resident = try wang.store.household(householdId: h).residents[0].id
        await SyncViewModel(session: wang).syncNow()
        var shanghai = Calendar(identifier: .gregorian)
        shanghai.timeZone = TimeZone(identifier: "Asia/Shanghai")!
        let week = shanghai.date(byAdding: .day, value: 7, to: Date())!
        let c = shanghai.dateComponents([.year, .month, .day], from: week)
        let until = String(format: "%04d-%02d-%02d", c.year!, c.month!, c.day!)
        let printed = try relay.admin("issue-pass", "--household", h, "--resident", resident, "--until", until,
                                      "--gate", Self.gate)
        let text = try XCTUnwrap(printed.split(separator: "\n").map(String.init).first { $0.hasPrefix("LINLI-PASS1.") })
        await SyncViewModel(session: wang).syncNow()
        let listed = await DoorToDoorViewModel(session: wang).passes(h)
        let shown = try XCTUnwrap(listed.first)
        XCTAssertEqual(shown.text, text, "the lead's phone shows the pass")

        // The gate phone syncs once for the community's key, then checks offline.
        await SyncViewModel(session: sun).syncNow()
        let gateVm = GateDutyViewModel(session: sun, gateId: Self.gate)
        await gateVm.refresh()
        let ok = await gateVm.checkPass(" \(text) ")
        XCTAssertEqual(ok?.result, .valid)
        XCTAssertEqual(ok?.holder, "周桂兰")
        XCTAssertEqual(ok?.kind, UiText("pass_kind_resident"))
        XCTAssertEqual(gateVm.state.lastPass, ok)
        let tampered = String(text.dropLast()) + (text.hasSuffix("A") ? "B" : "A")
        let forged = await gateVm.checkPass(tampered)
        XCTAssertEqual(forged?.result, .forged)
        XCTAssertEqual(gateVm.state.lastPass?.letThrough, false)
        XCTAssertTrue(gateVm.state.entries.contains { $0.label == UiText("gate_kind_pass_forged") && $0.flagged })

        _ = try relay.admin("revoke-pass", "--id", shown.id)
        try await Task.sleep(nanoseconds: 5_000_000)
        let unaware = await gateVm.checkPass(text)
        XCTAssertEqual(unaware?.result, .valid, "the gate has not synced")
        await SyncViewModel(session: sun).syncNow()
        await gateVm.refresh()
        XCTAssertEqual(gateVm.state.lateRevocations, 1)
        let refused = await gateVm.checkPass(text)
        XCTAssertEqual(refused?.result, .revoked)

        // The gate lead issues one from the gate screen, naming the holder by address; the
        // safety officer's screen may not, and says why.
        let zhao = try await enrolled("gate-zhao", "pass-zhao")
        await SyncViewModel(session: zhao).syncNow()
        let leadVm = GateDutyViewModel(session: zhao, gateId: Self.gate)
        await leadVm.refresh()
        XCTAssertTrue(leadVm.state.canBuildRoster)
        XCTAssertEqual(leadVm.state.buildings.map(\.id), [Self.building])
        var form = PassRequestForm(buildingId: Self.building, unit: "4单元", room: "401", name: "周桂芬",
                                   kind: .night, days: 1)
        let unknown = await leadVm.issuePass(form)
        XCTAssertNil(unknown)
        XCTAssertEqual(leadVm.notice?.text, UiText(Keys.relayCode("not_found")))
        form.name = "周桂兰"
        let issued = await leadVm.issuePass(form)
        let signed = try XCTUnwrap(issued)
        XCTAssertEqual(leadVm.notice?.text, UiText(Keys.donePassIssued, ["周桂兰"]))
        XCTAssertEqual(leadVm.state.issuedPass, signed)
        let notLead = await gateVm.issuePass(form)
        XCTAssertNil(notLead)
        XCTAssertEqual(gateVm.notice?.text, UiText(Keys.relayCode("forbidden")))
        await SyncViewModel(session: wang).syncNow()
        let passes = await DoorToDoorViewModel(session: wang).passes(h)
        XCTAssertTrue(passes.contains { $0.id == signed.id && $0.text == signed.text })
    }

    func testARevokedPhoneIsToldSoAndWipesItsData() async throws {
        let creds = MemoryCredentials()
        let session = try await enrolled("lead-li", "revoked", creds)
        try relay.admin("revoke", "--device", session.credentials.deviceId)
        let sync = SyncViewModel(session: session)
        let none = await sync.syncNow()
        XCTAssertNil(none)
        XCTAssertTrue(sync.state.revoked)
        XCTAssertEqual(sync.notice, Notice(text: UiText(Keys.errorRevoked), isError: true))
        let again = await sync.syncNow()
        XCTAssertNil(again, "no more syncing once revoked")
        try sync.wipe(credentials: creds)
        XCTAssertFalse(FileManager.default.fileExists(atPath: session.storePath))
        XCTAssertNil(creds.load())
        XCTAssertNil(try session.keys.load(), "the key is forgotten with the store")
    }

    func testSigningOutOfflineSaysWhatWouldBeLostAndErasesOnlyWhenAskedAgain() async throws {
        let creds = MemoryCredentials()
        var online: Session? = try await enrolled("lead-wang", "sign-out", creds)
        let (dir, credentials, keys, path) = (online!.dataDir, online!.credentials, online!.keys, online!.storePath)
        online = nil
        // The same phone, its relay out of reach.
        let offline = Credentials(relayUrl: "http://127.0.0.1:1", token: credentials.token, memberId: credentials.memberId,
                                  deviceId: credentials.deviceId, actorId: credentials.actorId)
        let away = try Session(dataDir: dir, credentials: offline, keys: keys)
        _ = try away.store.registerHousehold(input: HouseholdInput(
            buildingId: Self.building, unit: "3单元", room: "303", phone: "", residents: [], tags: [], watch: nil))
        let sync = SyncViewModel(session: away)
        let first = await sync.signOut(credentials: creds)
        XCTAssertFalse(first)
        XCTAssertGreaterThanOrEqual(sync.state.signOutWouldLose ?? 0, 1, "the household waits to be sent")
        XCTAssertEqual(sync.notice?.text.key, Keys.signOutWouldLose)
        XCTAssertTrue(FileManager.default.fileExists(atPath: path), "nothing erased")
        // The work may be handed over as a file first.
        XCTAssertTrue(sync.state.exportOffered)
        let handed = await sync.exportUnsent()
        XCTAssertEqual(handed?.fileName, "linli-unsent-\(credentials.deviceId).json")
        XCTAssertEqual(sync.notice?.text.key, Keys.signOutWouldLose, "the notice stays")
        let forced = await sync.signOut(credentials: creds, force: true)
        XCTAssertTrue(forced)
        XCTAssertFalse(FileManager.default.fileExists(atPath: path))
        XCTAssertNil(creds.load())
        XCTAssertNil(try keys.load())
    }

    func testANeedClaimedTwiceOfflineHasOneHolderIsServedConfirmedAndCounted() async throws {
        let wang = try await enrolled("lead-wang", "needs-wang")
        let office = try await enrolled("office-admin", "needs-office")
        let wu = try await enrolled("vol-wu", "needs-wu")
        let zhou = try await enrolled("pm-zhou", "needs-zhou")
        let qian = try await enrolled("unit-qian", "needs-qian")
        let h = try wang.store.registerHousehold(input: HouseholdInput(
            buildingId: Self.building, unit: "7单元", room: "701", phone: "",
            residents: [ResidentInput(name: "蒋阿婆", birthYear: 1940, phone: "")], tags: [.elderly], watch: nil))

        // The building lead records two needs of the household, one urgent.
        let lead = NeedsViewModel(session: wang)
        await lead.refresh()
        XCTAssertEqual([lead.state.mayRecord, lead.state.mayClaim], [true, false])
        var ok = await lead.recordNeed(householdId: h, category: .shopping, urgency: .normal, description: "每周代买米和油")
        XCTAssertTrue(ok)
        XCTAssertEqual(lead.notice?.text, UiText(Keys.doneNeedRecorded))
        ok = await lead.recordNeed(householdId: h, category: .escort, urgency: .urgent, description: "周四陪同去医院复查")
        XCTAssertTrue(ok)
        XCTAssertEqual(lead.state.open.map(\.description), ["周四陪同去医院复查", "每周代买米和油"], "urgent first")
        let row = try XCTUnwrap(lead.state.open.first)
        XCTAssertEqual([row.category, row.urgency, row.status],
                       [UiText("need_category_escort"), UiText("urgency_urgent"), UiText("need_status_open")])
        XCTAssertEqual(row.address, "3号楼 7单元 701")
        XCTAssertNil(row.holder)
        let (urgent, shopping) = (lead.state.open[0].id, lead.state.open[1].id)
        await sync(wang, wu, zhou)

        // Two who serve claim the urgent need, each before the other's claim reaches them.
        let wuVm = NeedsViewModel(session: wu)
        let zhouVm = NeedsViewModel(session: zhou)
        await wuVm.refresh()
        await zhouVm.refresh()
        XCTAssertEqual([wuVm.state.mayClaim, wuVm.state.mayRecord], [true, false])
        XCTAssertEqual(wuVm.state.open.map(\.id), [urgent, shopping])
        await wuVm.open(urgent)
        var detail = try XCTUnwrap(wuVm.state.detail)
        XCTAssertEqual([detail.recordedBy, detail.address, detail.description], ["王建国", "3号楼 7单元 701", "周四陪同去医院复查"])
        XCTAssertEqual(detail.actions, [.claim])
        ok = await wuVm.claim()
        XCTAssertTrue(ok)
        XCTAssertEqual(wuVm.notice?.text, UiText(Keys.doneNeedClaimed))
        XCTAssertEqual(wuVm.state.detail?.holder, "吴小梅")
        XCTAssertEqual(wuVm.state.detail?.actions, [.recordService])
        XCTAssertEqual(wuVm.state.mine.map(\.id), [urgent])
        await zhouVm.open(urgent)
        ok = await zhouVm.claim()
        XCTAssertTrue(ok)
        ok = await zhouVm.claim()
        XCTAssertFalse(ok, "held already on this phone")
        XCTAssertEqual(zhouVm.notice?.text, UiText(Keys.errorCode("need_claimed")))
        await sync(wu, zhou, wu, office, wang)

        // Every phone shows the same holder; the office sees the conflict, named by the need.
        await wuVm.refresh()
        await zhouVm.refresh()
        let holder = try XCTUnwrap(wuVm.state.detail?.holder)
        XCTAssertEqual(zhouVm.state.detail?.holder, holder)
        XCTAssertTrue(["吴小梅", "周红"].contains(holder), holder)
        let (server, serverVm, otherVm) = holder == "吴小梅" ? (wu, wuVm, zhouVm) : (zhou, zhouVm, wuVm)
        XCTAssertEqual(serverVm.state.mine.map(\.id), [urgent])
        XCTAssertEqual(otherVm.state.mine, [])
        XCTAssertEqual(otherVm.state.detail?.actions, [])
        XCTAssertEqual(serverVm.state.open.map(\.id), [shopping])
        let desk = SyncViewModel(session: office)
        await desk.refresh()
        let claims = desk.state.conflicts.filter { $0.docId == urgent }
        XCTAssertEqual(claims.map(\.recordName), ["需求：3号楼 7单元 701 陪医"])
        XCTAssertEqual(Set(claims.flatMap(\.choices).map(\.memberName)), ["吴小梅", "周红"])
        // The office keeps the holder every phone shows.
        let conflict = try XCTUnwrap(claims.first)
        await desk.resolve(conflict, index: try XCTUnwrap(conflict.choices.firstIndex { $0.memberName == holder }))
        XCTAssertEqual(desk.notice?.text, UiText(Keys.doneConflictResolved))
        XCTAssertEqual(desk.state.conflicts.filter { $0.docId == urgent }, [])
        await sync(office, wu, zhou)
        await serverVm.refresh()
        XCTAssertEqual(serverVm.state.detail?.holder, holder)

        // The holder records the time spent, as typed.
        ok = await serverVm.recordService(minutes: "0", note: "陪同")
        XCTAssertFalse(ok)
        XCTAssertEqual(serverVm.notice?.text, UiText(Keys.errorCode("out_of_range"), [Keys.field("minutes")]))
        ok = await serverVm.recordService(minutes: "一个半小时", note: "陪同")
        XCTAssertFalse(ok)
        XCTAssertEqual(serverVm.notice?.text, UiText(Keys.errorCode("malformed"), [Keys.field("minutes")]))
        ok = await serverVm.recordService(minutes: " 90 ", note: "陪同复查，取药")
        XCTAssertTrue(ok)
        XCTAssertEqual(serverVm.notice?.text, UiText(Keys.doneServiceRecorded, ["90"]))
        detail = try XCTUnwrap(serverVm.state.detail)
        XCTAssertEqual(detail.status, UiText("need_status_served"))
        XCTAssertEqual(detail.services.map { [$0.by, $0.note] }, [[holder, "陪同复查，取药"]])
        XCTAssertEqual(detail.services.map(\.time), [UiText(Keys.duration, ["1", "30"])])
        ok = await otherVm.recordService(minutes: "60", note: "陪同")
        XCTAssertFalse(ok, "only the holder records a service")
        XCTAssertEqual(otherVm.notice?.text, UiText(Keys.errorCode("not_for_you")))
        await sync(server, wang)

        // The lead confirms it; this month's hours show it confirmed.
        await lead.refresh()
        XCTAssertEqual(lead.state.toConfirm.map(\.id), [urgent])
        XCTAssertEqual(lead.state.toConfirm.first?.served, UiText(Keys.duration, ["1", "30"]))
        XCTAssertEqual(serverVm.state.toConfirm, [], "who serves does not confirm")
        await lead.open(urgent)
        XCTAssertEqual(lead.state.detail?.actions, [.confirm])
        ok = await lead.confirm()
        XCTAssertTrue(ok)
        XCTAssertEqual(lead.notice?.text, UiText(Keys.doneNeedConfirmed))
        XCTAssertEqual(lead.state.detail?.status, UiText("need_status_confirmed"))
        XCTAssertEqual(lead.state.detail?.confirmedBy, "王建国")
        XCTAssertEqual(lead.state.detail?.actions, [])
        XCTAssertEqual(lead.state.toConfirm, [])
        await sync(wang, server)
        await serverVm.refresh()
        XCTAssertEqual(serverVm.state.mine, [], "a confirmed need leaves the holder's list")
        let hours = try XCTUnwrap(serverVm.state.hours.first { !$0.isUnit && $0.name == holder })
        XCTAssertEqual([hours.services, hours.minutes, hours.confirmedMinutes], [1, 90, 90])
        XCTAssertEqual([hours.time, hours.confirmedTime], [UiText(Keys.duration, ["1", "30"]), UiText(Keys.duration, ["1", "30"])])

        // A co-building unit's member claims and serves the other need, for the unit.
        await sync(qian)
        let unitVm = NeedsViewModel(session: qian)
        await unitVm.refresh()
        XCTAssertEqual(unitVm.state.open.map(\.id), [shopping])
        await unitVm.open(shopping)
        ok = await unitVm.claim()
        XCTAssertTrue(ok)
        XCTAssertEqual([unitVm.state.detail?.holder, unitVm.state.detail?.holderUnit], ["钱师傅", "梅园物业"])
        ok = await unitVm.recordService(minutes: "45", note: "送米和油上门")
        XCTAssertTrue(ok)
        XCTAssertEqual(unitVm.state.mine.map(\.holderUnit), ["梅园物业"])
        XCTAssertEqual(unitVm.state.open, [])
        let unitRow = try XCTUnwrap(unitVm.state.hours.first { $0.isUnit })
        XCTAssertEqual(unitRow.name, "梅园物业")
        XCTAssertEqual([unitRow.services, unitRow.minutes, unitRow.confirmedMinutes], [1, 45, 0])
        XCTAssertEqual(unitRow.time, UiText(Keys.duration, ["0", "45"]))
    }

    func testTheMonthsEvaluationCountsTheFirstVoteOfAMemberWhoVotedFromTwoPhones() async throws {
        let office = try await enrolled("office-admin", "eval-office")
        let wu = try await enrolled("vol-wu", "eval-wu")
        let wuAgain = try await enrolled("vol-wu", "eval-wu-2")
        let li = try await enrolled("lead-li", "eval-li")
        let wang = try await enrolled("lead-wang", "eval-wang")

        let desk = EvaluationViewModel(session: office)
        await desk.refresh()
        XCTAssertNil(desk.state.roundId)
        XCTAssertEqual(desk.state.month, String(try office.store.today().prefix(7)))
        XCTAssertEqual([desk.state.mayOpen, desk.state.open, desk.state.mayCast], [true, false, false])
        let early = EvaluationViewModel(session: wu)
        await early.refresh()
        XCTAssertEqual([early.state.mayOpen, early.state.mayCast], [false, false])
        var ok = await early.vote("lead-wang")
        XCTAssertFalse(ok, "no round open")
        XCTAssertEqual(early.notice?.text, UiText(Keys.errorCode("round_closed")))
        ok = await desk.openRound()
        XCTAssertTrue(ok)
        XCTAssertEqual(desk.notice?.text, UiText(Keys.doneRoundOpened))
        XCTAssertEqual([desk.state.open, desk.state.closed, desk.state.mayOpen, desk.state.mayClose], [true, false, false, true])
        await sync(office, wu, wuAgain, li, wang)

        let wuVm = EvaluationViewModel(session: wu)
        let wuAgainVm = EvaluationViewModel(session: wuAgain)
        let liVm = EvaluationViewModel(session: li)
        let wangVm = EvaluationViewModel(session: wang)
        for vm in [wuVm, wuAgainVm, liVm, wangVm] { await vm.refresh() }
        XCTAssertEqual(wuVm.state.month, desk.state.month)
        XCTAssertTrue(wuVm.state.mayCast)
        XCTAssertFalse(wuVm.state.mayClose)
        XCTAssertEqual(wuVm.state.subjects.map { [$0.name, $0.label.key] },
                       [["胡书记", "subject_kind_area_lead"], ["梅园物业", "subject_kind_unit"]])
        XCTAssertEqual(Set(wuVm.state.candidates.map(\.name)), ["王建国", "李秀英"])
        let hu = try XCTUnwrap(wuVm.state.subjects.first { $0.kind == .areaLead })
        XCTAssertNil(hu.myScore)

        // Two raters rate the area lead.
        ok = await wuVm.rate(kind: .areaLead, subjectId: hu.id, score: 6, comment: "")
        XCTAssertFalse(ok)
        XCTAssertEqual(wuVm.notice?.text, UiText(Keys.errorCode("out_of_range"), [Keys.field("score")]))
        ok = await wuVm.rate(kind: .areaLead, subjectId: hu.id, score: 5, comment: "走访很勤")
        XCTAssertTrue(ok)
        XCTAssertEqual(wuVm.notice?.text, UiText(Keys.doneRated))
        XCTAssertEqual(wuVm.state.subjects.first { $0.id == hu.id }?.myScore, 5)
        ok = await wuVm.rate(kind: .areaLead, subjectId: hu.id, score: 1, comment: "")
        XCTAssertFalse(ok)
        XCTAssertEqual(wuVm.notice?.text, UiText(Keys.errorCode("already_rated")))
        ok = await liVm.rate(kind: .areaLead, subjectId: hu.id, score: 4, comment: "")
        XCTAssertTrue(ok)

        // Both vote; the same member votes again from a second phone that has not seen the first.
        ok = await wuVm.vote("lead-wang")
        XCTAssertTrue(ok)
        XCTAssertEqual(wuVm.notice?.text, UiText(Keys.doneVoted))
        XCTAssertEqual(wuVm.state.myVote, "王建国")
        ok = await wuVm.vote("lead-li")
        XCTAssertFalse(ok)
        XCTAssertEqual(wuVm.notice?.text, UiText(Keys.errorCode("already_voted")))
        ok = await wuAgainVm.vote("lead-li")
        XCTAssertTrue(ok)
        XCTAssertEqual(wuAgainVm.state.myVote, "李秀英")
        ok = await liVm.vote("lead-wang")
        XCTAssertTrue(ok)
        await sync(wu, wuAgain, li, wu, wuAgain, office, wang)

        let expected = EvaluationResultState(
            subjects: [SubjectScore(label: UiText("subject_kind_area_lead"), name: "胡书记", ratings: 2, mean: "4.50")],
            candidates: [CandidateVotes(name: "王建国", votes: 2)],
            winner: "王建国", doubleVoters: 1, doubleVotersText: UiText(Keys.evaluationDoubleVoters, ["1"]))
        for vm in [wuVm, wuAgainVm, liVm, wangVm, desk] {
            await vm.refresh()
            XCTAssertEqual(vm.state.result, expected)
        }
        XCTAssertEqual([wuVm.state.myVote, wuAgainVm.state.myVote], ["王建国", "王建国"], "the first vote is the member's")
        XCTAssertEqual(wuAgainVm.state.candidates.filter(\.mine).map(\.name), ["王建国"])
        XCTAssertNil(wangVm.state.myVote)

        // The office closes it; a late vote is refused.
        ok = await desk.closeRound()
        XCTAssertTrue(ok)
        XCTAssertEqual(desk.notice?.text, UiText(Keys.doneRoundClosed))
        XCTAssertEqual([desk.state.open, desk.state.closed, desk.state.mayClose], [false, true, false])
        XCTAssertEqual(desk.state.result, expected)
        await sync(office, wang)
        await wangVm.refresh()
        XCTAssertEqual([wangVm.state.closed, wangVm.state.mayCast], [true, false])
        ok = await wangVm.vote("lead-li")
        XCTAssertFalse(ok)
        XCTAssertEqual(wangVm.notice?.text, UiText(Keys.errorCode("round_closed")))
        XCTAssertEqual(wangVm.state.result, expected)
    }

    func testAJointActionPlannedByTheOfficeIsWorkedByEachDepartmentOnItsPhone() async throws {
        let office = try await enrolled("office-admin", "joint-office")
        let liu = try await enrolled("cg-liu", "joint-liu")
        let ma = try await enrolled("pcs-ma", "joint-ma")
        let he = try await enrolled("scjg-he", "joint-he")
        let reported = await TicketsViewModel(session: office).report(TicketInput(
            category: .cityAppearance, placeKind: .freeText, placeRef: "", placeText: "梅园新村南门外",
            description: "夜市占道，无证经营", photos: [], channel: .walkIn))
        let t = try XCTUnwrap(reported)

        let plan = JointActionsViewModel(session: office)
        await plan.refresh()
        XCTAssertTrue(plan.state.mayPlan)
        XCTAssertEqual(Set(plan.state.departments.map(\.name)), ["城管中队", "梅园派出所", "市场监管所"])
        // Days and times are typed in the community's time.
        let offset = try office.store.community().utcOffsetMinutes
        XCTAssertEqual(plan.state.utcOffsetMinutes, offset)
        let f = DateFormatter()
        f.locale = Locale(identifier: "en_US_POSIX")
        f.timeZone = TimeZone(secondsFromGMT: Int(offset) * 60)
        f.dateFormat = "yyyy-MM-dd HH:mm"
        func step(_ unit: String, _ at: Date, _ what: String) -> (PlanStepForm, Date) {
            let typed = f.string(from: at).split(separator: " ").map(String.init)
            return (PlanStepForm(departmentId: unit, date: typed[0], time: typed[1], what: what), f.date(from: f.string(from: at))!)
        }
        let now = Date()
        let (police, policeStart) = step(Self.policeUnit, now - 3600, "现场维持秩序")
        let (city, cityStart) = step(Self.cityUnit, now + 3600, "劝离占道摊位")
        let (market, marketStart) = step(Self.marketUnit, now + 2 * 3600, "查验经营证照")
        var bad = city
        bad.date = "2026-02-30"
        var ok = await plan.plan(ticketIds: [t], title: "南门夜市联合整治", steps: [bad])
        XCTAssertFalse(ok)
        XCTAssertEqual(plan.notice?.text, UiText(Keys.errorCode("not_a_date"), [Keys.field("date")]))
        bad = city
        bad.time = "24:00"
        ok = await plan.plan(ticketIds: [t], title: "南门夜市联合整治", steps: [bad])
        XCTAssertFalse(ok)
        XCTAssertEqual(plan.notice?.text, UiText(Keys.errorCode("not_a_time"), [Keys.field("start")]))
        ok = await plan.plan(ticketIds: [t], title: "南门夜市联合整治", steps: [city, police, market])
        XCTAssertTrue(ok)
        XCTAssertEqual(plan.notice?.text, UiText(Keys.doneJointPlanned))
        let row = try XCTUnwrap(plan.state.actions.first)
        XCTAssertEqual(row.title, "南门夜市联合整治")
        XCTAssertEqual(row.progress, UiText(Keys.jointProgress, ["3", "0", "1"]))
        let j = row.id
        await plan.open(j)
        var detail = try XCTUnwrap(plan.state.detail)
        XCTAssertEqual(detail.plannedBy, "陈主任")
        XCTAssertEqual(detail.tickets, ["夜市占道，无证经营"])
        XCTAssertEqual(detail.steps.map(\.department), ["梅园派出所", "城管中队", "市场监管所"], "in time order")
        XCTAssertEqual(detail.steps.map(\.start), [policeStart, cityStart, marketStart])
        XCTAssertEqual(detail.steps.map(\.what), ["现场维持秩序", "劝离占道摊位", "查验经营证照"])
        XCTAssertEqual(detail.steps.map(\.late), [true, false, false])
        XCTAssertEqual(detail.steps.map(\.mayMark), [true, true, true], "the office may mark any")
        await sync(office, liu, ma, he)

        // 城管's phone reaches it from home, with the late step, and marks only its own step.
        let home = HomeViewModel(session: liu)
        await home.refresh()
        XCTAssertEqual(home.state.tiles, [.department, .jointActions, .sync])
        let cityVm = JointActionsViewModel(session: liu)
        await cityVm.refresh()
        XCTAssertFalse(cityVm.state.mayPlan)
        XCTAssertEqual(cityVm.state.actions.map(\.id), [j])
        XCTAssertEqual(cityVm.state.actions.map(\.late), [1])
        await cityVm.open(j)
        let steps = try XCTUnwrap(cityVm.state.detail).steps
        XCTAssertEqual(steps.map(\.mayMark), [false, true, false])
        ok = await cityVm.markDone(steps[0].id, note: "")
        XCTAssertFalse(ok)
        XCTAssertEqual(cityVm.notice?.text, UiText(Keys.errorCode("not_for_you")))
        ok = await cityVm.markDone(steps[1].id, note: "摊位已劝离")
        XCTAssertTrue(ok)
        XCTAssertEqual(cityVm.notice?.text, UiText(Keys.doneStepDone))
        XCTAssertEqual(cityVm.state.detail?.steps[1].doneBy, "刘城管")
        XCTAssertEqual(cityVm.state.detail?.steps.map(\.mayMark), [false, false, false])
        ok = await cityVm.markDone(steps[1].id, note: "")
        XCTAssertFalse(ok)
        XCTAssertEqual(cityVm.notice?.text, UiText(Keys.errorCode("step_done")))
        let marketVm = JointActionsViewModel(session: he)
        await marketVm.refresh()
        XCTAssertEqual(marketVm.state.actions.map(\.id), [j], "every department taking part holds it")
        await sync(liu, office)

        // The office sees the step done by name, and the one still late.
        await plan.refresh()
        detail = try XCTUnwrap(plan.state.detail)
        XCTAssertEqual(detail.steps.map(\.doneBy), [nil, "刘城管", nil])
        XCTAssertNotNil(detail.steps[1].doneAt)
        XCTAssertEqual(detail.steps.map(\.late), [true, false, false])
        XCTAssertEqual(plan.state.actions.first { $0.id == j }?.progress, UiText(Keys.jointProgress, ["3", "1", "1"]))
    }

    func testAVolunteerReportsWithAChannelAndAPhotoThatTheOfficeSeesOnceSent() async throws {
        let wu = try await enrolled("vol-wu", "report-wu")
        let office = try await enrolled("office-admin", "report-office")
        // A volunteer works at no building or gate; every category and channel offered.
        let form = TicketsViewModel(session: wu)
        await form.refresh()
        XCTAssertEqual(form.state.places, [])
        XCTAssertEqual(form.state.categories.map(\.value), Keys.categories)
        XCTAssertEqual(form.state.channels.map(\.label.key), ["channel_visit", "channel_gate", "channel_photo_report",
                                                              "channel_hotline_12345", "channel_chat_group", "channel_walk_in"])
        form.startReport()
        form.editReport {
            $0.category = .publicSecurity
            $0.placeText = "东门外公交站"
            $0.description = "夜里有人在站台聚集喧哗"
            $0.channel = .hotline12345
        }
        let bytes = Data("东门外公交站的照片".utf8)
        let added = await form.addPhoto(bytes)
        XCTAssertTrue(added)
        let sha = try XCTUnwrap(form.state.report?.photos.first?.sha256)
        XCTAssertEqual(form.state.report?.photos, [ReportPhoto(sha256: sha, bytes: bytes)])
        // A photo taken by mistake comes off the form.
        let mistaken = await form.addPhoto(Data("拍错了".utf8))
        XCTAssertTrue(mistaken)
        XCTAssertEqual(form.state.report?.photos.count, 2)
        form.removePhoto(try XCTUnwrap(form.state.report?.photos.last?.sha256))
        XCTAssertEqual(form.state.report?.photos, [ReportPhoto(sha256: sha, bytes: bytes)])
        // The camera refused for a second one: said, and the form keeps what it holds.
        form.cameraRefused()
        XCTAssertEqual(form.notice, Notice(text: UiText(Keys.ticketPhotoCameraRefused), isError: true))
        XCTAssertEqual(form.state.report?.description, "夜里有人在站台聚集喧哗")
        XCTAssertEqual(form.state.report?.photos.count, 1)
        let reported = await form.submitReport()
        let t = try XCTUnwrap(reported, "\(String(describing: form.notice))")
        XCTAssertEqual(form.notice, Notice(text: UiText(Keys.doneTicketReported), isError: false))
        XCTAssertNil(form.state.report, "the form closes")
        let ticket = try wu.store.ticket(id: t)
        XCTAssertEqual(ticket.place.kind, .freeText)
        XCTAssertEqual([ticket.place.reference, ticket.place.text], ["", "东门外公交站"])
        XCTAssertEqual(ticket.channel, .hotline12345)
        await form.open(t)
        XCTAssertEqual(form.state.detail?.photos, [TicketPhoto(sha256: sha, bytes: bytes, pending: nil)], "taken here")

        // The volunteer's sync sends the ticket and is stopped before the photo goes.
        let volunteerSync = SyncViewModel(session: wu)
        volunteerSync.onChange = { [weak volunteerSync] in
            if let vm = volunteerSync, vm.state.phases.contains(.push) { vm.cancelSync() }
        }
        let cut = await volunteerSync.syncNow()
        volunteerSync.onChange = nil
        XCTAssertNil(cut)
        XCTAssertEqual(volunteerSync.notice?.text, UiText(Keys.errorCancelled))

        // The office's phone: the ticket by its channel, its photo waiting; accepted, it names
        // the 负责人.
        await sync(office)
        let desk = TicketsViewModel(session: office)
        await desk.open(t)
        var detail = try XCTUnwrap(desk.state.detail)
        XCTAssertEqual(detail.channel, UiText("channel_hotline_12345"))
        XCTAssertEqual(detail.category, UiText("category_public_security"))
        XCTAssertEqual(detail.place, "东门外公交站")
        XCTAssertEqual(detail.photos, [TicketPhoto(sha256: sha, bytes: nil, pending: UiText(Keys.ticketPhotoPending))])
        XCTAssertNil(detail.responsible)
        let ok = await desk.perform(.accept)
        XCTAssertTrue(ok)
        XCTAssertEqual(desk.state.detail?.responsible, "陈主任")

        // Once the volunteer's next sync uploads it, the office's shows its bytes.
        await sync(wu, office)
        await desk.refresh()
        detail = try XCTUnwrap(desk.state.detail)
        XCTAssertEqual(detail.photos, [TicketPhoto(sha256: sha, bytes: bytes, pending: nil)])
        XCTAssertEqual(detail.responsible, "陈主任")
    }

    func testAChangeTheRelayRefusedShowsOnTheSyncScreenWithItsRecordAndWhy() async throws {
        // A reminder for the safety officer of 西门 (two gates of their own: no other test's lists
        // name them).
        let west = try relay.admin("add-place", "--kind", "gate", "--name", "西门", "--parent", Self.compound)
        let south = try relay.admin("add-place", "--kind", "gate", "--name", "南门", "--parent", Self.compound)
        try relay.admin("add-member", "--id", "guard-qin", "--name", "秦晓燕", "--role", "safety_officer:\(west)")
        let qin = try await enrolled("guard-qin", "aside-qin")
        let tomorrow = Self.day(try qin.store.today(), plus: 1)
        let id = try relay.admin("add-reminder", "--what", "消防栓检查", "--due", tomorrow, "--place", west,
                                 "--role", "safety_officer")
        let desk = SyncViewModel(session: qin)
        await desk.syncNow()
        XCTAssertEqual(desk.state.setAside, [])
        // The office moves her to 南门 before her phone hears of it; offline, she marks the
        // reminder done.
        try relay.admin("grant-role", "--member", "guard-qin", "--role", "safety_officer:\(south)")
        let reminders = RemindersViewModel(session: qin)
        await reminders.refresh()
        XCTAssertEqual(reminders.state.items.map(\.id), [id])
        await reminders.complete(id)
        XCTAssertEqual(reminders.notice?.text, UiText(Keys.doneReminderCompleted))

        // The relay refuses it: kept aside on the phone, said in words; the rest syncs.
        let synced = await desk.syncNow()
        XCTAssertNotNil(synced)
        XCTAssertEqual(desk.state.setAside.count, 1)
        let row = try XCTUnwrap(desk.state.setAside.first)
        XCTAssertEqual(row.docId, try qin.store.community().directoryDoc)
        XCTAssertEqual(row.recordName, "社区名录")
        XCTAssertEqual(row.action, UiText(Keys.historyAction("reminder.complete")))
        XCTAssertEqual(row.member, "秦晓燕")
        XCTAssertEqual(row.why, UiText(Keys.relayCode("role_forbidden")))
        XCTAssertLessThanOrEqual(row.at, Date())
        XCTAssertEqual(desk.state.utcOffsetMinutes, try qin.store.community().utcOffsetMinutes)
        await reminders.refresh()
        XCTAssertEqual(reminders.state.items, [], "the reminder is another gate's now")
        // The phone's own codes have their sentences; one without (from a later relay) reads by
        // the general one.
        XCTAssertEqual(setAsideReason("depends_on_set_aside"), UiText(Keys.relayCode("depends_on_set_aside")))
        XCTAssertEqual(setAsideReason("some_later_code"), UiText(Keys.syncSetAsideOther, ["some_later_code"]))
    }

    func testTheOfficeAddsAMonthlyReminderOnThePhoneAndABadDateIsRefused() async throws {
        let office = try await enrolled("office-admin", "remind-office")
        let home = HomeViewModel(session: office)
        await home.refresh()
        XCTAssertTrue(home.state.tiles.contains(.reminders), "\(home.state.tiles)")
        let desk = RemindersViewModel(session: office)
        await desk.refresh()
        XCTAssertTrue(desk.state.mayAdd)
        XCTAssertTrue(desk.state.places.contains(PlaceItem(id: Self.building, name: "3号楼")))
        XCTAssertFalse(desk.state.places.contains { [Self.cityUnit, Self.serviceUnit].contains($0.id) }, "no department or unit")
        XCTAssertTrue(desk.state.members.contains(MemberItem(id: "lead-li", name: "李秀英")))
        XCTAssertEqual(desk.state.repeats.map(\.label.key), ["repeat_once", "repeat_monthly", "repeat_yearly"])
        XCTAssertEqual(desk.state.ownerRoles.map(\.value), RemindersViewModel.ownerRoles)

        let today = try office.store.today()
        let due = Self.day(today, plus: 10)
        var form = ReminderForm(what: "3号楼消防通道检查", placeId: Self.building, firstDue: "2026-02-30", leadDays: "7",
                                repeats: .monthly)
        var added = await desk.add(form)
        XCTAssertNil(added)
        XCTAssertEqual(desk.notice?.text, UiText(Keys.errorCode("not_a_date"), [Keys.field("first_due")]))
        form.firstDue = due
        form.leadDays = "七天"
        added = await desk.add(form)
        XCTAssertNil(added)
        XCTAssertEqual(desk.notice?.text, UiText(Keys.errorCode("malformed"), [Keys.field("lead_days")]))
        form.leadDays = " 7 "
        added = await desk.add(form)
        let id = try XCTUnwrap(added, "\(String(describing: desk.notice))")
        XCTAssertEqual(desk.notice, Notice(text: UiText(Keys.doneReminderAdded), isError: false))
        let item = try XCTUnwrap(desk.state.items.first { $0.id == id })
        XCTAssertEqual([item.what, item.place, item.owner], ["3号楼消防通道检查", "3号楼", "社区办公室"])
        XCTAssertEqual(item.due, UiText(Keys.reminderDue, [due, "10"]))
        XCTAssertEqual(item.repeats, UiText("repeat_monthly"))
        XCTAssertEqual([item.overdue, item.canComplete], [false, true])
        // Done this month, it is due again next month.
        await desk.complete(id)
        XCTAssertEqual(desk.state.items.first { $0.id == id }?.due.args.first, Self.month(after: due))

        // Others do not add reminders.
        let wu = RemindersViewModel(session: try await enrolled("vol-wu", "remind-wu"))
        await wu.refresh()
        XCTAssertFalse(wu.state.mayAdd)
        XCTAssertEqual(wu.state.places, [])
    }

    /// The same day of the month after `day` (`YYYY-MM-DD`), or the month's last.
    static func month(after day: String) -> String {
        let f = DateFormatter()
        f.locale = Locale(identifier: "en_US_POSIX")
        f.timeZone = TimeZone(secondsFromGMT: 0)
        f.dateFormat = "yyyy-MM-dd"
        var utc = Calendar(identifier: .gregorian)
        utc.timeZone = TimeZone(secondsFromGMT: 0)!
        return f.string(from: utc.date(byAdding: .month, value: 1, to: f.date(from: day)!)!)
    }

    func testALeadMarksResidentsMovesAndTheOfficeSeesThem() async throws {
        let wang = try await enrolled("lead-wang", "moves-wang")
        let office = try await enrolled("office-admin", "moves-office")
        let h = try wang.store.registerHousehold(input: HouseholdInput(
            buildingId: Self.building, unit: "9单元", room: "901", phone: "",
            residents: [ResidentInput(name: "沈国华", birthYear: 1958, phone: ""), ResidentInput(name: "沈小军", birthYear: 1990, phone: "")],
            tags: [], watch: nil))
        let lead = HouseholdViewModel(session: wang, householdId: h)
        await lead.refresh()
        XCTAssertEqual(lead.state.residents.map(\.moves), [[], []])
        let father = try XCTUnwrap(lead.state.residents.first { $0.name == "沈国华" }).id
        let son = try XCTUnwrap(lead.state.residents.first { $0.name == "沈小军" }).id
        let today = try wang.store.today()
        let lastYear = Self.day(today, plus: -365)

        // The son moved out today; the father came back from 武汉 last year.
        var ok = await lead.setMoves(residentId: son, movedOut: today)
        XCTAssertTrue(ok)
        XCTAssertEqual(lead.notice?.text, UiText(Keys.doneHouseholdSaved))
        ok = await lead.setMoves(residentId: father, movedIn: lastYear, arrivedFrom: " 湖北武汉 ")
        XCTAssertTrue(ok)
        // Refused in words: a day not come yet, a day that is not one.
        ok = await lead.setMoves(residentId: son, movedOut: Self.day(today, plus: 1))
        XCTAssertFalse(ok)
        XCTAssertEqual(lead.notice?.text, UiText(Keys.errorCode("in_the_future"), [Keys.field("moved_out")]))
        ok = await lead.setMoves(residentId: son, movedIn: "去年")
        XCTAssertFalse(ok)
        XCTAssertEqual(lead.notice?.text, UiText(Keys.errorCode("not_a_date"), [Keys.field("moved_in")]))
        let moves = [father: [UiText(Keys.residentMovedIn, [lastYear]), UiText(Keys.residentArrivedFrom, ["湖北武汉", lastYear])],
                     son: [UiText(Keys.residentMovedOut, [today])]]
        XCTAssertEqual(Dictionary(uniqueKeysWithValues: lead.state.residents.map { ($0.id, $0.moves) }), moves)

        await sync(wang, office)
        let desk = HouseholdViewModel(session: office, householdId: h)
        await desk.refresh()
        XCTAssertEqual(Dictionary(uniqueKeysWithValues: desk.state.residents.map { ($0.id, $0.moves) }), moves)
        XCTAssertEqual(desk.state.residents.filter(\.gone).map(\.name), ["沈小军"])
        XCTAssertEqual(desk.state.residents.first { $0.id == father }?.movedIn, lastYear)
    }

    func testARevokedPhoneOffersItsUnsentWorkAsAFileNamedForItsDevice() async throws {
        let wang = try await enrolled("lead-wang", "unsent-wang")
        let door = DoorToDoorViewModel(session: wang)
        await door.refresh()
        let registered = await door.registerHousehold(HouseholdForm(unit: "9单元", room: "902"))
        let h = try XCTUnwrap(registered)
        try relay.admin("revoke", "--device", wang.credentials.deviceId)
        let sync = SyncViewModel(session: wang)
        await sync.refresh()
        XCTAssertFalse(sync.state.exportOffered, "offered once the phone cannot sync")
        let none = await sync.syncNow()
        XCTAssertNil(none)
        XCTAssertEqual([sync.state.revoked, sync.state.exportOffered], [true, true])

        let exported = await sync.exportUnsent()
        let file = try XCTUnwrap(exported)
        XCTAssertEqual(file.fileName, "linli-unsent-\(wang.credentials.deviceId).json")
        XCTAssertEqual(sync.notice, Notice(text: UiText(Keys.errorRevoked), isError: true), "the notice stays")
        let json = try XCTUnwrap(try JSONSerialization.jsonObject(with: Data(file.json.utf8)) as? [String: Any])
        XCTAssertEqual(json["device_id"] as? String, wang.credentials.deviceId)
        XCTAssertEqual(json["member_id"] as? String, "lead-wang")
        XCTAssertFalse((json["seal"] as? String ?? "").isEmpty, "sealed with the device's token")
        let changes = try XCTUnwrap(json["changes"] as? [[String: Any]])
        XCTAssertEqual(Set(changes.compactMap { $0["doc_id"] as? String }), [h])
        XCTAssertEqual(Set(changes.compactMap { $0["state"] as? String }), ["unsent"])
        XCTAssertTrue(changes.contains { $0["action"] as? String == "household.register" }, "\(changes.map { $0["action"] ?? "" })")
        let records = try XCTUnwrap(json["records"] as? [[String: Any]])
        XCTAssertEqual(records.compactMap { $0["doc_id"] as? String }, [h])
    }
}
