//! A reminder made with the admin tools reaches the lead it concerns, who completes it on the
//! phone: the relay accepts the completion (a directory change by someone not in the office,
//! limited to marking their own reminder done) and the admin tools see it.

use linli_core::api::agenda::AgendaKind;
use linli_e2e::TestRelay;

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_lead_completes_the_office_s_reminder_through_the_relay() {
    let r = TestRelay::start().await;
    let wang = r.phone("lead-wang", "wang-phone").await;
    wang.sync().await.expect("directory");
    let today = wang
        .linli
        .community()
        .expect("community")
        .local_date(linli_core::Clock::now(r.clock.as_ref()));
    let due = today + chrono::Duration::days(20);
    let cli = |args: &[&str]| {
        let (ok, out, err) = r.admin_cli(env!("CARGO_BIN_EXE_relay-process"), args);
        assert!(ok, "{err}");
        out.trim().to_owned()
    };
    let id = cli(&[
        "add-reminder",
        "--what",
        "3号楼电梯年检",
        "--due",
        &due.to_string(),
        "--place",
        &r.places.building3,
        "--role",
        "building_lead",
        "--repeat",
        "yearly",
    ]);
    wang.sync().await.expect("sync");
    let agenda = wang.linli.agenda(today).expect("agenda");
    assert!(
        agenda
            .iter()
            .any(|i| i.kind == AgendaKind::Reminder && i.record_id == id),
        "{agenda:?}"
    );
    wang.linli.complete_reminder(&id).expect("complete");
    let summary = wang.sync().await.expect("sync");
    assert_eq!(
        summary.set_aside,
        0,
        "the relay accepted it: {:?}",
        wang.linli.set_aside_changes()
    );
    let listed = cli(&["reminders", "--date", &today.to_string()]);
    assert!(
        listed.contains("3号楼电梯年检") && listed.contains("已办 1 次"),
        "{listed}"
    );
    let next_year = (due + chrono::Months::new(12)).to_string();
    assert!(listed.contains(&next_year), "{listed}");
}
