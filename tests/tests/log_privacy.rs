//! No personal data in logs: the simulated day (a relay and seven phones in one process, every
//! kind of record written, synced, conflicted and reported) run at `RUST_LOG=trace` logs ids,
//! counts and codes, never a name, a phone number, an address or a resident's words.

use std::process::Command;

/// Personal strings the demo writes: members, residents, visitors, plate, phones, needs, the
/// ticket's words and place descriptions.
const PERSONAL: &[&str] = &[
    "王建国",
    "李秀英",
    "赵卫东",
    "钱国庆",
    "孙志刚",
    "吴小梅",
    "陈主任",
    "张伟",
    "刘阿姨",
    "快递员小马",
    "张桂英",
    "陆家明",
    "周立新",
    "沪A12345",
    "探望父母",
    "希望每周有人帮忙买菜",
    "联系助餐点",
    "楼道里堆放了纸箱",
    "13800000001",
    "13912340001",
    "13800001101",
    "13800001102",
    "13800005301",
    "13912345678",
    "13987654321",
];

#[test]
fn the_demo_at_trace_level_logs_no_personal_data() {
    let dir = tempfile::tempdir().expect("temp dir");
    let out = Command::new(env!("CARGO_BIN_EXE_relay-process"))
        .args(["demo", "--dir"])
        .arg(dir.path().join("demo"))
        .env("RUST_LOG", "trace")
        .env("NO_COLOR", "1")
        .output()
        .expect("run the demo");
    assert!(out.status.success(), "the demo failed: {out:?}");
    let logs = String::from_utf8_lossy(&out.stderr);
    // The filter let everything through: the check looks at real trace output.
    assert!(
        logs.lines().filter(|l| l.contains("TRACE")).count() > 10,
        "no trace lines"
    );
    assert!(logs.contains("DEBUG") && logs.contains("INFO"));
    // The report on stdout names the leads, as a report for the office does; it is no log.
    assert!(String::from_utf8_lossy(&out.stdout).contains("王建国"));
    let found: Vec<&&str> = PERSONAL.iter().filter(|s| logs.contains(**s)).collect();
    assert!(
        found.is_empty(),
        "personal data in the logs: {found:?}\n{}",
        logs.lines()
            .filter(|l| found.iter().any(|s| l.contains(**s)))
            .take(5)
            .collect::<Vec<_>>()
            .join("\n")
    );
}

/// The demo's phones keep their stores encrypted: after the day, no personal string of the demo
/// is in the bytes of any phone's files (the database, a WAL left behind), while the relay's own
/// plain database holds them, which shows the search finds what is there.
#[test]
fn the_demo_phones_hold_no_readable_personal_data() {
    let dir = tempfile::tempdir().expect("temp dir");
    let demo = dir.path().join("demo");
    let out = Command::new(env!("CARGO_BIN_EXE_relay-process"))
        .args(["demo", "--dir"])
        .arg(&demo)
        .output()
        .expect("run the demo");
    assert!(out.status.success(), "the demo failed: {out:?}");
    let holds = |bytes: &[u8], text: &str| bytes.windows(text.len()).any(|w| w == text.as_bytes());
    let relay = std::fs::read(demo.join("relay.db")).expect("relay database");
    assert!(
        holds(&relay, "王建国"),
        "the relay's plain database holds the names"
    );
    let mut phones = 0;
    for entry in std::fs::read_dir(&demo).expect("demo folder") {
        let path = entry.expect("entry").path();
        let name = path.file_name().unwrap_or_default().to_string_lossy();
        if !name.starts_with("phone-") || name.ends_with("-lock") {
            continue;
        }
        phones += 1;
        let bytes = std::fs::read(&path).expect("phone store");
        let found: Vec<&&str> = PERSONAL.iter().filter(|s| holds(&bytes, s)).collect();
        assert!(found.is_empty(), "{name} holds {found:?} readable");
    }
    assert!(phones >= 7, "{phones} phone files");
}
