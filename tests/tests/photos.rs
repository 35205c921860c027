//! Photos over HTTP: a device fetches a photo only when its member may read a record that names
//! it, and uploads one only when its member may write such a record; an unfinished upload is
//! its device's own, so a device that announces the wrong size for another phone's photo does
//! not stop that phone; a volunteer who works at no place reports a ticket whose photo reaches
//! the office; and uploads stay within the quotas while records sync on.

use linli_core::api::directory::{MemberInput, RoleInput};
use linli_core::api::photos::{Photo, sha256_of};
use linli_core::records::directory::Role;
use linli_core::sync::client::PhotoProblem;
use linli_e2e::{TestRelay, door_to_door, ticket_input};
use linli_relay::relay::Limits;
use linli_relay::storage::BlobState;

/// A photo of `len` bytes that no other test photo equals.
fn photo(len: usize, seed: u8) -> Vec<u8> {
    (0..len)
        .map(|i| (i as u8).wrapping_mul(31).wrapping_add(seed))
        .collect()
}

/// A raw request to `/v1/blobs/{hash}`: its status, error code and `upload-offset`.
async fn blob_call(
    url: &str,
    token: &str,
    method: reqwest::Method,
    hash: &str,
    at: Option<(usize, usize)>,
    body: &[u8],
) -> (u16, String, Option<u64>) {
    let query = at.map_or(String::new(), |(offset, total)| {
        format!("?offset={offset}&total={total}")
    });
    let r = linli_e2e::http_client()
        .request(method, format!("{url}/v1/blobs/{hash}{query}"))
        .bearer_auth(token)
        .body(body.to_vec())
        .send()
        .await
        .expect("relay reachable");
    let status = r.status().as_u16();
    let offset = r
        .headers()
        .get("upload-offset")
        .and_then(|v| v.to_str().ok()?.parse().ok());
    let text = r.text().await.unwrap_or_default();
    let code = text
        .split("\"error\":\"")
        .nth(1)
        .and_then(|s| s.split('"').next())
        .unwrap_or_default()
        .to_owned();
    (status, code, offset)
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_deactivated_members_token_is_refused_a_tickets_photo() {
    let r = TestRelay::start().await;
    let wang = r.phone("lead-wang", "wang-phone").await;
    let sun = r.phone("guard-sun", "sun-phone").await;
    let bytes = photo(300_000, 1);
    let hash = wang.linli.add_photo(&bytes).unwrap();
    // A photo taken for a report that was never sent is no unsent work.
    wang.linli.add_photo(&photo(1_000, 9)).unwrap();
    assert!(wang.linli.photos_to_upload().unwrap().is_empty());
    let mut ticket = ticket_input("3号楼电梯困人");
    ticket.photos = vec![hash.clone()];
    wang.linli.report_ticket(&ticket).unwrap();
    assert_eq!(wang.linli.photos_to_upload().unwrap(), vec![hash.clone()]);
    let sent = wang.sync().await.unwrap();
    assert_eq!(sent.photos_pending, 0, "the unsent photo is not counted");
    assert_eq!(sent.photo_problems, vec![]);
    // While active, the guard sees the ticket and its photo.
    sun.sync().await.unwrap();
    assert_eq!(sun.linli.photo(&hash).unwrap(), Photo::Available(bytes));

    r.admin
        .run(|office| office.deactivate_member("guard-sun"))
        .unwrap();
    let token = sun.client.options().token.clone();
    for method in [reqwest::Method::GET, reqwest::Method::HEAD] {
        let (status, code, _) = blob_call(&r.url, &token, method.clone(), &hash, None, b"").await;
        assert_eq!(status, 403, "{method}");
        if method == reqwest::Method::GET {
            assert_eq!(code, "photo_forbidden");
        }
    }
    // Wang, still active, fetches it.
    let wang_token = wang.client.options().token.clone();
    let (status, _, _) =
        blob_call(&r.url, &wang_token, reqwest::Method::GET, &hash, None, b"").await;
    assert_eq!(status, 200);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_volunteer_at_no_place_reports_a_ticket_whose_photo_reaches_the_office() {
    let r = TestRelay::start().await;
    r.admin
        .run(|office| {
            office.add_member(&MemberInput {
                id: Some("vol-free".into()),
                name: "吴晓梅".into(),
                phone: String::new(),
                roles: vec![RoleInput {
                    role: Role::Volunteer,
                    places: Vec::new(),
                }],
            })
        })
        .unwrap();
    let wu = r.phone("vol-free", "wu-phone").await;
    let office = r.phone("office-admin", "office-pc").await;
    let bytes = photo(4_000, 4);
    let hash = wu.linli.add_photo(&bytes).unwrap();
    let mut ticket = ticket_input("东门外垃圾桶满溢");
    ticket.photos = vec![hash.clone()];
    let id = wu.linli.report_ticket(&ticket).unwrap();
    let sent = wu.sync().await.unwrap();
    assert_eq!(
        (sent.set_aside, sent.outbox_left, sent.photos_pending),
        (0, 0, 0)
    );
    assert_eq!(sent.photo_problems, vec![]);
    office.sync().await.unwrap();
    assert_eq!(
        office.linli.ticket(&id).unwrap().state.photos,
        vec![hash.clone()]
    );
    assert_eq!(office.linli.photo(&hash).unwrap(), Photo::Available(bytes));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_photo_nothing_names_cannot_be_written_or_fetched() {
    let r = TestRelay::start().await;
    let office = r.phone("office-admin", "office-pc").await;
    let wang = r.phone("lead-wang", "wang-phone").await;
    let bytes = photo(5_000, 2);
    let hash = sha256_of(&bytes);
    for (who, phone) in [("office", &office), ("wang", &wang)] {
        let token = phone.client.options().token.clone();
        let put = blob_call(
            &r.url,
            &token,
            reqwest::Method::PUT,
            &hash,
            Some((0, bytes.len())),
            &bytes,
        )
        .await;
        assert_eq!((put.0, put.1.as_str()), (403, "photo_forbidden"), "{who}");
        let get = blob_call(&r.url, &token, reqwest::Method::GET, &hash, None, b"").await;
        assert_eq!((get.0, get.1.as_str()), (403, "photo_forbidden"), "{who}");
        let head = blob_call(&r.url, &token, reqwest::Method::HEAD, &hash, None, b"").await;
        assert_eq!(head.0, 403, "{who}");
    }
    assert!(r.relay.storage.complete_blobs().unwrap().is_empty());
    assert_eq!(
        r.relay
            .storage
            .blob_state(&hash, &office.linli.identity().device_id)
            .unwrap(),
        BlobState::Absent
    );
    // A photo taken but not attached to a record stays on the phone, without an error, and is
    // not counted as waiting (a report that was never sent leaves nothing to send).
    let waiting = wang.linli.add_photo(&bytes).unwrap();
    let summary = wang.sync().await.unwrap();
    assert_eq!(summary.photos_pending, 0);
    assert_eq!(summary.photo_problems, vec![]);
    assert!(r.relay.storage.blob(&waiting).unwrap().is_none());
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_squatter_with_a_wrong_total_does_not_stop_the_uploader() {
    let r = TestRelay::start().await;
    let wang = r.phone("lead-wang", "wang-phone").await;
    let li = r.phone("lead-li", "li-phone").await;
    let zhao = r.phone("gate-zhao", "zhao-phone").await;
    let bytes = photo(600_000, 3);
    let hash = sha256_of(&bytes);
    // Wang's ticket names the photo and reaches the relay; its upload is cut after one chunk.
    let mut ticket = ticket_input("3号楼外墙脱落");
    ticket.photos = vec![hash.clone()];
    let ticket_id = wang.linli.report_ticket(&ticket).unwrap();
    wang.sync().await.unwrap();
    let wang_token = wang.client.options().token.clone();
    let first = 256 * 1024;
    let (status, _, _) = blob_call(
        &r.url,
        &wang_token,
        reqwest::Method::PUT,
        &hash,
        Some((0, bytes.len())),
        &bytes[..first],
    )
    .await;
    assert_eq!(status, 202);

    // Li sees the ticket, and with it the photo's name, and announces another size: from the
    // start, and from where Wang's upload ends.
    li.sync().await.unwrap();
    assert_eq!(
        li.linli.ticket(&ticket_id).unwrap().state.photos,
        vec![hash.clone()]
    );
    let li_token = li.client.options().token.clone();
    let wrong = bytes.len() + 1;
    let squat = blob_call(
        &r.url,
        &li_token,
        reqwest::Method::PUT,
        &hash,
        Some((0, wrong)),
        &bytes[..1_000],
    )
    .await;
    assert_eq!(squat.0, 202, "an upload of Li's own");
    let squat = blob_call(
        &r.url,
        &li_token,
        reqwest::Method::PUT,
        &hash,
        Some((first, wrong)),
        &bytes[first..first + 1_000],
    )
    .await;
    assert_eq!((squat.0, squat.1.as_str()), (409, "wrong_offset"));
    let (_, _, offset) =
        blob_call(&r.url, &wang_token, reqwest::Method::HEAD, &hash, None, b"").await;
    assert_eq!(offset, Some(first as u64), "Wang's upload is untouched");

    // Wang's phone has the photo and finishes the upload where it stopped.
    assert_eq!(wang.linli.add_photo(&bytes).unwrap(), hash);
    let summary = wang.sync().await.unwrap();
    assert_eq!(summary.photo_problems, vec![]);
    assert_eq!(summary.photos_pending, 0);
    assert_eq!(r.relay.storage.blob(&hash).unwrap().unwrap(), bytes);
    for phone in [&zhao, &li] {
        let got = phone.sync().await.unwrap();
        assert_eq!(got.photo_problems, vec![]);
        assert_eq!(
            phone.linli.photo(&hash).unwrap(),
            Photo::Available(bytes.clone()),
            "{}",
            phone.name
        );
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_rejected_resume_starts_again_from_zero() {
    let r = TestRelay::start().await;
    let wang = r.phone("lead-wang", "wang-phone").await;
    let bytes = photo(400_000, 4);
    let hash = sha256_of(&bytes);
    let mut ticket = ticket_input("3号楼楼道灯坏了");
    ticket.photos = vec![hash.clone()];
    wang.linli.report_ticket(&ticket).unwrap();
    wang.sync().await.unwrap();
    // An earlier upload from this device announced another size (a bug, a changed file):
    // resuming from its offset is refused, and the phone starts again from 0.
    let token = wang.client.options().token.clone();
    let (status, _, _) = blob_call(
        &r.url,
        &token,
        reqwest::Method::PUT,
        &hash,
        Some((0, bytes.len() + 10)),
        &bytes[..5_000],
    )
    .await;
    assert_eq!(status, 202);
    wang.linli.add_photo(&bytes).unwrap();
    let summary = wang.sync().await.unwrap();
    assert_eq!(summary.photo_problems, vec![]);
    assert_eq!(summary.photos_pending, 0);
    assert_eq!(r.relay.storage.blob(&hash).unwrap().unwrap(), bytes);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_device_over_its_quota_gets_photo_quota_and_its_records_still_sync() {
    let r = TestRelay::start_with(Limits {
        photo_bytes_per_device: 500_000,
        photo_bytes_total: 600_000,
        ..Limits::default()
    })
    .await;
    let wang = r.phone("lead-wang", "wang-phone").await;
    let li = r.phone("lead-li", "li-phone").await;
    let report = |phone: &linli_relay::demo::Phone, text: &str, bytes: &[u8]| {
        let hash = phone.linli.add_photo(bytes).unwrap();
        let mut ticket = ticket_input(text);
        ticket.photos = vec![hash.clone()];
        (phone.linli.report_ticket(&ticket).unwrap(), hash)
    };
    let (_, first) = report(&wang, "3号楼消防通道堵塞", &photo(300_000, 5));
    assert_eq!(wang.sync().await.unwrap().photo_problems, vec![]);

    // Wang's second photo does not fit his quota; his other work still reaches the relay.
    let second_bytes = photo(300_000, 6);
    let (second_ticket, second) = report(&wang, "3号楼电动车楼道充电", &second_bytes);
    door_to_door(&wang.linli, &r.places.building3, 3);
    let summary = wang.sync().await.unwrap();
    assert_eq!(summary.outbox_left, 0);
    assert_eq!(summary.photos_pending, 1);
    let problems: Vec<(&str, bool, &str)> = summary
        .photo_problems
        .iter()
        .map(|p: &PhotoProblem| (p.hash.as_str(), p.upload, p.code.as_str()))
        .collect();
    assert_eq!(problems, vec![(second.as_str(), true, "photo_quota")]);
    assert!(
        summary.line_zh().contains("照片未能同步 1 张"),
        "{}",
        summary.line_zh()
    );
    let token = wang.client.options().token.clone();
    let (status, code, _) = blob_call(
        &r.url,
        &token,
        reqwest::Method::PUT,
        &second,
        Some((0, second_bytes.len())),
        &second_bytes[..1_000],
    )
    .await;
    assert_eq!((status, code.as_str()), (507, "photo_quota"));

    // Li receives both tickets and the households; the first photo arrives, the second waits.
    let got = li.sync().await.unwrap();
    assert_eq!(got.photo_problems, vec![]);
    assert_eq!(
        li.linli.ticket(&second_ticket).unwrap().state.photos,
        vec![second.clone()]
    );
    assert!(matches!(
        li.linli.photo(&first).unwrap(),
        Photo::Available(_)
    ));
    assert_eq!(li.linli.photo(&second).unwrap(), Photo::Pending);

    // Li has room of his own, but the relay's total does not: 300,000 kept + 400,000.
    let (_, third) = report(&li, "5号楼垃圾满溢", &photo(400_000, 7));
    let summary = li.sync().await.unwrap();
    assert_eq!(summary.outbox_left, 0);
    assert_eq!(summary.photo_problems.len(), 1);
    assert_eq!(summary.photo_problems[0].hash, third);
    assert_eq!(summary.photo_problems[0].code, "photo_quota");
    assert!(
        summary.photo_problems[0].message.contains("full"),
        "{}",
        summary.photo_problems[0].message
    );

    // The next sync tries again and reports again, and records still go through.
    door_to_door(&wang.linli, &r.places.building3, 1);
    let again = wang.sync().await.unwrap();
    assert_eq!(again.outbox_left, 0);
    assert_eq!(again.photo_problems.len(), 1);
}
