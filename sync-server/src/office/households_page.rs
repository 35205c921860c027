//! `/office/households`: households found by a resident's name, unit and room, phone or tag,
//! a building's households with their last visit, or the watch list (checks due and overdue);
//! and `/office/households/{id}`: one household with its residents, tags, watch plan and its
//! state, and its visits with what residents asked for and said (民意) and the follow-ups.

use std::collections::HashMap;
use std::sync::Arc;

use askama::Template;
use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use chrono::{DateTime, FixedOffset, Utc};
use linli_core::api::households::{CheckState, HouseholdRow};
use linli_core::records::Coded;
use linli_core::records::household::{HouseholdDoc, Tag};
use serde::Deserialize;

use super::{SignedIn, building_names, page, watch_label};
use crate::error::RelayError;
use crate::http::blocking;
use crate::relay::Relay;

#[derive(Debug, Default, Deserialize)]
pub(super) struct SearchForm {
    q: Option<String>,
    tag: Option<String>,
    building: Option<String>,
    watch: Option<String>,
}

impl SearchForm {
    fn value(&self, field: &str) -> String {
        match field {
            "q" => &self.q,
            "tag" => &self.tag,
            "building" => &self.building,
            _ => &self.watch,
        }
        .clone()
        .unwrap_or_default()
    }
}

/// A household's line.
struct Line {
    id: String,
    building: String,
    unit: String,
    room: String,
    residents: String,
    phone: String,
    tags: String,
    last_visit: String,
    watch: &'static str,
    watch_late: bool,
}

fn day(at: Option<DateTime<Utc>>, offset: FixedOffset) -> String {
    at.map(|t| t.with_timezone(&offset).format("%Y-%m-%d").to_string())
        .unwrap_or_else(|| "从未".into())
}

#[derive(Template)]
#[template(path = "households.html")]
struct HouseholdsPage<'a> {
    who: &'a SignedIn,
    form: &'a SearchForm,
    lines: Vec<Line>,
    buildings: Vec<(String, String)>,
    tags: Vec<(&'static str, &'static str)>,
}

/// The search, a building's list, or the watch list.
pub(super) async fn households(
    State(relay): State<Arc<Relay>>,
    who: SignedIn,
    Query(form): Query<SearchForm>,
) -> Response {
    let tag = match form.tag.as_deref().filter(|t| !t.is_empty()) {
        Some(t) => match Tag::parse_code(t, "tag") {
            Ok(t) => Some(t),
            Err(e) => return RelayError::from(e).into_response(),
        },
        None => None,
    };
    let (q, building, watch) = (form.value("q"), form.value("building"), form.value("watch"));
    let r = Arc::clone(&relay);
    let found = blocking(move || {
        r.replica.read(r.storage.as_ref(), |l, _| {
            let offset = l.community()?.offset();
            let buildings = building_names(l)?;
            let names: HashMap<&str, &str> = buildings
                .iter()
                .map(|(id, n)| (id.as_str(), n.as_str()))
                .collect();
            let rows: Vec<HouseholdRow> = if watch == "due" {
                l.watch_checks_due()?
            } else if !building.is_empty() && q.is_empty() && tag.is_none() {
                l.households_in_building(&building)?
            } else {
                l.search_households(&q, tag)?
                    .into_iter()
                    .filter(|h| building.is_empty() || h.building_id == building)
                    .collect()
            };
            let lines = rows
                .into_iter()
                .map(|h| Line {
                    building: names
                        .get(h.building_id.as_str())
                        .map_or_else(|| h.building_id.clone(), |n| (*n).to_owned()),
                    unit: h.unit,
                    room: h.room,
                    residents: h.residents,
                    phone: h.phone,
                    tags: h
                        .tags
                        .iter()
                        .map(|t| t.label_zh())
                        .collect::<Vec<_>>()
                        .join("、"),
                    last_visit: day(h.last_visit_at, offset),
                    watch: watch_label(h.check),
                    watch_late: h.check == CheckState::Overdue,
                    id: h.id,
                })
                .collect::<Vec<_>>();
            Ok((lines, buildings))
        })
    })
    .await;
    let (lines, buildings) = match found {
        Ok(found) => found,
        Err(e) => return e.into_response(),
    };
    page(
        StatusCode::OK,
        HouseholdsPage {
            who: &who,
            form: &form,
            lines,
            buildings,
            tags: Tag::ALL.iter().map(|t| (t.code(), t.label_zh())).collect(),
        }
        .render(),
    )
}

