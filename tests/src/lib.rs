//! Fixtures for the end-to-end tests: a relay serving on an ephemeral port of 127.0.0.1 over
//! SQLite files in a temporary folder, its admin tools, the demo community, and enrolled phones;
//! raw sync requests; a proxy that notes the phone's push requests; and the relay as a
//! separate process that a test can kill.

pub mod browser;
pub mod office_web;
pub mod postgres;
pub mod proxy;

use std::ffi::OsString;
use std::net::SocketAddr;
use std::path::PathBuf;
use std::process::Stdio;
use std::sync::Arc;

use std::collections::BTreeSet;

use linli_core::api::directory::RoleInput;
use linli_core::api::households::{HouseholdInput, VisitInput};
use linli_core::api::tickets::TicketInput;
use linli_core::records::directory::Role;
use linli_core::records::ticket::{Category, Channel, PlaceRefKind};
use linli_core::sync::protocol::{MEDIA_TYPE, VERSION_HEADER};
use linli_core::{Linli, ManualClock, RemoteChange};
use linli_relay::admin::Admin;
use linli_relay::demo::{Phone, Places, build_community, enrol_phone};
use linli_relay::relay::Limits;
use linli_relay::server::Server;
use linli_relay::storage::{LoggedChange, RelayStorage};
use linli_relay::{Database, Relay};
use tempfile::TempDir;
use tokio::io::{AsyncBufReadExt, BufReader};
use tokio::process::{Child, Command};
use tokio_util::sync::CancellationToken;

