//! A household: its address, residents, tags and watch plan, and its append-only list of visits.
//! The rules for when a watch check falls due live here; a follow-up asked for at a visit stays
//! open until a later visit meets the residents (a watch check), as the projection keeps it.

use std::collections::BTreeMap;

use autosurgeon::{Hydrate, Reconcile};
use chrono::Duration;

use super::{coded_enum, sparse};
use crate::doc::{DocKind, Record};

coded_enum! {
    /// A household tag.
    Tag {
        /// 独居.
        LivingAlone = "living_alone" / "独居",
        /// 高龄/老人.
        Elderly = "elderly" / "老人",
        /// 居家观察.
        HomeWatch = "home_watch" / "居家观察",
        /// 残障.
        Disability = "disability" / "残障",
        /// 低保.
        LowIncome = "low_income" / "低保",
        /// 慢性病.
        ChronicIllness = "chronic_illness" / "慢性病",
        /// 孕产妇.
        Pregnant = "pregnant" / "孕产妇",
        /// 租户.
        Tenant = "tenant" / "租户",
    }
}

coded_enum! {
    /// How a visit went.
    VisitOutcome {
        /// 已见面.
        Met = "met" / "已见面",
        /// 无人在家.
        NobodyHome = "nobody_home" / "无人在家",
        /// 拒绝.
        Refused = "refused" / "拒绝",
    }
}

coded_enum! {
    /// How often a resident under watch must be checked.
    WatchFrequency {
        /// N checks a day.
        TimesPerDay = "times_per_day" / "每日",
        /// Once every N days.
        EveryDays = "every_days" / "每隔",
    }
}

coded_enum! {
    /// How a resident lives here.
    ResidentStatus {
        /// 户籍: registered here.
        Registered = "registered" / "户籍",
        /// 租户: renting.
        Tenant = "tenant" / "租户",
        /// 流动: staying for a while.
        Floating = "floating" / "流动",
    }
}

/// A resident of the household. The fields after `phone` came later: a resident recorded
/// before them reads as registered, with no dates.
#[derive(Debug, Clone, Default, PartialEq, Hydrate, Reconcile)]
pub struct Resident {
    /// Name.
    pub name: String,
    /// Year of birth, if known.
    pub birth_year: Option<i64>,
    /// Own phone, if any.
    pub phone: String,
    /// 户籍 / 租户 / 流动.
    #[autosurgeon(missing = "Default::default")]
    pub status: ResidentStatus,
    /// When they moved in (local `YYYY-MM-DD`).
    #[autosurgeon(missing = "Default::default")]
    pub moved_in: Option<String>,
    /// When they moved out.
    #[autosurgeon(missing = "Default::default")]
    pub moved_out: Option<String>,
    /// Where a returnee arrived from (返乡、返沪), empty when not one.
    #[autosurgeon(missing = "Default::default")]
    pub arrived_from: String,
    /// When they arrived.
    #[autosurgeon(missing = "Default::default")]
    pub arrived_on: Option<String>,
}

/// A watch plan: how often someone must check on the household.
#[derive(Debug, Clone, Copy, Default, PartialEq, Hydrate, Reconcile)]
pub struct WatchPlan {
    /// Per day or every N days.
    pub frequency: WatchFrequency,
    /// The N.
    pub n: i64,
    /// When the plan started (ms since the epoch).
    pub since_ms: i64,
}

impl WatchPlan {
    /// The time allowed between two checks.
    pub fn interval(&self) -> Duration {
        match self.frequency {
            WatchFrequency::TimesPerDay => Duration::minutes(24 * 60 / self.n.max(1)),
            WatchFrequency::EveryDays => Duration::days(self.n.max(1)),
        }
    }

    /// How long after falling due a check counts as overdue: a quarter of the interval.
    pub fn grace(&self) -> Duration {
        self.interval() / 4
    }

    /// When the next check falls due, given the last check (or the plan's start).
    pub fn next_due_ms(&self, last_check_ms: Option<i64>) -> i64 {
        match last_check_ms {
            Some(last) if last >= self.since_ms => last + self.interval().num_milliseconds(),
            _ => self.since_ms,
        }
    }

    /// How many checks this plan expects in a local day.
    pub fn checks_expected_per_day(&self) -> f64 {
        match self.frequency {
            WatchFrequency::TimesPerDay => self.n.max(1) as f64,
            WatchFrequency::EveryDays => 1.0 / self.n.max(1) as f64,
        }
    }
}

