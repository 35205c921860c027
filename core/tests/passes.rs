//! Passes checked offline at the gate: issued (the relay's signature stood in for by the same
//! signing function), shown on the lead's phone, checked by a gate phone with no network —
//! valid, expired, at another gate, revoked before and after the gate's sync, one byte changed,
//! a night pass at 14:00 — each a gate entry counted in the day-end report.

mod common;

use chrono::Duration;
use common::{Devices, community, start_time, sync_all};
use linli_core::Error;
use linli_core::api::households::{HouseholdInput, ResidentInput};
use linli_core::api::passes::PassInput;
use linli_core::records::directory::PlaceKind;
use linli_core::records::pass::{self, PassKind, PassResult};

/// The relay's signing key in these tests.
const SECRET: [u8; 32] = [42; 32];

#[test]
fn a_pass_is_checked_offline_at_the_gate_and_every_check_is_counted() {
    let devices = Devices::new();
    let office = devices.open("office", "office-pc");
    let c = community(&office);
    let west = office
        .add_place(PlaceKind::Gate, "西门", Some(&c.compound))
        .unwrap();
    office
        .set_pass_key(&pass::public_key_hex(&SECRET).unwrap())
        .unwrap();
    let h = office
        .register_household(&HouseholdInput {
            building_id: c.building3.clone(),
            room: "101".into(),
            residents: vec![ResidentInput {
                name: "张桂英".into(),
                birth_year: Some(1950),
                phone: String::new(),
            }],
            ..HouseholdInput::default()
        })
        .unwrap();
    let resident = office
        .household(&h)
        .unwrap()
        .residents
        .keys()
        .next()
        .unwrap()
        .clone();
    let now = start_time().timestamp_millis();
    let issue = |kind, gates: Vec<String>| {
        let claims = office
            .pass_claims(&PassInput {
                household_id: h.clone(),
                resident_id: Some(resident.clone()),
                kind,
                valid_from_ms: now - 3_600_000,
                valid_until_ms: now + 86_400_000,
                gates,
                ..PassInput::default()
            })
            .unwrap();
        let text = pass::sign(&claims, &SECRET).unwrap();
        office.record_issued_pass(&text, "office-admin").unwrap();
        (claims.id, text)
    };
    let (resident_pass, text) = issue(PassKind::Resident, vec![c.east_gate.clone()]);
    let (night_pass, night_text) = issue(PassKind::Night, vec![]);
    let wang = devices.open("lead-wang", "wang-phone");
    let sun = devices.open("guard-sun", "sun-phone");
    sync_all(&[&office, &wang, &sun]);
    // The lead's phone holds the pass to show as a QR code.
    let shown = wang.passes(&h).unwrap();
    assert_eq!(shown[&resident_pass].text, text);
    assert_eq!(shown[&resident_pass].holder, "张桂英");

    // The gate phone, offline from here on.
    let check = |gate: &str, text: &str| sun.check_pass(gate, text).unwrap().result;
    let valid = sun.check_pass(&c.east_gate, &text).unwrap();
    assert_eq!(valid.result, PassResult::Valid);
    assert_eq!(valid.claims.unwrap().holder, "张桂英");
    // 09:00 local: a night pass is refused.
    assert_eq!(check(&c.east_gate, &night_text), PassResult::OutsideHours);
    let mut bytes = text.clone().into_bytes();
    let i = bytes.len() - 5;
    bytes[i] = if bytes[i] == b'A' { b'B' } else { b'A' };
    assert_eq!(
        check(&c.east_gate, &String::from_utf8(bytes).unwrap()),
        PassResult::Forged
    );
    assert_eq!(check(&c.east_gate, "随便写的"), PassResult::Forged);
    // A pass for the east gate, at the west gate (the guard checks there too, as the office
    // lets any gate role check at its own gate: here the office's phone at the west gate).
    assert_eq!(
        office.check_pass(&west, &text).unwrap().result,
        PassResult::WrongGate
    );

    // Revoked while the gate phone is offline: still let through, flagged once it syncs.
    devices.clock.advance(Duration::minutes(1));
    office.revoke_pass(&resident_pass).unwrap();
    devices.clock.advance(Duration::minutes(5));
    assert_eq!(check(&c.east_gate, &text), PassResult::Valid);
    assert!(
        sun.passes_let_through_after_revocation()
            .unwrap()
            .is_empty()
    );
    sync_all(&[&office, &wang, &sun]);
    let flagged = sun.passes_let_through_after_revocation().unwrap();
    assert_eq!(
        flagged.len(),
        1,
        "the check before the revocation stands: {flagged:?}"
    );
    assert_eq!(flagged[0].2, resident_pass);
    assert_eq!(check(&c.east_gate, &text), PassResult::Revoked);

    // 23:00 local: the night pass is let through; a day after it ends, expired.
    devices.clock.set(start_time() + Duration::hours(14));
    assert_eq!(check(&c.east_gate, &night_text), PassResult::Valid);
    devices.clock.set(start_time() + Duration::days(2));
    assert_eq!(check(&c.east_gate, &night_text), PassResult::Expired);
    assert!(!night_pass.is_empty());

    // The day-end report counts each result at each gate.
    sync_all(&[&office, &wang, &sun]);
    let date = office.community().unwrap().local_date(start_time());
    let report = office.day_report(date).unwrap();
    let count = |gate: &str, kind: &str| {
        report
            .gate_entries
            .iter()
            .find(|e| e.gate_id == gate && e.kind == kind)
            .map_or(0, |e| e.count)
    };
    assert_eq!(count(&c.east_gate, "pass_valid"), 3);
    assert_eq!(count(&c.east_gate, "pass_outside_hours"), 1);
    assert_eq!(count(&c.east_gate, "pass_forged"), 2);
    assert_eq!(count(&c.east_gate, "pass_revoked"), 1);
    assert_eq!(count(&west, "pass_wrong_gate"), 1);
    let markdown = report.to_markdown();
    assert!(markdown.contains("通行证核验：已注销"), "{markdown}");
}

