//! A simulated day, end to end: a relay on 127.0.0.1 over SQLite files in a local folder, the
//! 梅园社区 community created with the admin tools, seven phones enrolled with one-time codes,
//! a day of work done offline (households and visits, gate duty and gate entries, a complaint
//! with a photo, two leads editing one household's phone at once), an interrupted sync, and the
//! office's day-end report with every phone's sync summary. The end-to-end tests build their
//! community with the same functions.
#![allow(clippy::print_stdout)]

use std::path::Path;
use std::sync::Arc;
use std::time::Duration;

use chrono::{DateTime, TimeZone, Utc};
use linli_core::api::directory::{MemberInput, RoleInput};
use linli_core::api::duty::VisitorInput;
use linli_core::api::households::{
    HealthInput, HouseholdInput, ResidentInput, VisitInput, WatchPlanInput,
};
use linli_core::api::tickets::TicketInput;
use linli_core::records::directory::{PlaceKind, Role};
use linli_core::records::gate_log::PassType;
use linli_core::records::roster::DutyRole;
use linli_core::sync::client::{SyncClient, SyncOptions, SyncPhase, SyncSummary, enrol};
use linli_core::{Clock, DeviceIdentity, Linli, ManualClock, StoreKey};
use tokio_util::sync::CancellationToken;

use crate::admin::Admin;
use crate::database::Database;
use crate::error::RelayError;
use crate::relay::Relay;
use crate::server::Server;

/// The places of the demo community.
#[derive(Debug, Clone)]
pub struct Places {
    /// 第一片区.
    pub area: String,
    /// 梅园新村.
    pub compound: String,
    /// 东门.
    pub east_gate: String,
    /// 3号楼.
    pub building3: String,
    /// 5号楼.
    pub building5: String,
}

/// A member of the demo community: id, name and roles with the places each covers.
pub type DemoMember = (&'static str, &'static str, Vec<(Role, Vec<String>)>);

/// The members of the demo community besides the office admin.
pub fn members(p: &Places) -> Vec<DemoMember> {
    vec![
        (
            "lead-wang",
            "王建国",
            vec![(Role::BuildingLead, vec![p.building3.clone()])],
        ),
        (
            "lead-li",
            "李秀英",
            vec![(
                Role::BuildingLead,
                vec![p.building3.clone(), p.building5.clone()],
            )],
        ),
        (
            "gate-zhao",
            "赵卫东",
            vec![(Role::GateLead, vec![p.east_gate.clone()])],
        ),
        (
            "shift-qian",
            "钱国庆",
            vec![(Role::ShiftLead, vec![p.east_gate.clone()])],
        ),
        (
            "guard-sun",
            "孙志刚",
            vec![(Role::SafetyOfficer, vec![p.east_gate.clone()])],
        ),
        (
            "vol-wu",
            "吴小梅",
            vec![(Role::Volunteer, vec![p.east_gate.clone()])],
        ),
    ]
}

/// Creates 梅园社区 with its places and members through the admin tools.
pub fn build_community(admin: &Admin) -> Result<Places, RelayError> {
    admin.run(|l| {
        l.create_community("梅园社区", None, "陈主任", "13800000001")?;
        let area = l.add_place(PlaceKind::Area, "第一片区", None)?;
        let compound = l.add_place(PlaceKind::Compound, "梅园新村", Some(&area))?;
        let places = Places {
            east_gate: l.add_place(PlaceKind::Gate, "东门", Some(&compound))?,
            building3: l.add_place(PlaceKind::Building, "3号楼", Some(&compound))?,
            building5: l.add_place(PlaceKind::Building, "5号楼", Some(&compound))?,
            area,
            compound,
        };
        for (id, name, roles) in members(&places) {
            l.add_member(&MemberInput {
                id: Some(id.into()),
                name: name.into(),
                phone: String::new(),
                roles: roles
                    .into_iter()
                    .map(|(role, places)| RoleInput { role, places })
                    .collect(),
            })?;
        }
        Ok(places)
    })
}

/// An enrolled phone: its store and its sync client.
#[derive(Debug)]
pub struct Phone {
    /// The member's name.
    pub name: String,
    /// The store.
    pub linli: Arc<Linli>,
    /// The sync client.
    pub client: SyncClient,
}

