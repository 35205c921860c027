//! The HTTP surface (axum): `/healthz`, `/metrics`, `/v1/enrol`, `/v1/sync`, `/v1/bootstrap`,
//! `/v1/passes` and `/v1/blobs/{sha256}`. Handlers check the headers first (version, token, the device's
//! request rate, the address's failed enrolments, whether the member may see or upload a
//! photo), and only then read the body, within a size and a time limit; decoding and the
//! relay's blocking work run off the async threads, and each handler counts what it did.

use std::net::SocketAddr;
use std::sync::Arc;
use std::time::{Duration, Instant};

use axum::Extension;
use axum::Router;
use axum::body::{Body, Bytes};
use axum::extract::rejection::QueryRejection;
use axum::extract::{ConnectInfo, Path, Query, State};
use axum::http::{HeaderMap, HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use http_body_util::BodyExt;
use linli_core::api::photos::MAX_PHOTO_BYTES;
use linli_core::records::validate;
use linli_core::sync::protocol::{
    self, DecodeError, EnrolRequest, FOLLOWS_HEADER, MEDIA_TYPE, PROTOCOL_VERSION, VERSION_HEADER,
};
use serde::Deserialize;
use serde::Serialize;
use serde::de::DeserializeOwned;
use tower_http::trace::TraceLayer;

use crate::error::RelayError;
use crate::limiter::{address_key, retry_after_secs};
use crate::photos::PhotoUse;
use crate::relay::Relay;
use crate::storage::{BlobChunk, BlobQuota, BlobState, Device};

/// The router over a shared relay. The enrolment limit per address reads the client's address
/// from [`ConnectInfo<SocketAddr>`], as [`crate::server::Server`] gives it; without it, every
/// client counts as one.
pub fn router(relay: Arc<Relay>) -> Router {
    Router::new()
        .route("/healthz", get(healthz))
        .route("/metrics", get(metrics))
        .route("/v1/enrol", post(enrol))
        .route("/v1/sync", post(sync))
        .route("/v1/bootstrap", post(bootstrap))
        .route("/v1/token", post(rotate_token))
        .route("/v1/actor", post(replace_actor))
        .route("/v1/sign-out", post(sign_out))
        .route("/v1/passes", post(issue_pass))
        .route(
            "/v1/blobs/{hash}",
            get(blob_get).head(blob_head).put(blob_put),
        )
        .nest("/office", crate::office::router())
        .route("/office/", get(crate::office::home))
        .layer(TraceLayer::new_for_http())
        .with_state(relay)
}

fn now_ms() -> i64 {
    chrono::Utc::now().timestamp_millis()
}

pub(crate) async fn blocking<T: Send + 'static>(
    f: impl FnOnce() -> Result<T, RelayError> + Send + 'static,
) -> Result<T, RelayError> {
    tokio::task::spawn_blocking(f)
        .await
        .map_err(RelayError::internal)?
}

async fn healthz(State(relay): State<Arc<Relay>>) -> &'static str {
    relay.metrics.request("healthz", 200);
    "ok"
}

async fn metrics(State(relay): State<Arc<Relay>>) -> Response {
    relay.metrics.request("metrics", 200);
    (
        [(header::CONTENT_TYPE, "text/plain; version=0.0.4")],
        relay.metrics.render(),
    )
        .into_response()
}

/// The largest enrolment body: a code, a device name and an actor id.
const MAX_ENROL_BODY_BYTES: usize = 16 * 1024;
/// The largest pass request: a few ids, a name and up to 64 gates.
const MAX_PASS_BODY_BYTES: usize = 16 * 1024;

