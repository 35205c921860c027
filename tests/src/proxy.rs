//! A proxy between a phone and the relay that notes every sync request's push and may answer
//! some of them itself instead of forwarding them: a link that drops large uploads, or a relay
//! answering in ways a test wants to see the phone handle.

use std::sync::{Arc, Mutex};

use axum::body::{Body, to_bytes};
use axum::extract::{Request, State};
use axum::http::{StatusCode, header};
use axum::response::{IntoResponse, Response};
use linli_core::sync::protocol::{self, FOLLOWS_HEADER, SyncRequest};
use tokio_util::sync::CancellationToken;

/// A sync request with a push, as the proxy saw it.
#[derive(Debug, Clone)]
pub struct Seen {
    /// Changes pushed.
    pub changes: usize,
    /// Their bytes.
    pub bytes: usize,
    /// The first change's bytes.
    pub first: Vec<u8>,
    /// The last change's bytes.
    pub last: Vec<u8>,
    /// The request it follows ([`FOLLOWS_HEADER`]), if it names one.
    pub follows: Option<String>,
    /// Whether the proxy answered it itself.
    pub answered_here: bool,
}

/// What the proxy answers itself to a push request, if anything.
pub type AnswerHere = Box<dyn Fn(&Seen) -> Option<Response> + Send + Sync>;

/// The proxy's state.
struct Proxy {
    relay: String,
    http: reqwest::Client,
    pushes: Mutex<Vec<Seen>>,
    answer_here: AnswerHere,
}

/// A proxy serving on an ephemeral port of 127.0.0.1.
pub struct SyncProxy {
    /// Its base URL.
    pub url: String,
    proxy: Arc<Proxy>,
    stop: CancellationToken,
    serving: tokio::task::JoinHandle<()>,
}

impl std::fmt::Debug for SyncProxy {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("SyncProxy").field("url", &self.url).finish()
    }
}

impl SyncProxy {
    /// Starts a proxy to the relay at `relay` that answers itself what `answer_here` gives.
    pub async fn start(relay: &str, answer_here: AnswerHere) -> SyncProxy {
        let proxy = Arc::new(Proxy {
            relay: relay.to_owned(),
            http: crate::http_client(),
            pushes: Mutex::new(Vec::new()),
            answer_here,
        });
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0")
            .await
            .expect("bind the proxy");
        let url = format!("http://{}", listener.local_addr().expect("address"));
        let app = axum::Router::new()
            .fallback(forward)
            .with_state(Arc::clone(&proxy));
        let stop = CancellationToken::new();
        let stopped = stop.clone();
        let serving = tokio::spawn(async move {
            let _ = axum::serve(listener, app)
                .with_graceful_shutdown(async move { stopped.cancelled().await })
                .await;
        });
        SyncProxy {
            url,
            proxy,
            stop,
            serving,
        }
    }

    /// The push requests seen so far, in the order they arrived.
    pub fn pushes(&self) -> Vec<Seen> {
        self.proxy.pushes.lock().expect("pushes").clone()
    }

    /// Stops serving.
    pub async fn stop(self) {
        self.stop.cancel();
        let _ = self.serving.await;
    }
}

async fn forward(State(proxy): State<Arc<Proxy>>, request: Request) -> Response {
    let (parts, body) = request.into_parts();
    let Ok(bytes) = to_bytes(body, 64 << 20).await else {
        return StatusCode::BAD_REQUEST.into_response();
    };
    if parts.uri.path() == "/v1/sync"
        && let Ok(sync) = protocol::decode::<SyncRequest>(&bytes)
        && let (Some(first), Some(last)) = (sync.push.first(), sync.push.last())
    {
        let mut seen = Seen {
            changes: sync.push.len(),
            bytes: sync.push.iter().map(|c| c.bytes.len()).sum(),
            first: first.bytes.clone(),
            last: last.bytes.clone(),
            follows: parts
                .headers
                .get(FOLLOWS_HEADER)
                .and_then(|v| v.to_str().ok())
                .map(str::to_owned),
            answered_here: false,
        };
        let mut pushes = proxy.pushes.lock().expect("pushes");
        let here = (proxy.answer_here)(&seen);
        seen.answered_here = here.is_some();
        pushes.push(seen);
        drop(pushes);
        if let Some(here) = here {
            return here;
        }
    }
    let mut outgoing = proxy
        .http
        .request(parts.method, format!("{}{}", proxy.relay, parts.uri));
    for (name, value) in &parts.headers {
        if name != header::HOST && name != header::CONTENT_LENGTH {
            outgoing = outgoing.header(name, value);
        }
    }
    let Ok(answer) = outgoing.body(bytes).send().await else {
        return StatusCode::BAD_GATEWAY.into_response();
    };
    let (status, headers) = (answer.status(), answer.headers().clone());
    let body = answer.bytes().await.unwrap_or_default();
    let mut response = Response::new(Body::from(body));
    *response.status_mut() = status;
    *response.headers_mut() = headers;
    response
}
