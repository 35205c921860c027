//! The office's pages on a relay on 127.0.0.1 with phones syncing to it: in Debian's headless
//! Chromium (through WebDriver) the office signs in with a one-time code, sees the day's report
//! (the same as the admin tools' `report`), and escalates a ticket that a lead's phone then
//! shows with the office member as its author; and, request by request, what the pages refuse:
//! no session, a lead's code, used and expired codes, a form without its token, a browser's
//! session on the phone API, too many wrong codes. Every page is photographed at 1280×800 and
//! 390×844 under `target/office-pages/`.

use std::time::Duration;

use fantoccini::Locator;
use linli_core::api::households::{HouseholdInput, ResidentInput, VisitInput};
use linli_core::records::ticket::Level;
use linli_core::sync::client::{SyncClient, SyncOptions, SyncPhase, SyncProgress};
use linli_e2e::browser::TestBrowser;
use linli_e2e::office_web::{csrf_on, http, post_form, session_cookie, sign_in};
use linli_e2e::{TestRelay, door_to_door, ticket_input};
use linli_relay::relay::{CodePurpose, Limits, display_code, issue_code};
use reqwest::StatusCode;
use reqwest::header::{CONTENT_TYPE, COOKIE, LOCATION, RETRY_AFTER, SET_COOKIE};
use tokio_util::sync::CancellationToken;

const RELAY_EXE: &str = env!("CARGO_BIN_EXE_relay-process");

/// Chooses the roster file at `path` on the import page and uploads it.
async fn upload_roster(c: &fantoccini::Client, path: &std::path::Path) {
    c.find(Locator::Id("roster"))
        .await
        .unwrap()
        .send_keys(path.to_str().unwrap())
        .await
        .unwrap();
    c.find(Locator::Id("upload"))
        .await
        .unwrap()
        .click()
        .await
        .unwrap();
}