/// Reads a request's body of at most `limit` bytes within the body timeout. A body past the
/// limit is read on and dropped, up to twice the limit, so that the client reads the 413
/// instead of a reset connection; it is only ever read after the headers were accepted.
async fn read_body(
    relay: &Relay,
    headers: &HeaderMap,
    mut body: Body,
    limit: usize,
) -> Result<Bytes, RelayError> {
    let too_large = || {
        RelayError::new(
            StatusCode::PAYLOAD_TOO_LARGE,
            "body_too_large",
            format!("a request body may be at most {limit} bytes"),
        )
    };
    let announced = headers
        .get(header::CONTENT_LENGTH)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.parse::<u64>().ok());
    let mut oversized = announced.is_some_and(|n| n > limit as u64);
    let mut kept = Vec::with_capacity(announced.map_or(0, |n| n.min(64 * 1024) as usize));
    let mut seen = 0usize;
    let read = async {
        while let Some(frame) = body.frame().await {
            let frame = frame.map_err(|e| {
                RelayError::bad_request("bad_body", format!("reading the body: {e}"))
            })?;
            let Ok(data) = frame.into_data() else {
                continue;
            };
            seen = seen.saturating_add(data.len());
            oversized |= seen > limit;
            if seen > limit.saturating_mul(2) {
                break;
            }
            if !oversized {
                kept.extend_from_slice(&data);
            }
        }
        Ok::<_, RelayError>(())
    };
    let timeout = relay.limits.body_timeout;
    let outcome = tokio::time::timeout(timeout, read).await;
    if oversized {
        return Err(too_large());
    }
    let Ok(outcome) = outcome else {
        return Err(RelayError::new(
            StatusCode::REQUEST_TIMEOUT,
            "body_timeout",
            format!(
                "the request body did not arrive within {} s",
                timeout.as_secs_f64()
            ),
        ));
    };
    outcome?;
    Ok(Bytes::from(kept))
}

fn check_version(headers: &HeaderMap) -> Result<(), RelayError> {
    match headers.get(VERSION_HEADER).and_then(|v| v.to_str().ok()) {
        Some(v) if v == PROTOCOL_VERSION.to_string() => Ok(()),
        Some(v) => Err(RelayError::bad_request(
            "unsupported_version",
            format!("protocol version {v} is not supported; this relay speaks {PROTOCOL_VERSION}"),
        )),
        None => Err(RelayError::bad_request(
            "unsupported_version",
            format!("send the protocol version in the {VERSION_HEADER} header"),
        )),
    }
}

/// Inflates and decodes a request off the async threads.
async fn decode<T: DeserializeOwned + Send + 'static>(bytes: Bytes) -> Result<T, RelayError> {
    blocking(move || {
        protocol::decode(&bytes).map_err(|e| {
            let code = match e {
                DecodeError::TooManyElements { .. } => "too_many_elements",
                DecodeError::TooLong { .. } => "field_too_long",
                _ => "bad_message",
            };
            RelayError::bad_request(code, e.to_string())
        })
    })
    .await
}

fn encoded<T: Serialize>(relay: &Relay, received: usize, message: &T) -> Response {
    let bytes = protocol::encode(message);
    relay.metrics.bytes(received, bytes.len());
    ([(header::CONTENT_TYPE, MEDIA_TYPE)], bytes).into_response()
}

fn bearer(headers: &HeaderMap) -> Option<String> {
    headers
        .get(header::AUTHORIZATION)?
        .to_str()
        .ok()?
        .strip_prefix("Bearer ")
        .map(|t| t.trim().to_owned())
}

/// The device of the request's token, if it has not used up its request rate.
async fn authenticate(relay: &Arc<Relay>, headers: &HeaderMap) -> Result<Device, RelayError> {
    let r = Arc::clone(relay);
    let token = bearer(headers);
    let device = blocking(move || r.authenticate(token.as_deref())).await?;
    let limits = &relay.limits;
    relay
        .device_requests
        .take(
            &device.device_id,
            limits.device_rate,
            limits.device_burst,
            Instant::now(),
        )
        .map_err(|wait| {
            RelayError::too_many(
                "rate_limited",
                format!(
                    "at most {} requests a second from one device",
                    limits.device_rate
                ),
                retry_after_secs(wait),
            )
        })?;
    Ok(device)
}

/// Counts the request under `route` with the status it ends with.
fn counted(relay: &Relay, route: &str, result: Result<Response, RelayError>) -> Response {
    let response = result.unwrap_or_else(IntoResponse::into_response);
    relay.metrics.request(route, response.status().as_u16());
    response
}

