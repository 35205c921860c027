//! The per-kind comparison of a record before and after a change (see the table of the
//! module above).

use automerge::AutoCommit;

use super::{Pusher, Refusal, RefusalCode};
use crate::api::cases::CaseActionKind;
use crate::api::ticket_actions::TicketActionKind;
use crate::doc::DocKind;
use crate::doc::one_pass::hydrate;
use crate::records::case::{CaseDoc, CaseState};
use crate::records::directory::{DirectoryDoc, Role};
use crate::records::gate_log::GateLogDoc;
use crate::records::household::HouseholdDoc;
use crate::records::joint::JointDoc;
use crate::records::need::NeedDoc;
use crate::records::roster::RosterDoc;
use crate::records::round::RoundDoc;
use crate::records::ticket::{OrderSteps, TicketAction, TicketDoc, TicketState};

/// A document read as its record.
#[derive(Debug, PartialEq)]
pub(super) enum Record {
    Directory(DirectoryDoc),
    Household(HouseholdDoc),
    Ticket(TicketDoc),
    Roster(RosterDoc),
    GateLog(GateLogDoc),
    Case(CaseDoc),
    Need(NeedDoc),
    Round(RoundDoc),
    Joint(JointDoc),
}

impl Record {
    /// Reads `doc` as a record of `kind`.
    pub(super) fn read(kind: DocKind, doc: &AutoCommit) -> Result<Record, String> {
        let e = |e: autosurgeon::HydrateError| e.to_string();
        Ok(match kind {
            DocKind::Directory => Record::Directory(hydrate(doc).map_err(e)?),
            DocKind::Household => Record::Household(hydrate(doc).map_err(e)?),
            DocKind::Ticket => Record::Ticket(hydrate(doc).map_err(e)?),
            DocKind::Roster => Record::Roster(hydrate(doc).map_err(e)?),
            DocKind::GateLog => Record::GateLog(hydrate(doc).map_err(e)?),
            DocKind::Case => Record::Case(hydrate(doc).map_err(e)?),
            DocKind::Need => Record::Need(hydrate(doc).map_err(e)?),
            DocKind::Round => Record::Round(hydrate(doc).map_err(e)?),
            DocKind::Joint => Record::Joint(hydrate(doc).map_err(e)?),
        })
    }

    /// The record a document's first change writes, and the root keys it has, without
    /// automerge (the keys are read once per kind from a first change).
    pub(super) fn skeleton(kind: DocKind, doc_id: &str) -> (Record, &'static [String]) {
        use crate::ids::{GATE_LOG_PREFIX, ROSTER_PREFIX, parse_gate_doc_id};
        let record = match kind {
            DocKind::Roster => {
                let (gate, monday) = parse_gate_doc_id(ROSTER_PREFIX, doc_id).unzip();
                Record::Roster(RosterDoc {
                    gate_id: gate.unwrap_or_default().to_owned(),
                    week_start: monday.map(|d| d.to_string()).unwrap_or_default(),
                    ..RosterDoc::default()
                })
            }
            DocKind::GateLog => {
                let (gate, date) = parse_gate_doc_id(GATE_LOG_PREFIX, doc_id).unzip();
                Record::GateLog(GateLogDoc {
                    gate_id: gate.unwrap_or_default().to_owned(),
                    date: date.map(|d| d.to_string()).unwrap_or_default(),
                    entries: Vec::new(),
                })
            }
            _ => Record::empty(kind),
        };
        (record, root_keys(kind))
    }

    /// An empty record of `kind`.
    pub(super) fn empty(kind: DocKind) -> Record {
        match kind {
            DocKind::Directory => Record::Directory(DirectoryDoc::default()),
            DocKind::Household => Record::Household(HouseholdDoc::default()),
            DocKind::Ticket => Record::Ticket(TicketDoc::default()),
            DocKind::Roster => Record::Roster(RosterDoc::default()),
            DocKind::GateLog => Record::GateLog(GateLogDoc::default()),
            DocKind::Case => Record::Case(CaseDoc::default()),
            DocKind::Need => Record::Need(NeedDoc::default()),
            DocKind::Round => Record::Round(RoundDoc::default()),
            DocKind::Joint => Record::Joint(JointDoc::default()),
        }
    }
}

