//! `/office/duty`: this week's duty roster of every gate (门长制) — each shift with who holds
//! each slot (门长, 值班长, 安全员), the swaps asked for and their state, and each day's
//! attendance (slots planned, covered on time, late, not covered), from the same counts as the
//! day-end report. `?week=YYYY-MM-DD` shows the week of that day.

use std::collections::HashMap;
use std::sync::Arc;

use askama::Template;
use axum::extract::{Query, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use chrono::{Datelike, Duration, NaiveDate};
use linli_core::records::Coded;
use linli_core::records::directory::PlaceKind;
use serde::Deserialize;

use super::{SignedIn, page};
use crate::error::RelayError;
use crate::http::blocking;
use crate::relay::Relay;

#[derive(Debug, Default, Deserialize)]
pub(super) struct WeekQuery {
    week: Option<String>,
}

/// A shift's line.
struct ShiftLine {
    day: String,
    label: String,
    hours: String,
    slots: String,
}

/// A swap's line.
struct SwapLine {
    from: String,
    to: String,
    status: &'static str,
}

/// A day's attendance at a gate.
struct DayLine {
    day: String,
    planned: u32,
    on_time: u32,
    late: u32,
    no_show: u32,
    pending: u32,
}

/// One gate's week.
struct GateWeek {
    name: String,
    shifts: Vec<ShiftLine>,
    swaps: Vec<SwapLine>,
    days: Vec<DayLine>,
}

#[derive(Template)]
#[template(path = "duty.html")]
struct DutyPage<'a> {
    who: &'a SignedIn,
    monday: String,
    gates: Vec<GateWeek>,
}

/// The week's page.
pub(super) async fn duty(
    State(relay): State<Arc<Relay>>,
    who: SignedIn,
    Query(q): Query<WeekQuery>,
) -> Response {
    let day = match q.week.as_deref().filter(|w| !w.is_empty()) {
        Some(w) => match NaiveDate::parse_from_str(w, "%Y-%m-%d") {
            Ok(d) => Some(d),
            Err(_) => {
                return RelayError::bad_request(
                    "invalid",
                    "日期格式应为 YYYY-MM-DD (a date is YYYY-MM-DD)",
                )
                .into_response();
            }
        },
        None => None,
    };
    let r = Arc::clone(&relay);
    let found = blocking(move || {
        r.replica.read(r.storage.as_ref(), |l, _| {
            let community = l.community()?;
            let offset = community.offset();
            let day = day.unwrap_or_else(|| community.local_date(l.now()));
            let monday = day - Duration::days(day.weekday().num_days_from_monday().into());
            let names: HashMap<String, String> =
                l.members()?.into_iter().map(|m| (m.id, m.name)).collect();
            let name = |id: &str| names.get(id).cloned().unwrap_or_else(|| id.to_owned());
            let week = (0..7)
                .map(|i| {
                    let date = monday + Duration::days(i);
                    Ok((date, l.duty_of_day(date)?))
                })
                .collect::<linli_core::Result<Vec<_>>>()?;
            let mut gates = Vec::new();
            for gate in l.places(Some(PlaceKind::Gate))? {
                let shifts = l
                    .roster_week(&gate.id, monday)?
                    .into_iter()
                    .map(|s| {
                        let start = s.start.with_timezone(&offset);
                        ShiftLine {
                            day: start.format("%m-%d").to_string(),
                            label: s.label.clone(),
                            hours: format!(
                                "{}–{}",
                                start.format("%H:%M"),
                                s.end.with_timezone(&offset).format("%H:%M")
                            ),
                            slots: s
                                .slots
                                .iter()
                                .map(|slot| {
                                    format!(
                                        "{}：{}",
                                        slot.role.label_zh(),
                                        slot.member_name.clone().unwrap_or_else(|| "未排".into())
                                    )
                                })
                                .collect::<Vec<_>>()
                                .join("　"),
                        }
                    })
                    .collect();
                let swaps = l
                    .swaps(&gate.id)?
                    .into_iter()
                    .map(|s| SwapLine {
                        from: name(&s.from_member),
                        to: name(&s.to_member),
                        status: s.status.label_zh(),
                    })
                    .collect();
                let days = week
                    .iter()
                    .filter_map(|(date, duty)| {
                        duty.iter().find(|d| d.gate_id == gate.id).map(|d| DayLine {
                            day: date.format("%m-%d").to_string(),
                            planned: d.planned,
                            on_time: d.on_time,
                            late: d.late,
                            no_show: d.no_show,
                            pending: d.pending,
                        })
                    })
                    .collect();
                gates.push(GateWeek {
                    name: gate.name,
                    shifts,
                    swaps,
                    days,
                });
            }
            Ok((monday, gates))
        })
    })
    .await;
    let (monday, gates) = match found {
        Ok(found) => found,
        Err(e) => return e.into_response(),
    };
    page(
        StatusCode::OK,
        DutyPage {
            who: &who,
            monday: monday.to_string(),
            gates,
        }
        .render(),
    )
}
