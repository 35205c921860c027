//! Scenario 8: the office's pages over a relay holding N records (100,000; 10,000 with
//! `--quick`) pushed by a phone, with 2,000 enrolled devices that reported at their last sync:
//! the server time of each page (the day's report, the ticket board, a ticket, a household
//! search, a household, the devices, the week's duty, a question of the residents) over HTTP on 127.0.0.1,
//! beside the floor (`/healthz`), against ≤ 200 ms at p95; and a roster of 10,000 households
//! read, previewed and imported, against ≤ 10 s.

use std::path::Path;
use std::sync::Arc;
use std::time::Instant;

use linli_core::sync::client::{SyncClient, SyncOptions};
use linli_relay::admin::Admin;
use linli_relay::relay::{CodePurpose, Relay, code_digest, issue_code, token_hash};
use linli_relay::server::Server;
use linli_relay::storage::{DeviceReport, NewDevice};
use linli_relay::{Database, RelayError};
use tokio_util::sync::CancellationToken;

use crate::BenchError;
use crate::linli_side::{OFFICE, PhoneIdentity};
use crate::process::copy_dir;
use crate::report::{Figure, Report, percentile};
use crate::templates::LinliTemplate;

/// Devices enrolled for the devices page.
const DEVICES: usize = 2_000;
/// Households in the imported roster.
const ROSTER: usize = 10_000;

fn err(e: impl std::fmt::Display) -> BenchError {
    BenchError(e.to_string())
}

/// The relay folder with the records pushed and the devices enrolled, made once per size.
async fn prepare(work: &Path, n: usize) -> Result<std::path::PathBuf, BenchError> {
    let dir = work.join(format!("office-{n}"));
    if dir.join("ready").exists() {
        return Ok(dir);
    }
    let t = LinliTemplate::prepare(work, n).await?;
    let _ = std::fs::remove_dir_all(&dir);
    copy_dir(&t.relay_dir(), &dir.join("relay"))?;
    copy_dir(&t.phone_dir(), &dir.join("phone"))?;
    eprintln!(
        "准备 preparing the office's relay: pushing {n} records, enrolling {DEVICES} devices …"
    );
    let db = Database::Sqlite(dir.join("relay/relay.db"));
    let relay = Arc::new(Relay::open(&db)?);
    let server = Server::bind(Arc::clone(&relay), "127.0.0.1:0".parse().map_err(err)?).await?;
    let url = format!("http://{}", server.local_addr()?);
    let stop = CancellationToken::new();
    let stopped = stop.clone();
    let serving = tokio::spawn(server.run(async move { stopped.cancelled().await }));
    let identity = PhoneIdentity::load(&t.identity())?;
    let phone = Arc::new(identity.open(&dir.join("phone/phone.db"))?);
    let client = SyncClient::new(SyncOptions::new(&url, &identity.token)).map_err(err)?;
    client
        .sync(&phone, &|_| {}, &CancellationToken::new())
        .await
        .map_err(err)?;
    // The replica follows the whole log now, not in the first timed request.
    relay.replica.read(relay.storage.as_ref(), |_, _| Ok(()))?;
    let now = chrono::Utc::now().timestamp_millis();
    for i in 0..DEVICES {
        let (code, _) = issue_code(
            relay.storage.as_ref(),
            OFFICE,
            true,
            CodePurpose::Phone,
            now,
            60_000,
        )?;
        let device = relay.storage.redeem_code(
            &code_digest(&code),
            &NewDevice {
                device_id: format!("dev-bench-{i:05}"),
                name: format!("手机{i}"),
                actor_id: format!("{:032x}", 0xbe_0000_u128 + i as u128),
                token_hash: token_hash(&format!("bench-token-{i}")),
            },
            now,
        )?;
        relay.storage.record_device_report(&DeviceReport {
            device_id: device.device_id,
            at_ms: now - (i as i64) * 60_000,
            app_version: "0.1.0".into(),
            outbox: (i % 7) as u32,
            photos: (i % 3) as u32,
            conflicts: 0,
        })?;
    }
    stop.cancel();
    serving.await.map_err(err)??;
    std::fs::write(dir.join("ready"), b"").map_err(err)?;
    Ok(dir)
}

