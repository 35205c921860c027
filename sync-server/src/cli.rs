//! The `linli-relay` command line: serve the relay, run the simulated day, use the office's
//! admin tools, or move a relay's data to PostgreSQL. Every flag can also come from the
//! environment (`LINLI_DB`, `LINLI_STATE_DIR`, `LINLI_LISTEN`, `LINLI_ADMIN`). It lives in the library so that test harnesses can run the very same command
//! as a process of their own.
#![allow(clippy::print_stdout, clippy::print_stderr)]

use std::net::SocketAddr;
use std::path::{Path, PathBuf};
use std::sync::Arc;

use crate::admin::Admin;
use crate::relay::display_code;
use crate::server::{Server, shutdown_signal};
use crate::{Database, Relay, RelayError, demo, migrate, set_aside};
use chrono::NaiveDate;
use clap::{Parser, Subcommand, ValueEnum};
use linli_core::Coded;
use linli_core::api::directory::{MemberInput, RoleInput};
use linli_core::records::directory::{PlaceKind, Role};
use qrcode::QrCode;
use qrcode::render::unicode::Dense1x2;

#[derive(Debug, Parser)]
#[command(
    name = "linli-relay",
    version,
    about = "Linli's relay and the office's admin tools"
)]
struct Cli {
    /// The relay database: a SQLite file (its office replica and admin store live beside it)
    /// or a `postgres://user@host/db` URL shared by several relay instances.
    #[arg(
        long,
        env = "LINLI_DB",
        default_value = "linli-data/relay.db",
        global = true
    )]
    db: String,
    /// With PostgreSQL: this instance's folder for its office replica and admin store.
    #[arg(long, env = "LINLI_STATE_DIR", global = true)]
    state_dir: Option<PathBuf>,
    /// The office member the admin tools act as.
    #[arg(
        long,
        env = "LINLI_ADMIN",
        default_value = "office-admin",
        global = true
    )]
    admin: String,
    #[command(subcommand)]
    command: Command,
}

