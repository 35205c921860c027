//! Who may use the office's pages, and how a browser proves it. An office member gets a
//! one-time sign-in code from the admin tools (`linli-relay web-code --member ID`, valid for
//! [`WEB_CODE_TTL_MS`], of its own kind: it enrols no phone, and no enrolment code signs in);
//! redeemed at `/office/sign-in`, it makes a browser session: a device record of the member
//! with a `browser-` id, whose token is the session cookie (HttpOnly, SameSite=Strict, Secure
//! behind TLS). A session expires after [`SESSION_TTL_MS`], ends at sign-out, and is revoked
//! like any device; the phone API refuses it. Wrong codes count against the address like
//! wrong enrolment codes (429 with Retry-After). Every form carries a token derived from the
//! session's; a form without it is refused with 403. The sign-in form, which no session
//! protects yet, is refused with 403 when a browser posts it from another site's page (a
//! forged sign-in into someone else's session): see [`posted_from_elsewhere`].

use std::net::SocketAddr;
use std::sync::Arc;
use std::time::Instant;

use askama::Template;
use axum::Extension;
use axum::Form;
use axum::extract::{ConnectInfo, Query, State};
use axum::http::{HeaderMap, HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Redirect, Response};
use linli_core::records::directory::Role;
use serde::Deserialize;
use sha2::{Digest, Sha256};

use super::{SignedIn, html, page};
use crate::error::RelayError;
use crate::http::blocking;
use crate::limiter::{address_key, retry_after_secs};
use crate::relay::{CodePurpose, Relay, normalise_code, token_hash};
use crate::storage::{Device, NewDevice};

/// The id prefix of a browser session's device record.
pub const BROWSER_DEVICE_PREFIX: &str = "browser-";
/// How long a sign-in code may wait to be used.
pub const WEB_CODE_TTL_MS: i64 = 15 * 60 * 1000;
/// How long a browser session lasts.
pub const SESSION_TTL_MS: i64 = 12 * 3600 * 1000;
/// The session cookie's name.
const COOKIE: &str = "linli_office";

/// Whether `device` is a browser session of the office's pages, not a phone.
pub fn is_browser_session(device: &Device) -> bool {
    device.device_id.starts_with(BROWSER_DEVICE_PREFIX)
}

/// The token the forms of the session with `token` carry.
fn csrf_of(token: &str) -> String {
    hex::encode(&Sha256::digest(format!("linli-office-form:{token}").as_bytes())[..16])
}

fn session_token(headers: &HeaderMap) -> Option<String> {
    headers
        .get_all(header::COOKIE)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .flat_map(|v| v.split(';'))
        .filter_map(|pair| pair.trim().split_once('='))
        .find(|(name, _)| *name == COOKIE)
        .map(|(_, value)| value.to_owned())
        .filter(|t| t.len() == 64 && t.bytes().all(|b| b.is_ascii_hexdigit()))
}

/// Whether `member` is an active office member in the replica's directory; their name.
fn office_member(relay: &Relay, member: &str) -> Result<Option<String>, RelayError> {
    relay
        .replica
        .read_directory(relay.storage.as_ref(), |l, _| {
            Ok(l.member(member)
                .ok()
                .filter(|m| m.active && m.roles.iter().any(|r| r.role == Role::Office)))
        })
        .map(|m| m.map(|m| m.name))
}

/// A page's signed-in member, taken from the request: a request without a live session is
/// sent to the sign-in page instead.
impl axum::extract::FromRequestParts<Arc<Relay>> for SignedIn {
    type Rejection = Response;

    async fn from_request_parts(
        parts: &mut axum::http::request::Parts,
        relay: &Arc<Relay>,
    ) -> Result<SignedIn, Response> {
        signed_in(relay, &parts.headers).await
    }
}

