//! The relay's contract at the HTTP boundary: bad input gets the right 4xx, stores nothing, and
//! the relay keeps serving; pulls page across many pages and resume after a cut; a device
//! bootstrapped from snapshots equals one that pulled the whole history; 50 devices sync at once.

use linli_core::Linli;
use linli_core::api::households::HouseholdInput;
use linli_core::records::directory::PlaceKind;
use linli_core::sync::client::{SyncClient, SyncOptions};
use linli_core::sync::protocol::{
    self, Cursor, LogMark, PROTOCOL_VERSION, RemoteChange, SyncRequest, SyncResponse,
};
use linli_core::{DeviceIdentity, DocKind};
use linli_e2e::{TestRelay, door_to_door, post_raw, ticket_input};
use linli_relay::demo::Phone;
use linli_relay::storage::LogChange;

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn bad_input_gets_a_clear_4xx_and_stores_nothing() {
    let r = TestRelay::start().await;
    let wang = r.phone("lead-wang", "wang-phone").await;
    // A ticket names the photo sent with the wrong bytes below (the relay takes only photos
    // that records name).
    let mut ticket = ticket_input("3号楼电梯停运");
    ticket.photos = vec!["ab".repeat(32)];
    wang.linli.report_ticket(&ticket).unwrap();
    wang.sync().await.unwrap();
    let token = wang.client.options().token.clone();
    let v = PROTOCOL_VERSION.to_string();

    // A real change of Wang's, and one written by another actor.
    let h = wang
        .linli
        .register_household(&HouseholdInput {
            building_id: r.places.building3.clone(),
            room: "101".into(),
            ..HouseholdInput::default()
        })
        .unwrap();
    let own: Vec<RemoteChange> = wang
        .linli
        .outbox(0, 100)
        .unwrap()
        .into_iter()
        .map(|c| c.change)
        .collect();
    let stranger = Linli::open(
        &r.phone_path("stranger"),
        DeviceIdentity {
            member_id: "lead-wang".into(),
            device_id: "stolen".into(),
        },
        r.clock.clone(),
    )
    .unwrap();
    stranger
        .apply_remote(&wang.linli.changes_since(&h, &[]).unwrap())
        .unwrap();
    stranger.set_household_phone(&h, "13900000000").unwrap();
    let foreign: RemoteChange = stranger.outbox(0, 100).unwrap().pop().unwrap().change;
    let push = |changes: Vec<RemoteChange>| {
        protocol::encode(&SyncRequest {
            push: changes,
            page_bytes: 1 << 20,
            ..SyncRequest::default()
        })
    };
    let mut corrupt = own[1].clone();
    corrupt.bytes.truncate(corrupt.bytes.len() / 2);
    let mut wrong_scope = own[1].clone();
    wrong_scope.scope = format!("building/{}", r.places.building5);
    let mut tickets_scope = own[1].clone();
    tickets_scope.scope = "tickets".into();
    let mut claimed_ticket = tickets_scope.clone();
    claimed_ticket.kind = DocKind::Ticket;
    let good = push(own.clone());
    let before = r.relay.storage.log_len().unwrap();

    // What, token, protocol version, body, expected status and error code.
    type Case<'a> = (&'a str, Option<&'a str>, &'a str, Vec<u8>, u16, &'a str);
    let cases: Vec<Case<'_>> = vec![
        (
            "garbage body",
            Some(&token),
            &v,
            b"hello".to_vec(),
            400,
            "bad_message",
        ),
        (
            "truncated body",
            Some(&token),
            &v,
            good[..good.len() / 2].to_vec(),
            400,
            "bad_message",
        ),
        (
            "unknown version",
            Some(&token),
            "99",
            good.clone(),
            400,
            "unsupported_version",
        ),
        ("no token", None, &v, good.clone(), 401, "no_token"),
        (
            "wrong token",
            Some("0123"),
            &v,
            good.clone(),
            401,
            "bad_token",
        ),
        (
            "corrupt change",
            Some(&token),
            &v,
            push(vec![own[0].clone(), corrupt]),
            200,
            "corrupt_change",
        ),
        (
            "scope not permitted",
            Some(&token),
            &v,
            push(vec![own[0].clone(), wrong_scope]),
            200,
            "scope_forbidden",
        ),
        (
            "kind does not fit scope",
            Some(&token),
            &v,
            push(vec![tickets_scope]),
            200,
            "bad_scope",
        ),
        (
            "another device's change",
            Some(&token),
            &v,
            push(vec![own[0].clone(), own[1].clone(), foreign.clone()]),
            200,
            "foreign_author",
        ),
        (
            "oversized body",
            Some(&token),
            &v,
            vec![0u8; 17 * 1024 * 1024],
            413,
            "body_too_large",
        ),
    ];
    // A bad request is refused whole (4xx); a bad change is refused alone (200, with its
    // code in `refused`), set aside, and the good changes of the same push are stored.
    for (what, token, version, body, status, code) in cases {
        let call = post_raw(&r.url, "/v1/sync", token, version, body).await;
        if status == 200 {
            assert_eq!(call.status, 200, "{what}: {}", call.code);
            let answer: SyncResponse = protocol::decode(&call.body).unwrap();
            let codes: Vec<&str> = answer.refused.iter().map(|x| x.code.as_str()).collect();
            assert_eq!(codes, [code], "{what}");
            assert!(
                r.relay
                    .storage
                    .changes_by_hash(&[answer.refused[0].hash])
                    .unwrap()
                    .is_empty(),
                "{what}: the refused change was logged"
            );
        } else {
            assert_eq!((call.status, call.code.as_str()), (status, code), "{what}");
        }
        assert!(
            r.relay.storage.log_len().unwrap() <= before + own.len() as u64,
            "{what} stored something not its own"
        );
    }
    // A blob whose bytes do not match its name.
    let http = linli_e2e::http_client();
    let name = "ab".repeat(32);
    let resp = http
        .put(format!("{}/v1/blobs/{name}?offset=0&total=5", r.url))
        .bearer_auth(&token)
        .body("hello")
        .send()
        .await
        .unwrap();
    assert_eq!(resp.status().as_u16(), 422);
    let resp = http
        .get(format!("{}/v1/blobs/{name}", r.url))
        .bearer_auth(&token)
        .send()
        .await
        .unwrap();
    assert_eq!(resp.status().as_u16(), 404, "a mismatched photo was kept");

    // The relay still serves, and the good push lands once however often it is retried.
    let health = http.get(format!("{}/healthz", r.url)).send().await.unwrap();
    assert_eq!(health.text().await.unwrap(), "ok");
    for _ in 0..3 {
        assert_eq!(
            post_raw(&r.url, "/v1/sync", Some(&token), &v, good.clone())
                .await
                .status,
            200
        );
    }
    assert_eq!(
        r.relay.storage.log_len().unwrap(),
        before + own.len() as u64
    );
    // A change the log holds already passes from any device, though this member could not
    // write it: Sun keeps the east gate and may not write Wang's building 3.
    let sun = r.phone("guard-sun", "sun-phone").await;
    let sun_token = sun.client.options().token.clone();
    let repeated = post_raw(&r.url, "/v1/sync", Some(&sun_token), &v, push(own.clone())).await;
    assert_eq!(repeated.status, 200, "{}", repeated.code);
    let fresh_elsewhere = post_raw(
        &r.url,
        "/v1/sync",
        Some(&sun_token),
        &v,
        push(vec![own[0].clone(), foreign.clone()]),
    )
    .await;
    assert_eq!(fresh_elsewhere.status, 200);
    let refused: SyncResponse = protocol::decode(&fresh_elsewhere.body).unwrap();
    let codes: Vec<&str> = refused.refused.iter().map(|x| x.code.as_str()).collect();
    assert_eq!(codes, ["scope_forbidden"]);
    assert_eq!(
        r.relay.storage.log_len().unwrap(),
        before + own.len() as u64
    );
    let metrics = http
        .get(format!("{}/metrics", r.url))
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert!(metrics.contains("linli_requests_total{route=\"sync\",status=\"4xx\"}"));
    let counter = |name: &str| -> u64 {
        metrics
            .lines()
            .find_map(|l| l.strip_prefix(&format!("{name} ")))
            .and_then(|v| v.trim().parse().ok())
            .unwrap_or_else(|| panic!("{name} in the metrics"))
    };
    // Two retries and Sun's repeat at least; the good changes beside refused ones add more.
    assert!(counter("linli_changes_duplicate_total") >= 3 * own.len() as u64);
    // Corrupt, wrong scope, wrong kind, foreign author, and Sun's fresh change.
    assert_eq!(counter("linli_changes_refused_total"), 5);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn pulls_page_and_resume_and_a_bootstrap_equals_the_whole_history() {
    let (r, wang, li) = relay_with_wang_and_li().await;
    import_rooms(&r, &wang, 120);
    wang.sync().await.unwrap();

    // Li pulls in small pages; the first sync is cut after a few pages.
    let small = SyncClient::new(SyncOptions {
        page_bytes: 2048,
        ..li.client.options().clone()
    })
    .unwrap();
    let pages = std::sync::atomic::AtomicU32::new(0);
    let cut = tokio_util::sync::CancellationToken::new();
    let result = small
        .sync(
            &li.linli,
            &|p| {
                if p.phase == linli_core::sync::client::SyncPhase::Pull
                    && pages.fetch_add(1, std::sync::atomic::Ordering::SeqCst) == 3
                {
                    cut.cancel();
                }
            },
            &cut,
        )
        .await;
    assert!(result.is_err(), "the sync should have been cut");
    let partial = li
        .linli
        .households_in_building(&r.places.building3)
        .unwrap()
        .len();
    assert!(partial < 120, "{partial} households after the cut");
    let fresh_cancel = tokio_util::sync::CancellationToken::new();
    let pages_before = pages.load(std::sync::atomic::Ordering::SeqCst);
    small
        .sync(
            &li.linli,
            &|p| {
                if p.phase == linli_core::sync::client::SyncPhase::Pull {
                    pages.fetch_add(1, std::sync::atomic::Ordering::SeqCst);
                }
            },
            &fresh_cancel,
        )
        .await
        .unwrap();
    assert!(pages.load(std::sync::atomic::Ordering::SeqCst) - pages_before > 5);
    assert_eq!(
        li.linli
            .households_in_building(&r.places.building3)
            .unwrap()
            .len(),
        120
    );

    // A device that bootstraps from snapshots, page after page (each fetched while the one
    // before is applied), equals one that pulled every change.
    let li2 = r.phone("lead-li", "li-tablet").await;
    let small2 = SyncClient::new(SyncOptions {
        page_bytes: 2048,
        ..li2.client.options().clone()
    })
    .unwrap();
    let bootstrap_pages = std::sync::atomic::AtomicU32::new(0);
    let summary = small2
        .sync(
            &li2.linli,
            &|p| {
                if p.phase == linli_core::sync::client::SyncPhase::Bootstrap {
                    bootstrap_pages.fetch_add(1, std::sync::atomic::Ordering::SeqCst);
                }
            },
            &tokio_util::sync::CancellationToken::new(),
        )
        .await
        .unwrap();
    assert!(summary.bootstrapped_docs >= 121, "{summary:?}");
    assert!(bootstrap_pages.into_inner() > 5, "several bootstrap pages");
    assert_eq!(
        li2.linli.projection_dump().unwrap(),
        li.linli.projection_dump().unwrap()
    );
    for d in li.linli.documents().unwrap() {
        assert_eq!(
            li2.linli.heads(&d.doc_id).unwrap(),
            li.linli.heads(&d.doc_id).unwrap()
        );
    }

    // Changes the office replica has not applied (written to the log directly, as another
    // relay instance would) reach a device that bootstraps now by pull after its snapshots.
    let later: Vec<HouseholdInput> = (0..30)
        .map(|i| HouseholdInput {
            building_id: r.places.building3.clone(),
            room: format!("{}", 300 + i),
            ..HouseholdInput::default()
        })
        .collect();
    wang.linli.import_households(&later).unwrap();
    let waiting = wang.linli.outbox(0, 10_000).unwrap();
    let logged: Vec<LogChange> = waiting
        .iter()
        .map(|o| LogChange {
            hash: o.hash.0,
            doc_id: o.change.doc_id.clone(),
            kind: o.change.kind,
            scope: o.change.scope.clone(),
            bytes: o.change.bytes.clone(),
        })
        .collect();
    let wang_device = wang.linli.identity().device_id.clone();
    r.relay.storage.append(&wang_device, &logged, 0).unwrap();
    wang.linli.ack_outbox(waiting.last().unwrap().seq).unwrap();
    let li3 = r.phone("lead-li", "li-phone-3").await;
    li3.sync().await.unwrap();
    li.sync().await.unwrap();
    assert_eq!(
        li3.linli
            .households_in_building(&r.places.building3)
            .unwrap()
            .len(),
        150
    );
    assert_eq!(
        li3.linli.projection_dump().unwrap(),
        li.linli.projection_dump().unwrap()
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn fifty_devices_sync_at_once() {
    let r = TestRelay::start().await;
    let mut phones = Vec::new();
    for i in 0..50 {
        let member = if i % 2 == 0 { "guard-sun" } else { "vol-wu" };
        phones.push(r.phone(member, &format!("gate-phone-{i}")).await);
    }
    for p in &phones {
        p.sync().await.unwrap();
        p.linli
            .register_vehicle(&r.places.east_gate, "沪C88888", "送货")
            .unwrap();
    }
    let mut tasks = Vec::new();
    for p in phones {
        tasks.push(tokio::spawn(async move {
            let s = p.sync().await.map(|_| ());
            (p, s)
        }));
    }
    let mut phones = Vec::new();
    for t in tasks {
        let (p, s) = t.await.unwrap();
        s.unwrap();
        phones.push(p);
    }
    // A second round brings everyone everything.
    for p in &phones {
        p.sync().await.unwrap();
    }
    let date = phones[0]
        .linli
        .community()
        .unwrap()
        .local_date(phones[0].linli.now());
    for p in &phones {
        assert_eq!(
            p.linli
                .gate_entries(&r.places.east_gate, date)
                .unwrap()
                .len(),
            50,
            "{}",
            p.name
        );
    }
}

/// A relay with the phones of two building leads of 3号楼, Wang and Li, each synced once.
async fn relay_with_wang_and_li() -> (TestRelay, Phone, Phone) {
    let r = TestRelay::start().await;
    let wang = r.phone("lead-wang", "wang-phone").await;
    wang.sync().await.unwrap();
    let li = r.phone("lead-li", "li-phone").await;
    li.sync().await.unwrap();
    (r, wang, li)
}

/// Imports `n` households of building 3 on `phone`.
fn import_rooms(r: &TestRelay, phone: &Phone, n: usize) {
    let inputs: Vec<HouseholdInput> = (0..n)
        .map(|i| HouseholdInput {
            building_id: r.places.building3.clone(),
            unit: format!("{}单元", i % 4 + 1),
            room: format!("{}", 100 + i),
            ..HouseholdInput::default()
        })
        .collect();
    phone.linli.import_households(&inputs).unwrap();
}

/// One `/v1/sync` request of Li's phone, decoded.
async fn pull_as(
    r: &TestRelay,
    token: &str,
    cursors: Vec<Cursor>,
    since: Option<LogMark>,
    page_bytes: u32,
) -> SyncResponse {
    let answer = post_raw(
        &r.url,
        "/v1/sync",
        Some(token),
        &PROTOCOL_VERSION.to_string(),
        protocol::encode(&SyncRequest {
            cursors,
            since,
            page_bytes,
            ..SyncRequest::default()
        }),
    )
    .await;
    assert_eq!(answer.status, 200, "{}", answer.code);
    protocol::decode(&answer.body).unwrap()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_mark_stands_for_every_cursor_until_the_directory_changes() {
    let (r, wang, li) = relay_with_wang_and_li().await;
    let token = li.client.options().token.clone();

    // A drained answer names the point of the log the device stands at.
    let caught_up = pull_as(&r, &token, li.linli.cursors().unwrap(), None, 1 << 20).await;
    assert!(!caught_up.more && caught_up.changes.is_empty());
    let mark = caught_up.mark.expect("a SQLite relay names a mark");

    // Wang's new work comes down to a request that names no cursor at all, and only that;
    // without the mark, the same empty request starts every scope from zero.
    door_to_door(&wang.linli, &r.places.building3, 3);
    let new: usize = wang.linli.outbox_len().unwrap() as usize;
    wang.sync().await.unwrap();
    let moved = pull_as(&r, &token, vec![], Some(mark), 1 << 20).await;
    assert_eq!(
        moved.changes.len(),
        new,
        "exactly what changed after the mark"
    );
    assert!(
        moved
            .changes
            .iter()
            .all(|c| c.scope.starts_with("building/"))
    );
    let from_zero = pull_as(&r, &token, vec![], None, 1 << 20).await;
    assert!(from_zero.changes.len() > new, "no mark: the whole history");
    let next = moved.mark.expect("drained");
    assert!(next.seq > mark.seq);
    let quiet = pull_as(&r, &token, vec![], Some(next), 1 << 20).await;
    assert!(quiet.changes.is_empty() && !quiet.resend_cursors);
    assert_eq!(quiet.mark, Some(next));

    // Pages after a mark: the device names the cursors the pages moved, and the pages meet
    // without a gap or a repeat; no mark while more waits.
    door_to_door(&wang.linli, &r.places.building3, 40);
    let new: usize = wang.linli.outbox_len().unwrap() as usize;
    wang.sync().await.unwrap();
    let mut named: std::collections::BTreeMap<String, i64> = Default::default();
    let mut hashes = std::collections::BTreeSet::new();
    let mut pages = 0;
    let last = loop {
        let cursors = named
            .iter()
            .map(|(scope, seq)| Cursor {
                scope: scope.clone(),
                seq: *seq,
            })
            .collect();
        let page = pull_as(&r, &token, cursors, Some(next), 2048).await;
        pages += 1;
        for c in &page.changes {
            assert!(hashes.insert(c.bytes.clone()), "a change came twice");
        }
        named.extend(page.cursors.iter().map(|c| (c.scope.clone(), c.seq)));
        if !page.more {
            break page.mark.expect("drained");
        }
        assert_eq!(page.mark, None, "no mark while more waits");
    };
    assert!(pages > 3, "{pages} pages");
    assert_eq!(hashes.len(), new);

    // When the directory changes, what the device may read can change: the mark no longer
    // holds, nothing is pulled, and the device is asked for every cursor.
    r.admin
        .run(|l| l.add_place(PlaceKind::Building, "9号楼", Some(&r.places.compound)))
        .unwrap();
    let stale = pull_as(&r, &token, vec![], Some(last), 1 << 20).await;
    assert!(stale.resend_cursors && stale.changes.is_empty() && stale.mark.is_none());

    // The client does all of this itself: it keeps the mark, sends only moved cursors, and
    // answers a resend with every cursor, ending equal to the relay's log.
    li.sync().await.unwrap();
    door_to_door(&wang.linli, &r.places.building3, 2);
    wang.sync().await.unwrap();
    li.sync().await.unwrap();
    assert_eq!(
        li.linli
            .households_in_building(&r.places.building3)
            .unwrap()
            .len(),
        45
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_device_reads_past_its_own_pushed_changes_in_few_answers() {
    let (r, wang, li) = relay_with_wang_and_li().await;
    import_rooms(&r, &wang, 120);
    let pushed = wang.linli.outbox_len().unwrap() as usize;
    wang.sync().await.unwrap();

    // From the start of the log in pages of 2 KiB: Wang's own changes take many pages, which
    // are passed, not sent back, a bounded number per answer; Li gets every one of them.
    let drain = |token: String| {
        let r = &r;
        async move {
            let mut cursors: std::collections::BTreeMap<String, i64> = Default::default();
            let (mut answers, mut sent) = (0, Vec::new());
            loop {
                let request = cursors
                    .iter()
                    .map(|(scope, seq)| Cursor {
                        scope: scope.clone(),
                        seq: *seq,
                    })
                    .collect();
                let answer = pull_as(r, &token, request, None, 2048).await;
                answers += 1;
                for c in &answer.cursors {
                    cursors.insert(c.scope.clone(), c.seq);
                }
                sent.extend(answer.changes.into_iter().map(|c| c.scope));
                if !answer.more {
                    return (answers, sent);
                }
                assert!(answers < 1000, "the pull never ends");
            }
        }
    };
    let building = linli_core::Scope::Building(r.places.building3.clone()).to_string();
    let (wang_answers, wang_sent) = drain(wang.client.options().token.clone()).await;
    assert!(
        !wang_sent.contains(&building),
        "own changes are not sent back"
    );
    let (li_answers, li_sent) = drain(li.client.options().token.clone()).await;
    let li_got = li_sent.iter().filter(|s| **s == building).count();
    assert_eq!(li_got, pushed, "Li pulls every change of the building");
    // Li's answers are bounded by bytes, Wang's by pages passed (eight pages and one an answer).
    assert!(
        wang_answers * 4 <= li_answers,
        "{wang_answers} answers for Wang, {li_answers} for Li"
    );
}
