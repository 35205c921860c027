//! A day through a real relay: phones work offline, sync in a random order and converge; two
//! phones acting on one ticket keep both events; a field changed on two phones is a conflict on
//! every device until one resolves it; a revoked device is told so.

use linli_core::api::households::HouseholdInput;
use linli_core::api::records::Resolution;
use linli_core::api::tickets::TicketInput;
use linli_core::records::ticket::{Category, Channel, PlaceRefKind};
use linli_core::sync::client::SyncError;
use linli_e2e::TestRelay;
use linli_relay::demo::Phone;

async fn sync_all(phones: &[&Phone], order_seed: u64) {
    // A fixed pseudo-random order per round, different each round.
    let mut order: Vec<usize> = (0..phones.len()).collect();
    for round in 0..3u64 {
        let mut x = order_seed
            .wrapping_mul(6364136223846793005)
            .wrapping_add(round + 1);
        for i in (1..order.len()).rev() {
            x = x
                .wrapping_mul(6364136223846793005)
                .wrapping_add(1442695040888963407);
            order.swap(i, (x >> 33) as usize % (i + 1));
        }
        for &i in &order {
            phones[i].sync().await.unwrap();
        }
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn phones_working_offline_converge_through_the_relay() {
    let r = TestRelay::start().await;
    let p = &r.places;
    let office = r.phone("office-admin", "office-pc").await;
    let wang = r.phone("lead-wang", "wang-phone").await;
    let li = r.phone("lead-li", "li-phone").await;
    let sun = r.phone("guard-sun", "sun-phone").await;
    let zhao = r.phone("gate-zhao", "zhao-phone").await;
    let wu = r.phone("vol-wu", "wu-phone").await;
    let all = [&office, &wang, &li, &sun, &zhao, &wu];
    sync_all(&all, 1).await;

    // Offline work on every phone.
    let h = wang
        .linli
        .register_household(&HouseholdInput {
            building_id: p.building3.clone(),
            unit: "1单元".into(),
            room: "101".into(),
            ..HouseholdInput::default()
        })
        .unwrap();
    li.linli
        .register_household(&HouseholdInput {
            building_id: p.building5.clone(),
            room: "502".into(),
            ..HouseholdInput::default()
        })
        .unwrap();
    sun.linli.check_in(&p.east_gate).unwrap();
    zhao.linli.check_in(&p.east_gate).unwrap();
    wu.linli
        .register_vehicle(&p.east_gate, "沪B54321", "送货")
        .unwrap();
    let ticket = wu
        .linli
        .report_ticket(&TicketInput {
            category: Category::Noise,
            place_kind: PlaceRefKind::FreeText,
            place_text: "5号楼楼下".into(),
            description: "夜间广场舞音响太吵".into(),
            channel: Channel::Gate,
            ..TicketInput::default()
        })
        .unwrap();
    sync_all(&all, 7).await;

    // Two phones act on the ticket offline; two leads change one household's phone.
    office.linli.accept_ticket(&ticket).unwrap();
    wu.linli.attach_photo(&ticket, &"ab".repeat(32)).unwrap();
    wang.linli.set_household_phone(&h, "13911112222").unwrap();
    li.linli.set_household_phone(&h, "13933334444").unwrap();
    sync_all(&all, 42).await;

    let actions: Vec<String> = office
        .linli
        .ticket(&ticket)
        .unwrap()
        .doc
        .events
        .iter()
        .map(|e| e.action.code().to_owned())
        .collect();
    assert!(actions.iter().any(|a| a == "accepted"), "{actions:?}");
    assert!(actions.iter().any(|a| a == "photo_added"), "{actions:?}");

    for phone in [&office, &wang, &li] {
        let conflicts = phone.linli.conflicts(&h).unwrap();
        assert_eq!(conflicts.len(), 1, "{}", phone.name);
        assert_eq!(conflicts[0].path, vec!["phone"]);
    }
    li.linli
        .resolve_conflict(&h, &["phone".into()], &Resolution::Pick(1))
        .unwrap();
    sync_all(&all, 3).await;
    for phone in [&office, &wang, &li] {
        assert!(
            phone.linli.conflicts(&h).unwrap().is_empty(),
            "{}",
            phone.name
        );
    }

    // Everyone who reads a document has its heads; readers of everything agree entirely.
    for phone in &all {
        for d in phone.linli.documents().unwrap() {
            assert_eq!(
                phone.linli.heads(&d.doc_id).unwrap(),
                office.linli.heads(&d.doc_id).unwrap(),
                "{} {}",
                phone.name,
                d.doc_id
            );
        }
        assert_eq!(phone.linli.outbox_len().unwrap(), 0);
        assert_eq!(phone.linli.held_count().unwrap(), 0);
    }
    // The office phone and the relay's admin store read every scope: equal projections.
    r.admin.pull().unwrap();
    assert_eq!(
        office.linli.projection_dump().unwrap(),
        r.admin.linli().projection_dump().unwrap()
    );
    let date = office
        .linli
        .community()
        .unwrap()
        .local_date(office.linli.now());
    let office_report = office.linli.day_report(date).unwrap();
    let relay_report = r
        .relay
        .replica
        .read(r.relay.storage.as_ref(), |l, _| Ok(l.day_report(date)?))
        .unwrap();
    assert_eq!(relay_report, office_report);
    assert_eq!(
        office_report.tickets.iter().map(|t| t.opened).sum::<u32>(),
        1
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_revoked_device_is_told_so() {
    let r = TestRelay::start().await;
    let wu = r.phone("vol-wu", "wu-phone").await;
    wu.sync().await.unwrap();
    let device = wu.linli.identity().device_id.clone();
    assert!(r.admin.storage().revoke(&device, 0).unwrap());
    let err = wu
        .client
        .sync(&wu.linli, &|_| {}, &Default::default())
        .await
        .unwrap_err();
    assert!(matches!(err, SyncError::DeviceRevoked(_)), "{err:?}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_device_revoked_for_erasure_erases_its_data_and_one_revoked_without_keeps_it() {
    let r = TestRelay::start().await;
    let wang = r.phone("lead-wang", "wang-phone").await;
    let li = r.phone("lead-li", "li-phone").await;
    for phone in [&wang, &li] {
        phone.sync().await.unwrap();
        let households = linli_e2e::door_to_door(&phone.linli, &r.places.building3, 2);
        phone
            .linli
            .add_resident(
                &households[0],
                &linli_core::api::households::ResidentInput {
                    name: "独居老人甄秀兰".into(),
                    birth_year: Some(1941),
                    phone: "13911112222".into(),
                },
            )
            .unwrap();
    }
    let storage = r.admin.storage();
    for phone in [&wang, &li] {
        assert!(
            storage
                .revoke(&phone.linli.identity().device_id, 0)
                .unwrap()
        );
    }
    // Only wang's phone was lost: its data is to be erased.
    assert!(storage.set_wipe(&wang.linli.identity().device_id).unwrap());
    assert!(!storage.set_wipe("dev-unknown").unwrap());

    let sync = |phone: &linli_relay::demo::Phone| {
        let (client, linli) = (phone.client.clone(), phone.linli.clone());
        async move { client.sync(&linli, &|_| {}, &Default::default()).await }
    };
    let err = sync(&wang).await.unwrap_err();
    assert!(matches!(err, SyncError::DeviceWiped(_)), "{err:?}");
    assert!(wang.linli.documents().unwrap().is_empty());
    assert_eq!(wang.linli.outbox_len().unwrap(), 0);
    // Nothing of the resident is left in the store's files.
    let path = r.phone_path("wang-phone");
    for suffix in ["", "-wal"] {
        let mut file = path.as_os_str().to_owned();
        file.push(suffix);
        if let Ok(bytes) = std::fs::read(&file) {
            for needle in ["甄秀兰", "13911112222"] {
                assert!(
                    !bytes.windows(needle.len()).any(|w| w == needle.as_bytes()),
                    "{needle} in {file:?}"
                );
            }
        }
    }

    // li's phone keeps its data: its unsent work can still be exported.
    let err = sync(&li).await.unwrap_err();
    assert!(matches!(err, SyncError::DeviceRevoked(_)), "{err:?}");
    assert!(!li.linli.documents().unwrap().is_empty());
    assert!(
        li.linli
            .export_unsent(&li.client.options().token)
            .unwrap()
            .contains("甄秀兰")
    );
}
