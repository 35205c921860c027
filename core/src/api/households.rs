//! Households and door-to-door visits: registering households (one by one or a whole list in one
//! transaction), tags and watch plans, logging visits with health checks and follow-ups, and the
//! lists a building lead works from.

use std::collections::BTreeMap;

use chrono::{DateTime, Duration, NaiveDate, Utc};
use rusqlite::params;

use super::Linli;
use automerge::ReadDoc;

use crate::doc::DocKind;
use crate::error::{Error, ErrorCode, Result};
use crate::ids::{ms_to_utc, new_id};
use crate::records::directory::{PlaceKind, Role};
use crate::records::household::{
    HealthCheck, HouseholdDoc, HouseholdHead, Resident, Tag, Visit, VisitOutcome, WatchFrequency,
    WatchPlan,
};
use crate::records::{Coded, validate};
use crate::scope::Scope;

/// A resident to register.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct ResidentInput {
    /// Name.
    pub name: String,
    /// Year of birth.
    pub birth_year: Option<i32>,
    /// Phone.
    pub phone: String,
}

/// A watch plan to set.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct WatchPlanInput {
    /// Per day or every N days.
    pub frequency: WatchFrequency,
    /// The N (1–12 checks a day, or every 1–90 days).
    pub n: u32,
}

/// A household to register.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct HouseholdInput {
    /// The building.
    pub building_id: String,
    /// Unit (may be empty).
    pub unit: String,
    /// Room.
    pub room: String,
    /// Household phone.
    pub phone: String,
    /// Residents.
    pub residents: Vec<ResidentInput>,
    /// Tags.
    pub tags: Vec<Tag>,
    /// Watch plan.
    pub watch: Option<WatchPlanInput>,
}

/// A health check to record.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct HealthInput {
    /// Temperature, °C (34.0–43.0).
    pub temperature_c: Option<f64>,
    /// Systolic pressure, mmHg (60–260).
    pub systolic: Option<u32>,
    /// Diastolic pressure, mmHg (30–160).
    pub diastolic: Option<u32>,
    /// Notes.
    pub note: String,
    /// The lead's own concern; fever and high pressure raise it anyway.
    pub concern: bool,
}

/// A visit to log.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct VisitInput {
    /// When it happened; `None` for now. Not in the future.
    pub at: Option<DateTime<Utc>>,
    /// How it went.
    pub outcome: VisitOutcome,
    /// Residents' needs.
    pub needs: String,
    /// Residents' opinions (民意).
    pub opinions: String,
    /// Health check.
    pub health: Option<HealthInput>,
    /// Follow-up due date (local).
    pub follow_up_due: Option<NaiveDate>,
    /// What to follow up.
    pub follow_up_note: String,
}

/// Where a household's watch checks stand.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum CheckState {
    /// Not under watch.
    NotWatched,
    /// The next check is not due yet.
    Upcoming,
    /// A check is due now.
    Due,
    /// A check is overdue.
    Overdue,
}

/// The most households a search lists.
pub const MAX_SEARCH_ROWS: u32 = 200;

/// A household in a building list.
#[derive(Debug, Clone, PartialEq)]
pub struct HouseholdRow {
    /// Id.
    pub id: String,
    /// Building id.
    pub building_id: String,
    /// Unit.
    pub unit: String,
    /// Room.
    pub room: String,
    /// Phone, masked as lists show it (138****0001, [`validate::masked_phone`]); the
    /// household's own record ([`Linli::household`]) holds it whole.
    pub phone: String,
    /// Resident names, joined with 、.
    pub residents: String,
    /// Tags.
    pub tags: Vec<Tag>,
    /// Visits logged.
    pub visit_count: u32,
    /// The last visit.
    pub last_visit_at: Option<DateTime<Utc>>,
    /// Its outcome.
    pub last_visit_outcome: Option<VisitOutcome>,
    /// Watch plan.
    pub watch: Option<WatchPlanInput>,
    /// Watch check state now.
    pub check: CheckState,
    /// When the next check is due.
    pub next_check_due: Option<DateTime<Utc>>,
}

/// An open follow-up.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FollowUpRow {
    /// The visit asking for it.
    pub visit_id: String,
    /// The household.
    pub household_id: String,
    /// The lead who asked.
    pub lead: String,
    /// Due date.
    pub due: NaiveDate,
    /// What to do.
    pub note: String,
}

