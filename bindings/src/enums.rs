//! The core's enums as the apps see them. Coded enums also give their stored code and their
//! Chinese label (`Category.NOISE.labelZh()` is "噪声").

use linli_core::records::{
    case, directory, gate_log, household, isolation, need, pass, reminder, roster, round, ticket,
};

use crate::mirror::mirror_enum;

mirror_enum!(coded
    /// A kind of place.
    PlaceKind = directory::PlaceKind { Area, Compound, Gate, Building, Lane, Department, Unit });
mirror_enum!(coded
/// A member's role.
Role = directory::Role {
    Office, AreaLead, BuildingLead, LaneLead, GateLead, ShiftLead, SafetyOfficer, Volunteer,
    DepartmentStaff, PartyMember, UnitMember, ResidentRep
});
mirror_enum!(coded
    /// A visitor's pass.
    PassType = gate_log::PassType { Temporary, VisitorCode, LongTerm, Delivery, Contractor });
mirror_enum!(coded
    /// What a pass is for: 居民通行证 / 夜间通行证 / 临时访客证.
    PassKind = pass::PassKind { Resident, Night, Visitor });
mirror_enum!(coded
/// What checking a pass at the gate found.
PassResult = pass::PassResult {
    Valid, Expired, NotYetValid, WrongGate, Revoked, Forged, OutsideHours
});
mirror_enum!(coded
/// A symptom asked about at a home isolation check.
Symptom = isolation::Symptom { Fever, Cough, Fatigue, SoreThroat, Diarrhoea, Other });
mirror_enum!(coded
    /// An errand for a household in isolation: 药品 / 食品 / 垃圾清运 / 其他.
    ErrandKind = isolation::ErrandKind { Medicine, Food, Rubbish, Other });
mirror_enum!(coded
    /// How serious a gate incident is.
    Severity = gate_log::Severity { Low, Medium, High });
mirror_enum!(coded
    /// How a duty slot was kept.
    Attendance = gate_log::Attendance { OnTime, Late, NoShow, Pending });
mirror_enum!(coded
    /// How a resident lives here: 户籍 / 租户 / 流动.
    ResidentStatus = household::ResidentStatus { Registered, Tenant, Floating });
mirror_enum!(coded
/// A household tag.
Tag = household::Tag {
    LivingAlone, Elderly, HomeWatch, Disability, LowIncome, ChronicIllness, Pregnant, Tenant
});
mirror_enum!(coded
    /// How a visit went.
    VisitOutcome = household::VisitOutcome { Met, NobodyHome, Refused });
mirror_enum!(coded
    /// How often a watched household is checked.
    WatchFrequency = household::WatchFrequency { TimesPerDay, EveryDays });
mirror_enum!(coded
    /// A duty role on a roster slot.
    DutyRole = roster::DutyRole { GateLead, ShiftLead, SafetyOfficer });
mirror_enum!(coded
    /// Where a swap request stands.
    SwapStatus = roster::SwapStatus { Requested, Accepted, Approved });
mirror_enum!(coded
/// A ticket's category.
Category = ticket::Category {
    PublicSecurity, CityAppearance, Noise, Property, Elevator, IllegalConstruction,
    StrayAnimals, Sanitation, FireSafety, Other
});
mirror_enum!(coded
    /// How a ticket came in.
    Channel = ticket::Channel { Visit, Gate, PhotoReport, Hotline12345, ChatGroup, WalkIn });
mirror_enum!(coded
    /// The office level handling a ticket.
    Level = ticket::Level { Community, Street, County });
mirror_enum!(coded
/// The department a ticket is assigned to.
Department = ticket::Department {
    Police, CityManagement, HousingOffice, MarketRegulation, PropertyCompany, Sanitation,
    FireBrigade, CommunityOffice, Other
});
mirror_enum!(coded
    /// What a ticket's place refers to.
    PlaceRefKind = ticket::PlaceRefKind { FreeText, Building, Household, Gate });
mirror_enum!(coded
/// A ticket's status.
TicketStatus = ticket::Status {
    Reported, Accepted, Assigned, Escalated, Replied, Resolved, Closed, Reopened, Merged,
    InfoRequested, Returned
});
mirror_enum!(
/// What an item of today's list is (see `LinliStore.agenda`).
AgendaKind = linli_core::api::agenda::AgendaKind {
    FollowUp, WatchCheck, Ticket, Shift, SwapToAccept, SwapToApprove, Reminder, IsolationCheck,
    WorkOrder
});
mirror_enum!(coded
    /// How a reminder repeats.
    Repeat = reminder::Repeat { Once, Monthly, Yearly });
mirror_enum!(
    /// Where a household's watch checks stand.
    CheckState = linli_core::api::households::CheckState { NotWatched, Upcoming, Due, Overdue });
mirror_enum!(
    /// What a sync is doing.
    SyncPhase = linli_core::sync::client::SyncPhase { Bootstrap, Push, Pull, PhotosUp, PhotosDown });
mirror_enum!(
/// A ticket action the member may take (see `LinliStore.ticketActions`).
TicketActionKind = linli_core::api::ticket_actions::TicketActionKind {
    Accept, Assign, Escalate, Reply, Resolve, Evaluate, Merge, AttachPhoto, Dispatch, NameLeader
});
mirror_enum!(coded
    /// What a resident needs: 代购 / 助餐 / 陪医 / 维修 / 心理疏导 / 其他.
    NeedCategory = need::NeedCategory { Shopping, Meals, Escort, Repair, Counselling, Other });
mirror_enum!(coded
    /// How soon a need should be served: 一般 / 较急 / 紧急.
    Urgency = need::Urgency { Normal, Soon, Urgent });
mirror_enum!(coded
    /// Where a need stands: 待认领 / 已认领 / 已服务 / 已确认.
    NeedStatus = need::NeedStatus { Open, Claimed, Served, Confirmed });
mirror_enum!(coded
    /// Who is rated in an evaluation round: 片区长 or 共建单位.
    SubjectKind = round::SubjectKind { AreaLead, Unit });
mirror_enum!(coded
    /// Where a department's work order stands.
    CaseStatus = case::CaseStatus { Waiting, Accepted, InfoRequested, Replied, Resolved, HandedBack });
mirror_enum!(
/// A step a member can take on a work order (see `LinliStore.orderActions`).
CaseActionKind = linli_core::api::cases::CaseActionKind {
    Accept, AskInfo, AnswerInfo, Reply, Resolve, HandBack
});