/// The signed-in member of a request, or where to send the browser instead: the sign-in
/// page when there is no live session.
pub(super) async fn signed_in(
    relay: &Arc<Relay>,
    headers: &HeaderMap,
) -> Result<SignedIn, Response> {
    let to_sign_in = || Redirect::to("/office/sign-in").into_response();
    let token = session_token(headers).ok_or_else(to_sign_in)?;
    let r = Arc::clone(relay);
    let t = token.clone();
    let found = blocking(move || {
        let Some(device) = r.storage.device_by_token(&token_hash(&t))? else {
            return Ok(None);
        };
        let now = chrono::Utc::now().timestamp_millis();
        if !is_browser_session(&device)
            || device.revoked_ms.is_some()
            || now - device.created_ms > SESSION_TTL_MS
        {
            return Ok(None);
        }
        Ok(office_member(&r, &device.member_id)?.map(|name| (device, name)))
    })
    .await
    .map_err(IntoResponse::into_response)?;
    let (session, name) = found.ok_or_else(to_sign_in)?;
    Ok(SignedIn {
        session,
        name,
        csrf: csrf_of(&token),
    })
}

/// The refusal of a form whose token is not the session's; none when it is.
pub(super) fn refuse_form(who: &SignedIn, csrf: Option<&str>) -> Option<Response> {
    if csrf == Some(who.csrf.as_str()) {
        None
    } else {
        Some(html(
            StatusCode::FORBIDDEN,
            "<!doctype html><meta charset=\"utf-8\"><p>表单已失效，请刷新页面后重试 (403: form token missing or wrong)</p>".into(),
        ))
    }
}

#[derive(Template)]
#[template(path = "sign_in.html")]
struct SignInPage<'a> {
    code: &'a str,
    error: Option<&'a str>,
}

#[derive(Debug, Deserialize)]
pub(super) struct CodeQuery {
    code: Option<String>,
}

/// `/office/`: the day when signed in, the sign-in page otherwise.
pub async fn home(_who: SignedIn) -> Response {
    Redirect::to("/office/today").into_response()
}

/// The sign-in form (the code prefilled from a printed link).
pub(super) async fn sign_in_page(Query(q): Query<CodeQuery>) -> Response {
    let code = q.code.unwrap_or_default();
    page(
        StatusCode::OK,
        SignInPage {
            code: &code,
            error: None,
        }
        .render(),
    )
}

#[derive(Debug, Deserialize)]
pub(super) struct SignInForm {
    code: String,
}

/// Whether a browser posted a form from a page that is not this relay's: it says so in
/// `Sec-Fetch-Site` (every current browser), or else in an `Origin` whose host is neither the
/// request's `Host` nor the `X-Forwarded-Host` a proxy in front set. A request with neither
/// header is not a browser's form, and no forgery.
pub(super) fn posted_from_elsewhere(headers: &HeaderMap) -> bool {
    if let Some(site) = headers.get("sec-fetch-site") {
        return !matches!(site.as_bytes(), b"same-origin" | b"none");
    }
    let Some(origin) = headers.get(header::ORIGIN) else {
        return false;
    };
    let Some((_, origin_host)) = origin.to_str().ok().and_then(|o| o.split_once("://")) else {
        // "null": a sandboxed page or a file.
        return true;
    };
    let named = |h: header::HeaderName| headers.get(h).and_then(|v| v.to_str().ok());
    ![
        named(header::HOST),
        named(header::HeaderName::from_static("x-forwarded-host")),
    ]
    .into_iter()
    .flatten()
    .any(|host| host.eq_ignore_ascii_case(origin_host))
}