fn check_state(due: Option<i64>, overdue: Option<i64>, now_ms: i64) -> CheckState {
    match (due, overdue) {
        (Some(_), Some(o)) if now_ms >= o => CheckState::Overdue,
        (Some(d), _) if now_ms >= d => CheckState::Due,
        (Some(_), _) => CheckState::Upcoming,
        _ => CheckState::NotWatched,
    }
}

fn field(prefix: &str, name: &str) -> String {
    if prefix.is_empty() {
        name.to_owned()
    } else {
        format!("{prefix}.{name}")
    }
}

fn watch_plan(input: WatchPlanInput, since_ms: i64, prefix: &str) -> Result<WatchPlan> {
    let max = match input.frequency {
        WatchFrequency::TimesPerDay => 12,
        WatchFrequency::EveryDays => 90,
    };
    if input.n == 0 || input.n > max {
        return Err(Error::invalid(
            field(prefix, "watch_count"),
            ErrorCode::OutOfRange,
            format!("must lie between 1 and {max}"),
        ));
    }
    Ok(WatchPlan {
        frequency: input.frequency,
        n: input.n.into(),
        since_ms,
    })
}

impl HealthInput {
    fn validate(&self) -> Result<HealthCheck> {
        let temperature_c = self
            .temperature_c
            .map(|t| validate::temperature("health.temperature_c", t))
            .transpose()?;
        if let Some(s) = self.systolic
            && !(60..=260).contains(&s)
        {
            return Err(Error::invalid(
                "health.systolic",
                ErrorCode::OutOfRange,
                "must lie between 60 and 260 mmHg",
            ));
        }
        if let Some(d) = self.diastolic
            && !(30..=160).contains(&d)
        {
            return Err(Error::invalid(
                "health.diastolic",
                ErrorCode::OutOfRange,
                "must lie between 30 and 160 mmHg",
            ));
        }
        let concern = self.concern
            || temperature_c.is_some_and(validate::is_fever)
            || self.systolic.is_some_and(|s| s >= 140)
            || self.diastolic.is_some_and(|d| d >= 90);
        Ok(HealthCheck {
            temperature_c,
            systolic: self.systolic.map(i64::from),
            diastolic: self.diastolic.map(i64::from),
            note: validate::text("health.note", &self.note)?,
            concern,
        })
    }
}

/// How many of its latest visits [`Linli::household`] gives with a household.
pub const RECENT_VISITS: usize = 20;
/// The most visits one page of [`Linli::household_visits`] holds.
pub const MAX_VISITS_PAGE: usize = 200;

impl Linli {
    fn household_doc(
        &self,
        input: &HouseholdInput,
        prefix: &str,
        now_ms: i64,
    ) -> Result<HouseholdDoc> {
        let building = validate::id(&field(prefix, "building_id"), &input.building_id)?;
        if self.place_kind(&building)? != Some(PlaceKind::Building) {
            return Err(Error::invalid(
                field(prefix, "building_id"),
                ErrorCode::NoSuchPlace,
                format!("no building with id {building}"),
            ));
        }
        let mut residents = BTreeMap::new();
        for (i, r) in input.residents.iter().enumerate() {
            let p = field(prefix, &format!("residents[{i}]"));
            if let Some(y) = r.birth_year
                && !(1900..=2100).contains(&y)
            {
                return Err(Error::invalid(
                    format!("{p}.birth_year"),
                    ErrorCode::OutOfRange,
                    "not a plausible year",
                ));
            }
            residents.insert(
                new_id(crate::ids::ms_to_utc(now_ms)),
                Resident {
                    name: validate::name(&format!("{p}.name"), &r.name)?,
                    birth_year: r.birth_year.map(i64::from),
                    phone: validate::phone(&format!("{p}.phone"), &r.phone)?,
                    ..Resident::default()
                },
            );
        }
        Ok(HouseholdDoc {
            building_id: building,
            unit: validate::text(&field(prefix, "unit"), &input.unit)?,
            room: validate::name(&field(prefix, "room"), &input.room)?,
            phone: validate::phone(&field(prefix, "phone"), &input.phone)?,
            residents,
            tags: input
                .tags
                .iter()
                .map(|t| (t.code().to_owned(), true))
                .collect(),
            watch: input
                .watch
                .map(|w| watch_plan(w, now_ms, prefix))
                .transpose()?,
            visits: Vec::new(),
            created_ms: now_ms,
            passes: Default::default(),
            isolations: Default::default(),
            isolation_checks: Vec::new(),
            errands: Default::default(),
        })
    }

