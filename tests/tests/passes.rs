//! Passes through the relay: issued with the admin tools (signed with the community's key,
//! which the relay keeps and publishes in the directory), shown on the lead's phone, checked by
//! a gate phone offline; revoked with the admin tools, still let through by the gate that has
//! not synced, and flagged once it has.

use linli_core::api::households::ResidentInput;
use linli_core::records::pass::PassResult;
use linli_e2e::{TestRelay, door_to_door};

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_pass_issued_by_the_office_is_checked_offline_and_revoked() {
    let r = TestRelay::start().await;
    // The admin tools write on the system's clock: the phones' clock is set to it, so that a
    // revocation and the gate's checks are ordered as they happen.
    r.clock.set(chrono::Utc::now());
    let wang = r.phone("lead-wang", "wang-phone").await;
    let sun = r.phone("guard-sun", "sun-phone").await;
    wang.sync().await.expect("directory");
    let h = door_to_door(&wang.linli, &r.places.building3, 1).remove(0);
    let resident = wang
        .linli
        .add_resident(
            &h,
            &ResidentInput {
                name: "张桂英".into(),
                birth_year: Some(1950),
                phone: String::new(),
            },
        )
        .expect("resident");
    wang.sync().await.expect("sync");
    let today = wang
        .linli
        .community()
        .expect("community")
        .local_date(linli_core::Clock::now(r.clock.as_ref()));
    let cli = |args: &[&str]| {
        let (ok, out, err) = r.admin_cli(env!("CARGO_BIN_EXE_relay-process"), args);
        (ok, out, err)
    };
    let until = (today + chrono::Duration::days(7)).to_string();
    let issue = |kind: &str| {
        let (ok, out, err) = cli(&[
            "issue-pass",
            "--household",
            &h,
            "--resident",
            &resident,
            "--kind",
            kind,
            "--from",
            &today.to_string(),
            "--until",
            &until,
            "--gate",
            &r.places.east_gate,
        ]);
        assert!(ok, "{err}");
        let text = out
            .lines()
            .find(|l| l.starts_with("LINLI-PASS1."))
            .expect("the pass's text")
            .to_owned();
        (out, text)
    };
    let (printed, text) = issue("resident");
    assert!(
        printed.contains("居民通行证") && printed.contains("张桂英"),
        "{printed}"
    );
    // A bad request is refused with its field, and nothing is issued.
    let (ok, _, err) = cli(&[
        "issue-pass",
        "--household",
        &h,
        "--resident",
        &resident,
        "--from",
        &until,
        "--until",
        &today.to_string(),
    ]);
    assert!(!ok && err.contains("valid_until"), "{err}");

    wang.sync().await.expect("sync");
    let passes = wang.linli.passes(&h).expect("passes");
    assert_eq!(passes.len(), 1);
    let (pass_id, shown) = passes.into_iter().next().unwrap();
    assert_eq!(shown.text, text);

    // The gate phone syncs once (the directory with the key) and then works offline.
    sun.sync().await.expect("sync");
    let key = sun.linli.pass_key().expect("key");
    assert_eq!(key.len(), 64);
    assert_eq!(
        sun.linli
            .check_pass(&r.places.east_gate, &text)
            .unwrap()
            .result,
        PassResult::Valid
    );
    // A second pass is signed with the same key.
    let (_, night) = issue("night");
    sun.sync().await.expect("sync");
    assert_eq!(sun.linli.pass_key().unwrap(), key);
    assert_ne!(
        sun.linli
            .check_pass(&r.places.east_gate, &night)
            .unwrap()
            .result,
        PassResult::Forged
    );

    // Revoked by the office (on the harness's clock, which the phones share).
    r.clock.advance(chrono::Duration::minutes(1));
    r.admin
        .run(|office| office.revoke_pass(&pass_id))
        .expect("revoke");
    r.clock.advance(chrono::Duration::minutes(1));
    assert_eq!(
        sun.linli
            .check_pass(&r.places.east_gate, &text)
            .unwrap()
            .result,
        PassResult::Valid,
        "the gate has not heard of the revocation"
    );
    let summary = sun.sync().await.expect("sync");
    assert_eq!(summary.set_aside, 0, "the relay accepted every check");
    assert_eq!(
        sun.linli
            .passes_let_through_after_revocation()
            .unwrap()
            .len(),
        1
    );
    assert_eq!(
        sun.linli
            .check_pass(&r.places.east_gate, &text)
            .unwrap()
            .result,
        PassResult::Revoked
    );
    // The admin tools revoke the night pass and list both as revoked.
    let night_id = sun
        .linli
        .check_pass(&r.places.east_gate, &night)
        .expect("check")
        .claims
        .expect("claims")
        .id;
    let (ok, _, err) = cli(&["revoke-pass", "--id", &night_id]);
    assert!(ok, "{err}");
    let (ok, listed, err) = cli(&["passes", "--household", &h]);
    assert!(ok, "{err}");
    assert_eq!(listed.matches("已注销").count(), 2, "{listed}");
    assert!(
        listed.contains(&pass_id) && listed.contains(&night_id),
        "{listed}"
    );
}

