//! Running the relay: bind, serve until SIGTERM or Ctrl-C, and finish the requests in flight
//! before exiting.

use std::future::Future;
use std::net::SocketAddr;
use std::sync::Arc;

use axum::serve::ListenerExt;
use tokio::net::TcpListener;

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
        let app = router(self.relay);
        // Sync requests are small request/response pairs: do not let Nagle hold them back.
        let listener = self.listener.tap_io(|tcp| {
            if let Err(e) = tcp.set_nodelay(true) {
                tracing::debug!("TCP_NODELAY not set: {e}");
            }
        });
        axum::serve(listener, app)
            .with_graceful_shutdown(shutdown)
            .await
            .map_err(RelayError::internal)
    }
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
