//! Fixtures for the end-to-end tests: a relay serving on an ephemeral port of 127.0.0.1 over
//! SQLite files in a temporary folder, its admin tools, the demo community, and enrolled phones.

use std::path::PathBuf;
use std::sync::Arc;

use linli_core::ManualClock;
use linli_relay::Relay;
use linli_relay::admin::Admin;
use linli_relay::demo::{Phone, Places, build_community, enrol_phone};
use linli_relay::server::Server;
use tempfile::TempDir;
use tokio_util::sync::CancellationToken;

/// A relay running in this process.
#[derive(Debug)]
pub struct TestRelay {
    /// Its folder.
    pub dir: TempDir,
    /// The relay.
    pub relay: Arc<Relay>,
    /// The admin tools on its database.
    pub admin: Admin,
    /// The demo community's places.
    pub places: Places,
    /// Its base URL.
    pub url: String,
    /// The phones' shared clock.
    pub clock: Arc<ManualClock>,
    stop: CancellationToken,
}

impl TestRelay {
    /// Starts a relay with the demo community.
    pub async fn start() -> TestRelay {
        let dir = tempfile::tempdir().expect("temp dir");
        let db = dir.path().join("relay.db");
        let admin = Admin::open(&db, "office-admin").expect("admin");
        let places = build_community(&admin).expect("community");
        let relay = Arc::new(Relay::open(&db).expect("relay"));
        let server = Server::bind(relay.clone(), "127.0.0.1:0".parse().expect("addr"))
            .await
            .expect("bind");
        let url = format!("http://{}", server.local_addr().expect("addr"));
        let stop = CancellationToken::new();
        let stopped = stop.clone();
        tokio::spawn(server.run(async move { stopped.cancelled().await }));
        TestRelay {
            dir,
            relay,
            admin,
            places,
            url,
            clock: Arc::new(ManualClock::new(linli_core::ids::ms_to_utc(
                1_795_392_000_000, // 2026-11-23 08:00 in Shanghai
            ))),
            stop,
        }
    }

    /// Enrols a phone for `member`.
    pub async fn phone(&self, member: &str, device: &str) -> Phone {
        enrol_phone(
            &self.admin,
            &self.url,
            &self.phone_path(device),
            member,
            device,
            self.clock.clone(),
        )
        .await
        .expect("enrol")
    }

    /// Where a phone's store lives.
    pub fn phone_path(&self, device: &str) -> PathBuf {
        self.dir.path().join(format!("{device}.db"))
    }
}

impl Drop for TestRelay {
    fn drop(&mut self) {
        self.stop.cancel();
    }
}