    /// Registers a household. Office or the building's lead.
    pub fn register_household(&self, input: &HouseholdInput) -> Result<String> {
        Ok(self
            .import_households(std::slice::from_ref(input))?
            .remove(0))
    }

    /// Registers many households (a census list) in one transaction: all or none. Errors name
    /// the entry, e.g. `households[12].room`.
    pub fn import_households(&self, inputs: &[HouseholdInput]) -> Result<Vec<String>> {
        let now = self.now();
        let now_ms = now.timestamp_millis();
        let mut docs = Vec::with_capacity(inputs.len());
        let single = inputs.len() == 1;
        for (i, input) in inputs.iter().enumerate() {
            let prefix = if single {
                String::new()
            } else {
                format!("households[{i}]")
            };
            let doc = self.household_doc(input, &prefix, now_ms)?;
            docs.push(doc);
        }
        let mut buildings: Vec<&str> = docs.iter().map(|d| d.building_id.as_str()).collect();
        buildings.sort_unstable();
        buildings.dedup();
        for b in buildings {
            self.require_role("register a household", &[Role::BuildingLead], b)?;
        }
        self.write(|w| {
            let mut ids = Vec::with_capacity(docs.len());
            for doc in &docs {
                let id = new_id(now);
                w.create(&id, &Scope::Building(doc.building_id.clone()))?;
                w.edit(&id, "household.register", |e| e.put_all(doc))?;
                ids.push(id);
            }
            Ok(ids)
        })
    }