/// A health check made during a visit.
#[derive(Debug, Clone, Default, PartialEq, Hydrate, Reconcile)]
pub struct HealthCheck {
    /// Body temperature in °C, if taken.
    #[autosurgeon(reconcile = "sparse::some", missing = "Default::default")]
    pub temperature_c: Option<f64>,
    /// Systolic blood pressure (mmHg), if taken.
    #[autosurgeon(reconcile = "sparse::some", missing = "Default::default")]
    pub systolic: Option<i64>,
    /// Diastolic blood pressure (mmHg), if taken.
    #[autosurgeon(reconcile = "sparse::some", missing = "Default::default")]
    pub diastolic: Option<i64>,
    /// Notes.
    #[autosurgeon(reconcile = "sparse::text", missing = "Default::default")]
    pub note: String,
    /// Whether the lead is concerned (fever, high pressure, or judged so).
    pub concern: bool,
}

/// One visit to the household: append-only.
#[derive(Debug, Clone, Default, PartialEq, Hydrate, Reconcile)]
pub struct Visit {
    /// Visit id (ULID).
    pub id: String,
    /// When (device time, ms since the epoch).
    pub at_ms: i64,
    /// The visiting lead's member id.
    pub lead: String,
    /// The device it was logged on.
    pub device: String,
    /// How it went.
    pub outcome: VisitOutcome,
    /// Residents' needs.
    #[autosurgeon(reconcile = "sparse::text", missing = "Default::default")]
    pub needs: String,
    /// Residents' opinions (民意).
    #[autosurgeon(reconcile = "sparse::text", missing = "Default::default")]
    pub opinions: String,
    /// Health check, if made.
    #[autosurgeon(reconcile = "sparse::some", missing = "Default::default")]
    pub health: Option<HealthCheck>,
    /// Follow-up due date (local `YYYY-MM-DD`), if one is needed.
    #[autosurgeon(reconcile = "sparse::some", missing = "Default::default")]
    pub follow_up_due: Option<String>,
    /// What to follow up.
    #[autosurgeon(reconcile = "sparse::text", missing = "Default::default")]
    pub follow_up_note: String,
}

impl Visit {
    /// Whether this visit counts as a watch check: the resident was met.
    pub fn is_check(&self) -> bool {
        self.outcome == VisitOutcome::Met
    }
}

/// The household document.
#[derive(Debug, Clone, Default, PartialEq, Hydrate, Reconcile)]
pub struct HouseholdDoc {
    /// The building it is in.
    pub building_id: String,
    /// Unit (单元).
    pub unit: String,
    /// Room (室).
    pub room: String,
    /// Household phone.
    pub phone: String,
    /// Residents by id.
    pub residents: BTreeMap<String, Resident>,
    /// Tags by code (true when set).
    pub tags: BTreeMap<String, bool>,
    /// The watch plan, if the household is under watch.
    pub watch: Option<WatchPlan>,
    /// Visits, in the order they were merged.
    pub visits: Vec<Visit>,
    /// When the household was registered (ms since the epoch).
    pub created_ms: i64,
    /// The passes issued to its residents, by id; absent in households made before passes.
    #[autosurgeon(missing = "Default::default")]
    pub passes: BTreeMap<String, IssuedPass>,
    /// Home isolations of its residents, by id.
    #[autosurgeon(missing = "Default::default")]
    pub isolations: BTreeMap<String, super::isolation::Isolation>,
    /// The checks of isolated residents: append-only.
    #[autosurgeon(missing = "Default::default")]
    pub isolation_checks: Vec<super::isolation::IsolationCheck>,
    /// Errands for the household, by id.
    #[autosurgeon(missing = "Default::default")]
    pub errands: BTreeMap<String, super::isolation::Errand>,
}

/// A pass issued to a resident of the household, as its lead's phone shows it: the text of its
/// QR code (signed by the relay) and what it says.
#[derive(Debug, Clone, Default, PartialEq, Hydrate, Reconcile)]
pub struct IssuedPass {
    /// What it is for.
    pub kind: super::pass::PassKind,
    /// The holder's name.
    pub holder: String,
    /// Valid from (ms since the epoch).
    pub valid_from_ms: i64,
    /// Valid until (ms, exclusive).
    pub valid_until_ms: i64,
    /// The gates it opens; empty: all.
    pub gates: Vec<String>,
    /// The QR code's text.
    pub text: String,
    /// Who issued it.
    pub issued_by: String,
    /// When.
    pub issued_at_ms: i64,
}

