// The iOS string tables: zh-Hans (the development region) and English hold the same keys with
// the same placeholders, and every key the view models and the SwiftUI screens use is in them.
// (The Android tables are checked against these by the Kotlin suite.)
import Foundation
import XCTest
import LinliCore
@testable import LinliViewModels

final class StringTablesTests: XCTestCase {
    /// The app folder (ios/LinliApp), put in place by the test stage.
    let app = URL(fileURLWithPath: ProcessInfo.processInfo.environment["LINLI_APP_DIR"] ?? "/build/app")

    func table(_ lang: String) throws -> [String: String] {
        let text = try String(contentsOf: app.appendingPathComponent("Resources/\(lang).lproj/Localizable.strings"), encoding: .utf8)
        let line = try NSRegularExpression(pattern: #"^"([a-z0-9_]+)" = "(.*)";$"#, options: .anchorsMatchLines)
        var out: [String: String] = [:]
        for m in line.matches(in: text, range: NSRange(text.startIndex..., in: text)) {
            out[String(text[Range(m.range(at: 1), in: text)!])] = String(text[Range(m.range(at: 2), in: text)!])
        }
        return out
    }

    func placeholders(_ s: String) -> Set<String> {
        let re = try! NSRegularExpression(pattern: #"%(\d)\$@"#)
        return Set(re.matches(in: s, range: NSRange(s.startIndex..., in: s)).map { String(s[Range($0.range(at: 1), in: s)!]) })
    }

    func testBothLanguagesHoldTheSameKeysAndPlaceholders() throws {
        let zh = try table("zh-Hans")
        let en = try table("en")
        XCTAssertGreaterThan(zh.count, 200)
        XCTAssertEqual(Set(zh.keys).symmetricDifference(en.keys), [])
        for (key, value) in zh {
            XCTAssertFalse(en[key]!.isEmpty, key)
            XCTAssertEqual(placeholders(value), placeholders(en[key]!), "placeholders of \(key)")
        }
        XCTAssertEqual(zh["app_name"], "邻里")
        XCTAssertEqual(en["app_name"], "Linli")
    }

    /// Every refusal the core can give has its sentence, and every field it can name has its
    /// label, in both languages: the lists come from the core itself.
    func testEveryErrorCodeAndFieldHasWords() throws {
        let codes = errorCodes()
        let fields = inputFieldKeys()
        XCTAssertGreaterThan(codes.count, 40)
        XCTAssertGreaterThan(fields.count, 80)
        for lang in ["zh-Hans", "en"] {
            let t = try table(lang)
            XCTAssertEqual(codes.map(Keys.errorCode).filter { t[$0] == nil }, [], "error sentences missing in \(lang)")
            XCTAssertEqual(fields.map(Keys.field).filter { t[$0] == nil }, [], "field labels missing in \(lang)")
        }
        let zh = try table("zh-Hans")
        for code in codes {
            XCTAssertTrue(zh[Keys.errorCode(code)]?.hasSuffix("。") ?? false, "a whole sentence: \(code)")
        }
    }

    func testChineseIsTheDevelopmentRegion() throws {
        let plist = try String(contentsOf: app.appendingPathComponent("Info.plist"), encoding: .utf8)
        XCTAssertTrue(plist.contains("<key>CFBundleDevelopmentRegion</key>\n\t<string>zh-Hans</string>"), plist)
    }

    func testEveryKeyTheViewModelsAndScreensUseIsInTheTables() throws {
        let zh = try table("zh-Hans")
        let coded = [Keys.of(Role.office), Keys.of(DutyRole.gateLead), Keys.of(Attendance.noShow), Keys.of(Tag.livingAlone),
                     Keys.of(VisitOutcome.nobodyHome), Keys.of(LinliCore.Category.fireSafety), Keys.of(Level.county),
                     Keys.of(TicketStatus.reopened), Keys.of(Department.fireBrigade), Keys.of(Channel.hotline12345),
                     Keys.of(PassType.visitorCode), Keys.of(SwapStatus.approved), Keys.of(PassKind.night),
                     Keys.of(PassResult.outsideHours), Keys.of(PassResult.notYetValid),
                     Keys.of(Symptom.soreThroat), Keys.of(ErrandKind.rubbish), Keys.of(Role.departmentStaff),
                     Keys.of(TicketStatus.infoRequested), Keys.of(TicketStatus.returned)]
        XCTAssertEqual((Keys.fixed + Keys.uncoded + coded).filter { zh[$0] == nil }, [], "view-model keys missing")
        let screens = try FileManager.default.subpathsOfDirectory(atPath: app.path).filter { $0.hasSuffix(".swift") }
        XCTAssertFalse(screens.isEmpty, "the app's screens were found")
        let re = try NSRegularExpression(pattern: #"tr\("([a-z0-9_]+)""#)
        var used: [String] = []
        for file in screens {
            let s = try String(contentsOf: app.appendingPathComponent(file), encoding: .utf8)
            used += re.matches(in: s, range: NSRange(s.startIndex..., in: s)).map { String(s[Range($0.range(at: 1), in: s)!]) }
        }
        XCTAssertGreaterThan(used.count, 40)
        XCTAssertEqual(Set(used.filter { zh[$0] == nil }), [], "screen keys missing")
    }

    /// The needs list's, the evaluations' and the joint actions' keys and enum labels are in both
    /// languages, as the sentences the screens expect.
    func testTheNeedsEvaluationAndJointActionKeysHaveWordsInBothLanguages() throws {
        let keys = Keys.flows + Keys.flowLabels + [HomeTile.needs, .evaluation, .jointActions].map(\.rawValue)
        XCTAssertEqual(keys.count, 13 + 15 + 3)
        for lang in ["zh-Hans", "en"] {
            let t = try table(lang)
            XCTAssertEqual(keys.filter { t[$0] == nil }, [], "missing in \(lang)")
        }
        let zh = try table("zh-Hans")
        XCTAssertEqual(Keys.needCategories.map { zh[Keys.of($0)] ?? "" }, ["代购", "助餐", "陪医", "维修", "心理疏导", "其他"])
        XCTAssertEqual(Keys.urgencies.map { zh[Keys.of($0)] ?? "" }, ["一般", "较急", "紧急"])
        XCTAssertEqual(Keys.subjectKinds.map { zh[Keys.of($0)] ?? "" }, ["片区长", "共建单位"])
        XCTAssertEqual(zh[Keys.duration], "%1$@ 小时 %2$@ 分")
        XCTAssertEqual(zh[Keys.evaluationDoubleVoters], "%1$@ 人在两部手机上重复投票，只计第一票。")
        XCTAssertEqual(zh[Keys.jointProgress], "%1$@ 步 · 已完成 %2$@ · 逾期 %3$@")
        for key in Keys.flows where key.hasPrefix("done_") {
            XCTAssertTrue(zh[key]?.hasSuffix("。") ?? false, "a whole sentence: \(key)")
        }
    }

    /// Every action a record's history can show has its label, and every code the relay answers
    /// with has its sentence, in both languages: the lists come from the core itself.
    func testEveryHistoryActionAndRelayCodeHasWordsInBothLanguages() throws {
        let actions = actionCodes()
        let codes = relayCodes()
        XCTAssertGreaterThan(actions.count, 60)
        XCTAssertGreaterThan(codes.count, 70)
        for lang in ["zh-Hans", "en"] {
            let t = try table(lang)
            XCTAssertEqual(actions.map(Keys.historyAction).filter { t[$0] == nil }, [], "history actions missing in \(lang)")
            XCTAssertEqual(codes.map(Keys.relayCode).filter { t[$0] == nil }, [], "relay sentences missing in \(lang)")
        }
        let zh = try table("zh-Hans")
        let en = try table("en")
        for code in codes {
            XCTAssertTrue(zh[Keys.relayCode(code)]?.hasSuffix("。") ?? false, "a whole sentence: \(code)")
            XCTAssertTrue(en[Keys.relayCode(code)]?.hasSuffix(".") ?? false, "a whole sentence: \(code)")
        }
        XCTAssertEqual(zh[Keys.historyAction("household.phone")], "修改电话")
        XCTAssertEqual(en[Keys.historyAction("household.phone")], "Changed the phone number")
        XCTAssertEqual(zh[Keys.historyAction("ticket.escalated")], "上报")
        XCTAssertEqual(en[Keys.historyAction("ticket.escalated")], "Escalated")
        XCTAssertEqual(zh[Keys.historyAction("genesis")], "建立记录")
        XCTAssertEqual(en[Keys.historyAction("genesis")], "Created the record")
        XCTAssertEqual(Keys.historyAction("roster.swap.accept"), "history_action_roster_swap_accept")
        XCTAssertEqual(zh[Keys.relayCode("photo_quota")], "服务器的照片空间已满，请联系社区办公室。")
        XCTAssertEqual(en[Keys.relayCode("photo_quota")], "The relay has no room for more photos; tell the community office.")
        XCTAssertEqual(zh[Keys.relayCode("role_forbidden")], "你的角色不能做这项修改，它已被退回。")
        XCTAssertEqual(en[Keys.relayCode("role_forbidden")], "Your role does not allow this change; it was set aside.")
        XCTAssertEqual(zh[Keys.historyActionOther], "其他修改（%1$@）")
    }

    /// The gate shift's keys and labels (pass types, severities, every kind of gate entry) and
    /// the history screen's are in both languages, as people say them.
    func testTheGateShiftAndHistoryKeysHaveWordsInBothLanguages() throws {
        let keys = Keys.gateShift + Keys.history
        XCTAssertEqual(keys.count, 5 + 5 + 3 + 18 + 4)
        for lang in ["zh-Hans", "en"] {
            let t = try table(lang)
            XCTAssertEqual(keys.filter { t[$0] == nil }, [], "missing in \(lang)")
        }
        let zh = try table("zh-Hans")
        let en = try table("en")
        XCTAssertEqual(Keys.severities.map { zh[Keys.of($0)] ?? "" }, ["一般", "较重", "严重"])
        XCTAssertEqual(Keys.passTypes.map { zh[Keys.of($0)] ?? "" }, ["临时通行", "访客码", "长期通行证", "快递外卖", "施工人员"])
        XCTAssertEqual(Keys.gateKinds.map { zh[Keys.gateKind($0)] ?? "" }.filter { $0.hasPrefix("通行证核验：") }.count, 7)
        XCTAssertEqual(zh[Keys.gateKind("handover")], "交接班")
        XCTAssertEqual(zh[Keys.gateKind("incident")], "突发事件")
        XCTAssertEqual(zh[Keys.fieldOfficers], "安全员人数")
        for key in keys where key.hasPrefix("done_") {
            XCTAssertTrue(zh[key]?.hasSuffix("。") ?? false, "a whole sentence: \(key)")
            XCTAssertTrue(en[key]?.hasSuffix(".") ?? false, "a whole sentence: \(key)")
        }
    }

    /// The keys of a ticket reported from anywhere with its photos, the refused edits and the
    /// unsent work on the sync screen, the reminders the office adds on the phone and a
    /// resident's moves are in both languages, as the sentences the screens expect.
    func testTheReportSetAsideReminderAndMovesKeysHaveWordsInBothLanguages() throws {
        let keys = Keys.offlineWork
        XCTAssertEqual(keys.count, 10 + 6 + 3)
        for lang in ["zh-Hans", "en"] {
            let t = try table(lang)
            XCTAssertEqual(keys.filter { t[$0] == nil }, [], "missing in \(lang)")
        }
        let zh = try table("zh-Hans")
        let en = try table("en")
        XCTAssertEqual(Keys.channels.map { zh[Keys.of($0)] ?? "" }, ["走访", "门岗", "随手拍", "12345热线", "微信群", "来访"])
        XCTAssertEqual(Keys.repeats.map { zh[Keys.of($0)] ?? "" }, ["一次", "每月", "每年"])
        XCTAssertEqual(zh[Keys.ticketPhotoPending], "照片待同步")
        XCTAssertEqual(zh["ticket_responsible"], "首问负责人：%1$@")
        XCTAssertEqual(zh[Keys.syncSetAsideTitle], "未被接受的修改")
        XCTAssertEqual(zh[Keys.syncExportUnsent], "导出未送出的记录")
        XCTAssertEqual([zh[Keys.residentMovedIn], zh[Keys.residentMovedOut]], ["%1$@ 迁入", "%1$@ 迁出"])
        XCTAssertEqual(zh[Keys.residentArrivedFrom], "从%1$@返回（%2$@）")
        for key in [Keys.ticketPhotoCameraRefused, Keys.syncSetAsideHint, Keys.syncSetAsideOther, Keys.doneReminderAdded] {
            XCTAssertTrue(zh[key]?.hasSuffix("。") ?? false, "a whole sentence: \(key)")
            XCTAssertTrue(en[key]?.hasSuffix(".") ?? false, "a whole sentence: \(key)")
        }
    }
}