fn http() -> reqwest::Client {
    let _ = rustls::crypto::ring::default_provider().install_default();
    reqwest::Client::builder()
        .redirect(reqwest::redirect::Policy::none())
        .build()
        .expect("a client")
}

/// Milliseconds of `runs` GETs of `path` with the session `cookie`; each must answer 200.
async fn timed_gets(
    client: &reqwest::Client,
    url: &str,
    path: &str,
    cookie: &str,
    runs: usize,
) -> Result<Vec<f64>, BenchError> {
    let mut times = Vec::with_capacity(runs);
    for _ in 0..runs {
        let started = Instant::now();
        let answer = client
            .get(format!("{url}{path}"))
            .header(reqwest::header::COOKIE, cookie)
            .send()
            .await
            .map_err(err)?;
        let status = answer.status();
        answer.bytes().await.map_err(err)?;
        times.push(started.elapsed().as_secs_f64() * 1000.0);
        if !status.is_success() {
            return Err(BenchError(format!("{path}: {status}")));
        }
    }
    Ok(times)
}

fn multipart(csrf: &str, roster: &str) -> (String, Vec<u8>) {
    let boundary = "linli-bench-boundary";
    let body = format!(
        "--{boundary}\r\ncontent-disposition: form-data; name=\"csrf\"\r\n\r\n{csrf}\r\n\
         --{boundary}\r\ncontent-disposition: form-data; name=\"roster\"; filename=\"roster.csv\"\r\n\
         content-type: text/csv\r\n\r\n{roster}\r\n--{boundary}--\r\n"
    );
    (
        format!("multipart/form-data; boundary={boundary}"),
        body.into_bytes(),
    )
}

fn csrf_on(page: &str) -> Result<String, BenchError> {
    let at = page
        .find("name=\"csrf\" value=\"")
        .ok_or_else(|| BenchError("no form token".into()))?
        + 19;
    Ok(page[at..at + 32].to_owned())
}