/// The root keys of a document of `kind` after its first change.
fn root_keys(kind: DocKind) -> &'static [String] {
    use automerge::ReadDoc;
    static KEYS: std::sync::OnceLock<Vec<(DocKind, Vec<String>)>> = std::sync::OnceLock::new();
    let all = KEYS.get_or_init(|| {
        DocKind::ALL
            .iter()
            .map(|&k| {
                let sample = match k {
                    DocKind::Roster => "roster:g:2026-01-05",
                    DocKind::GateLog => "gatelog:g:2026-01-05",
                    _ => "sample",
                };
                let keys = crate::doc::genesis(k, sample)
                    .map(|d| d.keys(automerge::ROOT).collect())
                    .unwrap_or_default();
                (k, keys)
            })
            .collect()
    });
    all.iter()
        .find(|(k, _)| *k == kind)
        .map(|(_, keys)| keys.as_slice())
        .unwrap_or_default()
}

/// Judges the record's change from `before` to `after` by `pusher`.
/// `moved`: how many first items of a household's visits or a gate day's entries in `after`
/// are `before`'s, moved out of it (see [`super::appended::Appended`]).
pub(super) fn compare(
    doc_id: &str,
    before: &Record,
    after: &Record,
    moved: Option<usize>,
    pusher: &Pusher,
) -> Result<(), Refusal> {
    // The old items: `before`'s, or the first of `after`'s when they were moved there.
    fn old<'a, T>(before: &'a [T], after: &'a [T], moved: Option<usize>) -> &'a [T] {
        moved.and_then(|n| after.get(..n)).unwrap_or(before)
    }
    match (before, after) {
        (Record::Directory(b), Record::Directory(a)) => {
            // Others than the office only mark the reminders that concern them done.
            let own_completions = || {
                crate::api::reminders::only_own_completions(
                    b,
                    a,
                    &pusher.member_id,
                    |role, place| {
                        pusher
                            .roles
                            .iter()
                            .any(|(r, p)| *r == role && p == place.unwrap_or(""))
                    },
                )
            };
            if b != a && !pusher.roles.iter().any(|(r, _)| *r == Role::Office) && !own_completions()
            {
                return Err(Refusal::new(
                    RefusalCode::RoleForbidden,
                    "only the office changes the directory",
                ));
            }
            Ok(())
        }
        (Record::Household(b), Record::Household(a)) => {
            let visits = old(&b.visits, &a.visits, moved);
            let added = appended(visits, &a.visits, |v| &v.id, "visit")?;
            for v in added {
                attributed(&v.lead, &v.device, pusher, "visit")?;
            }
            let checks = appended(
                &b.isolation_checks,
                &a.isolation_checks,
                |c| &c.id,
                "isolation check",
            )?;
            for c in checks {
                attributed(&c.by, &c.device, pusher, "isolation check")?;
            }
            // Issued passes are the office's record of what the relay signed: only the office
            // (the relay's admin tools) writes them.
            if b.passes != a.passes && !pusher.roles.iter().any(|(r, _)| *r == Role::Office) {
                return Err(Refusal::new(
                    RefusalCode::RoleForbidden,
                    "only the office records issued passes",
                ));
            }
            Ok(())
        }
        (Record::GateLog(b), Record::GateLog(a)) => {
            let entries = old(&b.entries, &a.entries, moved);
            let added = appended(entries, &a.entries, |e| &e.id, "gate entry")?;
            for e in added {
                attributed(&e.recorded_by, &e.device, pusher, "gate entry")?;
            }
            Ok(())
        }
        (Record::Ticket(b), Record::Ticket(a)) => ticket(doc_id, b, a, pusher),
        (Record::Roster(b), Record::Roster(a)) => roster(b, a, pusher),
        (Record::Case(b), Record::Case(a)) => work_order(doc_id, b, a, pusher),
        (Record::Need(b), Record::Need(a)) => need(b, a, pusher),
        (Record::Round(b), Record::Round(a)) => round(b, a, pusher),
        (Record::Joint(b), Record::Joint(a)) => joint(b, a, pusher),
        _ => Err(Refusal::new(
            RefusalCode::BadShape,
            "the record changed kind",
        )),
    }
}

