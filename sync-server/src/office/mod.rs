//! The office's pages: server-rendered HTML under `/office/` on the relay's own port, for the
//! community office at day end. Who may sign in, sessions and the forms' CSRF tokens are in
//! [`session`]; the day's report with its charts in [`report_page`]; the ticket board and a
//! ticket's timeline and actions in [`tickets_page`], with its work orders in [`orders`]; which phones have synced and what they
//! still hold in [`devices_page`]; the week's duty roster in [`duty_page`]; households found and shown in [`households_page`]; the
//! residents' roster imported in [`import_page`]; the office's own questions of the residents in
//! [`residents_page`]. Pages read the office replica's
//! projections; every write is an automerge change by the signed-in member, made in an office
//! store of that member's own ([`OfficeDesk`]) and appended to the log like the admin tools'
//! changes, so that phones receive it at their next sync and its history names the person.

mod charts;
mod devices_page;
mod duty_page;
mod households_page;
mod import_page;
mod orders;
mod report_page;
mod residents_page;
mod session;
mod sheets;
mod tickets_page;

use std::collections::HashMap;
use std::sync::{Arc, Mutex, PoisonError};

use axum::Router;
use axum::http::{StatusCode, header};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use linli_core::Linli;
use linli_core::api::households::HouseholdInput;

use crate::admin::Admin;
use crate::database::Database;
use crate::error::RelayError;
use crate::relay::Relay;
use crate::storage::Device;

pub use session::{BROWSER_DEVICE_PREFIX, WEB_CODE_TTL_MS, home, is_browser_session};

/// The office stores of the members who wrote from the pages, opened at their first write and
/// kept; none when the relay was not given a place for them (then the pages only read).
#[derive(Debug, Default)]
pub struct OfficeDesk {
    db: Option<Database>,
    writers: Mutex<HashMap<String, Arc<Admin>>>,
    /// Rosters read and previewed, waiting for their import to be confirmed, by session.
    pending_imports: Mutex<HashMap<String, Vec<HouseholdInput>>>,
}

impl OfficeDesk {
    /// A desk keeping its stores beside `db`'s.
    pub fn new(db: &Database) -> OfficeDesk {
        OfficeDesk {
            db: Some(db.clone()),
            ..OfficeDesk::default()
        }
    }

    /// Runs `f` on `member`'s office store brought up to date with the log, then appends what
    /// it wrote to the log.
    pub fn write<T>(
        &self,
        relay: &Relay,
        member: &str,
        f: impl FnOnce(&Linli) -> linli_core::Result<T>,
    ) -> Result<T, RelayError> {
        let writer = self.writer(relay, member)?;
        let out = writer.run(f)?;
        relay.replica.feed_later(&relay.storage);
        Ok(out)
    }

    /// Runs `f` on `member`'s office store brought up to date, writing nothing: what the member
    /// may do is asked of the store that acts as them.
    pub fn read_as<T>(
        &self,
        relay: &Relay,
        member: &str,
        f: impl FnOnce(&Linli) -> linli_core::Result<T>,
    ) -> Result<T, RelayError> {
        let writer = self.writer(relay, member)?;
        writer.pull()?;
        Ok(f(writer.linli())?)
    }

    /// Keeps a previewed roster for the session `session` until it is confirmed.
    fn keep_import(&self, session: &str, households: Vec<HouseholdInput>) {
        self.pending_imports
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .insert(session.to_owned(), households);
    }

    /// The roster the session `session` previewed, taken.
    fn take_import(&self, session: &str) -> Option<Vec<HouseholdInput>> {
        self.pending_imports
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .remove(session)
    }

    fn writer(&self, relay: &Relay, member: &str) -> Result<Arc<Admin>, RelayError> {
        let Some(db) = &self.db else {
            return Err(RelayError::new(
                StatusCode::NOT_IMPLEMENTED,
                "read_only",
                "this relay's office pages only read (本服务器的办公室页面只读)",
            ));
        };
        let mut writers = self.writers.lock().unwrap_or_else(PoisonError::into_inner);
        if let Some(w) = writers.get(member) {
            return Ok(Arc::clone(w));
        }
        let device = format!("office-web-{member}");
        let admin = Arc::new(Admin::with_device(
            Arc::clone(&relay.storage),
            &db.local_store(&device)?,
            member,
            &device,
        )?);
        writers.insert(member.to_owned(), Arc::clone(&admin));
        Ok(admin)
    }
}