/// Runs the scenario.
pub async fn run(
    quick: bool,
    runs: usize,
    work: &Path,
    report: &mut Report,
) -> Result<(), BenchError> {
    let n = if quick { 10_000 } else { 100_000 };
    let base = prepare(work, n).await?;
    let dir = work.join(format!("office-{n}-run"));
    let _ = std::fs::remove_dir_all(&dir);
    copy_dir(&base.join("relay"), &dir)?;
    let db = Database::Sqlite(dir.join("relay.db"));
    let admin = Admin::open(&db, OFFICE)?;
    let (code, _) = admin.create_web_code(OFFICE)?;
    let some_ticket = admin
        .linli()
        .tickets(&linli_core::api::tickets::TicketFilter {
            limit: Some(1),
            ..Default::default()
        })?
        .pop()
        .map(|t| t.id)
        .ok_or_else(|| BenchError("no ticket".into()))?;
    let buildings = admin
        .linli()
        .places(Some(linli_core::records::directory::PlaceKind::Building))?;
    let first_building = buildings.first().map(|b| b.id.clone()).unwrap_or_default();
    let some_household = admin
        .linli()
        .households_in_building(&first_building)?
        .pop()
        .map(|h| h.id)
        .ok_or_else(|| BenchError("no household".into()))?;
    let import_building = buildings.last().map(|b| b.name.clone()).unwrap_or_default();
    drop(admin);
    let relay = Arc::new(Relay::open(&db)?.with_office_stores(&db, OFFICE)?);
    let server = Server::bind(Arc::clone(&relay), "127.0.0.1:0".parse().map_err(err)?).await?;
    let url = format!("http://{}", server.local_addr()?);
    let stop = CancellationToken::new();
    let stopped = stop.clone();
    let serving = tokio::spawn(server.run(async move { stopped.cancelled().await }));
    let client = http();
    let signed = client
        .post(format!("{url}/office/sign-in"))
        .header(
            reqwest::header::CONTENT_TYPE,
            "application/x-www-form-urlencoded",
        )
        .body(format!("code={code}"))
        .send()
        .await
        .map_err(err)?;
    let cookie = signed
        .headers()
        .get(reqwest::header::SET_COOKIE)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.split(';').next())
        .ok_or_else(|| BenchError(format!("not signed in: {}", signed.status())))?
        .to_owned();

    let runs = (runs * 10).max(20);
    let floor = timed_gets(&client, &url, "/healthz", "", runs).await?;
    let mut figures = vec![Figure::new(
        "office.floor_healthz.p95",
        percentile(&floor, 95.0),
        "ms",
    )];
    let pages = [
        ("today", "/office/today".to_owned()),
        ("ticket_board", "/office/tickets".to_owned()),
        ("ticket", format!("/office/tickets/{some_ticket}")),
        ("household_search", "/office/households?q=101".to_owned()),
        ("household", format!("/office/households/{some_household}")),
        ("devices_2000", "/office/devices".to_owned()),
        ("duty_week", "/office/duty".to_owned()),
        (
            "query_aged_90_and_over",
            "/office/residents?min_age=90".to_owned(),
        ),
    ];
    for (name, path) in &pages {
        eprintln!("  {name} …");
        let times = timed_gets(&client, &url, path, &cookie, runs).await?;
        let p95 = percentile(&times, 95.0);
        figures.push(Figure::new(
            format!("office.n{n}.{name}.p50"),
            percentile(&times, 50.0),
            "ms",
        ));
        figures.push(
            Figure::new(format!("office.n{n}.{name}.p95"), p95, "ms")
                .bar("≤ 200 ms at p95", p95 <= 200.0),
        );
    }

    // The roster: 10,000 households of one resident each, in the last building.
    let mut roster = String::from("楼栋,单元,室号,姓名,出生年份,电话,标签\n");
    for i in 0..ROSTER {
        roster.push_str(&format!(
            "{import_building},导入{},{i},居民{i},{},,\n",
            i / 1000,
            1930 + (i % 80)
        ));
    }
    let page = client
        .get(format!("{url}/office/import"))
        .header(reqwest::header::COOKIE, &cookie)
        .send()
        .await
        .map_err(err)?
        .text()
        .await
        .map_err(err)?;
    let csrf = csrf_on(&page)?;
    let (content_type, body) = multipart(&csrf, &roster);
    let started = Instant::now();
    let preview = client
        .post(format!("{url}/office/import"))
        .header(reqwest::header::COOKIE, &cookie)
        .header(reqwest::header::CONTENT_TYPE, content_type)
        .body(body)
        .send()
        .await
        .map_err(err)?;
    let status = preview.status();
    preview.bytes().await.map_err(err)?;
    let preview_s = started.elapsed().as_secs_f64();
    if !status.is_success() {
        return Err(BenchError(format!("roster preview: {status}")));
    }
    let started = Instant::now();
    let done = client
        .post(format!("{url}/office/import/confirm"))
        .header(reqwest::header::COOKIE, &cookie)
        .header(
            reqwest::header::CONTENT_TYPE,
            "application/x-www-form-urlencoded",
        )
        .body(format!("csrf={csrf}"))
        .send()
        .await
        .map_err(err)?;
    let status = done.status();
    let text = done.text().await.map_err(err)?;
    let import_s = started.elapsed().as_secs_f64();
    if !status.is_success() || !text.contains(&format!("已导入 {ROSTER} 户")) {
        return Err(BenchError(format!("roster import: {status}")));
    }
    figures.push(Figure::new(
        "office.roster_10000.read_and_preview",
        preview_s,
        "s",
    ));
    figures.push(Figure::new("office.roster_10000.import", import_s, "s"));
    figures.push(
        Figure::new("office.roster_10000.total", preview_s + import_s, "s")
            .bar("≤ 10 s", preview_s + import_s <= 10.0),
    );
    stop.cancel();
    serving
        .await
        .map_err(err)?
        .map_err(|e: RelayError| BenchError(e.to_string()))?;
    let _ = std::fs::remove_dir_all(&dir);
    report.section(
        &format!(
            "the office's pages over {n} records and {DEVICES} devices ({runs} requests each)"
        ),
        figures,
    );
    Ok(())
}