#[derive(Debug, Subcommand)]
enum Command {
    /// Serve phones until SIGTERM or Ctrl-C.
    Serve {
        /// Address to listen on.
        #[arg(long, env = "LINLI_LISTEN", default_value = "127.0.0.1:8787")]
        listen: SocketAddr,
    },
    /// Run a simulated day: a relay on 127.0.0.1, a community, phones working offline and syncing.
    Demo {
        /// Folder for the demo's databases (emptied first).
        #[arg(long, default_value = "linli-demo")]
        dir: PathBuf,
        /// Keep the relay serving after the day (until Ctrl-C), to look at the office's pages.
        #[arg(long)]
        serve: bool,
    },
    /// Create the community with the admin as its office.
    CreateCommunity {
        /// Community name, e.g. 梅园社区.
        #[arg(long)]
        name: String,
        /// The admin's name.
        #[arg(long)]
        admin_name: String,
        /// The admin's phone.
        #[arg(long, default_value = "")]
        admin_phone: String,
    },
    /// Add a place: area, compound, gate, building, lane, a department that works tickets on
    /// its own phones (its staff: `--role department_staff:<place id>`), or a co-building unit
    /// that serves the needs list (`--role unit_member:<place id>`).
    AddPlace {
        /// Kind.
        #[arg(long, value_enum)]
        kind: PlaceArg,
        /// Name, e.g. 3号楼.
        #[arg(long)]
        name: String,
        /// The place it lies in.
        #[arg(long)]
        parent: Option<String>,
    },
    /// Add a member with roles (`--role building_lead:<place id>`, `--role office`).
    AddMember {
        /// Use this id.
        #[arg(long)]
        id: Option<String>,
        /// Name.
        #[arg(long)]
        name: String,
        /// Phone.
        #[arg(long, default_value = "")]
        phone: String,
        /// Roles as `role[:place]`.
        #[arg(long = "role")]
        roles: Vec<String>,
    },
    /// Add a reminder (民情日志), e.g. an elevator's annual inspection, for a member or for a
    /// role over a place (the office when neither).
    AddReminder {
        /// What, e.g. 3号楼电梯年检.
        #[arg(long)]
        what: String,
        /// The first due date, YYYY-MM-DD.
        #[arg(long)]
        due: NaiveDate,
        /// The place it concerns.
        #[arg(long)]
        place: Option<String>,
        /// The member it is for.
        #[arg(long)]
        member: Option<String>,
        /// The role it is for over the place (a role code, e.g. building_lead).
        #[arg(long)]
        role: Option<String>,
        /// once, monthly or yearly.
        #[arg(long, default_value = "once")]
        repeat: String,
        /// Days ahead it shows (30 when omitted).
        #[arg(long)]
        lead_days: Option<i64>,
    },
    /// The reminders on a date (today when omitted), soonest first.
    Reminders {
        /// Date, YYYY-MM-DD.
        #[arg(long)]
        date: Option<NaiveDate>,
    },
    /// Issue a pass (居民通行证 / 夜间通行证 / 临时访客证) signed with the community's key and
    /// print its QR code; the household's lead sees it at the next sync.
    IssuePass {
        /// The holder's household.
        #[arg(long)]
        household: String,
        /// The resident it is for (resident and night passes).
        #[arg(long)]
        resident: Option<String>,
        /// The visitor's name (visitor passes).
        #[arg(long, default_value = "")]
        visitor: String,
        /// resident, night or visitor.
        #[arg(long, default_value = "resident")]
        kind: String,
        /// First day it is valid, YYYY-MM-DD (today when omitted).
        #[arg(long)]
        from: Option<NaiveDate>,
        /// Last day it is valid, YYYY-MM-DD.
        #[arg(long)]
        until: NaiveDate,
        /// A gate it opens (repeat for several; every gate when omitted).
        #[arg(long)]
        gate: Vec<String>,
    },
    /// Revoke a pass: every gate phone refuses it from its next sync.
    RevokePass {
        /// Pass id.
        #[arg(long)]
        id: String,
    },
    /// The passes of a household.
    Passes {
        /// Household id.
        #[arg(long)]
        household: String,
    },
    /// Grant a member a role (`role[:place]`).
    GrantRole {
        /// Member id.
        #[arg(long)]
        member: String,
        /// Role as `role[:place]`.
        #[arg(long)]
        role: String,
    },
    /// Create a one-time enrolment code (valid 24 h) and print it with a QR code.
    EnrolCode {
        /// Member id.
        #[arg(long)]
        member: String,
    },
    /// Create a one-time sign-in code to the office's pages (valid 15 minutes) for an office
    /// member, and print it with its link.
    WebCode {
        /// Member id (an office member).
        #[arg(long)]
        member: String,
        /// The relay's address as the office's browser reaches it, for the link.
        #[arg(long, default_value = "http://127.0.0.1:8080")]
        url: String,
    },
    /// Import the residents' roster (居民花名册): a .xlsx or UTF-8 .csv whose first row names the
    /// columns 楼栋, 单元, 室号, 姓名, 出生年份, 电话, 标签. Every household or none: bad rows are
    /// listed with their row numbers and nothing is written.
    ImportHouseholds {
        /// The roster file.
        file: PathBuf,
    },
    /// List enrolled devices.
    Devices,
    /// Revoke a device: its next request gets 401.
    Revoke {
        /// Device id.
        #[arg(long)]
        device: String,
        /// Also have the phone erase its data at its next contact (a lost or stolen phone).
        /// Without it the phone keeps its data, so that its unsent work can be exported.
        #[arg(long)]
        wipe: bool,
    },
    /// Erase a household, ticket or gate day everywhere (a resident's request): its history
    /// leaves the relay's log, replica and admin store, and every phone deletes it at its
    /// next sync. Only a tombstone (the id, when, by whom) is kept.
    Erase {
        /// The record's id (a household's, a ticket's or a gate day's).
        #[arg(long)]
        record: String,
    },
    /// Everything held about a resident (or a whole household), for the resident who asks:
    /// the household, its residents, visits with health checks and 民意, the tickets that
    /// name it and the gate entries that name them.
    ResidentExport {
        /// The household's id.
        #[arg(long)]
        household: String,
        /// Only this resident of it.
        #[arg(long)]
        resident: Option<String>,
        /// Output format.
        #[arg(long, value_enum, default_value = "json")]
        format: ExportFormat,
    },
    /// Erase the gate days older than the community's retention now (`serve` does it every
    /// hour), keeping each day's report; `--days` first sets the retention (office setting).
    Retention {
        /// Keep gate days this many days from now on.
        #[arg(long)]
        days: Option<i64>,
    },
    /// Changes the relay refused and set aside: list, show, admit or discard them.
    SetAside {
        #[command(subcommand)]
        action: SetAsideAction,
    },
    /// Import a phone's export of its unsent work (made when its device was revoked, its
    /// member deactivated or its store replaced): each change waits among the set-aside
    /// changes for the office to admit or discard.
    ImportUnsent {
        /// The export (JSON).
        file: PathBuf,
        /// Import an export that does not carry its device's seal (made without the token, or
        /// not by that phone): its changes wait marked as not verified.
        #[arg(long)]
        unverified: bool,
    },
    /// Move a SQLite relay's data into PostgreSQL, keeping every change and its sequence
    /// number (the phones' cursors stay valid), then check that both serve the same pulls.
    Migrate {
        /// The SQLite relay database, `sqlite:PATH` or a path.
        #[arg(long)]
        from: String,
        /// The PostgreSQL database, `postgres://…`.
        #[arg(long)]
        to: String,
    },
    /// Print the day-end report for a local date.
    Report {
        /// Date, YYYY-MM-DD (today when omitted).
        #[arg(long)]
        date: Option<NaiveDate>,
        /// Output format.
        #[arg(long, value_enum, default_value = "markdown")]
        format: ReportFormat,
    },
    /// Dispatch a ticket to a department, which works it on its own phones; prints the work
    /// order's id.
    Dispatch {
        /// The ticket.
        #[arg(long)]
        ticket: String,
        /// The department (a place of kind department).
        #[arg(long)]
        department: String,
    },
    /// Open the evaluation round (评议) of a month; prints its id.
    OpenRound {
        /// Any date of the month (this month when omitted).
        #[arg(long)]
        date: Option<NaiveDate>,
    },
    /// Close a month's evaluation round and print its result.
    CloseRound {
        /// Any date of the month (this month when omitted).
        #[arg(long)]
        date: Option<NaiveDate>,
    },
    /// Service hours on the needs list in a month, per member and per co-building unit (CSV).
    ServiceHours {
        /// Any date of the month (this month when omitted).
        #[arg(long)]
        date: Option<NaiveDate>,
    },
}