/// A household without its visits: what a write or a read of the household touches however many
/// visits it holds (autosurgeon reads only the fields named here).
#[derive(Debug, Clone, Default, PartialEq, Hydrate)]
pub struct HouseholdHead {
    /// The building it is in.
    pub building_id: String,
    /// Unit (单元).
    pub unit: String,
    /// Room (室).
    pub room: String,
    /// Household phone.
    pub phone: String,
    /// Residents by id.
    pub residents: BTreeMap<String, Resident>,
    /// Tags by code (true when set).
    pub tags: BTreeMap<String, bool>,
    /// The watch plan, if the household is under watch.
    pub watch: Option<WatchPlan>,
    /// When the household was registered (ms since the epoch).
    pub created_ms: i64,
    /// The passes issued to its residents, by id; absent in households made before passes.
    #[autosurgeon(missing = "Default::default")]
    pub passes: BTreeMap<String, IssuedPass>,
    /// Home isolations of its residents, by id.
    #[autosurgeon(missing = "Default::default")]
    pub isolations: BTreeMap<String, super::isolation::Isolation>,
    /// The checks of isolated residents: append-only.
    #[autosurgeon(missing = "Default::default")]
    pub isolation_checks: Vec<super::isolation::IsolationCheck>,
    /// Errands for the household, by id.
    #[autosurgeon(missing = "Default::default")]
    pub errands: BTreeMap<String, super::isolation::Errand>,
}

impl HouseholdHead {
    /// The household with `visits`.
    pub fn with_visits(self, visits: Vec<Visit>) -> HouseholdDoc {
        HouseholdDoc {
            building_id: self.building_id,
            unit: self.unit,
            room: self.room,
            phone: self.phone,
            residents: self.residents,
            tags: self.tags,
            watch: self.watch,
            visits,
            created_ms: self.created_ms,
            passes: self.passes,
            isolations: self.isolations,
            isolation_checks: self.isolation_checks,
            errands: self.errands,
        }
    }

    /// Tags that are set, in code order.
    pub fn active_tags(&self) -> Vec<String> {
        self.tags
            .iter()
            .filter(|(_, on)| **on)
            .map(|(t, _)| t.clone())
            .collect()
    }
}

impl Record for HouseholdDoc {
    const KIND: DocKind = DocKind::Household;
}

impl HouseholdDoc {
    /// A readable address: 3号楼 2单元 301室 (building name supplied by the caller).
    pub fn address(&self, building_name: &str) -> String {
        let mut parts = vec![building_name.to_owned()];
        if !self.unit.is_empty() {
            parts.push(format!("{}单元", self.unit));
        }
        parts.push(format!("{}室", self.room));
        parts.join(" ")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn three_checks_a_day_fall_due_every_eight_hours() {
        let plan = WatchPlan {
            frequency: WatchFrequency::TimesPerDay,
            n: 3,
            since_ms: 1_000,
        };
        assert_eq!(plan.next_due_ms(None), 1_000);
        assert_eq!(plan.next_due_ms(Some(10_000)), 10_000 + 8 * 3_600_000);
        assert_eq!(plan.grace(), Duration::hours(2));
        // A check before the plan started does not count.
        assert_eq!(plan.next_due_ms(Some(500)), 1_000);
    }

    #[test]
    fn weekly_plan_expects_a_seventh_of_a_check_a_day() {
        let plan = WatchPlan {
            frequency: WatchFrequency::EveryDays,
            n: 7,
            since_ms: 0,
        };
        assert_eq!(plan.interval(), Duration::days(7));
        assert!((plan.checks_expected_per_day() - 1.0 / 7.0).abs() < 1e-9);
    }
}

#[cfg(test)]
mod compat_tests {
    use automerge::transaction::Transactable;
    use automerge::{AutoCommit, ObjType, ROOT, ReadDoc};

    use super::*;

    #[test]
    fn a_resident_recorded_before_status_and_dates_reads_as_registered() {
        let mut doc = AutoCommit::new();
        autosurgeon::reconcile(&mut doc, HouseholdDoc::default()).unwrap();
        let residents = doc.get(ROOT, "residents").unwrap().unwrap().1;
        let r = doc.put_object(&residents, "r1", ObjType::Map).unwrap();
        doc.put(&r, "name", "张桂英").unwrap();
        doc.put(&r, "birth_year", ()).unwrap();
        doc.put(&r, "phone", "").unwrap();
        let head: HouseholdHead = crate::doc::one_pass::hydrate(&doc).unwrap();
        assert_eq!(head.residents["r1"].status, ResidentStatus::Registered);
        let whole: HouseholdDoc = autosurgeon::hydrate(&doc).unwrap();
        assert_eq!(whole.residents["r1"].moved_in, None);
    }