async fn enrol(
    State(relay): State<Arc<Relay>>,
    client: Option<Extension<ConnectInfo<SocketAddr>>>,
    headers: HeaderMap,
    raw: Body,
) -> Response {
    let result = async {
        check_version(&headers)?;
        // Every attempt counts against its address until it proves not to be a wrong code.
        let key = address_key(client.map_or([0u8; 4].into(), |Extension(ConnectInfo(a))| a.ip()));
        let limits = &relay.limits;
        relay
            .enrol_attempts
            .attempt(
                &key,
                limits.enrol_failures,
                limits.enrol_window,
                Instant::now(),
            )
            .map_err(|wait| {
                RelayError::too_many(
                    "too_many_attempts",
                    format!(
                        "too many wrong enrolment codes from this address: try again in {} s",
                        retry_after_secs(wait)
                    ),
                    retry_after_secs(wait),
                )
            })?;
        let answer: Result<Response, RelayError> = async {
            let raw = read_body(&relay, &headers, raw, MAX_ENROL_BODY_BYTES).await?;
            let request: EnrolRequest = decode(raw.clone()).await?;
            let r = Arc::clone(&relay);
            let answer = blocking(move || r.enrol(&request, now_ms())).await?;
            Ok(encoded(&relay, raw.len(), &answer))
        }
        .await;
        if !matches!(&answer, Err(e) if e.code == "bad_code") {
            relay.enrol_attempts.forgive(&key);
        }
        answer
    }
    .await;
    counted(&relay, "enrol", result)
}

/// The push request a sync request follows ([`FOLLOWS_HEADER`]), if it names one.
fn follows(headers: &HeaderMap) -> Result<Option<[u8; 32]>, RelayError> {
    let Some(value) = headers.get(FOLLOWS_HEADER) else {
        return Ok(None);
    };
    value
        .to_str()
        .ok()
        .and_then(|v| hex::decode(v).ok())
        .and_then(|v| <[u8; 32]>::try_from(v).ok())
        .map(Some)
        .ok_or_else(|| {
            RelayError::bad_request(
                "bad_follows",
                format!("{FOLLOWS_HEADER} names a push request by 64 hex digits"),
            )
        })
}

/// How often a request waiting for the one it follows looks for it in the log: another relay
/// instance on the same database may store it.
const FOLLOW_LOOK: Duration = Duration::from_millis(100);

/// Whether the push request of `device_id` whose last change is `last` is stored, waiting for
/// it (see [`crate::push_order`]) up to the relay's `follow_wait`: stored by this process, or
/// found in the log (stored by another instance, or by this one before a restart). False at
/// once when the device already has as many requests waiting as it may.
async fn follows_stored(
    relay: &Arc<Relay>,
    device_id: &str,
    last: [u8; 32],
) -> Result<bool, RelayError> {
    let Some(_waiting) = relay.push_order.start_waiting(device_id) else {
        return Ok(false);
    };
    let deadline = Instant::now() + relay.limits.follow_wait;
    loop {
        let r = Arc::clone(relay);
        if blocking(move || r.storage.has_change(&last)).await? {
            return Ok(true);
        }
        let left = deadline.saturating_duration_since(Instant::now());
        if left.is_zero() {
            return Ok(false);
        }
        if relay
            .push_order
            .wait_stored(device_id, &last, left.min(FOLLOW_LOOK))
            .await
        {
            return Ok(true);
        }
    }
}

async fn sync(State(relay): State<Arc<Relay>>, headers: HeaderMap, raw: Body) -> Response {
    let started = Instant::now();
    let result = async {
        check_version(&headers)?;
        let mut device = authenticate(&relay, &headers).await?;
        let raw = read_body(&relay, &headers, raw, relay.limits.max_body_bytes).await?;
        let request: protocol::SyncRequest = decode(raw.clone()).await?;
        let follows = follows(&headers)?;
        // The replica's feed waits from here: also while this push waits for the one it
        // follows, so that it does not start a step in the moment between the two.
        let _pushing = (!request.push.is_empty()).then(|| relay.replica.pushing());
        if let Some(last) = follows
            && !follows_stored(&relay, &device.device_id, last).await?
        {
            return Err(RelayError::new(
                StatusCode::CONFLICT,
                protocol::FOLLOWS_UNANSWERED,
                "the push request this one follows is not stored: send it again after that \
                 one's answer",
            ));
        }
        if follows.is_some() {
            // The device as it stands after the wait: it may have been revoked, or its actor
            // retired, meanwhile.
            let (r, token) = (Arc::clone(&relay), bearer(&headers));
            device = blocking(move || r.authenticate(token.as_deref())).await?;
        }
        let status = headers
            .get(protocol::DEVICE_STATUS_HEADER)
            .and_then(|v| v.to_str().ok())
            .and_then(protocol::DeviceStatus::parse);
        let r = Arc::clone(&relay);
        let answer = blocking(move || {
            let pushed = request.push.len();
            let device_id = device.device_id.clone();
            let answer = r.sync(&device, request, follows.is_some(), now_ms())?;
            if let Some(status) = status {
                // What the phone still holds once this request's push is done: its pushed
                // changes are logged now, or refused and set aside on the phone.
                r.record_device_status(&device_id, status, pushed, now_ms())?;
            }
            Ok(answer)
        })
        .await?;
        let mut response = encoded(&relay, raw.len(), &answer);
        // This relay takes requests that follow one not yet answered.
        response
            .headers_mut()
            .insert(FOLLOWS_HEADER, HeaderValue::from_static("1"));
        Ok(response)
    }
    .await;
    relay.metrics.sync_latency(started.elapsed());
    counted(&relay, "sync", result)
}

