//! `/office/tickets`: open tickets by level with their 24 h / 3-day countdowns (overdue in
//! red), filtered by status, level, category, channel, place and first receiver; and one
//! ticket: its whole timeline with who, when and from which device, the duplicates merged
//! into it, its work orders with the departments' steps, and the actions the signed-in member may take in its state — offered by the
//! core's own rule (`ticket_actions`), taken as changes by that member, and refused with the
//! core's reason otherwise.

use std::collections::{BTreeMap, HashMap};
use std::sync::Arc;

use askama::Template;
use axum::Form;
use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use chrono::{DateTime, Utc};
use linli_core::api::cases::CaseActionKind;
use linli_core::api::ticket_actions::TicketActionKind;
use linli_core::api::tickets::{TicketDetail, TicketFilter, TicketRow};
use linli_core::records::Coded;
use linli_core::records::ticket::{Category, Channel, Department, Level, Status, TicketAction};
use serde::Deserialize;

use super::orders::{self, OrderView};
use super::session::refuse_form;
use super::{SignedIn, page};
use crate::error::RelayError;
use crate::http::blocking;
use crate::relay::Relay;

/// The most tickets the board lists at once.
const BOARD_LIMIT: u32 = 500;

#[derive(Debug, Default, Deserialize)]
pub(super) struct BoardQuery {
    status: Option<String>,
    level: Option<String>,
    category: Option<String>,
    channel: Option<String>,
    place: Option<String>,
    receiver: Option<String>,
    overdue: Option<String>,
}

fn picked<T: Coded>(code: Option<&str>, field: &str) -> Result<Option<T>, RelayError> {
    match code.filter(|c| !c.is_empty()) {
        Some(c) => Ok(Some(T::parse_code(c, field)?)),
        None => Ok(None),
    }
}

/// A ticket's line on the board.
struct BoardRow {
    id: String,
    level: &'static str,
    status: &'static str,
    category: &'static str,
    channel: &'static str,
    place: String,
    description: String,
    receiver: String,
    countdown: String,
    overdue: bool,
}

/// "剩 5 小时" before `due`, "超时 3 小时" after.
fn countdown(due: Option<DateTime<Utc>>, now: DateTime<Utc>) -> (String, bool) {
    let Some(due) = due else {
        return (String::new(), false);
    };
    let left = due - now;
    let hours = left.num_hours().abs();
    let span = if hours >= 48 {
        format!("{} 天", hours / 24)
    } else if hours >= 1 {
        format!("{hours} 小时")
    } else {
        format!("{} 分钟", left.num_minutes().abs())
    };
    if left.num_seconds() >= 0 {
        (format!("剩 {span}"), false)
    } else {
        (format!("超时 {span}"), true)
    }
}

fn board_row(t: &TicketRow, names: &HashMap<String, String>, now: DateTime<Utc>) -> BoardRow {
    let (countdown, late) = countdown(t.reply_due.or(t.resolve_due), now);
    BoardRow {
        id: t.id.clone(),
        level: t.level.label_zh(),
        status: t.status.label_zh(),
        category: t.category.label_zh(),
        channel: t.channel.label_zh(),
        place: t.place_text.clone(),
        description: t.description.chars().take(60).collect(),
        receiver: t
            .responsible
            .as_ref()
            .map(|r| names.get(r).cloned().unwrap_or_else(|| r.clone()))
            .unwrap_or_default(),
        countdown,
        overdue: t.overdue || late,
    }
}

#[derive(Template)]
#[template(path = "tickets.html")]
struct BoardPage<'a> {
    who: &'a SignedIn,
    rows: Vec<BoardRow>,
    q: &'a BoardQuery,
    statuses: Vec<(&'static str, &'static str)>,
    levels: Vec<(&'static str, &'static str)>,
    categories: Vec<(&'static str, &'static str)>,
    channels: Vec<(&'static str, &'static str)>,
}

impl BoardQuery {
    fn is(&self, field: &str, code: &str) -> bool {
        let value = match field {
            "status" => &self.status,
            "level" => &self.level,
            "category" => &self.category,
            _ => &self.channel,
        };
        value.as_deref() == Some(code)
    }

    fn text(&self, field: &str) -> String {
        match field {
            "place" => self.place.clone(),
            _ => self.receiver.clone(),
        }
        .unwrap_or_default()
    }
}

fn choices<T: Coded>(all: &[T]) -> Vec<(&'static str, &'static str)> {
    all.iter().map(|v| (v.code(), v.label_zh())).collect()
}

/// The member names of the directory, by id.
fn member_names(l: &linli_core::Linli) -> linli_core::Result<HashMap<String, String>> {
    Ok(l.members()?.into_iter().map(|m| (m.id, m.name)).collect())
}

