// The string keys of the needs list (需求清单 · 认领), the monthly evaluations (评议) and the joint
// actions (联合行动): what each action says when done, the labels of their enums, and a time
// spent in hours and minutes. The same keys as the Android app's.
import Foundation
import LinliCore

public extension Keys {
    static let doneNeedRecorded = "done_need_recorded"
    static let doneNeedClaimed = "done_need_claimed"
    static let doneServiceRecorded = "done_service_recorded"
    static let doneNeedConfirmed = "done_need_confirmed"
    static let doneRoundOpened = "done_round_opened"
    static let doneRated = "done_rated"
    static let doneVoted = "done_voted"
    static let doneRoundClosed = "done_round_closed"
    static let doneJointPlanned = "done_joint_planned"
    static let doneStepDone = "done_step_done"
    /// `%1$@ 小时 %2$@ 分`.
    static let duration = "duration"
    /// `%1$@ 人在两部手机上重复投票，只计第一票。`
    static let evaluationDoubleVoters = "evaluation_double_voters"
    /// `%1$@ 步 · 已完成 %2$@ · 逾期 %3$@`.
    static let jointProgress = "joint_progress"

    /// The fixed keys of these three flows, for the string-table check.
    static let flows: [String] = [
        doneNeedRecorded, doneNeedClaimed, doneServiceRecorded, doneNeedConfirmed, doneRoundOpened, doneRated,
        doneVoted, doneRoundClosed, doneJointPlanned, doneStepDone, duration, evaluationDoubleVoters, jointProgress,
    ]

    static func of(_ v: NeedCategory) -> String { "need_category_" + v.code() }
    static func of(_ v: Urgency) -> String { "urgency_" + v.code() }
    static func of(_ v: NeedStatus) -> String { "need_status_" + v.code() }
    static func of(_ v: SubjectKind) -> String { "subject_kind_" + v.code() }

    /// Every kind of need, in the core's order.
    static let needCategories: [NeedCategory] = [.shopping, .meals, .escort, .repair, .counselling, .other]
    /// How soon, least urgent first.
    static let urgencies: [Urgency] = [.normal, .soon, .urgent]
    static let needStatuses: [NeedStatus] = [.open, .claimed, .served, .confirmed]
    static let subjectKinds: [SubjectKind] = [.areaLead, .unit]

    /// The labels of these enums, for the string-table check.
    static let flowLabels: [String] =
        needCategories.map(of) + urgencies.map(of) + needStatuses.map(of) + subjectKinds.map(of)
}

/// A time spent, in hours and minutes (90 → 1 小时 30 分).
func duration(minutes: Int64) -> UiText {
    UiText(Keys.duration, [String(minutes / 60), String(minutes % 60)])
}

/// Place names looked up once each; an unknown place stays by id.
func placeNames(_ store: LinliStore) -> (String) -> String {
    var names: [String: String] = [:]
    return { place in
        if let n = names[place] { return n }
        let n = (try? store.placeName(id: place)) ?? place
        names[place] = n
        return n
    }
}