    /// A household with one visit appended as the phone appends it; the keys the visit and its
    /// health check were written with.
    fn appended(visit: &Visit) -> (AutoCommit, Vec<String>, Vec<String>) {
        let mut doc = AutoCommit::new();
        autosurgeon::reconcile(&mut doc, HouseholdDoc::default()).unwrap();
        let visits = doc.get(ROOT, "visits").unwrap().unwrap().1;
        autosurgeon::reconcile_insert(&mut doc, visits.clone(), 0, visit).unwrap();
        let item = doc.get(&visits, 0).unwrap().unwrap().1;
        let keys: Vec<String> = doc.keys(&item).collect();
        let health = match doc.get(&item, "health").unwrap() {
            Some((_, health)) => doc.keys(&health).collect(),
            None => Vec::new(),
        };
        (doc, keys, health)
    }

    fn short_visit() -> Visit {
        Visit {
            id: "v1".into(),
            at_ms: 1_700_000_000_000,
            lead: "lead-wang".into(),
            device: "dev-wang".into(),
            outcome: VisitOutcome::Met,
            health: Some(HealthCheck {
                temperature_c: Some(36.6),
                ..HealthCheck::default()
            }),
            ..Visit::default()
        }
    }

    #[test]
    fn a_visit_is_written_without_its_empty_fields_and_reads_back_whole() {
        let visit = short_visit();
        let (doc, keys, health) = appended(&visit);
        assert_eq!(
            keys,
            ["at_ms", "device", "health", "id", "lead", "outcome"],
            "no key for the empty needs, opinions and follow-up"
        );
        assert_eq!(health, ["concern", "temperature_c"]);
        let read: HouseholdDoc = crate::doc::one_pass::hydrate(&doc).unwrap();
        assert_eq!(read.visits, [visit]);
    }

    #[test]
    fn a_visit_with_every_field_is_written_whole() {
        let visit = Visit {
            needs: "买菜".into(),
            opinions: "楼道灯坏了".into(),
            follow_up_due: Some("2026-12-08".into()),
            follow_up_note: "再来量血压".into(),
            health: Some(HealthCheck {
                temperature_c: Some(37.9),
                systolic: Some(150),
                diastolic: Some(95),
                note: "头晕".into(),
                concern: true,
            }),
            ..short_visit()
        };
        let (doc, keys, health) = appended(&visit);
        assert_eq!(keys.len(), 10, "{keys:?}");
        assert_eq!(health.len(), 5, "{health:?}");
        let read: HouseholdDoc = crate::doc::one_pass::hydrate(&doc).unwrap();
        assert_eq!(read.visits, [visit]);
    }

    #[test]
    fn a_visit_written_with_its_empty_fields_reads_the_same() {
        // As visits were written before empty fields were left out.
        let mut doc = AutoCommit::new();
        autosurgeon::reconcile(&mut doc, HouseholdDoc::default()).unwrap();
        let visits = doc.get(ROOT, "visits").unwrap().unwrap().1;
        let v = doc.insert_object(&visits, 0, ObjType::Map).unwrap();
        doc.put(&v, "id", "v1").unwrap();
        doc.put(&v, "at_ms", 1_700_000_000_000_i64).unwrap();
        doc.put(&v, "lead", "lead-wang").unwrap();
        doc.put(&v, "device", "dev-wang").unwrap();
        doc.put(&v, "outcome", "met").unwrap();
        doc.put(&v, "needs", "").unwrap();
        doc.put(&v, "opinions", "").unwrap();
        let h = doc.put_object(&v, "health", ObjType::Map).unwrap();
        doc.put(&h, "temperature_c", 36.6).unwrap();
        doc.put(&h, "systolic", ()).unwrap();
        doc.put(&h, "diastolic", ()).unwrap();
        doc.put(&h, "note", "").unwrap();
        doc.put(&h, "concern", false).unwrap();
        doc.put(&v, "follow_up_due", ()).unwrap();
        doc.put(&v, "follow_up_note", "").unwrap();
        let read: HouseholdDoc = crate::doc::one_pass::hydrate(&doc).unwrap();
        assert_eq!(read.visits, [short_visit()]);
    }
}
