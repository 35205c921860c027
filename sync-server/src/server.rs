//! Running the relay: bind, serve until SIGTERM or Ctrl-C, and finish the requests in flight
//! before exiting. Each connection has a slot among the relay's `max_connections` (one that
//! finds none is closed at once) and must send each request's headers within the header
//! timeout, so that clients holding connections open without asking anything cannot pile up.

use std::future::Future;
use std::net::SocketAddr;
use std::sync::Arc;
use std::time::Duration;

use axum::body::Body;
use axum::extract::ConnectInfo;
use hyper::body::Incoming;
use hyper::server::conn::http1;
use hyper_util::rt::{TokioIo, TokioTimer};
use tokio::net::{TcpListener, TcpStream};
use tokio::sync::{Semaphore, watch};
use tower_service::Service;

use crate::error::RelayError;
use crate::http::router;
use crate::relay::Relay;

/// A relay listening on a socket.
#[derive(Debug)]
pub struct Server {
    listener: TcpListener,
    relay: Arc<Relay>,
}

impl Server {
    /// Binds `addr` (port 0 picks a free port).
    pub async fn bind(relay: Arc<Relay>, addr: SocketAddr) -> Result<Server, RelayError> {
        let listener = TcpListener::bind(addr)
            .await
            .map_err(|e| RelayError::internal(format!("cannot listen on {addr}: {e}")))?;
        Ok(Server { listener, relay })
    }

    /// The address it listens on.
    pub fn local_addr(&self) -> Result<SocketAddr, RelayError> {
        self.listener.local_addr().map_err(RelayError::internal)
    }

    /// Serves until `shutdown` completes, then lets requests in flight finish.
    pub async fn run(
        self,
        shutdown: impl Future<Output = ()> + Send + 'static,
    ) -> Result<(), RelayError> {
        let limits = self.relay.limits;
        let app = router(self.relay);
        let slots = Arc::new(Semaphore::new(limits.max_connections.max(1)));
        // Closed when the relay stops accepting: each connection then finishes its request.
        let (stopping, stop) = watch::channel(());
        // Each connection holds a receiver: all are done when the sender sees none.
        let (finished, done) = watch::channel(());
        let mut shutdown = std::pin::pin!(shutdown);
        let mut warned: Option<std::time::Instant> = None;
        loop {
            let (tcp, remote) = tokio::select! {
                accepted = self.listener.accept() => match accepted {
                    Ok(accepted) => accepted,
                    Err(e) => {
                        accept_failed(e).await;
                        continue;
                    }
                },
                () = &mut shutdown => break,
            };
            let Ok(slot) = Arc::clone(&slots).try_acquire_owned() else {
                // Said at most once a second: a flood of connections does not flood the log.
                if warned.is_none_or(|w| w.elapsed() >= Duration::from_secs(1)) {
                    warned = Some(std::time::Instant::now());
                    tracing::warn!(
                        max = limits.max_connections,
                        "connection closed: every connection slot is taken"
                    );
                }
                continue;
            };
            serve_connection(
                tcp,
                remote,
                app.clone(),
                limits.header_timeout,
                stop.clone(),
                done.clone(),
                slot,
            );
        }
        drop(self.listener);
        // Tells every connection to finish its request and close, then waits until they have.
        drop(stopping);
        drop(stop);
        drop(done);
        finished.closed().await;
        Ok(())
    }
}

/// Serves one connection in a task of its own, with the client's address for the handlers.
fn serve_connection(
    tcp: TcpStream,
    remote: SocketAddr,
    app: axum::Router,
    header_timeout: Duration,
    mut stop: watch::Receiver<()>,
    done: watch::Receiver<()>,
    slot: tokio::sync::OwnedSemaphorePermit,
) {
    // Sync requests are small request/response pairs: do not let Nagle hold them back.
    if let Err(e) = tcp.set_nodelay(true) {
        tracing::debug!("TCP_NODELAY not set: {e}");
    }
    let service = hyper::service::service_fn(move |mut request: hyper::Request<Incoming>| {
        request.extensions_mut().insert(ConnectInfo(remote));
        app.clone().call(request.map(Body::new))
    });
    tokio::spawn(async move {
        let mut builder = http1::Builder::new();
        builder
            .timer(TokioTimer::new())
            .header_read_timeout(header_timeout);
        let connection = builder.serve_connection(TokioIo::new(tcp), service);
        let mut connection = std::pin::pin!(connection);
        let mut stopping = false;
        loop {
            tokio::select! {
                result = connection.as_mut() => {
                    if let Err(e) = result {
                        tracing::debug!("connection ended: {e}");
                    }
                    break;
                }
                _ = stop.changed(), if !stopping => {
                    stopping = true;
                    connection.as_mut().graceful_shutdown();
                }
            }
        }
        drop(done);
        drop(slot);
    });
}

/// Waits after a failed accept: a moment if the connection went away before it was accepted,
/// a second if the process is out of file descriptors or memory.
async fn accept_failed(e: std::io::Error) {
    use std::io::ErrorKind;
    if matches!(
        e.kind(),
        ErrorKind::ConnectionRefused | ErrorKind::ConnectionAborted | ErrorKind::ConnectionReset
    ) {
        return;
    }
    tracing::warn!("accepting a connection failed: {e}");
    tokio::time::sleep(Duration::from_secs(1)).await;
}

/// Completes on Ctrl-C or SIGTERM.
pub async fn shutdown_signal() {
    let ctrl_c = async {
        let _ = tokio::signal::ctrl_c().await;
    };
    #[cfg(unix)]
    let term = async {
        match tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate()) {
            Ok(mut s) => {
                s.recv().await;
            }
            Err(_) => std::future::pending::<()>().await,
        }
    };
    #[cfg(not(unix))]
    let term = std::future::pending::<()>();
    tokio::select! {
        _ = ctrl_c => {}
        _ = term => {}
    }
    tracing::info!("shutting down: finishing requests in flight");
}
