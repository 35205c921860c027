//! Convergence with a judging relay: the office and four phones (two leads, a volunteer, and
//! the volunteer's second device running a core that skips its own checks) make random
//! operations while offline, including roles granted and taken away and forged changes, and
//! sync in random order through a relay on 127.0.0.1. After everyone syncs: no phone is left
//! unable to sync, every phone's records in the scopes it may read have the office's heads,
//! and every change any
//! operation made is found exactly once: in the log, or set aside (on the relay, or on the
//! phone that made it when it built on a refused change and so never left).

use std::collections::BTreeSet;

use linli_core::Linli;
use linli_core::api::directory::RoleInput;
use linli_core::api::households::{HouseholdInput, VisitInput};
use linli_core::records::directory::Role;
use linli_e2e::{TestRelay, forger, ticket_input};
use linli_relay::demo::Phone;
use proptest::prelude::*;

#[derive(Debug, Clone)]
enum Op {
    /// A lead (0: Wang, 1: Li) logs a visit to the household.
    Visit(usize),
    /// The volunteer reports a ticket.
    Report,
    /// The forging device resolves the first ticket (no role allows a volunteer to).
    ForgedResolve,
    /// The office gives Li building 3 or takes it away (she keeps building 5).
    ToggleLi,
    /// A device syncs (0 office, 1 Wang, 2 Li, 3 volunteer, 4 forging device).
    Sync(usize),
}

fn op() -> impl Strategy<Value = Op> {
    prop_oneof![
        3 => (0..2usize).prop_map(Op::Visit),
        1 => Just(Op::Report),
        1 => Just(Op::ForgedResolve),
        1 => Just(Op::ToggleLi),
        4 => (0..5usize).prop_map(Op::Sync),
    ]
}

fn outbox_hashes(linli: &Linli) -> BTreeSet<[u8; 32]> {
    linli
        .outbox(0, 100_000)
        .unwrap()
        .into_iter()
        .map(|c| c.hash.0)
        .collect()
}

async fn run(ops: Vec<Op>) {
    let r = TestRelay::start().await;
    let p = r.places.clone();
    let office = r.phone("office-admin", "office-pc").await;
    office.sync().await.unwrap();
    let household = office
        .linli
        .register_household(&HouseholdInput {
            building_id: p.building3.clone(),
            room: "101".into(),
            ..HouseholdInput::default()
        })
        .unwrap();
    let first_ticket = office
        .linli
        .report_ticket(&ticket_input("电梯坏了"))
        .unwrap();
    office.sync().await.unwrap();
    let wang = r.phone("lead-wang", "wang-phone").await;
    let li = r.phone("lead-li", "li-phone").await;
    let vol = r.phone("vol-wu", "vol-phone").await;
    let tablet_enrolled = r.phone("vol-wu", "vol-tablet").await;
    let tablet = Phone {
        name: "vol-tablet".into(),
        linli: std::sync::Arc::new(forger(&r, &office.linli, &tablet_enrolled, "tablet")),
        client: tablet_enrolled.client.clone(),
    };
    let phones = [&office, &wang, &li, &vol, &tablet];
    for phone in phones {
        phone.sync().await.unwrap();
    }

    let mut made: Vec<([u8; 32], usize)> = Vec::new();
    let mut li_has_b3 = true;
    for op in ops {
        let (who, result) = match op {
            Op::Visit(lead) => {
                let phone = [&wang, &li][lead];
                (
                    1 + lead,
                    phone
                        .linli
                        .log_visit(&household, &VisitInput::default())
                        .map(drop),
                )
            }
            Op::Report => (
                3,
                vol.linli
                    .report_ticket(&ticket_input("楼道灯坏了"))
                    .map(drop),
            ),
            Op::ForgedResolve => (
                4,
                tablet
                    .linli
                    .resolve_ticket(&first_ticket, "修好了")
                    .map(drop),
            ),
            Op::ToggleLi => {
                li_has_b3 = !li_has_b3;
                let mut places = vec![p.building5.clone()];
                if li_has_b3 {
                    places.push(p.building3.clone());
                }
                let grant = RoleInput {
                    role: Role::BuildingLead,
                    places,
                };
                (0, office.linli.grant_role("lead-li", &grant))
            }
            Op::Sync(i) => {
                phones[i]
                    .sync()
                    .await
                    .unwrap_or_else(|e| panic!("{} cannot sync: {e}", phones[i].name));
                continue;
            }
        };
        // An operation the device's own rules refuse makes nothing; that is not a loss.
        if result.is_ok() {
            let before: BTreeSet<[u8; 32]> = made.iter().map(|(h, _)| *h).collect();
            for h in outbox_hashes(&phones[who].linli) {
                if !before.contains(&h) {
                    made.push((h, who));
                }
            }
        }
    }

    // Everyone syncs, twice: the second round brings what the first one's pushes changed.
    for _ in 0..2 {
        for phone in phones {
            phone
                .sync()
                .await
                .unwrap_or_else(|e| panic!("{} cannot sync at the end: {e}", phone.name));
        }
    }
    for phone in phones {
        assert_eq!(
            phone.linli.outbox_len().unwrap(),
            0,
            "{} holds unsent work",
            phone.name
        );
        let member = phone.linli.identity().member_id.clone();
        for d in phone.linli.documents().unwrap() {
            // A record in a scope the member no longer reads stays as it was last received.
            let scope = linli_core::Scope::parse(&d.scope).unwrap();
            if !office.linli.scope_access(&member, &scope).unwrap().read {
                continue;
            }
            // The forging device's directory holds the office role it granted itself locally,
            // which never left it.
            if phone.name == tablet.name && d.kind == linli_core::DocKind::Directory {
                continue;
            }
            let mut mine = phone.linli.heads(&d.doc_id).unwrap();
            let mut office_heads = office.linli.heads(&d.doc_id).unwrap();
            mine.sort();
            office_heads.sort();
            assert_eq!(
                mine, office_heads,
                "{} holds {} as the office does",
                phone.name, d.doc_id
            );
        }
    }
    let relay_aside: BTreeSet<[u8; 32]> = r
        .admin
        .set_aside(true)
        .unwrap()
        .into_iter()
        .map(|s| s.change.hash)
        .collect();
    for (hash, who) in made {
        let logged = !r.relay.storage.changes_by_hash(&[hash]).unwrap().is_empty();
        let aside_on_phone = phones[who]
            .linli
            .set_aside_changes()
            .unwrap()
            .iter()
            .any(|s| s.hash == hex::encode(hash));
        let aside = relay_aside.contains(&hash) || aside_on_phone;
        assert!(
            logged != aside,
            "change {} of {}: logged {logged}, set aside {aside}",
            hex::encode(hash),
            phones[who].name
        );
    }
    // The forged resolutions never took: the first ticket is still open everywhere.
    for phone in phones {
        let state = phone.linli.ticket(&first_ticket).unwrap().state;
        assert!(
            state.status.is_open(),
            "the first ticket stays open on {}",
            phone.name
        );
    }
}

proptest! {
    #![proptest_config(ProptestConfig {
        cases: 12,
        failure_persistence: None,
        ..ProptestConfig::default()
    })]
    #[test]
    fn phones_converge_and_nothing_is_lost_with_a_judging_relay(
        ops in proptest::collection::vec(op(), 6..30)
    ) {
        let runtime = tokio::runtime::Builder::new_multi_thread()
            .worker_threads(2)
            .enable_all()
            .build()
            .unwrap();
        runtime.block_on(run(ops));
    }
}