/// A visit as the household's page shows it.
struct VisitLine {
    at: String,
    lead: String,
    outcome: &'static str,
    needs: String,
    opinions: String,
    health: String,
    follow_up: String,
}

#[derive(Template)]
#[template(path = "household.html")]
struct HouseholdPage<'a> {
    who: &'a SignedIn,
    address: String,
    doc: &'a HouseholdDoc,
    tags: String,
    watch: String,
    visits: Vec<VisitLine>,
}

/// One household.
pub(super) async fn household(
    State(relay): State<Arc<Relay>>,
    who: SignedIn,
    Path(id): Path<String>,
) -> Response {
    let r = Arc::clone(&relay);
    let found = blocking(move || {
        r.replica.read(r.storage.as_ref(), |l, _| {
            let offset = l.community()?.offset();
            let doc = l.household(&id)?;
            let building = building_names(l)?
                .into_iter()
                .find(|(b, _)| *b == doc.building_id)
                .map_or_else(|| doc.building_id.clone(), |(_, n)| n);
            let names: HashMap<String, String> =
                l.members()?.into_iter().map(|m| (m.id, m.name)).collect();
            let state = l
                .households_in_building(&doc.building_id)?
                .into_iter()
                .find(|h| h.id == id)
                .map(|h| watch_label(h.check))
                .unwrap_or_default();
            Ok((doc, building, names, offset, state))
        })
    })
    .await;
    let (doc, building, names, offset, state) = match found {
        Ok(found) => found,
        Err(e) => return e.into_response(),
    };
    let mut visits: Vec<VisitLine> = doc
        .visits
        .iter()
        .map(|v| VisitLine {
            at: DateTime::<Utc>::from_timestamp_millis(v.at_ms)
                .map(|t| {
                    t.with_timezone(&offset)
                        .format("%Y-%m-%d %H:%M")
                        .to_string()
                })
                .unwrap_or_default(),
            lead: names
                .get(&v.lead)
                .cloned()
                .unwrap_or_else(|| v.lead.clone()),
            outcome: v.outcome.label_zh(),
            needs: v.needs.clone(),
            opinions: v.opinions.clone(),
            health: v
                .health
                .as_ref()
                .map(|h| {
                    let mut parts = Vec::new();
                    if let Some(t) = h.temperature_c {
                        parts.push(format!("{t:.1}℃"));
                    }
                    if let (Some(s), Some(d)) = (h.systolic, h.diastolic) {
                        parts.push(format!("血压 {s}/{d}"));
                    }
                    if !h.note.is_empty() {
                        parts.push(h.note.clone());
                    }
                    if h.concern {
                        parts.push("需关注".into());
                    }
                    parts.join("，")
                })
                .unwrap_or_default(),
            follow_up: v
                .follow_up_due
                .as_ref()
                .map(|d| format!("{d} {}", v.follow_up_note))
                .unwrap_or_default(),
        })
        .collect();
    visits.reverse();
    let tags: Vec<&str> = doc
        .tags
        .iter()
        .filter(|(_, on)| **on)
        .filter_map(|(t, _)| Tag::from_code(t))
        .map(|t| t.label_zh())
        .collect();
    let watch = match &doc.watch {
        Some(plan) => format!("{} {} 次（{state}）", plan.frequency.label_zh(), plan.n),
        None => "无".into(),
    };
    page(
        StatusCode::OK,
        HouseholdPage {
            who: &who,
            address: format!("{building} {} {}", doc.unit, doc.room),
            tags: tags.join("、"),
            watch,
            visits,
            doc: &doc,
        }
        .render(),
    )
}