impl Phone {
    /// One complete sync.
    pub async fn sync(&self) -> Result<SyncSummary, RelayError> {
        self.client
            .sync(&self.linli, &|_| {}, &CancellationToken::new())
            .await
            .map_err(|e| RelayError::internal(format!("{}: {e}", self.name)))
    }
}

/// Enrols a phone for `member` with a fresh code and opens its store at `path`, encrypted
/// with `key` when one is given.
pub async fn enrol_phone(
    admin: &Admin,
    server: &str,
    path: &Path,
    member: &str,
    device_name: &str,
    clock: Arc<dyn Clock>,
    key: Option<&StoreKey>,
) -> Result<Phone, RelayError> {
    let (code, _) = admin.create_code(member)?;
    enrol_with_code(server, &code, path, member, device_name, clock, key).await
}

/// Enrols a phone with the one-time `code` for `member` and opens its store at `path`,
/// encrypted with `key` when one is given.
pub async fn enrol_with_code(
    server: &str,
    code: &str,
    path: &Path,
    member: &str,
    device_name: &str,
    clock: Arc<dyn Clock>,
    key: Option<&StoreKey>,
) -> Result<Phone, RelayError> {
    let actor = Linli::new_actor_id();
    let enrolment = enrol(server, code, device_name, &actor)
        .await
        .map_err(|e| RelayError::internal(format!("enrolling {member}: {e}")))?;
    let linli = Linli::open_with_actor(
        path,
        DeviceIdentity {
            member_id: enrolment.member_id,
            device_id: enrolment.device_id,
        },
        clock,
        Some(&actor),
        key,
    )?;
    let client = SyncClient::new(SyncOptions::new(server, enrolment.token))
        .map_err(|e| RelayError::internal(e.to_string()))?;
    Ok(Phone {
        name: device_name.to_owned(),
        linli: Arc::new(linli),
        client,
    })
}

/// 08:00 in Shanghai on the day the demo runs.
fn morning() -> DateTime<Utc> {
    let today = Utc::now()
        .with_timezone(&chrono::FixedOffset::east_opt(8 * 3600).expect("offset"))
        .date_naive();
    Utc.from_utc_datetime(&today.and_hms_opt(0, 0, 0).expect("midnight"))
}

fn at(clock: &ManualClock, hour: u32, minute: u32) {
    let minutes = (i64::from(hour) - 8) * 60 + i64::from(minute);
    clock.set(morning() + chrono::Duration::minutes(minutes));
}

