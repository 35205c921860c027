//! `/office/import`: the residents' roster (居民花名册) the office keeps in Excel, uploaded as a
//! `.xlsx` or `.csv` (see [`crate::roster`]). The upload is read and previewed — how many
//! households and residents, the first rows — or its bad rows listed with their row numbers
//! and fields; nothing is written until the office confirms, and then every household is
//! registered in one transaction by the signed-in member, or none.

use std::sync::Arc;

use askama::Template;
use axum::Form;
use axum::extract::multipart::MultipartRejection;
use axum::extract::{Multipart, State};
use axum::http::StatusCode;
use axum::response::Response;
use linli_core::api::households::HouseholdInput;
use serde::Deserialize;

use super::session::refuse_form;
use super::{SignedIn, page};
use crate::error::RelayError;
use crate::http::blocking;
use crate::relay::Relay;
use crate::roster::{MAX_ROSTER_BYTES, RowError, read_roster, roster_context, this_year};

/// The largest upload read: three times the largest roster, so that a file somewhat too
/// large is read to its end and refused with words (a reply sent while the browser is still
/// sending would reach it as a broken connection instead).
pub const MAX_UPLOAD_BYTES: usize = 3 * MAX_ROSTER_BYTES;
/// How many households the preview shows.
const PREVIEW_ROWS: usize = 20;

/// A household as the preview shows it.
struct PreviewRow {
    building: String,
    unit: String,
    room: String,
    residents: String,
}

#[derive(Template)]
#[template(path = "import.html")]
struct ImportPage<'a> {
    who: &'a SignedIn,
    error: Option<String>,
    errors: Vec<RowError>,
    error_count: usize,
    preview: Vec<PreviewRow>,
    households: usize,
    residents: usize,
    imported: Option<usize>,
}

impl<'a> ImportPage<'a> {
    fn empty(who: &'a SignedIn) -> ImportPage<'a> {
        ImportPage {
            who,
            error: None,
            errors: Vec::new(),
            error_count: 0,
            preview: Vec::new(),
            households: 0,
            residents: 0,
            imported: None,
        }
    }
}

/// The upload form.
pub(super) async fn form(who: SignedIn) -> Response {
    page(StatusCode::OK, ImportPage::empty(&who).render())
}

/// The form's token and the file, read within the limit.
async fn read_upload(mut parts: Multipart) -> Result<(Option<String>, Vec<u8>), RelayError> {
    let too_large = || {
        RelayError::new(
            StatusCode::PAYLOAD_TOO_LARGE,
            "roster_too_large",
            format!(
                "花名册文件超过 {} MB (a roster file is at most {} MB)",
                MAX_ROSTER_BYTES >> 20,
                MAX_ROSTER_BYTES >> 20
            ),
        )
    };
    let (mut csrf, mut file) = (None, None);
    while let Some(field) = parts.next_field().await.map_err(|_| too_large())? {
        match field.name() {
            Some("csrf") => csrf = Some(field.text().await.map_err(|_| too_large())?),
            Some("roster") => file = Some(field.bytes().await.map_err(|_| too_large())?.to_vec()),
            _ => {}
        }
    }
    let file = file.ok_or_else(|| {
        RelayError::bad_request("no_roster", "请选择花名册文件 (choose a roster file)")
    })?;
    Ok((csrf, file))
}

/// Reads and previews an uploaded roster; nothing is written.
pub(super) async fn upload(
    State(relay): State<Arc<Relay>>,
    who: SignedIn,
    parts: Result<Multipart, MultipartRejection>,
) -> Response {
    let failed = |status: StatusCode, message: String| {
        page(
            status,
            ImportPage {
                error: Some(message),
                ..ImportPage::empty(&who)
            }
            .render(),
        )
    };
    let read = match parts {
        Ok(parts) => read_upload(parts).await,
        Err(e) => Err(RelayError::new(
            e.status(),
            "bad_upload",
            format!("无法读取上传的文件 (unreadable upload): {e}"),
        )),
    };
    let (csrf, bytes) = match read {
        Ok(read) => read,
        Err(e) => return failed(e.status, e.message),
    };
    if let Some(refused) = refuse_form(&who, csrf.as_deref()) {
        return refused;
    }
    let r = Arc::clone(&relay);
    let member = who.session.member_id.clone();
    let read = blocking(move || {
        let (buildings, registered, year) = r.office.read_as(&r, &member, |l| {
            let (buildings, registered) = roster_context(l)?;
            Ok((buildings, registered, this_year(l)?))
        })?;
        let roster = read_roster(&bytes, &buildings, &registered, year)?;
        Ok((roster, buildings))
    })
    .await;
    let (roster, buildings) = match read {
        Ok(read) => read,
        Err(e) => return failed(e.status, e.message),
    };
    if roster.error_count > 0 {
        return page(
            StatusCode::UNPROCESSABLE_ENTITY,
            ImportPage {
                errors: roster.errors,
                error_count: roster.error_count,
                ..ImportPage::empty(&who)
            }
            .render(),
        );
    }
    let name_of = |id: &str| {
        buildings
            .iter()
            .find(|(b, _)| b == id)
            .map_or_else(|| id.to_owned(), |(_, n)| n.clone())
    };
    let preview = roster
        .households
        .iter()
        .take(PREVIEW_ROWS)
        .map(|h: &HouseholdInput| PreviewRow {
            building: name_of(&h.building_id),
            unit: h.unit.clone(),
            room: h.room.clone(),
            residents: h
                .residents
                .iter()
                .map(|r| r.name.as_str())
                .collect::<Vec<_>>()
                .join("、"),
        })
        .collect();
    let (households, residents) = (roster.households.len(), roster.residents);
    relay
        .office
        .keep_import(&who.session.device_id, roster.households);
    page(
        StatusCode::OK,
        ImportPage {
            preview,
            households,
            residents,
            ..ImportPage::empty(&who)
        }
        .render(),
    )
}

#[derive(Debug, Deserialize)]
pub(super) struct ConfirmForm {
    csrf: Option<String>,
}

/// Registers every household of the previewed roster, or none.
pub(super) async fn confirm(
    State(relay): State<Arc<Relay>>,
    who: SignedIn,
    Form(form): Form<ConfirmForm>,
) -> Response {
    if let Some(refused) = refuse_form(&who, form.csrf.as_deref()) {
        return refused;
    }
    let Some(households) = relay.office.take_import(&who.session.device_id) else {
        return page(
            StatusCode::CONFLICT,
            ImportPage {
                error: Some(
                    "没有待导入的花名册，请重新上传 (nothing to import: upload again)".into(),
                ),
                ..ImportPage::empty(&who)
            }
            .render(),
        );
    };
    let r = Arc::clone(&relay);
    let member = who.session.member_id.clone();
    let done = blocking(move || {
        r.office
            .write(&r, &member, |l| l.import_households(&households))
    })
    .await;
    match done {
        Ok(ids) => {
            tracing::info!(households = ids.len(), by = %who.session.member_id, "roster imported");
            page(
                StatusCode::OK,
                ImportPage {
                    imported: Some(ids.len()),
                    ..ImportPage::empty(&who)
                }
                .render(),
            )
        }
        Err(e) => page(
            e.status,
            ImportPage {
                error: Some(format!("未导入任何住户 (nothing imported): {}", e.message)),
                ..ImportPage::empty(&who)
            }
            .render(),
        ),
    }
}
