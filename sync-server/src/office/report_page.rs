//! `/office/today`: the day-end report of any date (today by default, in the community's
//! time) with its charts — visits per lead, tickets by level, duty attendance per gate, watch
//! checks done against due — with the departments' work orders, the needs served, the
//! reminders and a closed month's evaluation; and `/office/report.csv`, the same report as the admin tools'
//! `report --format csv` prints it, or `/office/report.xlsx`. A date whose gate days were erased at the end of their
//! retention shows the report kept then.

use std::sync::Arc;

use askama::Template;
use axum::extract::{Query, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use chrono::NaiveDate;
use linli_core::records::Coded;
use linli_core::report::DayReport;
use serde::Deserialize;

use super::charts::{Bar, bar_chart};
use super::sheets::{self, Table};
use super::{SignedIn, page};
use crate::error::RelayError;
use crate::http::blocking;
use crate::relay::Relay;

#[derive(Debug, Deserialize)]
pub(super) struct DateQuery {
    date: Option<String>,
}

/// What a date's report is: computed now, or kept when its gate days were erased.
enum Day {
    Computed(Box<DayReport>),
    Archived { markdown: String, csv: String },
}

/// The report of `date` (today when none), from the replica fed up to the log.
async fn day(relay: &Arc<Relay>, date: Option<&str>) -> Result<(NaiveDate, Day), RelayError> {
    let date = date
        .filter(|d| !d.is_empty())
        .map(|d| {
            NaiveDate::parse_from_str(d, "%Y-%m-%d").map_err(|_| {
                RelayError::bad_request("invalid", "日期格式应为 YYYY-MM-DD (a date is YYYY-MM-DD)")
            })
        })
        .transpose()?;
    let r = Arc::clone(relay);
    blocking(move || {
        r.replica.read(r.storage.as_ref(), |l, _| {
            let date = match date {
                Some(d) => d,
                None => l.community()?.local_date(l.now()),
            };
            if let Some((markdown, csv)) = r.storage.archived_report(&date.to_string())? {
                return Ok((date, Day::Archived { markdown, csv }));
            }
            Ok((date, Day::Computed(Box::new(l.day_report(date)?))))
        })
    })
    .await
}

#[derive(Template)]
#[template(path = "today.html")]
struct TodayPage<'a> {
    who: &'a SignedIn,
    date: String,
    report: Option<&'a DayReport>,
    archived: Option<&'a str>,
    charts: Vec<(String, String)>,
}

impl TodayPage<'_> {
    /// Minutes as hours and minutes: `1 小时 30 分`.
    fn hours(&self, minutes: &u32) -> String {
        format!("{} 小时 {} 分", minutes / 60, minutes % 60)
    }

    /// A mean in hundredths as a number with two decimals: `4.20`.
    fn mean(&self, x100: &u32) -> String {
        format!("{}.{:02}", x100 / 100, x100 % 100)
    }
}

fn charts(r: &DayReport) -> Vec<(String, String)> {
    let visits: Vec<Bar> = r
        .visits
        .iter()
        .map(|v| Bar::new(&v.name, v.visits))
        .collect();
    let mut tickets = Vec::new();
    for t in &r.tickets {
        let level = t.level.label_zh();
        tickets.push(Bar::new(format!("{level} 未办结"), t.open));
        tickets.push(Bar::warning(format!("{level} 超时"), t.overdue));
        tickets.push(Bar::new(format!("{level} 当日办结"), t.resolved));
    }
    let mut duty = Vec::new();
    for g in &r.duty {
        duty.push(Bar::new(format!("{} 准时", g.gate_name), g.on_time));
        duty.push(Bar::warning(format!("{} 迟到", g.gate_name), g.late));
        duty.push(Bar::warning(format!("{} 缺岗", g.gate_name), g.no_show));
    }
    let watch = vec![
        Bar::new("应查 due", r.watch.due),
        Bar::new("已查 done", r.watch.done),
        Bar::warning("未达标户 short", r.watch.households_short),
    ];
    [
        ("各楼栋长走访 visits per lead", visits),
        ("工单（按层级）tickets by level", tickets),
        ("门岗出勤 duty attendance", duty),
        ("重点关注户探访 watch checks", watch),
    ]
    .into_iter()
    .map(|(title, bars)| (title.to_owned(), bar_chart(title, &bars)))
    .collect()
}

/// The day's page.
pub(super) async fn today(
    State(relay): State<Arc<Relay>>,
    who: SignedIn,
    Query(q): Query<DateQuery>,
) -> Response {
    let (date, day) = match day(&relay, q.date.as_deref()).await {
        Ok(found) => found,
        Err(e) => return e.into_response(),
    };
    let (report, archived) = match &day {
        Day::Computed(r) => (Some(r.as_ref()), None),
        Day::Archived { markdown, .. } => (None, Some(markdown.as_str())),
    };
    page(
        StatusCode::OK,
        TodayPage {
            who: &who,
            date: date.to_string(),
            charts: report.map(charts).unwrap_or_default(),
            report,
            archived,
        }
        .render(),
    )
}

/// The day's report to download: CSV, byte for byte what `linli-relay report --format csv`
/// prints, or the same rows as `.xlsx`.
async fn download_as(relay: Arc<Relay>, q: DateQuery, xlsx: bool) -> Response {
    let (date, day) = match day(&relay, q.date.as_deref()).await {
        Ok(found) => found,
        Err(e) => return e.into_response(),
    };
    let csv = match day {
        Day::Computed(r) => r.to_csv(),
        Day::Archived { csv, .. } => csv,
    };
    if !xlsx {
        return sheets::download(
            sheets::CSV,
            &format!("linli-report-{date}.csv"),
            csv.into_bytes(),
        );
    }
    match Table::from_csv(&csv).and_then(|t| t.xlsx("日报")) {
        Ok(bytes) => sheets::download(sheets::XLSX, &format!("linli-report-{date}.xlsx"), bytes),
        Err(e) => e.into_response(),
    }
}

/// The day's report as CSV.
pub(super) async fn csv(
    State(relay): State<Arc<Relay>>,
    _who: SignedIn,
    Query(q): Query<DateQuery>,
) -> Response {
    download_as(relay, q, false).await
}

/// The day's report as `.xlsx`.
pub(super) async fn xlsx(
    State(relay): State<Arc<Relay>>,
    _who: SignedIn,
    Query(q): Query<DateQuery>,
) -> Response {
    download_as(relay, q, true).await
}