async fn bootstrap(State(relay): State<Arc<Relay>>, headers: HeaderMap, raw: Body) -> Response {
    let result = async {
        check_version(&headers)?;
        let device = authenticate(&relay, &headers).await?;
        let raw = read_body(&relay, &headers, raw, relay.limits.max_body_bytes).await?;
        let request = decode(raw.clone()).await?;
        let r = Arc::clone(&relay);
        let answer = blocking(move || r.bootstrap(&device, &request)).await?;
        Ok(encoded(&relay, raw.len(), &answer))
    }
    .await;
    counted(&relay, "bootstrap", result)
}

/// Gives the device a new token; the one it authenticated with stops working.
async fn rotate_token(State(relay): State<Arc<Relay>>, headers: HeaderMap) -> Response {
    let result = async {
        check_version(&headers)?;
        let device = authenticate(&relay, &headers).await?;
        let r = Arc::clone(&relay);
        let answer = blocking(move || r.rotate_token(&device)).await?;
        Ok(encoded(&relay, 0, &answer))
    }
    .await;
    counted(&relay, "token", result)
}

/// Signs the device out: its token stops working.
async fn sign_out(State(relay): State<Arc<Relay>>, headers: HeaderMap) -> Response {
    let result = async {
        check_version(&headers)?;
        let device = authenticate(&relay, &headers).await?;
        let r = Arc::clone(&relay);
        blocking(move || r.sign_out(&device, now_ms())).await?;
        Ok(encoded(&relay, 0, &()))
    }
    .await;
    counted(&relay, "sign_out", result)
}

/// Signs a pass the device's member asks for and records it in the holder's household.
async fn issue_pass(State(relay): State<Arc<Relay>>, headers: HeaderMap, raw: Body) -> Response {
    let result = async {
        check_version(&headers)?;
        let device = authenticate(&relay, &headers).await?;
        let raw = read_body(&relay, &headers, raw, MAX_PASS_BODY_BYTES).await?;
        let request = decode(raw.clone()).await?;
        let r = Arc::clone(&relay);
        let answer = blocking(move || r.issue_pass(&device, &request, now_ms())).await?;
        Ok(encoded(&relay, raw.len(), &answer))
    }
    .await;
    counted(&relay, "passes", result)
}

/// Gives the device a new actor in place of its store's, which was restored or copied.
async fn replace_actor(State(relay): State<Arc<Relay>>, headers: HeaderMap, raw: Body) -> Response {
    let result = async {
        check_version(&headers)?;
        let device = authenticate(&relay, &headers).await?;
        let raw = read_body(&relay, &headers, raw, relay.limits.max_body_bytes).await?;
        let request = decode(raw.clone()).await?;
        let r = Arc::clone(&relay);
        blocking(move || r.replace_actor(&device, &request, now_ms())).await?;
        Ok(encoded(&relay, raw.len(), &()))
    }
    .await;
    counted(&relay, "actor", result)
}

/// Authenticates a photo request and checks the photo's name.
async fn blob_request(
    relay: &Arc<Relay>,
    headers: &HeaderMap,
    hash: &str,
) -> Result<(Device, String), RelayError> {
    let device = authenticate(relay, headers).await?;
    let hash = validate::sha256_hex("sha256", hash).map_err(|_| {
        RelayError::bad_request(
            "bad_hash",
            "a photo is named by its sha-256 (64 hex digits)",
        )
    })?;
    Ok((device, hash))
}

/// Checks that `device` may `to` the photo `hash` ([`crate::photos`]).
async fn photo_allowed(
    relay: &Arc<Relay>,
    device: &Device,
    hash: &str,
    to: PhotoUse,
) -> Result<(), RelayError> {
    let (r, device, hash) = (Arc::clone(relay), device.clone(), hash.to_owned());
    blocking(move || r.check_photo(&device, &hash, to)).await
}

