//! The relay against hostile clients at the HTTP boundary: requests that unfold into millions
//! of elements, wants that reach into another building, bodies sent without a valid token,
//! connections that never finish their headers, guessed enrolment codes, device names that
//! forge log lines, and one device asking too fast. Each is refused promptly and cheaply, and
//! the relay keeps serving.

use std::time::{Duration, Instant};

use linli_core::Linli;
use linli_core::api::households::HouseholdInput;
use linli_core::sync::protocol::{
    self, Cursor, EnrolRequest, EnrolResponse, MEDIA_TYPE, PROTOCOL_VERSION, SyncRequest,
    SyncResponse, VERSION_HEADER, Wanted,
};
use linli_e2e::{TestRelay, post_raw};
use linli_relay::relay::{CODE_LEN, Limits, display_code};
use linli_relay::server::Server;
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::TcpStream;
use tokio_util::sync::CancellationToken;

fn version() -> String {
    PROTOCOL_VERSION.to_string()
}

/// Sends `head` (and `body`) on a new connection and returns what the relay answers before
/// it closes the connection or `wait` passes; `None` if it answered nothing in time.
async fn raw_exchange(url: &str, head: &str, body: &[u8], wait: Duration) -> Option<String> {
    let mut tcp = TcpStream::connect(url.trim_start_matches("http://"))
        .await
        .expect("connect");
    tcp.write_all(head.as_bytes()).await.expect("send head");
    tcp.write_all(body).await.expect("send body");
    let mut answer = Vec::new();
    let mut buf = [0u8; 4096];
    let read = tokio::time::timeout(wait, async {
        loop {
            match tcp.read(&mut buf).await {
                Ok(0) | Err(_) => break,
                Ok(n) => {
                    answer.extend_from_slice(&buf[..n]);
                    if answer.windows(4).any(|w| w == b"\r\n\r\n") {
                        break;
                    }
                }
            }
        }
    })
    .await;
    read.ok()?;
    Some(String::from_utf8_lossy(&answer).into_owned())
}

