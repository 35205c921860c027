//! `/office/devices`: every enrolled phone with its member and roles, its last contact, its
//! app's version and what it said it still held at its last sync (changes and photos not yet
//! uploaded, open conflicts), marked when it has not synced today or still holds unsent work;
//! revoked from here (its next request is refused, and the phone is told so).

use std::collections::HashMap;
use std::sync::Arc;

use askama::Template;
use axum::Form;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use chrono::{DateTime, Utc};
use linli_core::records::Coded;
use serde::Deserialize;

use super::session::refuse_form;
use super::{SignedIn, page};
use crate::error::RelayError;
use crate::http::blocking;
use crate::relay::{PHONE_DEVICE_PREFIX, Relay};
use crate::storage::DeviceReport;

/// A phone's line.
struct DeviceRow {
    id: String,
    name: String,
    member: String,
    roles: String,
    last_contact: String,
    app_version: String,
    outbox: String,
    photos: String,
    conflicts: String,
    revoked: bool,
    not_today: bool,
    unsent: bool,
}

#[derive(Template)]
#[template(path = "devices.html")]
struct DevicesPage<'a> {
    who: &'a SignedIn,
    rows: Vec<DeviceRow>,
    not_today: usize,
    unsent: usize,
}

/// The devices page.
pub(super) async fn devices(State(relay): State<Arc<Relay>>, who: SignedIn) -> Response {
    let r = Arc::clone(&relay);
    let rows = blocking(move || {
        let reports: HashMap<String, DeviceReport> = r
            .storage
            .device_reports()?
            .into_iter()
            .map(|d| (d.device_id.clone(), d))
            .collect();
        let devices = r.storage.devices()?;
        r.replica.read_directory(r.storage.as_ref(), |l, _| {
            let community = l.community()?;
            let offset = community.offset();
            let (today_start, _) = community.day_bounds_ms(community.local_date(l.now()));
            let members: HashMap<String, (String, String)> = l
                .members()?
                .into_iter()
                .map(|m| {
                    let roles: Vec<&str> = m.roles.iter().map(|r| r.role.label_zh()).collect();
                    (m.id, (m.name, roles.join("、")))
                })
                .collect();
            Ok(devices
                .into_iter()
                .filter(|d| d.device_id.starts_with(PHONE_DEVICE_PREFIX))
                .map(|d| {
                    let report = reports.get(&d.device_id);
                    let (member, roles) = members
                        .get(&d.member_id)
                        .cloned()
                        .unwrap_or_else(|| (d.member_id.clone(), String::new()));
                    let shown = |n: Option<u32>| n.map(|n| n.to_string()).unwrap_or_default();
                    DeviceRow {
                        id: d.device_id.clone(),
                        name: d.name.clone(),
                        member,
                        roles,
                        last_contact: report
                            .and_then(|r| DateTime::<Utc>::from_timestamp_millis(r.at_ms))
                            .map(|t| t.with_timezone(&offset).format("%m-%d %H:%M").to_string())
                            .unwrap_or_else(|| "从未 never".into()),
                        app_version: report.map(|r| r.app_version.clone()).unwrap_or_default(),
                        outbox: shown(report.map(|r| r.outbox)),
                        photos: shown(report.map(|r| r.photos)),
                        conflicts: shown(report.map(|r| r.conflicts)),
                        revoked: d.revoked_ms.is_some(),
                        not_today: report.is_none_or(|r| r.at_ms < today_start),
                        unsent: report.is_some_and(|r| r.outbox > 0 || r.photos > 0),
                    }
                })
                .collect::<Vec<_>>())
        })
    })
    .await;
    let rows = match rows {
        Ok(rows) => rows,
        Err(e) => return e.into_response(),
    };
    let live = || rows.iter().filter(|r| !r.revoked);
    let (not_today, unsent) = (
        live().filter(|r| r.not_today).count(),
        live().filter(|r| r.unsent).count(),
    );
    page(
        StatusCode::OK,
        DevicesPage {
            who: &who,
            not_today,
            unsent,
            rows,
        }
        .render(),
    )
}

#[derive(Debug, Deserialize)]
pub(super) struct RevokeForm {
    csrf: Option<String>,
}

/// Revokes a phone: its next request is refused and it is told so.
pub(super) async fn revoke(
    State(relay): State<Arc<Relay>>,
    who: SignedIn,
    Path(device_id): Path<String>,
    Form(form): Form<RevokeForm>,
) -> Response {
    if let Some(refused) = refuse_form(&who, form.csrf.as_deref()) {
        return refused;
    }
    if !device_id.starts_with(PHONE_DEVICE_PREFIX) {
        return RelayError::bad_request("not_a_phone", "only an enrolled phone is revoked here")
            .into_response();
    }
    let r = Arc::clone(&relay);
    let id = device_id.clone();
    match blocking(move || r.storage.revoke(&id, chrono::Utc::now().timestamp_millis())).await {
        Ok(true) => {
            tracing::info!(device = %device_id, by = %who.session.member_id, "device revoked from the office's pages");
            Redirect::to("/office/devices").into_response()
        }
        Ok(false) => RelayError::new(
            StatusCode::NOT_FOUND,
            "not_found",
            format!("no device {device_id} to revoke"),
        )
        .into_response(),
        Err(e) => e.into_response(),
    }
}