async fn blob_head(
    State(relay): State<Arc<Relay>>,
    headers: HeaderMap,
    Path(hash): Path<String>,
) -> Response {
    let result = async {
        let (device, hash) = blob_request(&relay, &headers, &hash).await?;
        photo_allowed(&relay, &device, &hash, PhotoUse::Read).await?;
        let r = Arc::clone(&relay);
        // The upload offset is this device's own: another device's unfinished upload of the
        // same photo is not one it can continue.
        let state = blocking(move || r.storage.blob_state(&hash, &device.device_id)).await?;
        let (status, offset, complete) = match state {
            BlobState::Absent => (StatusCode::NOT_FOUND, 0, false),
            BlobState::Partial { received, .. } => (StatusCode::OK, received, false),
            BlobState::Complete { size } => (StatusCode::OK, size, true),
        };
        Ok((
            status,
            [
                ("upload-offset", offset.to_string()),
                ("upload-complete", complete.to_string()),
            ],
        )
            .into_response())
    }
    .await;
    counted(&relay, "blobs", result)
}

/// Where an upload chunk goes.
#[derive(Debug, Deserialize)]
struct UploadAt {
    offset: u64,
    total: u64,
}

async fn blob_put(
    State(relay): State<Arc<Relay>>,
    headers: HeaderMap,
    Path(hash): Path<String>,
    at: Result<Query<UploadAt>, QueryRejection>,
    raw: Body,
) -> Response {
    let result = async {
        let (device, hash) = blob_request(&relay, &headers, &hash).await?;
        let Query(at) = at.map_err(|e| {
            RelayError::bad_request(
                "bad_upload",
                format!("say where the bytes go with ?offset=N&total=SIZE ({e})"),
            )
        })?;
        if at.total > MAX_PHOTO_BYTES as u64 {
            return Err(RelayError::new(
                StatusCode::PAYLOAD_TOO_LARGE,
                "photo_too_large",
                format!("a photo may be at most {MAX_PHOTO_BYTES} bytes"),
            ));
        }
        if let Err(refused) = photo_allowed(&relay, &device, &hash, PhotoUse::Write).await {
            // Read and dropped, so that the phone reads the refusal instead of a reset
            // connection.
            let _ = read_body(&relay, &headers, raw, relay.limits.max_body_bytes).await;
            return Err(refused);
        }
        let raw = read_body(&relay, &headers, raw, relay.limits.max_body_bytes).await?;
        relay.metrics.bytes(raw.len(), 0);
        let r = Arc::clone(&relay);
        let quota = BlobQuota {
            per_device: relay.limits.photo_bytes_per_device,
            total: relay.limits.photo_bytes_total,
        };
        let state = blocking(move || {
            let chunk = BlobChunk {
                hash: &hash,
                device_id: &device.device_id,
                offset: at.offset,
                total: at.total,
                bytes: &raw,
            };
            r.storage.blob_write(&chunk, quota)
        })
        .await?;
        let (status, offset) = match state {
            BlobState::Complete { size } => (StatusCode::CREATED, size),
            BlobState::Partial { received, .. } => (StatusCode::ACCEPTED, received),
            BlobState::Absent => (StatusCode::ACCEPTED, 0),
        };
        Ok((status, [("upload-offset", offset.to_string())]).into_response())
    }
    .await;
    counted(&relay, "blobs", result)
}

async fn blob_get(
    State(relay): State<Arc<Relay>>,
    headers: HeaderMap,
    Path(hash): Path<String>,
) -> Response {
    let result = async {
        let (device, hash) = blob_request(&relay, &headers, &hash).await?;
        photo_allowed(&relay, &device, &hash, PhotoUse::Read).await?;
        let r = Arc::clone(&relay);
        let bytes = blocking(move || r.storage.blob(&hash))
            .await?
            .ok_or_else(|| {
                RelayError::new(
                    StatusCode::NOT_FOUND,
                    "photo_pending",
                    "the photo has not arrived yet",
                )
            })?;
        relay.metrics.bytes(0, bytes.len());
        Ok(([(header::CONTENT_TYPE, "application/octet-stream")], bytes).into_response())
    }
    .await;
    counted(&relay, "blobs", result)
}