/// What to do with set-aside changes.
#[derive(Debug, Subcommand)]
enum SetAsideAction {
    /// List the changes waiting for a decision (`--all`: decided ones too).
    List {
        /// Include admitted and discarded changes.
        #[arg(long)]
        all: bool,
    },
    /// Show one change: who pushed it, why it was refused, what it does.
    Show {
        /// The change's hash, or its first 8 or more hex digits.
        change: String,
    },
    /// Judge the change again with the office's authority and, if it passes, append it to the
    /// log with its original author, so that every phone receives it.
    Admit {
        /// The change's hash, or its first 8 or more hex digits.
        change: String,
    },
    /// Keep the change out of the log for good (it stays recorded as discarded).
    Discard {
        /// The change's hash, or its first 8 or more hex digits.
        change: String,
    },
}

#[derive(Debug, Clone, Copy, ValueEnum)]
enum PlaceArg {
    Area,
    Compound,
    Gate,
    Building,
    Lane,
    Department,
    Unit,
}

#[derive(Debug, Clone, Copy, ValueEnum)]
enum ReportFormat {
    Markdown,
    Csv,
}

#[derive(Debug, Clone, Copy, ValueEnum)]
enum ExportFormat {
    Json,
    Csv,
}

/// The most bytes an export of unsent work may have.
const MAX_EXPORT_BYTES: u64 = 64 * 1024 * 1024;

fn read_export(path: &std::path::Path) -> Result<String, RelayError> {
    let bad = |why: String| RelayError::bad_request("bad_export", why);
    let size = std::fs::metadata(path)
        .map_err(|e| bad(format!("{}: {e}", path.display())))?
        .len();
    if size > MAX_EXPORT_BYTES {
        return Err(bad(format!(
            "{} holds {size} bytes, more than an export may ({MAX_EXPORT_BYTES})",
            path.display()
        )));
    }
    std::fs::read_to_string(path).map_err(|e| bad(format!("{}: {e}", path.display())))
}