/// The board.
pub(super) async fn board(
    State(relay): State<Arc<Relay>>,
    who: SignedIn,
    Query(q): Query<BoardQuery>,
) -> Response {
    let filter = (|| {
        let status: Option<Status> = picked(q.status.as_deref(), "status")?;
        Ok::<_, RelayError>(TicketFilter {
            open_only: status.is_none(),
            status,
            level: picked(q.level.as_deref(), "level")?,
            category: picked(q.category.as_deref(), "category")?,
            place_ref: None,
            overdue: q.overdue.as_deref() == Some("1"),
            limit: Some(BOARD_LIMIT),
            ..TicketFilter::default()
        })
    })();
    let filter = match filter {
        Ok(f) => f,
        Err(e) => return e.into_response(),
    };
    let channel: Option<Channel> = match picked(q.channel.as_deref(), "channel") {
        Ok(c) => c,
        Err(e) => return e.into_response(),
    };
    let place = q.place.clone().unwrap_or_default();
    let receiver = q.receiver.clone().unwrap_or_default();
    let r = Arc::clone(&relay);
    let rows = blocking(move || {
        r.replica.read(r.storage.as_ref(), |l, _| {
            let names = member_names(l)?;
            let now = l.now();
            let mut rows: Vec<BoardRow> = l
                .tickets(&filter)?
                .iter()
                .filter(|t| channel.is_none_or(|c| t.channel == c))
                .filter(|t| place.is_empty() || t.place_text.contains(place.trim()))
                .map(|t| board_row(t, &names, now))
                .filter(|row| receiver.is_empty() || row.receiver.contains(receiver.trim()))
                .collect();
            // By level (county first), then the least time left.
            rows.sort_by_key(|row| {
                (
                    std::cmp::Reverse(level_rank(row.level)),
                    !row.overdue,
                    row.id.clone(),
                )
            });
            Ok(rows)
        })
    })
    .await;
    let rows = match rows {
        Ok(rows) => rows,
        Err(e) => return e.into_response(),
    };
    page(
        StatusCode::OK,
        BoardPage {
            who: &who,
            rows,
            q: &q,
            statuses: choices(Status::ALL),
            levels: choices(Level::ALL),
            categories: choices(Category::ALL),
            channels: choices(Channel::ALL),
        }
        .render(),
    )
}

fn level_rank(label: &str) -> usize {
    Level::ALL
        .iter()
        .position(|l| l.label_zh() == label)
        .unwrap_or(0)
}

/// One event of a ticket's timeline as the page shows it.
struct TimelineRow {
    at: String,
    who: String,
    device: String,
    what: String,
}

/// What an event did, in Chinese; `names` gives members' and departments' names by id.
fn describe(action: &TicketAction, names: &HashMap<String, String>) -> String {
    let name = |id: &str| names.get(id).cloned().unwrap_or_else(|| id.to_owned());
    match action {
        TicketAction::Reported => "上报问题".into(),
        TicketAction::Accepted => "受理（首问负责）".into(),
        TicketAction::Assigned { department } => format!("派单至 {}", department.label_zh()),
        TicketAction::Escalated { to, reason } => format!("上报至{}：{reason}", to.label_zh()),
        TicketAction::Replied { message } => format!("答复：{message}"),
        TicketAction::Resolved { summary } => format!("办结：{summary}"),
        TicketAction::Evaluated { satisfied, comment } => format!(
            "居民评价：{} {comment}",
            if *satisfied { "满意" } else { "不满意" }
        ),
        TicketAction::Merged { into } => format!("合并入工单 {into}"),
        TicketAction::Absorbed {
            from,
            channel,
            reporter,
        } => format!("并入重复工单 {from}（{}，{reporter}）", channel.label_zh()),
        TicketAction::PhotoAdded { sha256 } => {
            format!("添加照片 {}", sha256.chars().take(12).collect::<String>())
        }
        TicketAction::Dispatched { unit, .. } => format!("派往部门 {}", name(unit)),
        TicketAction::LeaderNamed { member } => format!("包案领导：{}", name(member)),
    }
}

#[derive(Template)]
#[template(path = "ticket.html")]
struct TicketPage<'a> {
    who: &'a SignedIn,
    id: &'a str,
    detail: &'a TicketDetail,
    level: &'static str,
    status: &'static str,
    category: &'static str,
    channel: &'static str,
    countdown: String,
    overdue: bool,
    timeline: Vec<TimelineRow>,
    actions: Vec<(&'static str, &'static str)>,
    departments: Vec<(&'static str, &'static str)>,
    /// The directory's departments to dispatch to, `(id, name)`.
    units: Vec<(String, String)>,
    /// Who can be put in charge, `(id, name)`.
    leaders: Vec<(String, String)>,
    /// 包案领导, by name.
    leader: Option<String>,
    orders: Vec<OrderView>,
    levels: Vec<(&'static str, &'static str)>,
    error: Option<String>,
    done: bool,
}

