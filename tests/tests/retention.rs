//! Retention: a month on, last month's gate days are gone from the relay and the phones while
//! the report of that date still gives its counts; a gate day within the retention stays;
//! tickets closed three months ago leave the phones and stay on the relay.

use chrono::Duration;
use linli_core::api::duty::VisitorInput;
use linli_core::api::tickets::TicketInput;
use linli_core::records::gate_log::PassType;
use linli_core::records::ticket::{Category, Channel, PlaceRefKind};
use linli_core::{Clock, DocKind};
use linli_e2e::{TestRelay, whole_log};

const VISITOR: &str = "访客甄秀兰";

fn visitor(name: &str) -> VisitorInput {
    VisitorInput {
        name: name.into(),
        phone: "13911112222".into(),
        purpose: "探亲".into(),
        household: None,
        pass: PassType::Temporary,
        ..VisitorInput::default()
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn last_month_s_gate_days_go_and_their_report_stays() {
    let r = TestRelay::start().await;
    let zhao = r.phone("gate-zhao", "zhao-phone").await;
    zhao.sync().await.expect("directory");
    let gate = r.places.east_gate.clone();
    zhao.linli
        .register_visitor(&gate, &visitor(VISITOR))
        .expect("visitor");
    zhao.sync().await.expect("sync");
    let community = zhao.linli.community().expect("community");
    let first_day = community.local_date(r.clock.now());
    r.admin.pull().expect("admin");
    let report_then = r.admin.linli().day_report(first_day).expect("report");
    assert_eq!(report_then.gate_entries.len(), 1);
    let csv_then = report_then.to_csv();

    // 25 days on, another visitor: within the retention when the first day passes it.
    r.clock.advance(Duration::days(25));
    zhao.linli
        .register_visitor(&gate, &visitor("第二位访客"))
        .expect("visitor");
    zhao.sync().await.expect("sync");
    let later_day = community.local_date(r.clock.now());

    let now = r.clock.now() + Duration::days(6);
    let done = r.relay.apply_retention(now).expect("retention");
    assert_eq!((done.gate_days, done.reports_kept), (1, 1), "{done:?}");
    let again = r.relay.apply_retention(now).expect("again");
    assert_eq!(again.gate_days, 0);
    let gate_days: Vec<String> = whole_log(r.relay.storage.as_ref())
        .into_iter()
        .filter(|c| c.change.kind == DocKind::GateLog)
        .map(|c| c.change.doc_id)
        .collect();
    assert!(!gate_days.is_empty());
    assert!(
        gate_days
            .iter()
            .all(|d| d.ends_with(&later_day.to_string())),
        "{gate_days:?}"
    );

    let summary = zhao.sync().await.expect("sync");
    assert_eq!(summary.records_erased, 1, "{summary:?}");
    assert!(
        zhao.linli
            .gate_entries(&gate, first_day)
            .expect("entries")
            .is_empty()
    );
    assert_eq!(
        zhao.linli
            .gate_entries(&gate, later_day)
            .expect("entries")
            .len(),
        1
    );
    for file in ["zhao-phone.db", "relay.db", "relay.office.db"] {
        let path = r.dir.path().join(file);
        for suffix in ["", "-wal"] {
            let mut f = path.as_os_str().to_owned();
            f.push(suffix);
            if let Ok(bytes) = std::fs::read(&f) {
                assert!(
                    !bytes
                        .windows(VISITOR.len())
                        .any(|w| w == VISITOR.as_bytes()),
                    "{f:?}"
                );
            }
        }
    }

    // The report of that date still gives its counts, from the admin tools.
    let cli = |args: &[&str]| {
        let (ok, out, err) = r.admin_cli(env!("CARGO_BIN_EXE_relay-process"), args);
        assert!(ok, "{err}");
        out
    };
    let day = first_day.to_string();
    assert_eq!(
        cli(&["report", "--date", &day, "--format", "csv"]),
        csv_then
    );
    assert!(cli(&["retention", "--days", "7"]).contains("保留 7 天"));
    r.admin.pull().expect("admin");
    assert_eq!(r.admin.linli().gate_log_retention_days().expect("days"), 7);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn tickets_closed_three_months_ago_leave_the_phones() {
    let r = TestRelay::start().await;
    let office = r.phone("office-admin", "office-pc").await;
    let wang = r.phone("lead-wang", "wang-phone").await;
    for p in [&office, &wang] {
        p.sync().await.expect("directory");
    }
    let report = |description: &str| TicketInput {
        category: Category::Elevator,
        place_kind: PlaceRefKind::Building,
        place_ref: r.places.building3.clone(),
        place_text: String::new(),
        description: description.into(),
        photos: vec![],
        channel: Channel::Visit,
    };
    let closed = wang
        .linli
        .report_ticket(&report("电梯停运"))
        .expect("ticket");
    let open = wang
        .linli
        .report_ticket(&report("电梯异响"))
        .expect("ticket");
    wang.sync().await.expect("sync");
    office.sync().await.expect("sync");
    office.linli.accept_ticket(&closed).expect("accept");
    office
        .linli
        .resolve_ticket(&closed, "已修好")
        .expect("resolve");
    office.sync().await.expect("sync");
    wang.sync().await.expect("sync");
    assert!(wang.linli.ticket(&closed).is_ok());

    r.clock.advance(Duration::days(91));
    wang.sync().await.expect("sync");
    assert!(wang.linli.ticket(&closed).is_err(), "closed long ago");
    assert!(wang.linli.ticket(&open).is_ok(), "still open");
    assert!(
        whole_log(r.relay.storage.as_ref())
            .iter()
            .any(|c| c.change.doc_id == closed),
        "kept on the relay"
    );
}