/// A clock standing at 2026-11-23 08:00 in Shanghai, for phones whose day the tests script.
pub fn morning_clock() -> Arc<ManualClock> {
    Arc::new(ManualClock::new(linli_core::ids::ms_to_utc(
        1_795_392_000_000,
    )))
}

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
        TestRelay::start_with(Limits::default()).await
    }

    /// Starts a relay with the demo community and `limits`.
    pub async fn start_with(limits: Limits) -> TestRelay {
        let dir = tempfile::tempdir().expect("temp dir");
        let db = Database::Sqlite(dir.path().join("relay.db"));
        // An admin store of the harness's own: the admin tools run as a command (`linli-relay
        // set-aside …`) open the default one, and a store has one owner at a time.
        let admin = Admin::with_storage(
            db.open().expect("storage"),
            &dir.path().join("relay.harness-admin.db"),
            "office-admin",
        )
        .expect("admin");
        let places = build_community(&admin).expect("community");
        let mut relay = Relay::open(&db)
            .and_then(|r| r.with_office_stores(&db, "office-admin"))
            .expect("relay");
        relay.limits = limits;
        let relay = Arc::new(relay);
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
            clock: morning_clock(),
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
            None,
        )
        .await
        .expect("enrol")
    }

    /// Runs the admin tools' command line (`exe`, the relay binary) on this relay's database:
    /// (success, stdout, stderr).
    pub fn admin_cli(&self, exe: &str, args: &[&str]) -> (bool, String, String) {
        let out = std::process::Command::new(exe)
            .arg("--db")
            .arg(self.dir.path().join("relay.db"))
            .args(args)
            .env("RUST_LOG", "warn")
            .output()
            .expect("the admin tools run");
        (
            out.status.success(),
            String::from_utf8_lossy(&out.stdout).into_owned(),
            String::from_utf8_lossy(&out.stderr).into_owned(),
        )
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

/// The relay's answer to a raw request.
#[derive(Debug)]
pub struct Answer {
    /// HTTP status.
    pub status: u16,
    /// The error code of a refusal (empty on success).
    pub code: String,
    /// The body.
    pub body: Vec<u8>,
}

/// Installs the TLS library's cryptography once per process, as the core's own client does:
/// reqwest is built without a default provider, and a test that runs alone has no core client
/// to have installed it.
pub fn tls_ready() {
    let _ = rustls::crypto::ring::default_provider().install_default();
}

/// A plain HTTP client for requests the core's client would not make.
pub fn http_client() -> reqwest::Client {
    tls_ready();
    reqwest::Client::new()
}

/// Posts an already encoded body to `path` (e.g. `/v1/sync`) with the protocol `version`.
pub async fn post_raw(
    url: &str,
    path: &str,
    token: Option<&str>,
    version: &str,
    body: Vec<u8>,
) -> Answer {
    let mut req = http_client()
        .post(format!("{url}{path}"))
        .header(reqwest::header::CONTENT_TYPE, MEDIA_TYPE)
        .header(VERSION_HEADER, version)
        .body(body);
    if let Some(t) = token {
        req = req.bearer_auth(t);
    }
    let r = req.send().await.expect("relay reachable");
    let status = r.status().as_u16();
    let body = r.bytes().await.expect("body").to_vec();
    let code = if status == 200 {
        String::new()
    } else {
        let text = String::from_utf8_lossy(&body);
        text.split("\"error\":\"")
            .nth(1)
            .and_then(|s| s.split('"').next())
            .unwrap_or_default()
            .to_owned()
    };
    Answer { status, code, body }
}

/// `linli-relay serve` running as a child process, so that a test can kill it.
#[derive(Debug)]
pub struct RelayProcess {
    child: Child,
    /// Where it listens.
    pub addr: SocketAddr,
}

impl RelayProcess {
    /// Starts `exe serve --db db --listen listen` (port 0 picks a free port) and waits until
    /// it listens.
    pub async fn start(exe: &str, db: &Database, listen: SocketAddr) -> RelayProcess {
        let mut command = Command::new(exe);
        command.args(RelayProcess::serve_args(db, listen));
        RelayProcess::spawn(command).await
    }

    /// The arguments of `linli-relay` that serve `db` on `listen`.
    pub fn serve_args(db: &Database, listen: SocketAddr) -> Vec<OsString> {
        let mut args: Vec<OsString> = vec!["--db".into()];
        match db {
            Database::Sqlite(path) => args.push(path.into()),
            Database::Postgres { url, state_dir } => {
                args.extend([url.into(), "--state-dir".into(), state_dir.into()]);
            }
        }
        args.extend(["serve".into(), "--listen".into(), listen.to_string().into()]);
        args
    }

    /// Starts `command`, a server that logs a line with `listening` and `addr=HOST:PORT` on
    /// its standard error when it is ready, and waits for that line.
    pub async fn spawn(mut command: Command) -> RelayProcess {
        let mut child = command
            .env("NO_COLOR", "1")
            .env("RUST_LOG", "info")
            .stdin(Stdio::null())
            .stdout(Stdio::null())
            .stderr(Stdio::piped())
            .kill_on_drop(true)
            .spawn()
            .expect("start the server process");
        let mut lines = BufReader::new(child.stderr.take().expect("stderr")).lines();
        let addr = loop {
            let line = lines
                .next_line()
                .await
                .expect("server log")
                .expect("the server exited before it listened");
            if line.contains("listening")
                && let Some(addr) = line
                    .split_whitespace()
                    .find_map(|w| w.strip_prefix("addr="))
            {
                break addr.parse().expect("listen address");
            }
        };
        // Keep draining the log so that the server never blocks on a full pipe.
        tokio::spawn(async move { while let Ok(Some(_)) = lines.next_line().await {} });
        RelayProcess { child, addr }
    }

    /// Its process id, while it runs.
    pub fn pid(&self) -> Option<u32> {
        self.child.id()
    }

    /// Its base URL.
    pub fn url(&self) -> String {
        format!("http://{}", self.addr)
    }

    /// Kills it with SIGKILL, as a power cut or the kernel's OOM killer would.
    pub async fn kill(mut self) {
        self.child.kill().await.expect("kill the relay");
    }
}

/// Every change a relay's log holds, scope by scope in sequence order.
pub fn whole_log(storage: &dyn RelayStorage) -> Vec<LoggedChange> {
    let mut log = Vec::new();
    for (scope, head) in storage.scopes().expect("scopes") {
        let mut after = 0;
        while after < head {
            let rows = storage
                .read_scope(&scope, after, usize::MAX, 10_000)
                .expect("read a scope");
            let Some(last) = rows.last().map(|r| r.seq) else {
                break;
            };
            log.extend(rows);
            after = last;
        }
    }
    log
}

/// A round of door-to-door work: `n` households registered in `building`, each visited once.
/// Returns the households' ids.
pub fn door_to_door(linli: &Linli, building: &str, n: usize) -> Vec<String> {
    (0..n)
        .map(|i| {
            let h = linli
                .register_household(&HouseholdInput {
                    building_id: building.to_owned(),
                    unit: format!("{}单元", i % 4 + 1),
                    room: format!("{}{:02}", i / 20 + 1, i % 20 + 1),
                    ..HouseholdInput::default()
                })
                .expect("register a household");
            linli
                .log_visit(
                    &h,
                    &VisitInput {
                        needs: format!("{i}号: 需要上门测血压, 楼道灯坏了"),
                        ..VisitInput::default()
                    },
                )
                .expect("log a visit");
            h
        })
        .collect()
}

/// The hashes of every change of the documents a store holds.
pub fn change_hashes(linli: &Linli) -> BTreeSet<[u8; 32]> {
    let mut out = BTreeSet::new();
    for d in linli.documents().expect("documents") {
        for c in linli.changes_since(&d.doc_id, &[]).expect("changes") {
            let change = automerge::Change::from_bytes(c.bytes).expect("a stored change decodes");
            out.insert(change.hash().0);
        }
    }
    out
}

/// Gives `to` every change `from` holds, as if it had synced with it.
pub fn copy_history(from: &Linli, to: &Linli) {
    for d in from.documents().expect("documents") {
        to.apply_remote(&from.changes_since(&d.doc_id, &[]).expect("changes"))
            .expect("apply");
    }
}

/// `push` as if made on a store acting as `member` on `device`: each change's note names
/// them, and the later changes of the push build on the renamed ones. With it a test makes,
/// on a store that acts with the office's rights, changes that only the relay's rules refuse
/// (a core built to skip its own checks). A document's first change is left as it is.
pub fn reattributed(push: Vec<RemoteChange>, member: &str, device: &str) -> Vec<RemoteChange> {
    let mut renamed: std::collections::HashMap<automerge::ChangeHash, automerge::ChangeHash> =
        Default::default();
    push.into_iter()
        .map(|mut rc| {
            let change = automerge::Change::from_bytes(rc.bytes.clone()).expect("a change");
            let mut expanded = change.decode();
            let mut note = linli_core::doc::ChangeNote::parse(change.message());
            if note.action != linli_core::doc::GENESIS_ACTION {
                note.member = member.to_owned();
                note.device = device.to_owned();
                expanded.message = Some(note.to_message());
            }
            for dep in &mut expanded.deps {
                if let Some(new) = renamed.get(dep) {
                    *dep = *new;
                }
            }
            let mut rewritten = automerge::Change::from(expanded);
            renamed.insert(change.hash(), rewritten.hash());
            rc.bytes = rewritten.bytes().to_vec();
            rc
        })
        .collect()
}

/// A ticket reported on a visit, described by `text`.
pub fn ticket_input(text: &str) -> TicketInput {
    TicketInput {
        category: Category::Elevator,
        place_kind: PlaceRefKind::FreeText,
        place_text: "3号楼电梯".into(),
        description: text.into(),
        channel: Channel::Visit,
        ..TicketInput::default()
    }
}

/// A store acting as `phone`'s member on its device with its actor, holding `office`'s
/// history, where that member holds the office role: its own checks let it write anything,
/// so that only the relay's rules stand in the way (a core built to skip its checks).
pub fn forger(r: &TestRelay, office: &Linli, phone: &Phone, name: &str) -> Linli {
    let me = phone.linli.identity().clone();
    let god = Linli::open(
        &r.phone_path(&format!("{name}-god")),
        linli_core::DeviceIdentity {
            member_id: "office-admin".into(),
            device_id: format!("{name}-god"),
        },
        r.clock.clone(),
    )
    .expect("office store");
    copy_history(office, &god);
    god.grant_role(
        &me.member_id,
        &RoleInput {
            role: Role::Office,
            places: vec![],
        },
    )
    .expect("grant");
    let f = Linli::open_with_actor(
        &r.phone_path(&format!("{name}-forger")),
        me,
        r.clock.clone(),
        Some(&phone.linli.actor_id()),
        None,
    )
    .expect("forger store");
    copy_history(&god, &f);
    f.ack_outbox(i64::MAX).expect("ack");
    f
}

/// What `linli` has in its outbox now, taken out of it.
pub fn take_outbox(linli: &Linli) -> Vec<RemoteChange> {
    let out: Vec<RemoteChange> = linli
        .outbox(0, 1000)
        .expect("outbox")
        .into_iter()
        .map(|c| c.change)
        .collect();
    linli.ack_outbox(i64::MAX).expect("ack");
    out
}
