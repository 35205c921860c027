//! The HTTP surface (axum): `/healthz`, `/metrics`, `/v1/enrol`, `/v1/sync`, `/v1/bootstrap`
//! and `/v1/blobs/{sha256}`. Handlers decode and check the request, run the relay's blocking
//! work off the async threads, and count what they did.

use std::sync::Arc;
use std::time::Instant;

use axum::Router;
use axum::body::Bytes;
use axum::extract::rejection::{BytesRejection, QueryRejection};
use axum::extract::{DefaultBodyLimit, Path, Query, State};
use axum::http::{HeaderMap, StatusCode, header};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use linli_core::api::photos::MAX_PHOTO_BYTES;
use linli_core::records::validate;
use linli_core::sync::protocol::{self, MEDIA_TYPE, PROTOCOL_VERSION, VERSION_HEADER};
use serde::Deserialize;
use serde::Serialize;
use serde::de::DeserializeOwned;
use tower_http::trace::TraceLayer;

use crate::error::RelayError;
use crate::relay::Relay;
use crate::storage::{BlobState, Device};

/// The router over a shared relay.
pub fn router(relay: Arc<Relay>) -> Router {
    let limit = relay.limits.max_body_bytes;
    Router::new()
        .route("/healthz", get(healthz))
        .route("/metrics", get(metrics))
        .route("/v1/enrol", post(enrol))
        .route("/v1/sync", post(sync))
        .route("/v1/bootstrap", post(bootstrap))
        .route(
            "/v1/blobs/{hash}",
            get(blob_get).head(blob_head).put(blob_put),
        )
        .layer(DefaultBodyLimit::max(limit))
        .layer(TraceLayer::new_for_http())
        .with_state(relay)
}

fn now_ms() -> i64 {
    chrono::Utc::now().timestamp_millis()
}

async fn blocking<T: Send + 'static>(
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

fn body(body: Result<Bytes, BytesRejection>) -> Result<Bytes, RelayError> {
    body.map_err(|e| {
        RelayError::new(
            e.status(),
            if e.status() == StatusCode::PAYLOAD_TOO_LARGE {
                "body_too_large"
            } else {
                "bad_body"
            },
            e.body_text(),
        )
    })
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

fn decode<T: DeserializeOwned>(bytes: &[u8]) -> Result<T, RelayError> {
    protocol::decode(bytes).map_err(|e| RelayError::bad_request("bad_message", e.to_string()))
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

async fn authenticate(relay: &Arc<Relay>, headers: &HeaderMap) -> Result<Device, RelayError> {
    let relay = Arc::clone(relay);
    let token = bearer(headers);
    blocking(move || relay.authenticate(token.as_deref())).await
}

/// Counts the request under `route` with the status it ends with.
fn counted(relay: &Relay, route: &str, result: Result<Response, RelayError>) -> Response {
    let response = result.unwrap_or_else(IntoResponse::into_response);
    relay.metrics.request(route, response.status().as_u16());
    response
}

async fn enrol(
    State(relay): State<Arc<Relay>>,
    headers: HeaderMap,
    raw: Result<Bytes, BytesRejection>,
) -> Response {
    let result = async {
        check_version(&headers)?;
        let raw = body(raw)?;
        let request = decode(&raw)?;
        let r = Arc::clone(&relay);
        let answer = blocking(move || r.enrol(&request, now_ms())).await?;
        Ok(encoded(&relay, raw.len(), &answer))
    }
    .await;
    counted(&relay, "enrol", result)
}

async fn sync(
    State(relay): State<Arc<Relay>>,
    headers: HeaderMap,
    raw: Result<Bytes, BytesRejection>,
) -> Response {
    let started = Instant::now();
    let result = async {
        check_version(&headers)?;
        let device = authenticate(&relay, &headers).await?;
        let raw = body(raw)?;
        let request = decode(&raw)?;
        let r = Arc::clone(&relay);
        let answer = blocking(move || r.sync(&device, request, now_ms())).await?;
        Ok(encoded(&relay, raw.len(), &answer))
    }
    .await;
    relay.metrics.sync_latency(started.elapsed());
    counted(&relay, "sync", result)
}

async fn bootstrap(
    State(relay): State<Arc<Relay>>,
    headers: HeaderMap,
    raw: Result<Bytes, BytesRejection>,
) -> Response {
    let result = async {
        check_version(&headers)?;
        let device = authenticate(&relay, &headers).await?;
        let raw = body(raw)?;
        let request = decode(&raw)?;
        let r = Arc::clone(&relay);
        let answer = blocking(move || r.bootstrap(&device, &request)).await?;
        Ok(encoded(&relay, raw.len(), &answer))
    }
    .await;
    counted(&relay, "bootstrap", result)
}

/// Authenticates a photo request and checks the photo's name.
async fn blob_request(
    relay: &Arc<Relay>,
    headers: &HeaderMap,
    hash: &str,
) -> Result<String, RelayError> {
    authenticate(relay, headers).await?;
    validate::sha256_hex("sha256", hash).map_err(|_| {
        RelayError::bad_request(
            "bad_hash",
            "a photo is named by its sha-256 (64 hex digits)",
        )
    })
}

async fn blob_head(
    State(relay): State<Arc<Relay>>,
    headers: HeaderMap,
    Path(hash): Path<String>,
) -> Response {
    let result = async {
        let hash = blob_request(&relay, &headers, &hash).await?;
        let r = Arc::clone(&relay);
        let state = blocking(move || r.storage.blob_state(&hash)).await?;
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
    raw: Result<Bytes, BytesRejection>,
) -> Response {
    let result = async {
        let hash = blob_request(&relay, &headers, &hash).await?;
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
        let raw = body(raw)?;
        relay.metrics.bytes(raw.len(), 0);
        let r = Arc::clone(&relay);
        let state =
            blocking(move || r.storage.blob_write(&hash, at.offset, at.total, &raw)).await?;
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
        let hash = blob_request(&relay, &headers, &hash).await?;
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