fn role_arg(text: &str) -> Result<RoleInput, RelayError> {
    let (role, place) = text.split_once(':').unwrap_or((text, ""));
    let role = Role::parse_code(role, "role")?;
    Ok(RoleInput {
        role,
        places: if place.is_empty() {
            Vec::new()
        } else {
            vec![place.to_owned()]
        },
    })
}

/// Parses the command line and runs it.
pub fn main() -> std::process::ExitCode {
    main_from(std::env::args_os())
}

/// Unblocks SIGTERM and SIGINT. A process inherits its parent's blocked signals across exec (a
/// test runner's or a supervisor's thread may have them blocked): the relay must still stop
/// when told. Called before the runtime starts, whose threads inherit this mask.
fn accept_stop_signals() {
    #[cfg(unix)]
    {
        use nix::sys::signal::{SigSet, SigmaskHow, Signal, pthread_sigmask};
        let mut stop = SigSet::empty();
        stop.add(Signal::SIGTERM);
        stop.add(Signal::SIGINT);
        if let Err(e) = pthread_sigmask(SigmaskHow::SIG_UNBLOCK, Some(&stop), None) {
            eprintln!("linli-relay: cannot unblock SIGTERM and SIGINT: {e}");
        }
    }
}

/// Runs the command line given as `args` (the program name first), as `main` does with the
/// process's own arguments.
pub fn main_from<I, T>(args: I) -> std::process::ExitCode
where
    I: IntoIterator<Item = T>,
    T: Into<std::ffi::OsString> + Clone,
{
    accept_stop_signals();
    let cli = Cli::parse_from(args);
    // The relay logs its work; the tools only their warnings, so that their output reads clean.
    let default_filter = match cli.command {
        Command::Serve { .. } => "info",
        _ => "warn",
    };
    tracing_subscriber::fmt()
        .with_env_filter(log_filter(
            std::env::var("RUST_LOG").ok().as_deref(),
            default_filter,
        ))
        .with_writer(std::io::stderr)
        .init();
    let runtime = match tokio::runtime::Runtime::new() {
        Ok(r) => r,
        Err(e) => {
            eprintln!("cannot start the runtime: {e}");
            return std::process::ExitCode::FAILURE;
        }
    };
    match run(cli, &runtime) {
        Ok(()) => std::process::ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("错误 error: {}", e.message);
            std::process::ExitCode::FAILURE
        }
    }
}

/// Applies the retention now and then every hour, off the async workers, for as long as the
/// relay serves.
async fn keep_retention(relay: Arc<Relay>) {
    let mut every = tokio::time::interval(crate::retention::RETENTION_EVERY);
    loop {
        every.tick().await;
        let r = Arc::clone(&relay);
        match tokio::task::spawn_blocking(move || r.apply_retention(chrono::Utc::now())).await {
            Ok(Ok(_)) => {}
            Ok(Err(e)) => tracing::warn!(code = e.code, "applying the retention: {}", e.message),
            Err(e) => tracing::warn!("applying the retention: {e}"),
        }
    }
}