async fn photograph(b: &mut TestBrowser, name: &str) {
    for (w, h) in [(1280, 800), (390, 844)] {
        b.resize(w, h).await;
        b.screenshot(&format!("{name}-{w}x{h}")).await;
    }
    b.resize(1280, 800).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_office_signs_in_sees_the_day_and_escalates_a_ticket_the_lead_then_sees() {
    let r = TestRelay::start().await;
    r.clock.set(chrono::Utc::now());
    let wang = r.phone("lead-wang", "wang-phone").await;
    wang.sync().await.expect("directory");
    let households = door_to_door(&wang.linli, &r.places.building3, 3);
    let ticket = wang
        .linli
        .report_ticket(&ticket_input("3号楼电梯停运两天"))
        .expect("ticket");
    // A photo of the lift's notice, a real PNG (1×1), attached on the phone.
    let png = b"\x89PNG\r\n\x1a\n\0\0\0\rIHDR\0\0\0\x01\0\0\0\x01\x08\x02\0\0\0\x90wS\xde\0\0\0\x0cIDAT\x08\xd7c\xf8\xcf\xc0\0\0\x03\x01\x01\0\x18\xdd\x8d\xb0\0\0\0\0IEND\xaeB`\x82";
    let photo = wang.linli.add_photo(png).expect("photo");
    wang.linli.attach_photo(&ticket, &photo).expect("attached");
    wang.sync().await.expect("sync");
    let today = wang
        .linli
        .community()
        .unwrap()
        .local_date(chrono::Utc::now());

    let mut b = TestBrowser::start().await;
    let c = b.client.clone();
    // Without a session, the pages send the browser to sign in.
    c.goto(&format!("{}/office/today", r.url)).await.unwrap();
    assert_eq!(c.current_url().await.unwrap().path(), "/office/sign-in");
    photograph(&mut b, "sign-in").await;

    let (code, _) = r.admin.create_web_code("office-admin").expect("code");
    c.find(Locator::Css("input[name=code]"))
        .await
        .unwrap()
        .send_keys(&display_code(&code))
        .await
        .unwrap();
    c.find(Locator::Id("sign-in"))
        .await
        .unwrap()
        .click()
        .await
        .unwrap();
    let title = c
        .wait()
        .for_element(Locator::Id("report-title"))
        .await
        .expect("signed in");
    assert_eq!(c.current_url().await.unwrap().path(), "/office/today");
    assert!(title.text().await.unwrap().contains(&today.to_string()));
    let report = r.admin.run(|l| l.day_report(today)).expect("report");
    assert_eq!(report.total_visits, 3);
    let shown = |id: &'static str| {
        let c = c.clone();
        async move { c.find(Locator::Id(id)).await.unwrap().text().await.unwrap() }
    };
    assert_eq!(shown("total-visits").await, report.total_visits.to_string());
    assert_eq!(
        shown("households-covered").await,
        report.households_covered.to_string()
    );
    // The CSV download is the admin tools' report of the same date, byte for byte.
    let cookie = c.get_named_cookie("linli_office").await.expect("cookie");
    let csv = http()
        .get(format!("{}/office/report.csv?date={today}", r.url))
        .header(COOKIE, format!("linli_office={}", cookie.value()))
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    let (ok, printed, err) = r.admin_cli(
        RELAY_EXE,
        &["report", "--date", &today.to_string(), "--format", "csv"],
    );
    assert!(ok, "{err}");
    assert_eq!(csv, printed);
    // The same report as a workbook: the CSV's rows, cell by cell.
    let xlsx = http()
        .get(format!("{}/office/report.xlsx?date={today}", r.url))
        .header(COOKIE, format!("linli_office={}", cookie.value()))
        .send()
        .await
        .unwrap()
        .bytes()
        .await
        .unwrap();
    let mut book: calamine::Xlsx<_> =
        calamine::open_workbook_from_rs(std::io::Cursor::new(xlsx.to_vec())).expect("a workbook");
    let sheet = calamine::Reader::worksheet_range_at(&mut book, 0)
        .unwrap()
        .unwrap();
    let cells: Vec<Vec<String>> = sheet
        .rows()
        .map(|row| row.iter().map(ToString::to_string).collect())
        .collect();
    let lines: Vec<Vec<String>> = printed
        .lines()
        .map(|l| l.split(',').map(str::to_owned).collect())
        .collect();
    assert_eq!(cells.len(), lines.len());
    assert_eq!(cells[0], lines[0]);
    photograph(&mut b, "today").await;

    // The board lists the ticket; its page escalates it to the street office.
    c.goto(&format!("{}/office/tickets", r.url)).await.unwrap();
    c.find(Locator::Css(&format!("tr[data-ticket=\"{ticket}\"]")))
        .await
        .expect("the ticket on the board");
    photograph(&mut b, "tickets").await;
    c.goto(&format!("{}/office/tickets/{ticket}", r.url))
        .await
        .unwrap();
    // Its photo is shown: the browser loaded and decoded it.
    let mut shown_photo = serde_json::json!(-1);
    for _ in 0..50 {
        shown_photo = c
            .execute(
                "const i = document.querySelector('img.photo'); \
                 return i ? (i.complete ? i.naturalWidth : 0) : -1;",
                vec![],
            )
            .await
            .unwrap();
        if shown_photo != serde_json::json!(0) {
            break;
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    assert_eq!(shown_photo, serde_json::json!(1), "the photo, 1 pixel wide");
    c.find(Locator::Id("escalate-level"))
        .await
        .unwrap()
        .select_by_value("street")
        .await
        .unwrap();
    c.find(Locator::Id("escalate-reason"))
        .await
        .unwrap()
        .send_keys("涉及维修基金，需街道协调")
        .await
        .unwrap();
    c.find(Locator::Id("escalate"))
        .await
        .unwrap()
        .click()
        .await
        .unwrap();
    c.wait()
        .for_element(Locator::Id("done"))
        .await
        .expect("escalated");
    assert_eq!(shown("level").await, "街道");
    photograph(&mut b, "ticket").await;

    // The lead's phone has it after its sync, authored by the office member.
    wang.sync().await.expect("sync");
    let detail = wang.linli.ticket(&ticket).expect("ticket");
    assert_eq!(detail.state.level, Level::Street);
    let last = detail.doc.events.last().expect("events");
    assert_eq!(last.author, "office-admin");
    assert!(
        wang.linli
            .history(&ticket)
            .unwrap()
            .iter()
            .any(|h| h.member == "office-admin" && h.device == "office-web-office-admin")
    );

    // The office asks for the residents aged 90 and over: exactly them.
    let year = chrono::Datelike::year(&today);
    r.admin
        .run(|l| {
            for (room, name, age) in [
                ("201", "周桂英", 96),
                ("202", "陈玉兰", 90),
                ("203", "李德明", 89),
            ] {
                l.register_household(&HouseholdInput {
                    building_id: r.places.building3.clone(),
                    unit: "1单元".into(),
                    room: room.into(),
                    residents: vec![ResidentInput {
                        name: name.into(),
                        birth_year: Some(year - age),
                        phone: String::new(),
                    }],
                    ..HouseholdInput::default()
                })?;
            }
            Ok(())
        })
        .expect("households");
    c.goto(&format!("{}/office/residents?min_age=90", r.url))
        .await
        .unwrap();
    let mut found = Vec::new();
    for cell in c
        .find_all(Locator::Css("#residents td.name"))
        .await
        .unwrap()
    {
        found.push(cell.text().await.unwrap());
    }
    found.sort();
    assert_eq!(found, vec!["周桂英".to_owned(), "陈玉兰".to_owned()]);
    photograph(&mut b, "residents").await;

    // This week's duty: a shift planned at the east gate shows with its slots.
    let now = chrono::Utc::now();
    r.admin
        .run(|l| {
            l.add_shift(
                &r.places.east_gate,
                "早班",
                now + chrono::Duration::hours(1),
                now + chrono::Duration::hours(5),
                1,
            )
        })
        .expect("a shift");
    c.goto(&format!("{}/office/duty", r.url)).await.unwrap();
    let gate = c.find(Locator::Css("section.gate")).await.unwrap();
    let text = gate.text().await.unwrap();
    assert!(
        text.contains("东门") && text.contains("早班") && text.contains("门长"),
        "{text}"
    );
    photograph(&mut b, "duty").await;

    // Households: found by a resident's name; a household's page with the 民意 a lead typed.
    c.goto(&format!("{}/office/households?q=周桂英", r.url))
        .await
        .unwrap();
    assert_eq!(
        c.find_all(Locator::Css("#households tr[data-household]"))
            .await
            .unwrap()
            .len(),
        1
    );
    photograph(&mut b, "households").await;
    c.goto(&format!("{}/office/households/{}", r.url, households[0]))
        .await
        .unwrap();
    let needs = c.find(Locator::Css("#visits td.needs")).await.unwrap();
    assert!(needs.text().await.unwrap().contains("需要上门测血压"));
    photograph(&mut b, "household").await;

    // The residents' roster: one bad row, and nothing is imported; fixed, every household is
    // on the phone of the building's lead after its sync.
    let files = tempfile::tempdir().unwrap();
    let bad = files.path().join("花名册-有误.csv");
    let good = files.path().join("花名册.csv");
    let roster = |building: &str| {
        format!(
            "楼栋,单元,室号,姓名,出生年份,电话,标签\n\
             3号楼,2单元,301,孙玉珍,1941,13800000011,独居、老人\n\
             3号楼,2单元,302,孙建军,1968,,\n\
             {building},2单元,302,孙小梅,1995,,\n"
        )
    };
    std::fs::write(&bad, roster("7号楼")).unwrap();
    std::fs::write(&good, roster("3号楼")).unwrap();
    c.goto(&format!("{}/office/import", r.url)).await.unwrap();
    upload_roster(&c, &bad).await;
    let row = c
        .wait()
        .for_element(Locator::Css("#errors tr[data-row=\"4\"]"))
        .await
        .expect("the bad row, by its number");
    assert!(row.text().await.unwrap().contains("楼栋"));
    photograph(&mut b, "import-errors").await;
    wang.sync().await.expect("sync");
    let before = wang
        .linli
        .households_in_building(&r.places.building3)
        .unwrap()
        .len();
    upload_roster(&c, &good).await;
    let count = c
        .wait()
        .for_element(Locator::Id("preview-count"))
        .await
        .expect("a preview");
    assert!(count.text().await.unwrap().contains("2 户、3 人"));
    photograph(&mut b, "import-preview").await;
    c.find(Locator::Id("confirm"))
        .await
        .unwrap()
        .click()
        .await
        .unwrap();
    c.wait()
        .for_element(Locator::Id("imported"))
        .await
        .expect("imported");
    wang.sync().await.expect("sync");
    let after = wang
        .linli
        .households_in_building(&r.places.building3)
        .unwrap();
    assert_eq!(after.len(), before + 2);
    assert!(
        after
            .iter()
            .any(|h| h.room == "302" && h.residents.contains("孙小梅"))
    );

    // A phone whose sync was cut after its first push still holds the rest: the devices page
    // says how many, as the phone told the relay, and marks it.
    for h in households.iter().chain(&households[..1]) {
        wang.linli
            .log_visit(h, &VisitInput::default())
            .expect("a visit");
    }
    let held = wang.linli.outbox_len().unwrap();
    assert_eq!(held, 4);
    let one_at_a_time = SyncClient::new(SyncOptions {
        push_bytes: 1,
        max_push_bytes: 1,
        ..wang.client.options().clone()
    })
    .unwrap();
    let cut = CancellationToken::new();
    let cutter = cut.clone();
    let progress = move |p: SyncProgress| {
        if p.phase == SyncPhase::Push && p.done >= 1 {
            cutter.cancel();
        }
    };
    assert!(
        one_at_a_time
            .sync(&wang.linli, &progress, &cut)
            .await
            .is_err()
    );
    let left = wang.linli.outbox_len().unwrap();
    assert_eq!(
        left, 3,
        "the first change was pushed, three are still queued"
    );
    c.goto(&format!("{}/office/devices", r.url)).await.unwrap();
    let device = &wang.linli.identity().device_id;
    let row = c
        .find(Locator::Css(&format!("tr[data-device=\"{device}\"]")))
        .await
        .expect("the phone's row");
    let outbox = row
        .find(Locator::Css("td[data-field=outbox]"))
        .await
        .unwrap();
    assert_eq!(outbox.text().await.unwrap(), left.to_string());
    assert_eq!(shown("unsent").await, "1");
    photograph(&mut b, "devices").await;

    // Signed out, the session is gone and its code does not sign in again.
    c.find(Locator::Css("header button"))
        .await
        .unwrap()
        .click()
        .await
        .unwrap();
    c.wait()
        .for_element(Locator::Id("sign-in"))
        .await
        .expect("signed out");
    c.goto(&format!("{}/office/today", r.url)).await.unwrap();
    assert_eq!(c.current_url().await.unwrap().path(), "/office/sign-in");
    c.find(Locator::Css("input[name=code]"))
        .await
        .unwrap()
        .send_keys(&code)
        .await
        .unwrap();
    c.find(Locator::Id("sign-in"))
        .await
        .unwrap()
        .click()
        .await
        .unwrap();
    c.wait()
        .for_element(Locator::Id("sign-in-error"))
        .await
        .expect("refused");
    b.close().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_pages_refuse_what_they_must() {
    let r = TestRelay::start_with(Limits {
        enrol_failures: 5,
        enrol_window: Duration::from_secs(60),
        ..Limits::default()
    })
    .await;
    let url = r.url.clone();
    // No session: every page sends the browser to sign in.
    for page in [
        "/office",
        "/office/",
        "/office/today",
        "/office/tickets",
        "/office/report.csv",
    ] {
        let answer = http().get(format!("{url}{page}")).send().await.unwrap();
        assert_eq!(answer.status(), StatusCode::SEE_OTHER, "{page}");
        assert_eq!(answer.headers()[LOCATION], "/office/sign-in", "{page}");
    }
    // Pages are never framed, run no script and give no referrer.
    let sign_in_page = http()
        .get(format!("{url}/office/sign-in?code=ABCD"))
        .send()
        .await
        .unwrap();
    let headers = sign_in_page.headers();
    assert_eq!(headers["x-frame-options"], "DENY");
    assert_eq!(headers["referrer-policy"], "no-referrer");
    let policy = headers["content-security-policy"].to_str().unwrap();
    assert!(policy.contains("frame-ancestors 'none'") && !policy.contains("script-src"));
    // A lead gets no code from the admin tools, and a lead's code (made some other way) does
    // not sign in; a phone's enrolment code does not either, nor a sign-in code enrol a phone.
    assert!(r.admin.create_web_code("lead-wang").is_err());
    let storage = r.admin.storage();
    let now = chrono::Utc::now().timestamp_millis();
    let (lead_code, _) = issue_code(
        storage.as_ref(),
        "lead-wang",
        true,
        CodePurpose::Web,
        now,
        60_000,
    )
    .unwrap();
    let refused = sign_in(&url, &lead_code, false).await;
    assert_eq!(refused.status(), StatusCode::FORBIDDEN);
    assert!(refused.text().await.unwrap().contains("只有社区办公室"));
    let (phone_code, _) = r.admin.create_code("office-admin").unwrap();
    assert_eq!(
        sign_in(&url, &phone_code, false).await.status(),
        StatusCode::UNAUTHORIZED
    );
    let (web_code, _) = r.admin.create_web_code("office-admin").unwrap();
    let enrol = linli_core::sync::client::enrol(
        &url,
        &web_code,
        "办公室电脑",
        &automerge::ActorId::random().to_hex_string(),
    )
    .await;
    assert!(enrol.is_err(), "a sign-in code enrols no phone");
    // Another site's page posting the sign-in form (to sign the office's browser into the
    // session of a code it holds) is refused before the code is tried (the code still signs in
    // below); from the relay's own page a code signs in.
    let host = url.trim_start_matches("http://").to_owned();
    for (name, value) in [
        ("sec-fetch-site", "cross-site"),
        ("sec-fetch-site", "same-site"),
        ("origin", "https://evil.example"),
        ("origin", "null"),
    ] {
        let forged = post_form(format!("{url}/office/sign-in"), &[("code", &web_code)])
            .header(name, value)
            .send()
            .await
            .unwrap();
        assert_eq!(forged.status(), StatusCode::FORBIDDEN, "{name}: {value}");
        assert!(
            forged.headers().get(SET_COOKIE).is_none(),
            "{name}: {value}"
        );
    }
    let (own_code, _) = r.admin.create_web_code("office-admin").unwrap();
    let own_page = post_form(format!("{url}/office/sign-in"), &[("code", &own_code)])
        .header("sec-fetch-site", "same-origin")
        .header("origin", format!("http://{host}"))
        .send()
        .await
        .unwrap();
    assert_eq!(own_page.status(), StatusCode::SEE_OTHER);
    assert!(own_page.headers().get(SET_COOKIE).is_some());
    // An office member deactivated after the code was made: refused too.
    r.admin
        .run(|l| {
            l.add_member(&linli_core::api::directory::MemberInput {
                id: Some("office-liu".into()),
                name: "刘干事".into(),
                phone: String::new(),
                roles: vec![linli_core::api::directory::RoleInput {
                    role: linli_core::records::directory::Role::Office,
                    places: vec![],
                }],
            })
        })
        .unwrap();
    let (liu_code, _) = r.admin.create_web_code("office-liu").unwrap();
    r.admin.run(|l| l.deactivate_member("office-liu")).unwrap();
    assert_eq!(
        sign_in(&url, &liu_code, false).await.status(),
        StatusCode::FORBIDDEN
    );
    // An expired code.
    let (expired, _) = issue_code(
        storage.as_ref(),
        "office-admin",
        true,
        CodePurpose::Web,
        now - 3_600_000,
        1,
    )
    .unwrap();
    assert_eq!(
        sign_in(&url, &expired, false).await.status(),
        StatusCode::UNAUTHORIZED
    );

    // The cookie: HttpOnly, SameSite=Strict, scoped to the pages; Secure behind TLS.
    let signed = sign_in(&url, &web_code, false).await;
    assert_eq!(signed.status(), StatusCode::SEE_OTHER);
    let set = signed.headers()[SET_COOKIE].to_str().unwrap().to_owned();
    for flag in ["HttpOnly", "SameSite=Strict", "Path=/office", "Max-Age="] {
        assert!(set.contains(flag), "{set}");
    }
    assert!(!set.contains("Secure"), "{set}");
    let cookie = session_cookie(&signed);
    let (tls_code, _) = r.admin.create_web_code("office-admin").unwrap();
    let behind_tls = sign_in(&url, &tls_code, true).await;
    assert!(
        behind_tls.headers()[SET_COOKIE]
            .to_str()
            .unwrap()
            .contains("; Secure")
    );
    // The same code twice: refused.
    assert_eq!(
        sign_in(&url, &web_code, false).await.status(),
        StatusCode::UNAUTHORIZED
    );

    // A form without its token, or with another session's, changes nothing.
    let wang = r.phone("lead-wang", "wang-phone").await;
    wang.sync().await.unwrap();
    let ticket = wang
        .linli
        .report_ticket(&ticket_input("楼道灯坏了"))
        .unwrap();
    wang.sync().await.unwrap();
    let page = http()
        .get(format!("{url}/office/tickets/{ticket}"))
        .header(COOKIE, &cookie)
        .send()
        .await
        .unwrap();
    assert_eq!(page.status(), StatusCode::OK);
    let csrf = csrf_on(&page.text().await.unwrap());
    let escalate = |token: Option<&str>| {
        let mut form = vec![("level", "street"), ("text", "需街道协调")];
        if let Some(t) = token {
            form.push(("csrf", t));
        }
        let request = post_form(format!("{url}/office/tickets/{ticket}/escalate"), &form)
            .header(COOKIE, cookie.clone());
        async move { request.send().await.unwrap().status() }
    };
    assert_eq!(escalate(None).await, StatusCode::FORBIDDEN);
    assert_eq!(
        escalate(Some("00000000000000000000000000000000")).await,
        StatusCode::FORBIDDEN
    );
    wang.sync().await.unwrap();
    assert_eq!(
        wang.linli.ticket(&ticket).unwrap().state.level,
        Level::Community
    );
    assert_eq!(escalate(Some(&csrf)).await, StatusCode::SEE_OTHER);

    // The browser's session is no phone: the sync API refuses its token.
    let token = cookie.split_once('=').unwrap().1;
    let sync = http()
        .post(format!("{url}/v1/sync"))
        .bearer_auth(token)
        .header(
            linli_core::sync::protocol::VERSION_HEADER,
            linli_core::sync::protocol::PROTOCOL_VERSION.to_string(),
        )
        .send()
        .await
        .unwrap();
    assert_eq!(sync.status(), StatusCode::UNAUTHORIZED);
    assert!(sync.text().await.unwrap().contains("browser_session"));

    // Uploads that are no roster: a clear error, nothing written, the relay still serving.
    let import_page = http()
        .get(format!("{url}/office/import"))
        .header(COOKIE, &cookie)
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    let csrf = csrf_on(&import_page);
    let upload = |name: &str, bytes: Vec<u8>| {
        let boundary = "linli-test-boundary";
        let mut body = format!(
            "--{boundary}\r\ncontent-disposition: form-data; name=\"csrf\"\r\n\r\n{csrf}\r\n\
             --{boundary}\r\ncontent-disposition: form-data; name=\"roster\"; filename=\"{name}\"\r\n\
             content-type: application/octet-stream\r\n\r\n"
        )
        .into_bytes();
        body.extend(bytes);
        body.extend(format!("\r\n--{boundary}--\r\n").into_bytes());
        let request = http()
            .post(format!("{url}/office/import"))
            .header(COOKIE, cookie.clone())
            .header(
                CONTENT_TYPE,
                format!("multipart/form-data; boundary={boundary}"),
            )
            .body(body);
        async move {
            let answer = request.send().await.unwrap();
            (answer.status(), answer.text().await.unwrap())
        }
    };
    let (status, page) = upload("photo.png", b"\x89PNG\r\n\x1a\n\0\0\0\rIHDR".to_vec()).await;
    assert_eq!(status, StatusCode::BAD_REQUEST);
    assert!(page.contains("不是"), "{page}");
    let (status, page) = upload("huge.csv", vec![b'a'; 20 << 20]).await;
    assert_eq!(status, StatusCode::PAYLOAD_TOO_LARGE);
    assert!(page.contains("MB"), "{page}");
    let mut many = String::from("楼栋,室号,姓名\n");
    for i in 0..10_000 {
        many.push_str(&format!("9号楼,{i},某人\n"));
    }
    let (status, page) = upload("many.csv", many.into_bytes()).await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(page.contains("有 10000 行有误"), "a count of every bad row");
    assert!(page.matches("data-row=").count() <= 200, "a bounded list");
    let health = http().get(format!("{url}/healthz")).send().await.unwrap();
    assert_eq!(health.status(), StatusCode::OK);
    // The admin tools read a roster the same way.
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("roster.csv");
    std::fs::write(
        &file,
        "楼栋,室号,姓名,出生年份\n3号楼,901,吴桂花,1930\n3号楼,902,吴德,3000\n",
    )
    .unwrap();
    let (ok, _, err) = r.admin_cli(RELAY_EXE, &["import-households", file.to_str().unwrap()]);
    assert!(!ok && err.contains("第 3 行"), "{err}");
    std::fs::write(
        &file,
        "楼栋,室号,姓名,出生年份\n3号楼,901,吴桂花,1930\n3号楼,902,吴德,1960\n",
    )
    .unwrap();
    let (ok, out, err) = r.admin_cli(RELAY_EXE, &["import-households", file.to_str().unwrap()]);
    assert!(ok, "{err}");
    assert!(out.contains("2 户"), "{out}");

    // Wrong codes from one address are limited: 429 with Retry-After.
    let mut last = None;
    for _ in 0..6 {
        last = Some(sign_in(&url, "AAAA-BBBB-CCCC", false).await);
    }
    let last = last.unwrap();
    assert_eq!(last.status(), StatusCode::TOO_MANY_REQUESTS);
    assert!(last.headers().contains_key(RETRY_AFTER));
}