impl TicketPage<'_> {
    fn offers(&self, action: &str) -> bool {
        self.actions.iter().any(|(code, _)| *code == action)
    }
}

/// The code of an action in the pages' forms.
fn action_code(kind: TicketActionKind) -> &'static str {
    match kind {
        TicketActionKind::Accept => "accept",
        TicketActionKind::Assign => "assign",
        TicketActionKind::Escalate => "escalate",
        TicketActionKind::Reply => "reply",
        TicketActionKind::Resolve => "resolve",
        TicketActionKind::Evaluate => "evaluate",
        TicketActionKind::Merge => "merge",
        TicketActionKind::AttachPhoto => "attach_photo",
        TicketActionKind::Dispatch => "dispatch",
        TicketActionKind::NameLeader => "name_leader",
    }
}

/// What the pages offer: the actions a browser can take on a ticket (evaluating, merging and
/// photos are done on the phones).
const OFFERED: [TicketActionKind; 7] = [
    TicketActionKind::Accept,
    TicketActionKind::Assign,
    TicketActionKind::Dispatch,
    TicketActionKind::NameLeader,
    TicketActionKind::Escalate,
    TicketActionKind::Reply,
    TicketActionKind::Resolve,
];

#[derive(Debug, Default, Deserialize)]
pub(super) struct TicketQuery {
    done: Option<String>,
}

/// One ticket's page.
pub(super) async fn ticket(
    State(relay): State<Arc<Relay>>,
    who: SignedIn,
    Path(id): Path<String>,
    Query(q): Query<TicketQuery>,
) -> Response {
    ticket_page(&relay, &who, &id, None, q.done.is_some()).await
}

async fn ticket_page(
    relay: &Arc<Relay>,
    who: &SignedIn,
    id: &str,
    error: Option<String>,
    done: bool,
) -> Response {
    let r = Arc::clone(relay);
    let member = who.session.member_id.clone();
    let ticket_id = id.to_owned();
    let found = blocking(move || {
        let read = r.replica.read(r.storage.as_ref(), |l, _| {
            let offset = l.community()?.offset();
            let mut names = member_names(l)?;
            names.extend(orders::department_names(l)?);
            let orders = orders::ticket_orders(l, &ticket_id, &names, &offset)?;
            let choices = (orders::departments(l)?, orders::leaders(l)?);
            Ok((
                l.ticket(&ticket_id)?,
                names,
                l.now(),
                offset,
                orders,
                choices,
            ))
        })?;
        let (detail, names, now, offset, mut orders, choices) = read;
        // What the member may do, asked of the store that acts as them; a relay whose pages
        // only read offers nothing.
        let actions = r
            .office
            .read_as(&r, &member, |l| {
                for o in orders.iter_mut().filter(|o| o.question.is_some()) {
                    o.may_answer = l
                        .order_actions(&o.id)?
                        .contains(&CaseActionKind::AnswerInfo);
                }
                l.ticket_actions(&ticket_id)
            })
            .unwrap_or_default();
        Ok((detail, names, now, offset, actions, orders, choices))
    })
    .await;
    let (detail, names, now, offset, actions, orders, (units, leaders)) = match found {
        Ok(found) => found,
        Err(e) => return e.into_response(),
    };
    let (countdown, overdue) = countdown(
        detail
            .state
            .reply_due_ms
            .or(detail.state.resolve_due_ms)
            .and_then(DateTime::<Utc>::from_timestamp_millis),
        now,
    );
    let timeline = detail
        .doc
        .events
        .iter()
        .map(|e| TimelineRow {
            at: DateTime::<Utc>::from_timestamp_millis(e.at_ms)
                .map(|t| {
                    t.with_timezone(&offset)
                        .format("%Y-%m-%d %H:%M")
                        .to_string()
                })
                .unwrap_or_default(),
            who: names
                .get(&e.author)
                .cloned()
                .unwrap_or_else(|| e.author.clone()),
            device: e.device.clone(),
            what: describe(&e.action, &names),
        })
        .collect();
    let offered: BTreeMap<usize, (&'static str, &'static str)> = actions
        .into_iter()
        .filter(|k| OFFERED.contains(k))
        .filter_map(|k| {
            OFFERED
                .iter()
                .position(|o| *o == k)
                .map(|i| (i, (action_code(k), k.label_zh())))
        })
        .collect();
    let status = if error.is_some() {
        StatusCode::UNPROCESSABLE_ENTITY
    } else {
        StatusCode::OK
    };
    page(
        status,
        TicketPage {
            who,
            id,
            level: detail.state.level.label_zh(),
            status: detail.state.status.label_zh(),
            category: detail.doc.category.label_zh(),
            channel: detail.doc.channel.label_zh(),
            detail: &detail,
            countdown,
            overdue,
            timeline,
            actions: offered.into_values().collect(),
            departments: choices(Department::ALL),
            leader: detail
                .state
                .leader
                .as_ref()
                .map(|m| names.get(m).cloned().unwrap_or_else(|| m.clone())),
            units,
            leaders,
            orders,
            levels: choices(&Level::ALL[1..]),
            error,
            done,
        }
        .render(),
    )
}