/// Runs a command. Storage calls block, so they run outside the async runtime; only serving
/// and the demo enter it.
fn run(cli: Cli, runtime: &tokio::runtime::Runtime) -> Result<(), RelayError> {
    let db = Database::parse(&cli.db, cli.state_dir.as_deref());
    let admin = || Admin::open(&db, &cli.admin);
    match cli.command {
        Command::Serve { listen } => {
            let relay = Arc::new(Relay::open(&db)?.with_office_stores(&db, &cli.admin)?);
            runtime.spawn(keep_retention(Arc::clone(&relay)));
            runtime.block_on(async {
                let server = Server::bind(relay, listen).await?;
                tracing::info!(
                    addr = %server.local_addr()?,
                    db = %db,
                    allocator = crate::ALLOCATOR,
                    "linli-relay listening"
                );
                server.run(shutdown_signal()).await
            })
        }
        Command::Demo { dir, serve } => runtime.block_on(demo::run(&dir, serve)),
        Command::Migrate { from, to } => {
            let from = from.strip_prefix("sqlite:").unwrap_or(&from);
            let summary = migrate::run(Path::new(from), &to, |p| {
                eprintln!("{}", p.line());
            })?;
            println!("{}", summary.line());
            Ok(())
        }
        Command::CreateCommunity {
            name,
            admin_name,
            admin_phone,
        } => {
            let info =
                admin()?.run(|l| l.create_community(&name, None, &admin_name, &admin_phone))?;
            println!("社区已创建 community created: {} ({})", info.name, info.id);
            Ok(())
        }
        Command::AddPlace { kind, name, parent } => {
            let kind = match kind {
                PlaceArg::Area => PlaceKind::Area,
                PlaceArg::Compound => PlaceKind::Compound,
                PlaceArg::Gate => PlaceKind::Gate,
                PlaceArg::Building => PlaceKind::Building,
                PlaceArg::Lane => PlaceKind::Lane,
                PlaceArg::Department => PlaceKind::Department,
                PlaceArg::Unit => PlaceKind::Unit,
            };
            let id = admin()?.run(|l| l.add_place(kind, &name, parent.as_deref()))?;
            println!("{id}");
            Ok(())
        }
        Command::AddMember {
            id,
            name,
            phone,
            roles,
        } => {
            let roles = roles
                .iter()
                .map(|r| role_arg(r))
                .collect::<Result<Vec<_>, _>>()?;
            let input = MemberInput {
                id,
                name,
                phone,
                roles,
            };
            let id = admin()?.run(|l| l.add_member(&input))?;
            println!("{id}");
            Ok(())
        }
        Command::AddReminder {
            what,
            due,
            place,
            member,
            role,
            repeat,
            lead_days,
        } => {
            let input = linli_core::api::reminders::ReminderInput {
                what,
                place,
                owner_member: member,
                owner_role: role
                    .as_deref()
                    .map(|r| Role::parse_code(r, "role"))
                    .transpose()?,
                first_due: due,
                lead_days,
                repeat: linli_core::records::reminder::Repeat::parse_code(&repeat, "repeat")?,
            };
            let id = admin()?.run(|l| l.add_reminder(&input))?;
            println!("{id}");
            Ok(())
        }
        Command::Reminders { date } => {
            let admin = admin()?;
            admin.pull()?;
            let l = admin.linli();
            let date = or_today(l, date)?;
            for r in l.reminders(date)? {
                let due = r
                    .due
                    .map(|d| d.to_string())
                    .unwrap_or_else(|| "已完成".into());
                let left = match r.days_left {
                    Some(d) if d < 0 => format!("逾期 {} 天", -d),
                    Some(d) => format!("还有 {d} 天"),
                    None => String::new(),
                };
                println!(
                    "{}\t{}\t{}\t{due}\t{left}\t{}\t{}\t已办 {} 次",
                    r.id,
                    r.what,
                    r.place_name,
                    r.repeat.label_zh(),
                    r.owner,
                    r.done_count
                );
            }
            Ok(())
        }
        Command::GrantRole { member, role } => {
            let role = role_arg(&role)?;
            admin()?.run(|l| l.grant_role(&member, &role))?;
            println!("已授予 granted: {} {}", member, role.role.label_zh());
            Ok(())
        }
        Command::IssuePass {
            household,
            resident,
            visitor,
            kind,
            from,
            until,
            gate,
        } => {
            let admin = admin()?;
            admin.pull()?;
            let now = chrono::Utc::now();
            let from = from.unwrap_or_else(|| {
                admin
                    .linli()
                    .community()
                    .map_or(now.date_naive(), |c| c.local_date(now))
            });
            let kind = linli_core::records::pass::PassKind::parse_code(&kind, "kind")?;
            let input = admin
                .linli()
                .pass_over_days(&linli_core::api::passes::PassDays {
                    household_id: household,
                    resident_id: resident,
                    visitor_name: visitor,
                    kind,
                    from,
                    until,
                    gates: gate,
                    address: None,
                })?;
            let issued = admin.issue_pass(&input, now.timestamp_millis())?;
            println!(
                "通行证 pass {} ({}) for {}: {} – {}",
                issued.claims.id,
                issued.claims.kind.label_zh(),
                issued.claims.holder,
                from,
                until
            );
            println!("{}", issued.text);
            if let Ok(qr) = QrCode::new(issued.text.as_bytes()) {
                println!("{}", qr.render::<Dense1x2>().quiet_zone(true).build());
            }
            Ok(())
        }
        Command::RevokePass { id } => {
            admin()?.run(|l| l.revoke_pass(&id))?;
            println!(
                "已注销 revoked: pass {id}; 各门岗下次同步后拒绝 every gate refuses it from its next sync"
            );
            Ok(())
        }
        Command::Passes { household } => {
            let admin = admin()?;
            admin.pull()?;
            let revoked = admin.linli().revoked_passes()?;
            let community = admin.linli().community()?;
            let day = |ms: i64| {
                chrono::DateTime::from_timestamp_millis(ms)
                    .map(|t| community.local_date(t).to_string())
                    .unwrap_or_default()
            };
            println!("通行证 pass\t类别 kind\t持证人 holder\t有效期 valid\t状态 state");
            for (id, p) in admin.linli().passes(&household)? {
                println!(
                    "{id}\t{}\t{}\t{} – {}\t{}",
                    p.kind.label_zh(),
                    p.holder,
                    day(p.valid_from_ms),
                    day(p.valid_until_ms - 1),
                    if revoked.contains(&id) {
                        "已注销 revoked"
                    } else {
                        "有效 issued"
                    }
                );
            }
            Ok(())
        }
        Command::EnrolCode { member } => {
            let (code, expires) = admin()?.create_code(&member)?;
            let shown = display_code(&code);
            println!("登记码 enrolment code for {member}: {shown}");
            println!(
                "有效期至 valid until: {}",
                chrono::DateTime::from_timestamp_millis(expires)
                    .map(|t| t.to_rfc3339())
                    .unwrap_or_default()
            );
            if let Ok(qr) = QrCode::new(shown.as_bytes()) {
                println!("{}", qr.render::<Dense1x2>().quiet_zone(true).build());
            }
            Ok(())
        }
        Command::WebCode { member, url } => {
            let (code, expires) = admin()?.create_web_code(&member)?;
            let shown = display_code(&code);
            println!("办公室网页登录码 office sign-in code for {member}: {shown}");
            println!("{}/office/sign-in?code={shown}", url.trim_end_matches('/'));
            println!(
                "有效期至 valid until: {}",
                chrono::DateTime::from_timestamp_millis(expires)
                    .map(|t| t.to_rfc3339())
                    .unwrap_or_default()
            );
            Ok(())
        }
        Command::ImportHouseholds { file } => {
            let too_large = std::fs::metadata(&file)
                .map(|m| m.len() > crate::roster::MAX_ROSTER_BYTES as u64)
                .unwrap_or(false);
            let bytes = if too_large {
                vec![0; crate::roster::MAX_ROSTER_BYTES + 1]
            } else {
                std::fs::read(&file).map_err(|e| {
                    RelayError::bad_request("no_roster", format!("{}: {e}", file.display()))
                })?
            };
            let admin = admin()?;
            admin.pull()?;
            let (buildings, registered) = crate::roster::roster_context(admin.linli())?;
            let year = crate::roster::this_year(admin.linli())?;
            let roster = crate::roster::read_roster(&bytes, &buildings, &registered, year)?;
            if roster.error_count > 0 {
                for e in &roster.errors {
                    eprintln!("第 {} 行 row {} {}: {}", e.row, e.row, e.field, e.message);
                }
                return Err(RelayError::bad_request(
                    "bad_roster",
                    format!(
                        "{} 行有误，未导入任何住户 ({} bad rows; nothing imported)",
                        roster.error_count, roster.error_count
                    ),
                ));
            }
            let ids = admin.run(|l| l.import_households(&roster.households))?;
            println!(
                "已导入 imported: {} 户 households, {} 人 residents",
                ids.len(),
                roster.residents
            );
            Ok(())
        }
        Command::Devices => {
            let admin = admin()?;
            println!("设备 device\t成员 member\t名称 name\t状态 state");
            for d in admin.storage().devices()? {
                let state = if d.revoked_ms.is_some() {
                    "已注销 revoked"
                } else {
                    "有效 active"
                };
                println!("{}\t{}\t{}\t{state}", d.device_id, d.member_id, d.name);
            }
            Ok(())
        }
        Command::SetAside { action } => {
            let admin = admin()?;
            let now_ms = chrono::Utc::now().timestamp_millis();
            match action {
                SetAsideAction::List { all } => {
                    println!(
                        "修改 change\t记录 record\t设备 device\t成员 member\t原因 code\t状态 state"
                    );
                    for s in admin.set_aside(all)? {
                        println!("{}", set_aside::line(&s));
                    }
                }
                SetAsideAction::Show { change } => {
                    println!("{}", set_aside::details(&admin.set_aside_one(&change)?));
                }
                SetAsideAction::Admit { change } => {
                    let s = admin.admit(&change, now_ms)?;
                    println!("已接受 admitted: {}", set_aside::line(&s));
                }
                SetAsideAction::Discard { change } => {
                    let s = admin.discard(&change, now_ms)?;
                    println!("已放弃 discarded: {}", set_aside::line(&s));
                }
            }
            Ok(())
        }
        Command::ImportUnsent { file, unverified } => {
            let admin = admin()?;
            let json = read_export(&file)?;
            let done =
                admin.import_unsent(&json, unverified, chrono::Utc::now().timestamp_millis())?;
            println!(
                "已导入 imported: {} 条待处理 set aside for a decision, {} 条已有 known",
                done.set_aside, done.known
            );
            if done.erased > 0 {
                println!(
                    "已作废 dropped: {} 条修改属于已删除的记录 changes of erased records",
                    done.erased
                );
            }
            for hash in &done.foreign {
                println!("未导入 left out (not this device's own change): {hash}");
            }
            println!(
                "用 set-aside list / show / admit 处理 decide with set-aside list, show, admit"
            );
            Ok(())
        }
        Command::ResidentExport {
            household,
            resident,
            format,
        } => {
            let admin = admin()?;
            admin.pull()?;
            let export = admin
                .linli()
                .resident_export(&household, resident.as_deref())?;
            match format {
                ExportFormat::Json => println!("{}", export.to_json()?),
                ExportFormat::Csv => print!("{}", export.to_csv()),
            }
            tracing::info!(household = %household, "resident data exported");
            Ok(())
        }
        Command::Retention { days } => {
            let admin = admin()?;
            if let Some(days) = days {
                admin.run(|l| l.set_gate_log_retention(days))?;
            }
            admin.pull()?;
            let done = crate::retention::apply_retention(
                admin.storage().as_ref(),
                admin.linli(),
                chrono::Utc::now(),
            )?;
            println!(
                "门岗记录保留 {} 天 gate days kept: {} 个已删除 erased, {} 份日报已存档 reports kept",
                admin.linli().gate_log_retention_days()?,
                done.gate_days,
                done.reports_kept
            );
            Ok(())
        }
        Command::Erase { record } => {
            let admin = admin()?;
            let done = admin.erase_record(&record, chrono::Utc::now().timestamp_millis())?;
            println!(
                "已删除 erased: {record} ({}), {} 条修改已从记录中移除 changes removed from the log, \
                 {} 张照片已删除 photos deleted; 各手机下次同步时删除 every phone deletes it at its \
                 next sync",
                done.kind.as_str(),
                done.log_rows,
                done.photos
            );
            if !done.with.is_empty() {
                println!(
                    "一并删除 erased with it (需求、派单 needs, work orders): {}",
                    done.with.join(", ")
                );
            }
            Ok(())
        }
        Command::Revoke { device, wipe } => {
            let admin = admin()?;
            let storage = admin.storage();
            let revoked = storage.revoke(&device, chrono::Utc::now().timestamp_millis())?;
            // A device revoked before can still be marked for erasure.
            if wipe && storage.set_wipe(&device)? {
                println!(
                    "已注销并将清除数据 revoked, its data erased at its next contact: {device}"
                );
                Ok(())
            } else if revoked {
                println!("已注销 revoked: {device}");
                Ok(())
            } else {
                Err(RelayError::bad_request(
                    "unknown_device",
                    format!("no active device {device}"),
                ))
            }
        }
        Command::Dispatch { ticket, department } => {
            let id = admin()?.run(|l| l.dispatch_ticket(&ticket, &department))?;
            println!("{id}");
            Ok(())
        }
        Command::OpenRound { date } => {
            let id = admin()?.run(|l| {
                let date = or_today(l, date)?;
                l.open_round(date)
            })?;
            println!("{id}");
            Ok(())
        }
        Command::CloseRound { date } => {
            let result = admin()?.run(|l| {
                let date = or_today(l, date)?;
                l.close_round(&linli_core::api::evaluations::round_doc_id(date))
            })?;
            println!(
                "评议 {}：最美楼栋长 {}",
                result.month,
                result.winner.as_deref().unwrap_or("（无人投票）")
            );
            for c in &result.candidates {
                println!("  {} {} 票", c.candidate, c.votes);
            }
            for s in &result.subjects {
                println!(
                    "  {} {} 平均 {}.{:02}（{} 人评分）",
                    s.kind.label_zh(),
                    s.subject,
                    s.mean_x100 / 100,
                    s.mean_x100 % 100,
                    s.ratings
                );
            }
            if !result.double_voters.is_empty() {
                println!(
                    "  重复投票（只计第一票）：{}",
                    result.double_voters.join(", ")
                );
            }
            Ok(())
        }
        Command::ServiceHours { date } => {
            let admin = admin()?;
            admin.pull()?;
            let l = admin.linli();
            let date = or_today(l, date)?;
            println!("类别,编号,名称,服务次数,服务小时,已确认小时");
            for r in l.service_hours(date)? {
                println!(
                    "{},{},{},{},{:.1},{:.1}",
                    if r.kind == "unit" {
                        "共建单位"
                    } else {
                        "成员"
                    },
                    r.id,
                    linli_core::report::render::csv_field(&r.name),
                    r.services,
                    f64::from(r.minutes) / 60.0,
                    f64::from(r.confirmed_minutes) / 60.0
                );
            }
            Ok(())
        }
        Command::Report { date, format } => {
            let admin = admin()?;
            admin.pull()?;
            let l = admin.linli();
            let date = or_today(l, date)?;
            // A day whose gate days were erased at the end of their retention: its report as
            // it was kept then.
            if let Some((markdown, csv)) = admin.storage().archived_report(&date.to_string())? {
                match format {
                    ReportFormat::Markdown => println!("{markdown}"),
                    ReportFormat::Csv => print!("{csv}"),
                }
                return Ok(());
            }
            let report = l.day_report(date)?;
            match format {
                ReportFormat::Markdown => println!("{}", report.to_markdown()),
                ReportFormat::Csv => print!("{}", report.to_csv()),
            }
            Ok(())
        }
    }
}