/// The pages' routes, to nest under `/office`.
pub fn router() -> Router<Arc<Relay>> {
    Router::new()
        .route("/", get(session::home))
        .route(
            "/sign-in",
            get(session::sign_in_page).post(session::sign_in),
        )
        .route("/sign-out", post(session::sign_out))
        .route("/today", get(report_page::today))
        .route("/report.csv", get(report_page::csv))
        .route("/report.xlsx", get(report_page::xlsx))
        .route("/tickets", get(tickets_page::board))
        .route("/tickets/{id}", get(tickets_page::ticket))
        .route("/tickets/{id}/{action}", post(tickets_page::act))
        .route("/photos/{hash}", get(tickets_page::photo))
        .route("/devices", get(devices_page::devices))
        .route("/duty", get(duty_page::duty))
        .route("/households", get(households_page::households))
        .route("/households/{id}", get(households_page::household))
        .route(
            "/import",
            get(import_page::form).post(import_page::upload).layer(
                axum::extract::DefaultBodyLimit::max(import_page::MAX_UPLOAD_BYTES),
            ),
        )
        .route("/import/confirm", post(import_page::confirm))
        .route("/residents", get(residents_page::residents))
        .route("/residents.csv", get(residents_page::residents_csv))
        .route("/residents.xlsx", get(residents_page::residents_xlsx))
        .route("/devices/{id}/revoke", post(devices_page::revoke))
}

/// What a page may load and where it may be shown: its own photos and inline styles, no script
/// at all, forms to the relay only, never inside another site's frame.
const CONTENT_SECURITY_POLICY: &str = "default-src 'none'; img-src 'self'; \
     style-src 'unsafe-inline'; form-action 'self'; frame-ancestors 'none'; base-uri 'none'";

/// An HTML page, declared UTF-8 (Chinese text is garbled otherwise), never cached, framed or
/// given a referrer (a sign-in link carries its code).
fn html(status: StatusCode, body: String) -> Response {
    (
        status,
        [
            (header::CONTENT_TYPE, "text/html; charset=utf-8"),
            (header::CACHE_CONTROL, "no-store"),
            (header::CONTENT_SECURITY_POLICY, CONTENT_SECURITY_POLICY),
            (header::X_FRAME_OPTIONS, "DENY"),
            (header::REFERRER_POLICY, "no-referrer"),
            (header::X_CONTENT_TYPE_OPTIONS, "nosniff"),
        ],
        body,
    )
        .into_response()
}

/// A rendered template, or the error page when rendering failed.
fn page(status: StatusCode, rendered: askama::Result<String>) -> Response {
    match rendered {
        Ok(body) => html(status, body),
        Err(e) => RelayError::internal(e).into_response(),
    }
}

/// What a household's watch state is called on the pages.
fn watch_label(state: linli_core::api::households::CheckState) -> &'static str {
    use linli_core::api::households::CheckState;
    match state {
        CheckState::NotWatched => "",
        CheckState::Upcoming => "正常",
        CheckState::Due => "待探访",
        CheckState::Overdue => "已超时",
    }
}

/// The community's buildings as (id, name).
fn building_names(l: &Linli) -> linli_core::Result<Vec<(String, String)>> {
    Ok(
        l.places(Some(linli_core::records::directory::PlaceKind::Building))?
            .into_iter()
            .map(|p| (p.id, p.name))
            .collect(),
    )
}

/// The signed-in member of a page request.
#[derive(Debug, Clone)]
pub struct SignedIn {
    /// The browser session's device record.
    pub session: Device,
    /// The member's name.
    pub name: String,
    /// The token every form of this session carries.
    pub csrf: String,
}