/// A gate lead asks the relay for a pass from the phone: the relay checks the request for the
/// member of the device that sent it (a gate lead, for their own gates only), signs it, and
/// records it in the household with the lead as its issuer; the building lead's phone shows
/// it after its sync and the gate phone lets it through offline.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_gate_lead_issues_a_pass_from_the_phone_for_their_own_gates_only() {
    use linli_core::api::passes::{PassAddress, PassDays};
    use linli_core::records::directory::PlaceKind;
    use linli_core::records::household::IssuedPass;
    use linli_core::records::pass::PassKind;
    use linli_core::sync::client::SyncError;
    use tokio_util::sync::CancellationToken;

    let r = TestRelay::start().await;
    r.clock.set(chrono::Utc::now());
    let west_gate = r
        .admin
        .run(|office| office.add_place(PlaceKind::Gate, "西门", Some(&r.places.compound)))
        .expect("a second gate");
    let wang = r.phone("lead-wang", "wang-phone").await;
    let zhao = r.phone("gate-zhao", "zhao-phone").await;
    let sun = r.phone("guard-sun", "sun-phone").await;
    wang.sync().await.expect("directory");
    let h = door_to_door(&wang.linli, &r.places.building3, 1).remove(0);
    let resident = wang
        .linli
        .add_resident(
            &h,
            &ResidentInput {
                name: "陈玉兰".into(),
                birth_year: Some(1948),
                phone: String::new(),
            },
        )
        .expect("resident");
    wang.sync().await.expect("sync");
    zhao.sync().await.expect("sync");
    let today = zhao
        .linli
        .community()
        .expect("community")
        .local_date(linli_core::Clock::now(r.clock.as_ref()));
    let days = |gates: Vec<String>| PassDays {
        household_id: h.clone(),
        resident_id: Some(resident.clone()),
        kind: PassKind::Resident,
        from: today,
        until: today + chrono::Duration::days(3),
        gates,
        ..PassDays::default()
    };
    let ask = |phone: &linli_relay::demo::Phone, gates: Vec<String>| {
        let input = phone.linli.pass_over_days(&days(gates)).expect("input");
        let client = phone.client.clone();
        async move { client.issue_pass(&input, &CancellationToken::new()).await }
    };
    let refused_with = |answer: Result<_, SyncError>| match answer {
        Err(SyncError::Rejected { status, code, .. }) => (status, code),
        other => panic!("expected a refusal, got {other:?}"),
    };

    // A building lead may not; a gate lead not for another gate, nor for every gate.
    assert_eq!(
        refused_with(ask(&wang, vec![r.places.east_gate.clone()]).await),
        (403, "forbidden".to_owned())
    );
    assert_eq!(
        refused_with(ask(&zhao, vec![west_gate.clone()]).await),
        (403, "forbidden".to_owned())
    );
    assert_eq!(
        refused_with(ask(&zhao, vec![]).await),
        (403, "forbidden".to_owned())
    );
    // Bounded: a request naming more gates than any community has is refused as it is read.
    let many: Vec<String> = (0..65).map(|i| format!("gate-{i}")).collect();
    let input = linli_core::api::passes::PassInput {
        gates: many,
        ..zhao.linli.pass_over_days(&days(vec![])).unwrap()
    };
    let (status, _) = refused_with(
        zhao.client
            .issue_pass(&input, &CancellationToken::new())
            .await,
    );
    assert_eq!(status, 400);
    wang.sync().await.expect("sync");
    assert!(wang.linli.passes(&h).unwrap().is_empty(), "nothing issued");

    // The gate lead's own gate, the holder named by address (the gate phone holds no
    // household): signed, and the QR text is on the lead's phone at once. A name the
    // household does not have is not found, and nothing is issued.
    let by_address = |name: &str| {
        let input = zhao
            .linli
            .pass_over_days(&PassDays {
                household_id: String::new(),
                resident_id: None,
                address: Some(PassAddress {
                    building_id: r.places.building3.clone(),
                    unit: String::new(),
                    room: "101".into(),
                    resident_name: name.into(),
                }),
                ..days(vec![r.places.east_gate.clone()])
            })
            .expect("input");
        let client = zhao.client.clone();
        async move { client.issue_pass(&input, &CancellationToken::new()).await }
    };
    assert_eq!(
        refused_with(by_address("陈玉芬").await),
        (404, "not_found".to_owned())
    );
    let signed = by_address("陈玉兰").await.expect("signed");
    assert_eq!(signed.holder, "陈玉兰");
    wang.sync().await.expect("sync");
    let passes = wang.linli.passes(&h).expect("passes");
    let recorded: &IssuedPass = passes.get(&signed.id).expect("recorded in the household");
    assert_eq!(recorded.text, signed.text);
    assert_eq!(recorded.issued_by, "gate-zhao");
    sun.sync().await.expect("sync");
    assert_eq!(
        sun.linli
            .check_pass(&r.places.east_gate, &signed.text)
            .unwrap()
            .result,
        PassResult::Valid
    );
}