/// Every item of the append-only lists of `before` is still in `after`, unchanged: what a merge
/// must keep whatever it adds (see [`super::judge`]).
pub(super) fn kept_appended(before: &Record, after: &Record) -> Result<(), Refusal> {
    match (before, after) {
        (Record::Household(b), Record::Household(a)) => {
            appended(&b.visits, &a.visits, |v| &v.id, "visit")?;
            appended(
                &b.isolation_checks,
                &a.isolation_checks,
                |c| &c.id,
                "isolation check",
            )?;
        }
        (Record::GateLog(b), Record::GateLog(a)) => {
            appended(&b.entries, &a.entries, |e| &e.id, "gate entry")?;
        }
        (Record::Ticket(b), Record::Ticket(a)) => {
            appended(&b.events, &a.events, |e| &e.id, "ticket event")?;
        }
        (Record::Case(b), Record::Case(a)) => {
            appended(&b.events, &a.events, |e| &e.id, "work order step")?;
        }
        (Record::Need(b), Record::Need(a)) => {
            appended(&b.services, &a.services, |s| &s.id, "service")?;
        }
        (Record::Joint(b), Record::Joint(a)) => {
            appended(&b.done, &a.done, |d| &d.id, "step mark")?;
        }
        (Record::Round(b), Record::Round(a)) => {
            appended(&b.ratings, &a.ratings, |r| &r.id, "rating")?;
            appended(&b.votes, &a.votes, |v| &v.id, "vote")?;
        }
        _ => {}
    }
    Ok(())
}

/// The most items an append-only list of `what` may grow to, far above any honest record's
/// (a gate's busiest day, a ticket's whole life, a month's evaluation of a large community):
/// a phone that appends beyond it, buggy or hostile, has its change refused instead of making
/// every replica hold the list. A list already longer is kept; it only cannot grow.
fn most_items(what: &str) -> usize {
    match what {
        "gate entry" => 50_000,
        "rating" | "vote" => 50_000,
        "visit" | "isolation check" => 10_000,
        "ticket event" | "service" => 2_000,
        "work order step" | "step mark" => 1_000,
        _ => 10_000,
    }
}

/// Up to how many new items an append-only list is checked in order (see [`appended`]).
const FEW_APPENDED: usize = 16;

/// The items of `after` that `before` lacks, provided every item of `before` is still in
/// `after`, unchanged (merge order may interleave concurrent items), and the list within
/// [`most_items`].
fn appended<'a, T: PartialEq>(
    before: &[T],
    after: &'a [T],
    id: impl Fn(&T) -> &String,
    what: &str,
) -> Result<Vec<&'a T>, Refusal> {
    let most = most_items(what);
    if after.len() > before.len() && after.len() > most {
        return Err(Refusal::new(
            RefusalCode::TooLarge,
            format!("a record holds at most {most} of {what}: the list is full"),
        ));
    }
    // The usual edit: the old items first, in their order, then a few new ones whose ids are
    // new. Checked without a map of every item (a long record's visits, a busy gate's day).
    // Old items that already share an id (written before these rules, or by two relay
    // instances at once) do not stop it, nor the matching below.
    if after.len() >= before.len() && after.len() - before.len() <= FEW_APPENDED {
        let (kept, new) = after.split_at(before.len());
        let fresh = |(i, t): (usize, &T)| {
            let t_id = id(t);
            before.iter().chain(&new[..i]).all(|o| id(o) != t_id)
        };
        // The same items (moved from the record before, see `compare`) need no comparing.
        let unchanged = std::ptr::eq(kept, before) || kept == before;
        if unchanged && new.iter().enumerate().all(fresh) {
            return Ok(new.iter().collect());
        }
    }
    // Every item of the list by id (in the list's order within an id): each old item must find
    // itself among those of its id, once; what no old item took is new and must have an id of
    // its own. Old items that already share an id are matched one to one, as above.
    let mut by_id: Vec<(&String, usize)> =
        after.iter().enumerate().map(|(i, t)| (id(t), i)).collect();
    by_id.sort_unstable();
    // The indexes of the items under `wanted`, in the list's order.
    fn of_id<'a>(
        by_id: &'a [(&String, usize)],
        wanted: &'a String,
    ) -> impl Iterator<Item = usize> + 'a {
        let start = by_id.partition_point(|(i, _)| *i < wanted);
        by_id[start..]
            .iter()
            .take_while(move |(i, _)| *i == wanted)
            .map(|(_, at)| *at)
    }
    let mut taken = vec![false; after.len()];
    for old in before {
        let old_id = id(old);
        let Some(at) = of_id(&by_id, old_id).find(|&at| !taken[at] && after[at] == *old) else {
            let verb = if of_id(&by_id, old_id).any(|at| !taken[at]) {
                "changes"
            } else {
                "removes"
            };
            return Err(Refusal::new(
                RefusalCode::AppendOnly,
                format!("{verb} {what} {old_id} (append-only)"),
            ));
        };
        taken[at] = true;
    }
    let old: std::collections::BTreeSet<&String> = before.iter().map(&id).collect();
    let mut new_ids = std::collections::BTreeSet::new();
    let mut new = Vec::new();
    for (t, _) in after.iter().zip(&taken).filter(|(_, taken)| !**taken) {
        if old.contains(id(t)) || !new_ids.insert(id(t)) {
            return Err(Refusal::new(
                RefusalCode::AppendOnly,
                format!("two items of the {what} list share an id"),
            ));
        }
        new.push(t);
    }
    Ok(new)
}

