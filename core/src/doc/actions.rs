//! Every action a change can record in its note (`ChangeNote::action`): what a record's
//! history shows beside who, when and from which device. The apps label each by its code
//! (`history_action_<code with dots as underscores>`), so the list is complete by test: a
//! source that writes a change under an action not listed here fails the core's tests, not a
//! phone's history screen.

use super::GENESIS_ACTION;

/// The actions written with a fixed name.
const FIXED: &[&str] = &[
    "case.dispatch",
    "community.create",
    "community.pass_key",
    "community.retention",
    "community.revoke_pass",
    "conflict.resolve",
    "gate.check_in",
    "gate.check_out",
    "gate.handover",
    "gate.incident",
    "gate.parcel",
    "gate.parcel_pickup",
    "gate.pass_check",
    "gate.patrol",
    "gate.temperature",
    "gate.vehicle",
    "gate.vehicle_exit",
    "gate.visitor",
    "household.errand",
    "household.errand_delivered",
    "household.isolation_check",
    "household.isolation_release",
    "household.isolation_start",
    "household.pass",
    "household.phone",
    "household.register",
    "household.resident",
    "household.resident_moves",
    "household.tag",
    "household.watch",
    "joint.plan",
    "joint.step_done",
    "member.add",
    "member.deactivate",
    "member.grant_role",
    "need.claim",
    "need.confirm",
    "need.record",
    "need.serve",
    "place.add",
    "reminder.add",
    "reminder.complete",
    "roster.assign",
    "roster.shift.add",
    "roster.swap.accept",
    "roster.swap.approve",
    "roster.swap.request",
    "roster.unassign",
    "round.close",
    "round.open",
    "round.rate",
    "round.vote",
    "ticket.absorbed",
    "ticket.dispatched",
    "ticket.merged",
    "ticket.report",
    "visit.log",
];

/// A ticket event's code (`ticket.<code>`, see `TicketAction::code`).
const TICKET_EVENTS: &[&str] = &[
    "reported",
    "accepted",
    "assigned",
    "escalated",
    "replied",
    "resolved",
    "evaluated",
    "merged",
    "absorbed",
    "photo_added",
    "dispatched",
    "leader_named",
];

/// A work order step's code (`case.<code>`, see `CaseAction::code`).
const CASE_STEPS: &[&str] = &[
    "accepted",
    "info_requested",
    "info_given",
    "replied",
    "resolved",
    "handed_back",
];

/// Every action code, sorted, without repeats.
pub fn action_codes() -> Vec<String> {
    let mut out: Vec<String> = FIXED
        .iter()
        .map(|a| (*a).to_owned())
        .chain(TICKET_EVENTS.iter().map(|c| format!("ticket.{c}")))
        .chain(CASE_STEPS.iter().map(|c| format!("case.{c}")))
        .chain([GENESIS_ACTION.to_owned()])
        .collect();
    out.sort_unstable();
    out.dedup();
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::records::case::CaseAction;
    use crate::records::ticket::{Channel, Department, Level, TicketAction};

    /// The record kinds whose actions are written under their name (`gate.visitor`).
    const PREFIXES: &[&str] = &[
        "case.",
        "community.",
        "conflict.",
        "gate.",
        "household.",
        "joint.",
        "member.",
        "need.",
        "place.",
        "reminder.",
        "roster.",
        "round.",
        "ticket.",
        "visit.",
    ];

    /// The string literals of `text` that look like an action (`gate.parcel_pickup`).
    fn actions_named_in(text: &str) -> Vec<String> {
        text.split('"')
            .skip(1)
            .step_by(2)
            .filter(|lit| PREFIXES.iter().any(|p| lit.starts_with(p)))
            .filter(|lit| {
                lit.split('.').count() >= 2
                    && lit
                        .chars()
                        .all(|c| c.is_ascii_lowercase() || c == '_' || c == '.')
            })
            .map(str::to_owned)
            .collect()
    }

    #[test]
    fn every_action_the_sources_write_is_listed() {
        let api = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("src/api");
        let listed = action_codes();
        let mut named = Vec::new();
        for (path, text) in crate::test_support::sources::rust_sources(&api) {
            // Today's list names the action that clears an item, not a change's.
            if !path.ends_with("agenda.rs") {
                named.extend(actions_named_in(&text));
            }
        }
        assert!(named.len() > 40, "{} actions found", named.len());
        let missing: Vec<_> = named.iter().filter(|a| !listed.contains(a)).collect();
        assert!(missing.is_empty(), "actions without a label: {missing:?}");
    }

    #[test]
    fn every_ticket_event_and_order_step_is_listed() {
        let text = String::new;
        let events = [
            TicketAction::Reported,
            TicketAction::Accepted,
            TicketAction::Assigned {
                department: Department::default(),
            },
            TicketAction::Escalated {
                to: Level::Street,
                reason: text(),
            },
            TicketAction::Replied { message: text() },
            TicketAction::Resolved { summary: text() },
            TicketAction::Evaluated {
                satisfied: true,
                comment: text(),
            },
            TicketAction::Merged { into: text() },
            TicketAction::Absorbed {
                from: text(),
                channel: Channel::default(),
                reporter: text(),
            },
            TicketAction::PhotoAdded { sha256: text() },
            TicketAction::Dispatched {
                unit: text(),
                case: text(),
            },
            TicketAction::LeaderNamed { member: text() },
        ];
        let steps = [
            CaseAction::Accepted,
            CaseAction::InfoRequested { question: text() },
            CaseAction::InfoGiven { answer: text() },
            CaseAction::Replied { message: text() },
            CaseAction::Resolved { summary: text() },
            CaseAction::HandedBack { reason: text() },
        ];
        let listed = action_codes();
        for code in events.iter().map(|e| format!("ticket.{}", e.code())) {
            assert!(listed.contains(&code), "{code}");
        }
        for code in steps.iter().map(|s| format!("case.{}", s.code())) {
            assert!(listed.contains(&code), "{code}");
        }
        assert_eq!(
            (TICKET_EVENTS.len(), CASE_STEPS.len()),
            (events.len(), steps.len())
        );
    }
}