    pub(crate) fn edit_household(
        &self,
        household_id: &str,
        action: &str,
        f: impl FnOnce(&mut crate::doc::DocEditor<'_>) -> Result<()>,
    ) -> Result<()> {
        self.write(|w| {
            // That it is a household; its visits are not read.
            let _: HouseholdHead = w.read_as(household_id, DocKind::Household, "household")?;
            w.edit(household_id, action, f)?;
            Ok(())
        })
    }

    /// Changes the household phone.
    pub fn set_household_phone(&self, household_id: &str, phone: &str) -> Result<()> {
        let phone = validate::phone("phone", phone)?;
        self.edit_household(household_id, "household.phone", |e| {
            e.put(&["phone"], phone.as_str())
        })
    }

    /// Sets or clears a tag.
    pub fn set_household_tag(&self, household_id: &str, tag: Tag, on: bool) -> Result<()> {
        self.edit_household(household_id, "household.tag", |e| {
            e.put(&["tags", tag.code()], on)
        })
    }

    /// Sets or ends the watch plan; a new plan's first check is due at once.
    pub fn set_watch_plan(&self, household_id: &str, plan: Option<WatchPlanInput>) -> Result<()> {
        let now_ms = self.now().timestamp_millis();
        let plan = plan.map(|p| watch_plan(p, now_ms, "")).transpose()?;
        self.edit_household(household_id, "household.watch", |e| e.put(&["watch"], plan))
    }

    /// Adds a resident.
    pub fn add_resident(&self, household_id: &str, resident: &ResidentInput) -> Result<String> {
        let r = Resident {
            name: validate::name("name", &resident.name)?,
            birth_year: resident.birth_year.map(i64::from),
            phone: validate::phone("phone", &resident.phone)?,
            ..Resident::default()
        };
        let id = new_id(self.now());
        self.edit_household(household_id, "household.resident", |e| {
            e.put(&["residents", &id], &r)
        })?;
        Ok(id)
    }

    /// Logs a visit. Visits are append-only: two leads visiting offline both keep theirs.
    pub fn log_visit(&self, household_id: &str, input: &VisitInput) -> Result<String> {
        let now = self.now();
        let at = input.at.unwrap_or(now);
        if at > now + Duration::minutes(5) {
            return Err(Error::invalid(
                "at",
                ErrorCode::InTheFuture,
                "a visit cannot be in the future",
            ));
        }
        let health = input
            .health
            .as_ref()
            .map(HealthInput::validate)
            .transpose()?;
        let community = self.community()?;
        if let Some(due) = input.follow_up_due
            && due < community.local_date(at)
        {
            return Err(Error::invalid(
                "follow_up_due",
                ErrorCode::BeforeVisit,
                "the follow-up cannot be due before the visit",
            ));
        }
        if input.follow_up_due.is_none() && !input.follow_up_note.trim().is_empty() {
            return Err(Error::invalid(
                "follow_up_due",
                ErrorCode::Incomplete,
                "a follow-up note needs a due date",
            ));
        }
        let visit = Visit {
            id: new_id(now),
            at_ms: at.timestamp_millis(),
            lead: self.identity.member_id.clone(),
            device: self.identity.device_id.clone(),
            outcome: input.outcome,
            needs: validate::text("needs", &input.needs)?,
            opinions: validate::text("opinions", &input.opinions)?,
            health,
            follow_up_due: input.follow_up_due.map(|d| d.to_string()),
            follow_up_note: validate::text("follow_up_note", &input.follow_up_note)?,
        };
        self.edit_household(household_id, "visit.log", |e| e.append(&["visits"], &visit))?;
        Ok(visit.id)
    }

    /// One household for its detail view, with its latest [`RECENT_VISITS`] visits, oldest
    /// first (by time, ties by id); [`Linli::household_visits`] reads the older ones. Its cost
    /// does not grow with the number of visits.
    pub fn household(&self, household_id: &str) -> Result<HouseholdDoc> {
        let head: HouseholdHead =
            self.read_record_as(household_id, DocKind::Household, "household")?;
        let visits = self.household_visits(household_id, None, RECENT_VISITS)?;
        Ok(head.with_visits(visits))
    }

    /// Up to `limit` visits of a household made before `before` (a visit's time and id; none
    /// for the latest), oldest first: a page of its history, read from the visit rows and
    /// only those visits of the document.
    pub fn household_visits(
        &self,
        household_id: &str,
        before: Option<(i64, &str)>,
        limit: usize,
    ) -> Result<Vec<Visit>> {
        let (before_ms, before_id) = before.unwrap_or((i64::MAX, ""));
        let limit = i64::try_from(limit.min(MAX_VISITS_PAGE)).unwrap_or(0);
        let rows: Vec<(String, i64)> = self.store.read(|c| {
            let mut stmt = c.prepare_cached(
                "SELECT visit_id, position FROM p_visits WHERE doc_id = ?1 \
                 AND (at_ms, visit_id) < (?2, ?3) ORDER BY at_ms DESC, visit_id DESC LIMIT ?4",
            )?;
            let rows = stmt.query_map(params![household_id, before_ms, before_id, limit], |r| {
                Ok((r.get(0)?, r.get(1)?))
            })?;
            Ok(rows.collect::<rusqlite::Result<_>>()?)
        })?;
        let mut visits = self.store.with_doc(household_id, |d| {
            let list = match d.doc.get(automerge::ROOT, "visits") {
                Ok(Some((automerge::Value::Object(automerge::ObjType::List), list))) => list,
                _ => return Ok(Vec::new()),
            };
            let mut out = Vec::with_capacity(rows.len());
            for (id, position) in &rows {
                let position = usize::try_from(*position).unwrap_or(usize::MAX);
                let visit: Option<Visit> =
                    crate::doc::one_pass::hydrate_prop(&d.doc, &list, position).ok();
                match visit {
                    Some(v) if &v.id == id => out.push(v),
                    // Rows and document are written in one transaction: a mismatch is a bug,
                    // reported rather than answered with the wrong visit.
                    _ => {
                        return Err(Error::document(
                            household_id,
                            format!("visit {id} is not where its row says"),
                        ));
                    }
                }
            }
            Ok(out)
        })?;
        visits.reverse();
        Ok(visits)
    }

    /// The households of a building with last visit, tags and watch state, by unit and room.
    pub fn households_in_building(&self, building_id: &str) -> Result<Vec<HouseholdRow>> {
        self.household_rows(
            "building_id = ?1 ORDER BY unit, room, doc_id",
            params![building_id],
        )
    }

    /// Households whose residents' names, unit and room, or phone hold `text` (any household
    /// when it is empty), with `tag` when given: the office's search, by building, unit and
    /// room; at most [`MAX_SEARCH_ROWS`].
    pub fn search_households(&self, text: &str, tag: Option<Tag>) -> Result<Vec<HouseholdRow>> {
        let text = text.trim();
        if text.chars().count() > 64 {
            return Err(Error::invalid(
                "text",
                ErrorCode::TooLong,
                "search for at most 64 characters",
            ));
        }
        let like = text
            .replace('\\', "\\\\")
            .replace('%', "\\%")
            .replace('_', "\\_");
        self.household_rows(
            "(?1 = '' OR residents LIKE '%' || ?1 || '%' ESCAPE '\\' \
             OR (unit || room) LIKE '%' || ?1 || '%' ESCAPE '\\' \
             OR phone LIKE '%' || ?1 || '%' ESCAPE '\\') \
             AND (?2 IS NULL OR (',' || tags || ',') LIKE '%,' || ?2 || ',%') \
             ORDER BY building_id, unit, room, doc_id LIMIT ?3",
            params![like, tag.map(|t| t.code()), MAX_SEARCH_ROWS],
        )
    }

    /// Households whose watch check is due or overdue now, most overdue first.
    pub fn watch_checks_due(&self) -> Result<Vec<HouseholdRow>> {
        let now_ms = self.now().timestamp_millis();
        self.household_rows(
            "check_due_ms IS NOT NULL AND check_due_ms <= ?1 ORDER BY check_due_ms, doc_id",
            params![now_ms],
        )
    }

    pub(crate) fn household_rows(
        &self,
        filter: &str,
        args: &[&dyn rusqlite::ToSql],
    ) -> Result<Vec<HouseholdRow>> {
        let now_ms = self.now().timestamp_millis();
        self.store.read(|c| {
            let sql = format!(
                "SELECT doc_id, building_id, unit, room, phone, residents, tags, visit_count, \
                 last_visit_ms, last_visit_outcome, watch_frequency, watch_n, check_due_ms, \
                 check_overdue_ms FROM p_households WHERE {filter}"
            );
            let mut stmt = c.prepare_cached(&sql)?;
            let mut rows = stmt.query(args)?;
            let mut out = Vec::new();
            while let Some(r) = rows.next()? {
                let tags: String = r.get(6)?;
                let outcome: Option<String> = r.get(9)?;
                let freq: Option<String> = r.get(10)?;
                let n: Option<u32> = r.get(11)?;
                let due: Option<i64> = r.get(12)?;
                let overdue: Option<i64> = r.get(13)?;
                out.push(HouseholdRow {
                    id: r.get(0)?,
                    building_id: r.get(1)?,
                    unit: r.get(2)?,
                    room: r.get(3)?,
                    phone: validate::masked_phone(&r.get::<_, String>(4)?),
                    residents: r.get(5)?,
                    tags: tags
                        .split(',')
                        .filter(|t| !t.is_empty())
                        .filter_map(Tag::from_code)
                        .collect(),
                    visit_count: r.get(7)?,
                    last_visit_at: r.get::<_, Option<i64>>(8)?.map(ms_to_utc),
                    last_visit_outcome: outcome
                        .map(|o| VisitOutcome::parse_code(&o, "outcome"))
                        .transpose()?,
                    watch: match (freq, n) {
                        (Some(f), Some(n)) => Some(WatchPlanInput {
                            frequency: WatchFrequency::parse_code(&f, "watch")?,
                            n,
                        }),
                        _ => None,
                    },
                    check: check_state(due, overdue, now_ms),
                    next_check_due: due.map(ms_to_utc),
                });
            }
            Ok(out)
        })
    }

    /// Open follow-ups due on or before `on` (local date), earliest first.
    pub fn follow_ups_due(&self, on: NaiveDate) -> Result<Vec<FollowUpRow>> {
        self.store.read(|c| {
            let mut stmt = c.prepare_cached(
                "SELECT visit_id, doc_id, lead, follow_up_due, follow_up_note FROM p_visits \
                 WHERE follow_up_open = 1 AND follow_up_due <= ?1 \
                 ORDER BY follow_up_due, visit_id",
            )?;
            let rows = stmt.query_map([on.to_string()], |r| {
                Ok((
                    r.get::<_, String>(0)?,
                    r.get::<_, String>(1)?,
                    r.get::<_, String>(2)?,
                    r.get::<_, String>(3)?,
                    r.get::<_, String>(4)?,
                ))
            })?;
            let mut out = Vec::new();
            for row in rows {
                let (visit_id, household_id, lead, due, note) = row?;
                out.push(FollowUpRow {
                    visit_id,
                    household_id,
                    lead,
                    due: validate::date("follow_up_due", &due)?,
                    note,
                });
            }
            Ok(out)
        })
    }
}