/// Redeems a sign-in code for a session cookie.
pub(super) async fn sign_in(
    State(relay): State<Arc<Relay>>,
    client: Option<Extension<ConnectInfo<SocketAddr>>>,
    headers: HeaderMap,
    Form(form): Form<SignInForm>,
) -> Response {
    let refused = |status: StatusCode, message: &str| {
        page(
            status,
            SignInPage {
                code: "",
                error: Some(message),
            }
            .render(),
        )
    };
    if posted_from_elsewhere(&headers) {
        return refused(
            StatusCode::FORBIDDEN,
            "请在本系统的登录页输入登录码 (sign in from this relay's own page)",
        );
    }
    let key = address_key(client.map_or([0u8; 4].into(), |Extension(ConnectInfo(a))| a.ip()));
    let limits = &relay.limits;
    if let Err(wait) = relay.enrol_attempts.attempt(
        &key,
        limits.enrol_failures,
        limits.enrol_window,
        Instant::now(),
    ) {
        let secs = retry_after_secs(wait);
        let mut response = refused(
            StatusCode::TOO_MANY_REQUESTS,
            &format!("错误次数过多，请 {secs} 秒后再试 (too many wrong codes)"),
        );
        if let Ok(v) = HeaderValue::from_str(&secs.to_string()) {
            response.headers_mut().insert(header::RETRY_AFTER, v);
        }
        return response;
    }
    let code = normalise_code(&form.code);
    if code.is_empty() || code.len() > 64 {
        return refused(
            StatusCode::UNAUTHORIZED,
            "登录码无效 (unknown sign-in code)",
        );
    }
    let token = hex::encode(rand::random::<[u8; 32]>());
    let r = Arc::clone(&relay);
    let hash = token_hash(&token);
    let redeemed = blocking(move || {
        let now = chrono::Utc::now().timestamp_millis();
        let device = r.storage.redeem_code(
            &CodePurpose::Web.digest(&code),
            &NewDevice {
                device_id: format!(
                    "{BROWSER_DEVICE_PREFIX}{}",
                    linli_core::ids::new_id(chrono::Utc::now()).to_lowercase()
                ),
                name: "办公室网页 office pages".into(),
                // A browser writes nothing itself: an actor nobody will write with.
                actor_id: hex::encode(rand::random::<[u8; 16]>()),
                token_hash: hash,
            },
            now,
        )?;
        if office_member(&r, &device.member_id)?.is_none() {
            // The member left the office (or was deactivated) since the code was made.
            r.storage.revoke(&device.device_id, now)?;
            return Ok(None);
        }
        Ok(Some(device))
    })
    .await;
    match redeemed {
        Ok(Some(device)) => {
            relay.enrol_attempts.forgive(&key);
            tracing::info!(device = %device.device_id, member = %device.member_id, "office signed in");
            let secure = headers
                .get("x-forwarded-proto")
                .is_some_and(|v| v.as_bytes().eq_ignore_ascii_case(b"https"));
            let cookie = format!(
                "{COOKIE}={token}; Path=/office; HttpOnly; SameSite=Strict; Max-Age={}{}",
                SESSION_TTL_MS / 1000,
                if secure { "; Secure" } else { "" }
            );
            let mut response = Redirect::to("/office/today").into_response();
            if let Ok(v) = HeaderValue::from_str(&cookie) {
                response.headers_mut().insert(header::SET_COOKIE, v);
            }
            response
        }
        Ok(None) => {
            relay.enrol_attempts.forgive(&key);
            refused(
                StatusCode::FORBIDDEN,
                "只有社区办公室人员可以登录 (only office staff may sign in)",
            )
        }
        Err(e) if e.code == "bad_code" => refused(
            StatusCode::UNAUTHORIZED,
            "登录码无效、已用过或已过期 (unknown, used or expired sign-in code)",
        ),
        Err(e) => e.into_response(),
    }
}

#[derive(Debug, Deserialize)]
pub(super) struct PlainForm {
    csrf: Option<String>,
}

/// Ends the session: its device record is revoked and the cookie cleared.
pub(super) async fn sign_out(
    State(relay): State<Arc<Relay>>,
    who: SignedIn,
    Form(form): Form<PlainForm>,
) -> Response {
    if let Some(refused) = refuse_form(&who, form.csrf.as_deref()) {
        return refused;
    }
    let r = Arc::clone(&relay);
    let device = who.session.device_id.clone();
    if let Err(e) = blocking(move || {
        r.storage
            .revoke(&device, chrono::Utc::now().timestamp_millis())
    })
    .await
    {
        return e.into_response();
    }
    let mut response = Redirect::to("/office/sign-in").into_response();
    response.headers_mut().insert(
        header::SET_COOKIE,
        HeaderValue::from_static(
            "linli_office=; Path=/office; HttpOnly; SameSite=Strict; Max-Age=0",
        ),
    );
    response
}