/// An appended item must name the pushing member and device.
fn attributed(member: &str, device: &str, pusher: &Pusher, what: &str) -> Result<(), Refusal> {
    if member == pusher.member_id && device == pusher.device_id {
        Ok(())
    } else {
        Err(Refusal::new(
            RefusalCode::ForgedAttribution,
            format!(
                "a new {what} names member {member:?} on device {device:?}, but was pushed by {} on {}",
                pusher.member_id, pusher.device_id
            ),
        ))
    }
}

/// The action table applies to each new event, in the state the ticket was in before it.
fn ticket(
    doc_id: &str,
    before: &TicketDoc,
    after: &TicketDoc,
    pusher: &Pusher,
) -> Result<(), Refusal> {
    let added = appended(&before.events, &after.events, |e| &e.id, "ticket event")?;
    let roles = pusher.role_list();
    let orders: Vec<OrderSteps<'_>> = pusher
        .orders
        .iter()
        .filter(|o| o.ticket_id == doc_id)
        .map(|o| OrderSteps {
            case: &o.case,
            dispatched_ms: o.dispatched_ms,
            events: &o.events,
        })
        .collect();
    let mut seen = TicketDoc {
        events: before.events.clone(),
        ..after.clone()
    };
    for event in added {
        attributed(&event.author, &event.device, pusher, "ticket event")?;
        let kind = match &event.action {
            TicketAction::Reported => {
                if seen
                    .events
                    .iter()
                    .any(|e| e.action == TicketAction::Reported)
                {
                    return Err(Refusal::new(
                        RefusalCode::StateForbidden,
                        format!("ticket {doc_id} was reported already"),
                    ));
                }
                None
            }
            TicketAction::Accepted => Some(TicketActionKind::Accept),
            TicketAction::Assigned { .. } => Some(TicketActionKind::Assign),
            TicketAction::Escalated { .. } => Some(TicketActionKind::Escalate),
            TicketAction::Replied { .. } => Some(TicketActionKind::Reply),
            TicketAction::Resolved { .. } => Some(TicketActionKind::Resolve),
            TicketAction::Evaluated { .. } => Some(TicketActionKind::Evaluate),
            TicketAction::Merged { .. } | TicketAction::Absorbed { .. } => {
                Some(TicketActionKind::Merge)
            }
            TicketAction::PhotoAdded { .. } => Some(TicketActionKind::AttachPhoto),
            TicketAction::Dispatched { .. } => Some(TicketActionKind::Dispatch),
            TicketAction::LeaderNamed { .. } => Some(TicketActionKind::NameLeader),
        };
        if let Some(kind) = kind {
            if !kind.allowed_for(&roles) {
                return Err(Refusal::new(
                    RefusalCode::RoleForbidden,
                    format!(
                        "{} ticket: the member's roles do not allow it",
                        kind.label_zh()
                    ),
                ));
            }
            // Absorbing another ticket is recorded on the target, whatever its state.
            if !matches!(event.action, TicketAction::Absorbed { .. }) {
                let state = TicketState::derive_with_orders(&seen.photos, &seen.events, &orders);
                if let Some((_, why)) = kind.refused_by_state(&state) {
                    return Err(Refusal::new(
                        RefusalCode::StateForbidden,
                        format!("{} ticket {doc_id}: {why}", kind.label_zh()),
                    ));
                }
            }
        }
        seen.events.push(event.clone());
    }
    Ok(())
}