#[test]
fn a_bad_pass_request_names_its_field_and_writes_nothing() {
    let devices = Devices::new();
    let office = devices.open("office", "office-pc");
    let c = community(&office);
    let h = office
        .register_household(&HouseholdInput {
            building_id: c.building3.clone(),
            room: "102".into(),
            ..HouseholdInput::default()
        })
        .unwrap();
    let now = start_time().timestamp_millis();
    let base = PassInput {
        household_id: h.clone(),
        kind: PassKind::Visitor,
        visitor_name: "周先生".into(),
        valid_from_ms: now,
        valid_until_ms: now + 3_600_000,
        gates: vec![c.east_gate.clone()],
        ..PassInput::default()
    };
    let field = |input: PassInput| match office.pass_claims(&input) {
        Err(Error::InvalidInput { field, .. }) => field,
        other => panic!("{other:?}"),
    };
    assert_eq!(
        field(PassInput {
            valid_until_ms: now - 1,
            ..base.clone()
        }),
        "valid_until"
    );
    assert_eq!(
        field(PassInput {
            visitor_name: " ".into(),
            ..base.clone()
        }),
        "visitor_name"
    );
    assert_eq!(
        field(PassInput {
            kind: PassKind::Resident,
            ..base.clone()
        }),
        "resident_id"
    );
    assert!(office.pass_claims(&base).is_ok());
    // Without the community's signature the pass is not recorded.
    assert!(matches!(
        office.record_issued_pass("LINLI-PASS1.e30.AAAA", "office-admin"),
        Err(Error::InvalidInput { .. })
    ));
    assert!(office.passes(&h).unwrap().is_empty());
    // A building lead issues none; a gate lead only for their gates.
    let wang = devices.open("lead-wang", "wang-phone");
    let zhao = devices.open("gate-zhao", "zhao-phone");
    sync_all(&[&office, &wang, &zhao]);
    assert!(matches!(
        wang.pass_claims(&base),
        Err(Error::Forbidden { .. })
    ));
    assert!(zhao.pass_claims(&base).is_ok());
    // The relay checks a request from a phone against its own directory, for the member who
    // made it: the same answers.
    assert!(matches!(
        office.pass_claims_for("lead-wang", &base),
        Err(Error::Forbidden { .. })
    ));
    assert!(office.pass_claims_for("gate-zhao", &base).is_ok());
    assert!(matches!(
        office.pass_claims_for(
            "gate-zhao",
            &PassInput {
                gates: vec![],
                ..base.clone()
            }
        ),
        Err(Error::Forbidden { .. })
    ));
    assert!(matches!(
        zhao.pass_claims(&PassInput {
            gates: vec![],
            ..base
        }),
        Err(Error::Forbidden { .. })
    ));
}