/// Runs the demo in `dir` and prints what happened.
pub async fn run(dir: &Path, serve: bool) -> Result<(), RelayError> {
    if dir.exists() {
        std::fs::remove_dir_all(dir)
            .map_err(|e| RelayError::internal(format!("emptying {}: {e}", dir.display())))?;
    }
    std::fs::create_dir_all(dir)
        .map_err(|e| RelayError::internal(format!("creating {}: {e}", dir.display())))?;
    let db = Database::Sqlite(dir.join("relay.db"));
    println!("== 邻里 Linli demo: {} ==", dir.display());

    let admin = Admin::open(&db, "office-admin")?;
    let places = build_community(&admin)?;
    println!("社区 梅园社区: 1 片区, 1 小区, 东门, 3号楼, 5号楼; 7 名成员");

    let relay = Arc::new(Relay::open(&db)?.with_office_stores(&db, "office-admin")?);
    let server = Server::bind(relay.clone(), "127.0.0.1:0".parse().expect("addr")).await?;
    let url = format!("http://{}", server.local_addr()?);
    let stop = CancellationToken::new();
    let stopped = stop.clone();
    let serving = tokio::spawn(server.run(async move { stopped.cancelled().await }));
    println!("relay listening on {url}");

    let clock = Arc::new(ManualClock::new(morning()));
    let mut phones = Vec::new();
    for (member, device) in [
        ("office-admin", "陈主任的电脑"),
        ("lead-wang", "王建国的手机"),
        ("lead-li", "李秀英的手机"),
        ("gate-zhao", "赵卫东的手机"),
        ("shift-qian", "钱国庆的手机"),
        ("guard-sun", "孙志刚的手机"),
        ("vol-wu", "吴小梅的手机"),
    ] {
        // Each phone's store is encrypted with its own key, as the apps' are (there the key
        // lives in the Android Keystore or the iOS Keychain; here only in memory).
        let path = dir.join(format!("phone-{member}.db"));
        let key = StoreKey::generate();
        phones.push(
            enrol_phone(
                &admin,
                &url,
                &path,
                member,
                device,
                clock.clone(),
                Some(&key),
            )
            .await?,
        );
    }
    println!(
        "已登记 enrolled {} devices with one-time codes",
        phones.len()
    );
    for p in &phones {
        p.sync().await?;
    }
    let [office, wang, li, zhao, qian, sun, wu] = &phones[..] else {
        return Err(RelayError::internal("seven phones expected"));
    };

    // The day, offline.
    at(&clock, 7, 50);
    let shift = zhao.linli.add_shift(
        &places.east_gate,
        "早班",
        clock.now() + chrono::Duration::minutes(10),
        clock.now() + chrono::Duration::hours(4),
        1,
    )?;
    let today = zhao.linli.community()?.local_date(clock.now());
    let week = zhao.linli.roster_week(&places.east_gate, today)?;
    if let Some(s) = week.iter().find(|s| s.shift_id == shift) {
        for slot in &s.slots {
            let member = match slot.role {
                DutyRole::GateLead => "gate-zhao",
                DutyRole::SafetyOfficer => "guard-sun",
                DutyRole::ShiftLead => "shift-qian",
            };
            zhao.linli
                .assign_slot(&places.east_gate, &shift, &slot.slot_id, Some(member))?;
        }
    }
    for p in [zhao, qian, sun, wu] {
        p.sync().await?;
    }

    at(&clock, 7, 58);
    zhao.linli.check_in(&places.east_gate)?;
    at(&clock, 8, 3);
    sun.linli.check_in(&places.east_gate)?;
    at(&clock, 8, 25);
    qian.linli.check_in(&places.east_gate)?;
    wu.linli.check_in(&places.east_gate)?;
    at(&clock, 9, 5);
    sun.linli.register_visitor(
        &places.east_gate,
        &VisitorInput {
            name: "张伟".into(),
            phone: "13912340001".into(),
            purpose: "探望父母".into(),
            household: None,
            pass: PassType::Temporary,
            building_id: Some(places.building3.clone()),
            room: "1单元 101".into(),
        },
    )?;
    sun.linli
        .record_temperature(&places.east_gate, "张伟", 36.6)?;
    sun.linli
        .register_parcel(&places.east_gate, "刘阿姨", None, "顺丰速运")?;
    at(&clock, 9, 40);
    sun.linli
        .record_temperature(&places.east_gate, "快递员小马", 37.6)?;
    wu.linli
        .register_vehicle(&places.east_gate, "沪A12345", "搬家")?;

    at(&clock, 9, 0);
    let wang_households = wang.linli.import_households(&[
        HouseholdInput {
            building_id: places.building3.clone(),
            unit: "1单元".into(),
            room: "101".into(),
            phone: "13800001101".into(),
            residents: vec![ResidentInput {
                name: "张桂英".into(),
                birth_year: Some(1941),
                phone: String::new(),
            }],
            tags: vec![linli_core::records::household::Tag::LivingAlone],
            watch: Some(WatchPlanInput {
                frequency: linli_core::records::household::WatchFrequency::EveryDays,
                n: 1,
            }),
        },
        HouseholdInput {
            building_id: places.building3.clone(),
            unit: "1单元".into(),
            room: "102".into(),
            residents: vec![ResidentInput {
                name: "陆家明".into(),
                birth_year: Some(1978),
                phone: "13800001102".into(),
            }],
            ..HouseholdInput::default()
        },
    ])?;
    let room101 = wang_households[0].clone();
    at(&clock, 9, 30);
    wang.linli.log_visit(
        &room101,
        &VisitInput {
            outcome: linli_core::records::household::VisitOutcome::Met,
            needs: "希望每周有人帮忙买菜".into(),
            health: Some(HealthInput {
                temperature_c: Some(36.5),
                ..HealthInput::default()
            }),
            follow_up_due: Some(today + chrono::Duration::days(1)),
            follow_up_note: "联系助餐点".into(),
            ..VisitInput::default()
        },
    )?;
    li.linli.import_households(&[HouseholdInput {
        building_id: places.building5.clone(),
        unit: "2单元".into(),
        room: "301".into(),
        residents: vec![ResidentInput {
            name: "周立新".into(),
            birth_year: Some(1952),
            phone: "13800005301".into(),
        }],
        ..HouseholdInput::default()
    }])?;
    at(&clock, 10, 15);
    let photo = wu.linli.add_photo(&demo_photo())?;
    let ticket = wu.linli.report_ticket(&TicketInput {
        category: linli_core::records::ticket::Category::FireSafety,
        place_kind: linli_core::records::ticket::PlaceRefKind::Building,
        place_ref: places.building3.clone(),
        place_text: "3号楼1单元楼道".into(),
        description: "楼道里堆放了纸箱和旧家具，堵住了消防通道".into(),
        photos: vec![photo],
        channel: linli_core::records::ticket::Channel::PhotoReport,
    })?;

    // Wang syncs on a weak signal; the sync is cut after the first push.
    let cut = CancellationToken::new();
    let cut_on_push = cut.clone();
    let slow = SyncClient::new(SyncOptions {
        push_bytes: 256,
        max_push_bytes: 256,
        ..wang.client.options().clone()
    })
    .map_err(|e| RelayError::internal(e.to_string()))?;
    let interrupted = slow
        .sync(
            &wang.linli,
            &move |p| {
                if p.phase == SyncPhase::Push {
                    cut_on_push.cancel();
                }
            },
            &cut,
        )
        .await;
    println!(
        "王建国 的同步被中断 sync interrupted: {} (待上传 outbox left: {})",
        interrupted.err().map(|e| e.to_string()).unwrap_or_default(),
        wang.linli.outbox_len()?
    );

    for _ in 0..2 {
        for p in &phones {
            p.sync().await?;
        }
    }
    // Two leads change room 101's phone at once, offline.
    at(&clock, 11, 0);
    wang.linli.set_household_phone(&room101, "13912345678")?;
    li.linli.set_household_phone(&room101, "13987654321")?;
    office.linli.accept_ticket(&ticket)?;
    at(&clock, 12, 5);
    for p in [zhao, qian, sun, wu] {
        p.linli.check_out(&places.east_gate)?;
    }
    at(&clock, 18, 0);
    let mut summaries = Vec::new();
    for round in 0..2 {
        for p in &phones {
            let s = p.sync().await?;
            if round == 1 {
                summaries.push(s);
            }
        }
    }

    let date = office.linli.community()?.local_date(clock.now());
    let report = office.linli.day_report(date)?;
    println!("\n{}", report.to_markdown());
    let relay_report = relay
        .replica
        .read(relay.storage.as_ref(), |l, _| Ok(l.day_report(date)?))?;
    println!(
        "relay replica report equals the office's: {}",
        if relay_report == report {
            "是 yes"
        } else {
            "否 NO"
        }
    );
    let conflicts = office.linli.conflicts(&room101)?;
    for c in &conflicts {
        let values: Vec<String> = c
            .values
            .iter()
            .map(|v| format!("{} ({})", v.display, v.member))
            .collect();
        println!(
            "冲突 conflict on 101 {}: {}",
            c.path.join("/"),
            values.join(" vs ")
        );
    }
    println!("\n各设备同步情况 sync summary per device:");
    for (p, s) in phones.iter().zip(&summaries) {
        println!("  {}: {}", p.name, s.line_zh());
    }
    // The office's pages: a sign-in code for the office admin (valid 15 minutes).
    let (code, _) = admin.create_web_code("office-admin")?;
    let code = crate::relay::display_code(&code);
    if serve {
        println!("\n社区办公室网页 office pages: {url}/office/sign-in?code={code}");
        println!("登录码 sign-in code: {code}  (Ctrl-C 结束 stops the relay)");
        crate::server::shutdown_signal().await;
    } else {
        println!(
            "\n社区办公室网页 office pages: run `linli-relay --db {} serve --listen 127.0.0.1:8080`, \
             then open http://127.0.0.1:8080/office/sign-in?code={code}",
            dir.join("relay.db").display()
        );
        println!(
            "登录码 sign-in code: {code} (15 分钟内有效 valid 15 minutes; or `--serve` to keep this relay)"
        );
    }
    stop.cancel();
    tokio::time::timeout(Duration::from_secs(10), serving)
        .await
        .map_err(|_| RelayError::internal("the relay did not stop"))?
        .map_err(RelayError::internal)??;
    println!("\nrelay stopped; databases kept in {}", dir.display());
    Ok(())
}

/// A small stand-in for a photo taken on a phone.
fn demo_photo() -> Vec<u8> {
    let mut bytes = b"\xFF\xD8\xFF\xE0 Linli demo photo".to_vec();
    bytes.extend((0..20_000u32).map(|i| (i * 31 % 251) as u8));
    bytes
}