/// A work order's head is written once, by the office or an area lead, for the department its
/// id names; after that only steps are appended, each allowed by the step table of
/// [`crate::api::cases`] in the state the order was in before it.
fn work_order(
    doc_id: &str,
    before: &CaseDoc,
    after: &CaseDoc,
    pusher: &Pusher,
) -> Result<(), Refusal> {
    let forbidden = |what: String| Err(Refusal::new(RefusalCode::RoleForbidden, what));
    let head = |d: &CaseDoc| CaseDoc {
        events: Vec::new(),
        ..d.clone()
    };
    if before.ticket_id.is_empty() {
        if head(after) != head(before) {
            if !pusher
                .roles
                .iter()
                .any(|(r, _)| matches!(r, Role::Office | Role::AreaLead))
            {
                return forbidden("only the office or an area lead dispatches a ticket".into());
            }
            if crate::ids::parse_case_doc_id(doc_id) != Some(after.unit.as_str())
                || after.ticket_id.is_empty()
            {
                return forbidden(format!(
                    "work order {doc_id} names department {:?} and ticket {:?}",
                    after.unit, after.ticket_id
                ));
            }
        }
    } else if head(after) != head(before) {
        return forbidden("a work order's dispatch never changes".into());
    }
    let added = appended(&before.events, &after.events, |e| &e.id, "work order step")?;
    let mut seen = before.events.clone();
    for event in added {
        attributed(&event.author, &event.device, pusher, "work order step")?;
        let kind = CaseActionKind::of(&event.action);
        if !kind.allowed_for(&pusher.roles, &after.unit) {
            return forbidden(format!(
                "{} work order: the member's roles do not allow it",
                kind.label_zh()
            ));
        }
        if let Some((_, why)) = kind.refused_by_state(&CaseState::derive(&seen)) {
            return Err(Refusal::new(
                RefusalCode::StateForbidden,
                format!("{} work order {doc_id}: {why}", kind.label_zh()),
            ));
        }
        seen.push(event.clone());
    }
    Ok(())
}

