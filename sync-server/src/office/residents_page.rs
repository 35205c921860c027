//! `/office/residents`: the office's own questions of the residents (智慧报表) — by age range
//! (say 90 and over), tag, building, not visited in N days, watch state — as a table, and
//! `/office/residents.csv` and `.xlsx`, the same rows to download. Answered by the core from projections
//! (`Linli::residents_where`); phone numbers stay masked.

use std::sync::Arc;

use askama::Template;
use axum::extract::{Query, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use chrono::{DateTime, Utc};
use linli_core::api::households::CheckState;
use linli_core::api::queries::{ResidentQuery, ResidentRow, WatchQuery};
use linli_core::records::Coded;
use linli_core::records::household::Tag;
use serde::Deserialize;

use super::sheets::{self, Table};
use super::{SignedIn, building_names, page, watch_label};
use crate::error::RelayError;
use crate::http::blocking;
use crate::relay::Relay;

/// The question as the form sends it.
#[derive(Debug, Default, Deserialize)]
pub(super) struct QueryForm {
    min_age: Option<String>,
    max_age: Option<String>,
    tag: Option<String>,
    building: Option<String>,
    not_visited: Option<String>,
    watch: Option<String>,
}

fn number(field: &str, text: Option<&str>) -> Result<Option<u32>, RelayError> {
    match text.map(str::trim).filter(|t| !t.is_empty()) {
        None => Ok(None),
        Some(t) => t.parse::<u32>().map(Some).map_err(|_| {
            RelayError::bad_request("invalid", format!("{field}: 应为整数 (a whole number)"))
        }),
    }
}

impl QueryForm {
    fn query(&self) -> Result<ResidentQuery, RelayError> {
        let tag = match self.tag.as_deref().filter(|t| !t.is_empty()) {
            Some(t) => Some(Tag::parse_code(t, "tag")?),
            None => None,
        };
        Ok(ResidentQuery {
            min_age: number("min_age", self.min_age.as_deref())?,
            max_age: number("max_age", self.max_age.as_deref())?,
            tag,
            building_id: self.building.clone().filter(|b| !b.is_empty()),
            not_visited_days: number("not_visited", self.not_visited.as_deref())?,
            watch: match self.watch.as_deref() {
                Some("watched") => WatchQuery::Watched,
                Some("due") => WatchQuery::Due,
                Some("overdue") => WatchQuery::Overdue,
                _ => WatchQuery::Any,
            },
        })
    }

    fn value(&self, field: &str) -> String {
        match field {
            "min_age" => &self.min_age,
            "max_age" => &self.max_age,
            "tag" => &self.tag,
            "building" => &self.building,
            "not_visited" => &self.not_visited,
            _ => &self.watch,
        }
        .clone()
        .unwrap_or_default()
    }

    /// The question as a query string, for the CSV link.
    fn query_string(&self) -> String {
        [
            "min_age",
            "max_age",
            "tag",
            "building",
            "not_visited",
            "watch",
        ]
        .iter()
        .map(|f| format!("{f}={}", encode(&self.value(f))))
        .collect::<Vec<_>>()
        .join("&")
    }
}

fn encode(text: &str) -> String {
    text.bytes()
        .map(|b| {
            if b.is_ascii_alphanumeric() || b"-._~".contains(&b) {
                (b as char).to_string()
            } else {
                format!("%{b:02X}")
            }
        })
        .collect()
}

/// A resident's line.
struct Line {
    resident_id: String,
    name: String,
    age: String,
    building: String,
    unit: String,
    room: String,
    tags: String,
    last_visit: String,
    watch: &'static str,
    watch_late: bool,
}

/// The residents the question found, as lines, with the community's buildings.
async fn answer(
    relay: &Arc<Relay>,
    query: ResidentQuery,
) -> Result<(Vec<Line>, Vec<(String, String)>), RelayError> {
    let r = Arc::clone(relay);
    blocking(move || {
        r.replica.read(r.storage.as_ref(), |l, _| {
            let offset = l.community()?.offset();
            let buildings = building_names(l)?;
            let name_of = |id: &str| {
                buildings
                    .iter()
                    .find(|(b, _)| b == id)
                    .map(|(_, n)| n.clone())
                    .unwrap_or_else(|| id.to_owned())
            };
            let lines = l
                .residents_where(&query)?
                .into_iter()
                .map(|row: ResidentRow| {
                    let h = &row.household;
                    Line {
                        resident_id: row.resident_id.clone(),
                        name: row.name.clone(),
                        age: row.age.map(|a| a.to_string()).unwrap_or_default(),
                        building: name_of(&h.building_id),
                        unit: h.unit.clone(),
                        room: h.room.clone(),
                        tags: h
                            .tags
                            .iter()
                            .map(|t| t.label_zh())
                            .collect::<Vec<_>>()
                            .join("、"),
                        last_visit: h
                            .last_visit_at
                            .map(|t: DateTime<Utc>| {
                                t.with_timezone(&offset).format("%Y-%m-%d").to_string()
                            })
                            .unwrap_or_else(|| "从未".into()),
                        watch: watch_label(h.check),
                        watch_late: h.check == CheckState::Overdue,
                    }
                })
                .collect();
            Ok((lines, buildings))
        })
    })
    .await
}

#[derive(Template)]
#[template(path = "residents.html")]
struct ResidentsPage<'a> {
    who: &'a SignedIn,
    form: &'a QueryForm,
    lines: Vec<Line>,
    buildings: Vec<(String, String)>,
    tags: Vec<(&'static str, &'static str)>,
    csv: String,
    xlsx: String,
}