/// An enrolment request as a phone sends it, answered with its status and `Retry-After`.
async fn enrol_raw(url: &str, code: &str, device_name: &str) -> (u16, Option<u64>, Vec<u8>) {
    let body = protocol::encode(&EnrolRequest {
        code: code.to_owned(),
        device_name: device_name.to_owned(),
        actor_id: Linli::new_actor_id(),
    });
    let r = linli_e2e::http_client()
        .post(format!("{url}/v1/enrol"))
        .header(reqwest::header::CONTENT_TYPE, MEDIA_TYPE)
        .header(VERSION_HEADER, version())
        .body(body)
        .send()
        .await
        .expect("relay reachable");
    let status = r.status().as_u16();
    let retry_after = r
        .headers()
        .get(reqwest::header::RETRY_AFTER)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.parse().ok());
    (status, retry_after, r.bytes().await.expect("body").to_vec())
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn requests_that_unfold_into_too_many_elements_are_refused_quickly() {
    let r = TestRelay::start().await;
    let wang = r.phone("lead-wang", "wang-phone").await;
    let token = wang.client.options().token.clone();
    let v = version();
    let cursors = SyncRequest {
        cursors: vec![
            Cursor {
                scope: String::new(),
                seq: 0,
            };
            100_000
        ],
        page_bytes: 1 << 20,
        ..SyncRequest::default()
    };
    let wants = SyncRequest {
        want: vec![
            Wanted {
                doc_id: String::new(),
                hashes: vec![],
            };
            200_000
        ],
        page_bytes: 1 << 20,
        ..SyncRequest::default()
    };
    let long_id = SyncRequest {
        want: vec![Wanted {
            doc_id: "x".repeat(4096),
            hashes: vec![[7; 32]],
        }],
        page_bytes: 1 << 20,
        ..SyncRequest::default()
    };
    for (what, request, code) in [
        ("100,000 empty cursors", cursors, "too_many_elements"),
        ("200,000 empty wants", wants, "too_many_elements"),
        ("a 4 KB document id", long_id, "field_too_long"),
    ] {
        let started = Instant::now();
        let answer = post_raw(
            &r.url,
            "/v1/sync",
            Some(&token),
            &v,
            protocol::encode(&request),
        )
        .await;
        assert_eq!((answer.status, answer.code.as_str()), (400, code), "{what}");
        assert!(
            started.elapsed() < Duration::from_secs(2),
            "{what} took {:?}",
            started.elapsed()
        );
    }
    // The relay still serves the device.
    wang.sync().await.unwrap();
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn wants_return_only_changes_whose_own_scope_the_device_reads() {
    let r = TestRelay::start().await;
    let wang = r.phone("lead-wang", "wang-phone").await;
    let li = r.phone("lead-li", "li-phone").await;
    wang.sync().await.unwrap();
    li.sync().await.unwrap();
    let household = |phone: &linli_relay::demo::Phone, building: &str| {
        phone
            .linli
            .register_household(&HouseholdInput {
                building_id: building.to_owned(),
                room: "101".into(),
                ..HouseholdInput::default()
            })
            .unwrap()
    };
    let hashes = |phone: &linli_relay::demo::Phone, doc: &str| -> Vec<[u8; 32]> {
        phone
            .linli
            .changes_since(doc, &[])
            .unwrap()
            .into_iter()
            .map(|c| automerge::Change::from_bytes(c.bytes).unwrap().hash().0)
            .collect()
    };
    // Li's household in 5号楼, which Wang may not read; Wang's own in 3号楼.
    let theirs = household(&li, &r.places.building5);
    li.sync().await.unwrap();
    let own = household(&wang, &r.places.building3);
    wang.sync().await.unwrap();
    let their_hashes = hashes(&li, &theirs);
    let own_hashes = hashes(&wang, &own);
    assert!(!their_hashes.is_empty() && !own_hashes.is_empty());

    let token = wang.client.options().token.clone();
    let ask = |want: Vec<Wanted>| {
        protocol::encode(&SyncRequest {
            want,
            page_bytes: 1 << 20,
            ..SyncRequest::default()
        })
    };
    let wanted = |body: Vec<u8>| {
        let token = token.clone();
        let url = r.url.clone();
        async move {
            let answer = post_raw(&url, "/v1/sync", Some(&token), &version(), body).await;
            assert_eq!(answer.status, 200, "{}", answer.code);
            protocol::decode::<SyncResponse>(&answer.body)
                .unwrap()
                .wanted
                .into_iter()
                .map(|c| (c.doc_id, c.scope))
                .collect::<Vec<_>>()
        }
    };
    // Another building's hashes named under Wang's own document: nothing.
    let got = wanted(ask(vec![Wanted {
        doc_id: own.clone(),
        hashes: their_hashes.clone(),
    }]))
    .await;
    assert_eq!(got, vec![], "another building's changes were sent");
    // Mixed with his own: only his own, whichever document they are named under.
    let got = wanted(ask(vec![
        Wanted {
            doc_id: theirs.clone(),
            hashes: own_hashes.clone(),
        },
        Wanted {
            doc_id: own.clone(),
            hashes: their_hashes.iter().chain(&own_hashes).copied().collect(),
        },
    ]))
    .await;
    assert_eq!(got.len(), own_hashes.len(), "{got:?}");
    let own_scope = format!("building/{}", r.places.building3);
    assert!(
        got.iter()
            .all(|(doc, scope)| *doc == own && *scope == own_scope)
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_bad_token_is_refused_before_the_body_is_read() {
    let r = TestRelay::start().await;
    let host = r.url.trim_start_matches("http://").to_owned();
    let v = version();
    // 15 MB announced, a few bytes sent: the answer comes at once, without the rest.
    let sync_head = format!(
        "POST /v1/sync HTTP/1.1\r\nHost: {host}\r\n{VERSION_HEADER}: {v}\r\n\
         Content-Type: {MEDIA_TYPE}\r\nAuthorization: Bearer 0123\r\n\
         Content-Length: 15000000\r\n\r\n"
    );
    let blob_head = format!(
        "PUT /v1/blobs/{}?offset=0&total=15000000 HTTP/1.1\r\nHost: {host}\r\n\
         Authorization: Bearer 0123\r\nContent-Length: 15000000\r\n\r\n",
        "ab".repeat(32)
    );
    for (what, head) in [("sync", sync_head), ("photo upload", blob_head)] {
        let started = Instant::now();
        let answer = raw_exchange(&r.url, &head, b"LNLI\0\x02", Duration::from_secs(5))
            .await
            .unwrap_or_else(|| panic!("{what}: no answer while the body was pending"));
        assert!(answer.starts_with("HTTP/1.1 401"), "{what}: {answer}");
        assert!(started.elapsed() < Duration::from_secs(2), "{what}");
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_body_that_never_arrives_times_out() {
    let r = TestRelay::start_with(Limits {
        body_timeout: Duration::from_secs(1),
        ..Limits::default()
    })
    .await;
    let wang = r.phone("lead-wang", "wang-phone").await;
    let token = wang.client.options().token.clone();
    let host = r.url.trim_start_matches("http://").to_owned();
    let head = format!(
        "POST /v1/sync HTTP/1.1\r\nHost: {host}\r\n{VERSION_HEADER}: {}\r\n\
         Content-Type: {MEDIA_TYPE}\r\nAuthorization: Bearer {token}\r\n\
         Content-Length: 1000\r\n\r\n",
        version()
    );
    let answer = raw_exchange(&r.url, &head, b"LNLI", Duration::from_secs(5))
        .await
        .expect("an answer within the body timeout");
    assert!(answer.starts_with("HTTP/1.1 408"), "{answer}");
    // A body announced past the limit is not kept waiting for either.
    let head = head.replace("Content-Length: 1000", "Content-Length: 17000000");
    let answer = raw_exchange(&r.url, &head, b"LNLI", Duration::from_secs(5))
        .await
        .expect("an answer within the body timeout");
    assert!(answer.starts_with("HTTP/1.1 413"), "{answer}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn half_sent_headers_are_closed_and_health_stays_fast() {
    let r = TestRelay::start_with(Limits {
        header_timeout: Duration::from_secs(1),
        ..Limits::default()
    })
    .await;
    let host = r.url.trim_start_matches("http://").to_owned();
    let mut held = Vec::new();
    for _ in 0..50 {
        let mut tcp = TcpStream::connect(&host).await.unwrap();
        tcp.write_all(format!("POST /v1/sync HTTP/1.1\r\nHost: {host}\r\n").as_bytes())
            .await
            .unwrap();
        held.push(tcp);
    }
    let started = Instant::now();
    let health = reqwest::get(format!("{}/healthz", r.url)).await.unwrap();
    assert_eq!(health.text().await.unwrap(), "ok");
    assert!(started.elapsed() < Duration::from_secs(1));
    // Each half-sent request is closed once the header timeout passes.
    for mut tcp in held {
        let mut buf = [0u8; 256];
        let closed = tokio::time::timeout(Duration::from_secs(5), async {
            loop {
                match tcp.read(&mut buf).await {
                    Ok(0) | Err(_) => break,
                    Ok(_) => {}
                }
            }
        })
        .await;
        assert!(closed.is_ok(), "a half-sent request was kept open");
    }
    assert!(started.elapsed() < Duration::from_secs(4));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn connections_past_the_limit_are_closed_at_once() {
    let r = TestRelay::start_with(Limits {
        max_connections: 8,
        ..Limits::default()
    })
    .await;
    let host = r.url.trim_start_matches("http://").to_owned();
    let mut held = Vec::new();
    for _ in 0..8 {
        held.push(TcpStream::connect(&host).await.unwrap());
    }
    let mut extra = TcpStream::connect(&host).await.unwrap();
    let mut buf = [0u8; 16];
    let closed = tokio::time::timeout(Duration::from_secs(2), extra.read(&mut buf)).await;
    assert!(
        matches!(closed, Ok(Ok(0) | Err(_))),
        "a connection past the limit was kept: {closed:?}"
    );
    // Once the held connections go, the relay serves again.
    drop(held);
    let deadline = Instant::now() + Duration::from_secs(5);
    loop {
        let health = linli_e2e::http_client()
            .get(format!("{}/healthz", r.url))
            .send()
            .await;
        if health.is_ok_and(|h| h.status().is_success()) {
            break;
        }
        assert!(Instant::now() < deadline, "the relay did not serve again");
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_relay_stops_promptly_with_idle_connections_open() {
    let r = TestRelay::start().await;
    let server = Server::bind(r.relay.clone(), "127.0.0.1:0".parse().unwrap())
        .await
        .unwrap();
    let addr = server.local_addr().unwrap();
    let stop = CancellationToken::new();
    let stopped = stop.clone();
    let serving = tokio::spawn(server.run(async move { stopped.cancelled().await }));
    // A kept-alive connection after a request, and one that never sent anything.
    let client = linli_e2e::http_client();
    let health = client
        .get(format!("http://{addr}/healthz"))
        .send()
        .await
        .unwrap();
    assert!(health.status().is_success());
    let _silent = TcpStream::connect(addr).await.unwrap();
    tokio::time::sleep(Duration::from_millis(100)).await;
    stop.cancel();
    tokio::time::timeout(Duration::from_secs(2), serving)
        .await
        .expect("the relay stopped within 2 s")
        .unwrap()
        .unwrap();
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn wrong_enrolment_codes_are_limited_per_address() {
    let window = Duration::from_secs(3);
    let r = TestRelay::start_with(Limits {
        enrol_window: window,
        ..Limits::default()
    })
    .await;
    let (code, _) = r.admin.create_code("lead-wang").unwrap();
    assert_eq!(code.len(), CODE_LEN);
    assert_eq!(CODE_LEN, 12);
    let shown = display_code(&code);
    assert_eq!(
        shown.split('-').map(str::len).collect::<Vec<_>>(),
        [4, 4, 4]
    );

    let started = Instant::now();
    for i in 0..5 {
        let (status, _, _) = enrol_raw(&r.url, "ZZZZ-ZZZZ-ZZZZ", "guess").await;
        assert_eq!(status, 401, "wrong code {i}");
    }
    let (status, retry_after, _) = enrol_raw(&r.url, "ZZZZ-ZZZZ-ZZZZ", "guess").await;
    assert_eq!(status, 429, "the sixth wrong code");
    let retry_after = retry_after.expect("a Retry-After header");
    assert!(
        (1..=window.as_secs()).contains(&retry_after),
        "{retry_after}"
    );
    // While the address waits, even the right code waits.
    let (status, _, _) = enrol_raw(&r.url, &shown, "王建国的手机").await;
    assert_eq!(status, 429);
    assert!(
        started.elapsed() < window,
        "the test ran slower than its window"
    );

    tokio::time::sleep(window).await;
    let (status, _, body) = enrol_raw(&r.url, &shown, "王建国的手机").await;
    assert_eq!(status, 200, "{}", String::from_utf8_lossy(&body));
    let enrolled: EnrolResponse = protocol::decode(&body).unwrap();
    assert_eq!(enrolled.member_id, "lead-wang");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_phone_limited_for_longer_than_it_waits_is_told_so_at_once() {
    // Enrolments from one address are limited for a minute, longer than a phone's longest
    // pause between tries (10 s): the phone says when to try again instead of sleeping
    // through its tries.
    let r = TestRelay::start().await;
    for i in 0..5 {
        let (status, _, _) = enrol_raw(&r.url, "ZZZZ-ZZZZ-ZZZZ", "guess").await;
        assert_eq!(status, 401, "wrong code {i}");
    }
    let refused =
        linli_core::sync::client::enrol(&r.url, "ZZZZ-ZZZZ-ZZZZ", "guess", &Linli::new_actor_id())
            .await
            .expect_err("limited");
    // The relay asks for the rest of its minute.
    assert!(
        matches!(&refused, linli_core::sync::client::SyncError::Busy { wait_secs, code }
            if (30..=60).contains(wait_secs) && code == "too_many_attempts"),
        "{refused}"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_device_name_with_a_line_break_is_refused() {
    let r = TestRelay::start().await;
    let (code, _) = r.admin.create_code("lead-wang").unwrap();
    for name in [
        "王建国的手机\nINFO device enrolled member=office-admin",
        "王建国\r的手机",
        "王建国\u{1b}[2J",
    ] {
        let (status, _, body) = enrol_raw(&r.url, &code, name).await;
        assert_eq!(status, 400, "{name:?}");
        assert!(
            String::from_utf8_lossy(&body).contains("bad_device_name"),
            "{name:?}"
        );
    }
    // Refused names are not wrong codes: the code still enrols, and the address is not held
    // back.
    let (status, _, _) = enrol_raw(&r.url, &code, "王建国的手机").await;
    assert_eq!(status, 200);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn one_device_asking_too_fast_waits() {
    let r = TestRelay::start_with(Limits {
        device_rate: 1,
        device_burst: 3,
        ..Limits::default()
    })
    .await;
    let wang = r.phone("lead-wang", "wang-phone").await;
    let li = r.phone("lead-li", "li-phone").await;
    let request = protocol::encode(&SyncRequest {
        page_bytes: 1 << 20,
        ..SyncRequest::default()
    });
    let token = wang.client.options().token.clone();
    for i in 0..3 {
        let answer = post_raw(
            &r.url,
            "/v1/sync",
            Some(&token),
            &version(),
            request.clone(),
        )
        .await;
        assert_eq!(answer.status, 200, "request {i}: {}", answer.code);
    }
    let r4 = linli_e2e::http_client()
        .head(format!("{}/v1/blobs/{}", r.url, "ab".repeat(32)))
        .bearer_auth(&token)
        .send()
        .await
        .unwrap();
    assert_eq!(r4.status().as_u16(), 429);
    let retry_after: u64 = r4
        .headers()
        .get(reqwest::header::RETRY_AFTER)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.parse().ok())
        .expect("a Retry-After header");
    assert_eq!(retry_after, 1);
    // Another device is not held back.
    let li_token = li.client.options().token.clone();
    let answer = post_raw(&r.url, "/v1/sync", Some(&li_token), &version(), request).await;
    assert_eq!(answer.status, 200);
}