/// A need is recorded once by a lead or the office; claimed by a member who serves (the claim in
/// their own name, on a need open when they saw it), changed or released only by the office or
/// the holder; served by the holder (services appended in their name); confirmed by a lead of
/// the household's building, an area or lane lead, or the office, once served.
fn need(before: &NeedDoc, after: &NeedDoc, pusher: &Pusher) -> Result<(), Refusal> {
    let forbidden = |what: &str| Err(Refusal::new(RefusalCode::RoleForbidden, what.to_owned()));
    let holds = |roles: &[Role]| pusher.roles.iter().any(|(r, _)| roles.contains(r));
    let office = holds(&[Role::Office]);
    let head = |d: &NeedDoc| NeedDoc {
        claim: None,
        services: Vec::new(),
        confirmed: None,
        ..d.clone()
    };
    if head(before) != head(after) {
        let recorder = holds(&[
            Role::Office,
            Role::AreaLead,
            Role::BuildingLead,
            Role::LaneLead,
        ]);
        if !before.household_id.is_empty() || !recorder {
            return forbidden("a need is recorded once, by a lead or the office");
        }
    }
    if before.claim != after.claim {
        let me = &pusher.member_id;
        match (&before.claim, &after.claim) {
            (None, Some(c)) => {
                attributed(&c.member, &c.device, pusher, "claim")?;
                if !holds(&[Role::Volunteer, Role::PartyMember, Role::UnitMember]) {
                    return forbidden("only volunteers, party members and units claim needs");
                }
                if let Some(unit) = &c.unit
                    && !pusher
                        .roles
                        .iter()
                        .any(|(r, p)| *r == Role::UnitMember && p == unit)
                {
                    return forbidden("a claim names a unit the member serves for");
                }
            }
            (Some(old), _) if office || (old.member == *me && after.claim.is_none()) => {}
            _ => return forbidden("only the office changes a claim; its holder may release it"),
        }
    }
    let added = appended(&before.services, &after.services, |s| &s.id, "service")?;
    for s in added {
        attributed(&s.member, &s.device, pusher, "service")?;
        let holder = before
            .claim
            .as_ref()
            .is_some_and(|c| c.member == pusher.member_id);
        if !holder {
            return forbidden("only the need's holder records a service");
        }
        if !(1..=24 * 60).contains(&s.minutes) {
            return Err(Refusal::new(
                RefusalCode::BadShape,
                "a service lasts 1 minute to 24 hours",
            ));
        }
    }
    if before.confirmed != after.confirmed {
        let lead = pusher.roles.iter().any(|(r, p)| {
            matches!(r, Role::Office | Role::AreaLead | Role::LaneLead)
                || (*r == Role::BuildingLead && *p == after.building_id)
        });
        match &after.confirmed {
            Some(c) if before.confirmed.is_none() && lead => {
                attributed(&c.by, &c.device, pusher, "confirmation")?;
                if before.services.is_empty() {
                    return Err(Refusal::new(
                        RefusalCode::StateForbidden,
                        "a need is confirmed once it was served",
                    ));
                }
            }
            _ => return forbidden("a lead of the household confirms a need once"),
        }
    }
    Ok(())
}

/// A round is opened and closed by the office, each once; ratings (1 to 5) and votes are
/// appended in the pushing member's name while the round was open when they were made.
fn round(before: &RoundDoc, after: &RoundDoc, pusher: &Pusher) -> Result<(), Refusal> {
    let forbidden = |what: &str| Err(Refusal::new(RefusalCode::RoleForbidden, what.to_owned()));
    let office = pusher.roles.iter().any(|(r, _)| *r == Role::Office);
    let head = |d: &RoundDoc| (d.month.clone(), d.opened_by.clone(), d.opened_ms);
    if head(before) != head(after) && (!office || !before.month.is_empty()) {
        return forbidden("the office opens a round, once");
    }
    if before.closed != after.closed && (!office || before.closed.is_some()) {
        return forbidden("the office closes a round, once");
    }
    let ratings = appended(&before.ratings, &after.ratings, |r| &r.id, "rating")?;
    let votes = appended(&before.votes, &after.votes, |v| &v.id, "vote")?;
    if (!ratings.is_empty() || !votes.is_empty()) && before.closed.is_some() {
        return Err(Refusal::new(
            RefusalCode::StateForbidden,
            "the round was closed",
        ));
    }
    for r in ratings {
        attributed(&r.rater, &r.device, pusher, "rating")?;
        if !(1..=5).contains(&r.score) {
            return Err(Refusal::new(RefusalCode::BadShape, "a rating is 1 to 5"));
        }
    }
    for v in votes {
        attributed(&v.voter, &v.device, pusher, "vote")?;
    }
    Ok(())
}

/// A joint action's plan is written once, by the office or an area lead; each step is marked
/// done in the pusher's name by its department's staff (or the office, or an area lead), once.
fn joint(before: &JointDoc, after: &JointDoc, pusher: &Pusher) -> Result<(), Refusal> {
    let forbidden = |what: &str| Err(Refusal::new(RefusalCode::RoleForbidden, what.to_owned()));
    let supervisor = pusher
        .roles
        .iter()
        .any(|(r, _)| matches!(r, Role::Office | Role::AreaLead));
    let plan = |d: &JointDoc| (d.tickets.clone(), d.title.clone(), d.steps.clone());
    let replanned = plan(before) != plan(after) || before.planned_by != after.planned_by;
    if replanned && (!supervisor || !before.steps.is_empty()) {
        return forbidden("the office or an area lead plans a joint action, once");
    }
    let marks = appended(&before.done, &after.done, |d| &d.id, "step mark")?;
    for m in marks {
        attributed(&m.by, &m.device, pusher, "step mark")?;
        let Some(step) = after.steps.get(&m.step) else {
            return Err(Refusal::new(
                RefusalCode::BadShape,
                "marks a step the plan lacks",
            ));
        };
        let staff = pusher
            .roles
            .iter()
            .any(|(r, p)| *r == Role::DepartmentStaff && *p == step.unit);
        if !staff && !supervisor {
            return forbidden("a step is marked done by its department");
        }
        if before.done.iter().any(|d| d.step == m.step) {
            return Err(Refusal::new(
                RefusalCode::StateForbidden,
                "the step was marked done already",
            ));
        }
    }
    Ok(())
}