/// The question's page.
pub(super) async fn residents(
    State(relay): State<Arc<Relay>>,
    who: SignedIn,
    Query(form): Query<QueryForm>,
) -> Response {
    let found = match form.query() {
        Ok(query) => answer(&relay, query).await,
        Err(e) => Err(e),
    };
    let (lines, buildings) = match found {
        Ok(found) => found,
        Err(e) => return e.into_response(),
    };
    page(
        StatusCode::OK,
        ResidentsPage {
            who: &who,
            csv: format!("/office/residents.csv?{}", form.query_string()),
            xlsx: format!("/office/residents.xlsx?{}", form.query_string()),
            form: &form,
            lines,
            buildings,
            tags: Tag::ALL.iter().map(|t| (t.code(), t.label_zh())).collect(),
        }
        .render(),
    )
}

/// The lines as a table with Chinese headings.
fn table(lines: &[Line]) -> Table {
    Table {
        headings: [
            "姓名",
            "年龄",
            "楼栋",
            "单元",
            "室号",
            "标签",
            "最近走访",
            "探访状态",
        ]
        .map(str::to_owned)
        .to_vec(),
        rows: lines
            .iter()
            .map(|l| {
                vec![
                    l.name.clone(),
                    l.age.clone(),
                    l.building.clone(),
                    l.unit.clone(),
                    l.room.clone(),
                    l.tags.clone(),
                    l.last_visit.clone(),
                    l.watch.to_owned(),
                ]
            })
            .collect(),
    }
}

/// The same rows to download: CSV (with a byte-order mark, so that Excel reads the Chinese
/// right) or `.xlsx`.
async fn download_as(relay: Arc<Relay>, form: QueryForm, xlsx: bool) -> Response {
    let found = match form.query() {
        Ok(query) => answer(&relay, query).await,
        Err(e) => Err(e),
    };
    let lines = match found {
        Ok((lines, _)) => lines,
        Err(e) => return e.into_response(),
    };
    let table = table(&lines);
    if xlsx {
        match table.xlsx("居民") {
            Ok(bytes) => sheets::download(sheets::XLSX, "linli-residents.xlsx", bytes),
            Err(e) => e.into_response(),
        }
    } else {
        let body = format!("\u{feff}{}", table.csv()).into_bytes();
        sheets::download(sheets::CSV, "linli-residents.csv", body)
    }
}

/// The rows as CSV.
pub(super) async fn residents_csv(
    State(relay): State<Arc<Relay>>,
    _who: SignedIn,
    Query(form): Query<QueryForm>,
) -> Response {
    download_as(relay, form, false).await
}

/// The rows as `.xlsx`.
pub(super) async fn residents_xlsx(
    State(relay): State<Arc<Relay>>,
    _who: SignedIn,
    Query(form): Query<QueryForm>,
) -> Response {
    download_as(relay, form, true).await
}
