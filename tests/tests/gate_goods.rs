//! Vehicles and parcels past their arrival through a relay: two guards' phones log a vehicle
//! out and hand over the same parcel offline; the relay takes every entry (none set aside),
//! and every phone and the office's report agree on what is still inside and still waiting.

use linli_e2e::TestRelay;

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn exits_and_collections_reach_every_phone_and_the_report() {
    let r = TestRelay::start().await;
    let gate = r.places.east_gate.clone();
    let sun = r.phone("guard-sun", "sun-phone").await;
    let qian = r.phone("shift-qian", "qian-phone").await;
    for phone in [&sun, &qian] {
        phone.sync().await.unwrap();
    }
    sun.linli
        .register_vehicle(&gate, "沪A12345", "送货")
        .unwrap();
    sun.linli
        .register_vehicle(&gate, "沪B54321", "访客")
        .unwrap();
    let parcel = sun
        .linli
        .register_parcel(&gate, "张阿姨", None, "顺丰")
        .unwrap();
    sun.sync().await.unwrap();
    qian.sync().await.unwrap();

    qian.linli.register_vehicle_exit(&gate, "沪A12345").unwrap();
    qian.linli.pick_up_parcel(&gate, &parcel, "张阿姨").unwrap();
    sun.linli
        .pick_up_parcel(&gate, &parcel, "张阿姨的女儿")
        .unwrap();
    for _ in 0..2 {
        qian.sync().await.unwrap();
        sun.sync().await.unwrap();
    }

    assert!(
        r.admin.set_aside(false).unwrap().is_empty(),
        "nothing refused"
    );
    for phone in [&sun, &qian] {
        assert!(phone.linli.parcels_waiting(&gate).unwrap().is_empty());
        let inside: Vec<String> = phone
            .linli
            .vehicles_inside(&gate)
            .unwrap()
            .into_iter()
            .map(|v| v.summary)
            .collect();
        assert_eq!(inside, vec!["沪B54321：访客"]);
    }
    let today = sun.linli.community().unwrap().local_date(sun.linli.now());
    let report = r.admin.run(|l| l.day_report(today)).unwrap();
    let count = |kind: &str| {
        report
            .gate_entries
            .iter()
            .find(|e| e.kind == kind)
            .map_or(0, |e| e.count)
    };
    assert_eq!(
        (
            count("vehicle"),
            count("vehicle_exit"),
            count("parcel"),
            count("parcel_pickup")
        ),
        (2, 1, 1, 2)
    );
    assert!(report.to_csv().contains("车辆驶出"), "{}", report.to_csv());
}