/// Shifts and slots by the gate's lead or the office; swaps by the member whose step it is.
fn roster(before: &RosterDoc, after: &RosterDoc, pusher: &Pusher) -> Result<(), Refusal> {
    let gate = if after.gate_id.is_empty() {
        &before.gate_id
    } else {
        &after.gate_id
    };
    let lead = pusher.holds_or_office(super::ROSTER_ROLE, gate);
    let me = &pusher.member_id;
    let forbidden = |what: &str| Err(Refusal::new(RefusalCode::RoleForbidden, what.to_owned()));
    if before.gate_id != after.gate_id || before.week_start != after.week_start {
        return forbidden("a roster's gate and week never change");
    }
    for (id, swap) in &after.swaps {
        match before.swaps.get(id) {
            None => {
                if swap.requested_by != *me {
                    return forbidden("a swap names the member who asked for it");
                }
                if swap.from_member != *me && !lead {
                    return forbidden("only the slot's holder or the gate lead asks for a swap");
                }
                if swap.accepted_ms.is_some() || swap.approved_by.is_some() {
                    return forbidden("a new swap is neither accepted nor approved");
                }
            }
            Some(old) if old == swap => {}
            Some(old) => {
                let same_request = old.shift_id == swap.shift_id
                    && old.slot_id == swap.slot_id
                    && old.from_member == swap.from_member
                    && old.to_member == swap.to_member
                    && old.requested_by == swap.requested_by
                    && old.requested_ms == swap.requested_ms;
                let accepting = old.accepted_ms.is_none()
                    && swap.accepted_ms.is_some()
                    && old.approved_by == swap.approved_by
                    && old.approved_ms == swap.approved_ms;
                let approving = old.approved_by.is_none()
                    && swap.approved_by.as_deref() == Some(me.as_str())
                    && old.accepted_ms == swap.accepted_ms;
                if !same_request {
                    return forbidden("a swap's request never changes");
                } else if accepting && swap.to_member != *me {
                    return forbidden("only the member taking the slot accepts a swap");
                } else if approving && !lead {
                    return forbidden("only the gate lead or the office approves a swap");
                } else if !accepting && !approving && !lead {
                    return forbidden("only the gate lead or the office changes a swap");
                }
            }
        }
    }
    if before.swaps.keys().any(|id| !after.swaps.contains_key(id)) && !lead {
        return forbidden("only the gate lead or the office removes a swap");
    }
    if before.shifts != after.shifts && !lead {
        // An approval by the gate lead moves the slot; nobody else edits shifts.
        return forbidden("only the gate lead or the office builds the roster");
    }
    Ok(())
}

#[cfg(test)]
mod list_tests {
    use super::*;

    fn ids(n: usize) -> Vec<String> {
        (0..n).map(|i| format!("e{i:05}")).collect()
    }

    fn same(s: &String) -> &String {
        s
    }

    #[test]
    fn a_list_grows_to_its_bound_and_no_further() {
        let full = ids(1_000);
        let before = ids(999);
        assert_eq!(
            appended(&before, &full, same, "work order step")
                .unwrap()
                .len(),
            1
        );
        let over = ids(1_001);
        let refused = appended(&full, &over, same, "work order step").unwrap_err();
        assert_eq!(refused.code, RefusalCode::TooLarge);
        // A list already over the bound is kept: only growing it is refused.
        assert!(appended(&over, &over, same, "work order step").is_ok());
        assert!(appended(&ids(1_500), &ids(1_500), same, "service").is_ok());
        assert!(appended(&ids(2_000), &ids(2_001), same, "ticket event").is_err());
    }
}