/// The log filter: `RUST_LOG` when set and valid, else `default`. automerge instruments its
/// change parsing with spans at INFO level (one per column of every change read), which at
/// the relay's usual `info` would cost a tenth of a push's CPU in formatting; its spans are
/// kept only when the filter names automerge itself.
fn log_filter(env: Option<&str>, default: &str) -> tracing_subscriber::EnvFilter {
    let chosen = env
        .filter(|e| tracing_subscriber::EnvFilter::try_new(e).is_ok())
        .unwrap_or(default);
    let directives = if chosen.contains("automerge") {
        chosen.to_owned()
    } else {
        format!("{chosen},automerge=warn")
    };
    tracing_subscriber::EnvFilter::try_new(&directives)
        .unwrap_or_else(|_| tracing_subscriber::EnvFilter::new(default))
}

/// `date`, or the community's today.
fn or_today(l: &linli_core::Linli, date: Option<NaiveDate>) -> linli_core::Result<NaiveDate> {
    match date {
        Some(d) => Ok(d),
        None => Ok(l.community()?.local_date(l.now())),
    }
}

#[cfg(test)]
mod tests {
    use super::log_filter;

    #[test]
    fn automerge_spans_are_left_out_unless_asked_for() {
        let usual = log_filter(Some("info"), "warn").to_string();
        assert!(usual.contains("automerge=warn"), "{usual}");
        assert!(usual.contains("info"), "{usual}");
        let asked = log_filter(Some("info,automerge=trace"), "warn").to_string();
        assert!(!asked.contains("automerge=warn"), "{asked}");
        let unset = log_filter(None, "warn").to_string();
        assert!(unset.contains("automerge=warn"), "{unset}");
    }

    #[test]
    fn a_bad_log_filter_falls_back_to_the_default() {
        let fallback = log_filter(Some("linli=[[bad"), "info").to_string();
        assert!(fallback.contains("automerge=warn"), "{fallback}");
        assert!(!fallback.contains("bad"), "{fallback}");
    }
}
