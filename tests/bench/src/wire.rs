//! A counting TCP proxy on 127.0.0.1: what crosses the wire between a client and its server,
//! whatever the protocol. It counts the bytes each way and the round trips, a round trip being
//! a turn of the conversation from the client sending to the server answering.

use std::net::SocketAddr;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};

use serde::Serialize;
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::{TcpListener, TcpStream};

use crate::BenchError;

/// What crossed the wire.
#[derive(Debug, Default)]
pub struct WireCounts {
    up: AtomicU64,
    down: AtomicU64,
    round_trips: AtomicU64,
    client_spoke_last: AtomicBool,
}

/// A reading of the counts.
#[derive(Debug, Clone, Copy, Default, Serialize, serde::Deserialize, PartialEq)]
pub struct Wire {
    /// Bytes from the client to the server.
    pub bytes_up: u64,
    /// Bytes from the server to the client.
    pub bytes_down: u64,
    /// Turns from the client speaking to the server answering.
    pub round_trips: u64,
}

impl WireCounts {
    /// The counts now.
    pub fn read(&self) -> Wire {
        Wire {
            bytes_up: self.up.load(Ordering::SeqCst),
            bytes_down: self.down.load(Ordering::SeqCst),
            round_trips: self.round_trips.load(Ordering::SeqCst),
        }
    }
}

/// Starts a proxy to `target`; returns its address and its counts.
pub async fn proxy(target: SocketAddr) -> Result<(SocketAddr, Arc<WireCounts>), BenchError> {
    let listener = TcpListener::bind("127.0.0.1:0")
        .await
        .map_err(|e| BenchError(format!("proxy: {e}")))?;
    let addr = listener
        .local_addr()
        .map_err(|e| BenchError(format!("proxy: {e}")))?;
    let counts = Arc::new(WireCounts::default());
    let shared = counts.clone();
    tokio::spawn(async move {
        while let Ok((client, _)) = listener.accept().await {
            let counts = shared.clone();
            tokio::spawn(async move {
                if let Ok(server) = TcpStream::connect(target).await {
                    let _ = client.set_nodelay(true);
                    let _ = server.set_nodelay(true);
                    forward(client, server, counts).await;
                }
            });
        }
    });
    Ok((addr, counts))
}

async fn forward(client: TcpStream, server: TcpStream, counts: Arc<WireCounts>) {
    let (mut client_read, mut client_write) = client.into_split();
    let (mut server_read, mut server_write) = server.into_split();
    let up_counts = counts.clone();
    let up = async move {
        let mut buf = vec![0u8; 64 * 1024];
        while let Ok(n) = client_read.read(&mut buf).await {
            if n == 0 {
                break;
            }
            // Counted before it is sent, so that the answer always finds it counted.
            up_counts.up.fetch_add(n as u64, Ordering::SeqCst);
            up_counts.client_spoke_last.store(true, Ordering::SeqCst);
            if server_write.write_all(&buf[..n]).await.is_err() {
                break;
            }
        }
        let _ = server_write.shutdown().await;
    };
    let down = async move {
        let mut buf = vec![0u8; 64 * 1024];
        while let Ok(n) = server_read.read(&mut buf).await {
            if n == 0 {
                break;
            }
            counts.down.fetch_add(n as u64, Ordering::SeqCst);
            if counts.client_spoke_last.swap(false, Ordering::SeqCst) {
                counts.round_trips.fetch_add(1, Ordering::SeqCst);
            }
            if client_write.write_all(&buf[..n]).await.is_err() {
                break;
            }
        }
        let _ = client_write.shutdown().await;
    };
    tokio::join!(up, down);
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test]
    async fn the_proxy_counts_bytes_and_turns() {
        let server = TcpListener::bind("127.0.0.1:0").await.expect("bind");
        let target = server.local_addr().expect("addr");
        tokio::spawn(async move {
            let (mut s, _) = server.accept().await.expect("accept");
            let mut buf = [0u8; 5];
            for _ in 0..2 {
                s.read_exact(&mut buf).await.expect("read");
                s.write_all(b"pong!!!").await.expect("write");
            }
        });
        let (addr, counts) = proxy(target).await.expect("proxy");
        let mut c = TcpStream::connect(addr).await.expect("connect");
        let mut answer = [0u8; 7];
        for _ in 0..2 {
            c.write_all(b"ping!").await.expect("write");
            c.read_exact(&mut answer).await.expect("read");
        }
        assert_eq!(
            counts.read(),
            Wire {
                bytes_up: 10,
                bytes_down: 14,
                round_trips: 2
            }
        );
    }
}