#[cfg(test)]
mod tests {
    use super::{RefusalCode, appended};

    #[derive(Debug, PartialEq)]
    struct Item {
        id: String,
        text: &'static str,
    }

    fn item(id: &str, text: &'static str) -> Item {
        Item {
            id: id.to_owned(),
            text,
        }
    }

    fn added<'a>(before: &[Item], after: &'a [Item]) -> Result<Vec<&'a str>, RefusalCode> {
        appended(before, after, |i| &i.id, "visit")
            .map(|new| new.iter().map(|i| i.id.as_str()).collect())
            .map_err(|r| r.code)
    }

    #[test]
    fn an_append_only_list_keeps_every_item_and_gives_ids_once() {
        let before = [item("v1", "上门"), item("v2", "送药")];
        let kept = |extra: Vec<Item>| -> Vec<Item> {
            before
                .iter()
                .map(|i| item(&i.id, i.text))
                .chain(extra)
                .collect()
        };
        assert_eq!(added(&before, &kept(vec![])), Ok(vec![]));
        assert_eq!(
            added(&before, &kept(vec![item("v3", "测温")])),
            Ok(vec!["v3"])
        );
        // Interleaved by a merge: still only appended.
        let merged = [item("v1", "上门"), item("v3", "测温"), item("v2", "送药")];
        assert_eq!(added(&before, &merged), Ok(vec!["v3"]));
        // A new item under an old item's id, or two new items under one id.
        assert_eq!(
            added(&before, &kept(vec![item("v1", "改写")])),
            Err(RefusalCode::AppendOnly)
        );
        assert_eq!(
            added(&before, &kept(vec![item("v3", "a"), item("v3", "b")])),
            Err(RefusalCode::AppendOnly)
        );
        // An old item changed or gone.
        let changed = [item("v1", "上门"), item("v2", "改了"), item("v3", "测温")];
        assert_eq!(added(&before, &changed), Err(RefusalCode::AppendOnly));
        let gone = [item("v1", "上门"), item("v3", "测温")];
        assert_eq!(added(&before, &gone), Err(RefusalCode::AppendOnly));
    }

    #[test]
    fn a_list_whose_old_items_share_an_id_still_takes_new_items() {
        // Written before these rules (or by two relay instances at once): the record is kept
        // as it is and is not stuck; a new item under a fresh id, after the old ones, goes.
        let before = [item("v1", "上门"), item("v1", "又一次")];
        let after = [item("v1", "上门"), item("v1", "又一次"), item("v2", "送药")];
        assert_eq!(added(&before, &after), Ok(vec!["v2"]));
        let reused = [
            item("v1", "上门"),
            item("v1", "又一次"),
            item("v1", "第三次"),
        ];
        assert_eq!(added(&before, &reused), Err(RefusalCode::AppendOnly));
        // Merged in another order, or with more than a few new items: the same answers.
        let interleaved = [item("v1", "上门"), item("v2", "送药"), item("v1", "又一次")];
        assert_eq!(added(&before, &interleaved), Ok(vec!["v2"]));
        let many: Vec<Item> = before
            .iter()
            .map(|i| item(&i.id, i.text))
            .chain((0..20).map(|n| item(&format!("n{n}"), "测温")))
            .collect();
        assert_eq!(added(&before, &many).map(|new| new.len()), Ok(20));
        let reused_interleaved = [
            item("v1", "第三次"),
            item("v1", "上门"),
            item("v1", "又一次"),
        ];
        assert_eq!(
            added(&before, &reused_interleaved),
            Err(RefusalCode::AppendOnly)
        );
        // One of the two changed, or gone.
        let changed = [item("v2", "送药"), item("v1", "又一次"), item("v1", "改了")];
        assert_eq!(added(&before, &changed), Err(RefusalCode::AppendOnly));
        let gone = [item("v2", "送药"), item("v1", "又一次")];
        assert_eq!(added(&before, &gone), Err(RefusalCode::AppendOnly));
    }
}