/// A ticket's photo, for the signed-in office: JPEG or PNG as its bytes say, anything else as
/// a download; never guessed by the browser.
pub(super) async fn photo(
    State(relay): State<Arc<Relay>>,
    _who: SignedIn,
    Path(hash): Path<String>,
) -> Response {
    if hash.len() != 64 || !hash.bytes().all(|b| b.is_ascii_hexdigit()) {
        return RelayError::bad_request("bad_photo_name", "a photo is named by its sha-256")
            .into_response();
    }
    let r = Arc::clone(&relay);
    let bytes = match blocking(move || r.storage.blob(&hash.to_ascii_lowercase())).await {
        Ok(Some(bytes)) => bytes,
        Ok(None) => {
            return RelayError::new(
                StatusCode::NOT_FOUND,
                "photo_pending",
                "照片尚未上传 (the photo has not arrived yet)",
            )
            .into_response();
        }
        Err(e) => return e.into_response(),
    };
    let kind = if bytes.starts_with(b"\xFF\xD8\xFF") {
        "image/jpeg"
    } else if bytes.starts_with(b"\x89PNG\r\n\x1a\n") {
        "image/png"
    } else {
        "application/octet-stream"
    };
    (
        StatusCode::OK,
        [
            (axum::http::header::CONTENT_TYPE, kind),
            (axum::http::header::CACHE_CONTROL, "private, max-age=3600"),
            (
                axum::http::header::HeaderName::from_static("x-content-type-options"),
                "nosniff",
            ),
        ],
        bytes,
    )
        .into_response()
}

/// An action taken from a ticket's page.
pub(super) async fn act(
    State(relay): State<Arc<Relay>>,
    who: SignedIn,
    Path((id, action)): Path<(String, String)>,
    Form(form): Form<HashMap<String, String>>,
) -> Response {
    if let Some(refused) = refuse_form(&who, form.get("csrf").map(String::as_str)) {
        return refused;
    }
    let field = |name: &str| {
        form.get(name)
            .map(|v| v.trim().to_owned())
            .unwrap_or_default()
    };
    let (text, department, level) = (field("text"), field("department"), field("level"));
    let (unit, leader, order) = (field("unit"), field("leader"), field("order"));
    let r = Arc::clone(&relay);
    let member = who.session.member_id.clone();
    let ticket_id = id.clone();
    let done = blocking(move || {
        r.office.write(&r, &member, |l| {
            match action.as_str() {
                "accept" => l.accept_ticket(&ticket_id),
                "assign" => l.assign_ticket(
                    &ticket_id,
                    Department::parse_code(&department, "department")?,
                ),
                "escalate" => {
                    l.escalate_ticket(&ticket_id, Level::parse_code(&level, "level")?, &text)
                }
                "dispatch" => l.dispatch_ticket(&ticket_id, &unit),
                "name_leader" => l.name_ticket_leader(&ticket_id, &leader),
                "answer" => {
                    if l.order(&order)?.doc.ticket_id != ticket_id {
                        return Err(linli_core::Error::invalid(
                            "order",
                            linli_core::ErrorCode::UnknownValue,
                            format!("{order} is no work order of this ticket"),
                        ));
                    }
                    l.answer_order_info(&order, &text)
                }
                "reply" => l.reply_ticket(&ticket_id, &text),
                "resolve" => l.resolve_ticket(&ticket_id, &text),
                other => Err(linli_core::Error::invalid(
                    "action",
                    linli_core::ErrorCode::UnknownValue,
                    format!("the office's pages do not {other} a ticket"),
                )),
            }
            .map(|_| ())
        })
    })
    .await;
    match done {
        Ok(()) => Redirect::to(&format!("/office/tickets/{id}?done=1")).into_response(),
        Err(e) if e.status.is_client_error() => {
            ticket_page(&relay, &who, &id, Some(e.message), false).await
        }
        Err(e) => e.into_response(),
    }
}
