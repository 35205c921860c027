//! Which ticket actions a member may take now: the one rule that both refuses a forbidden
//! action and tells the apps which buttons to show.
//!
//! | action | who | when |
//! |---|---|---|
//! | accept | a handler | open, nobody responsible yet |
//! | reply, resolve | a handler | open |
//! | assign, escalate, merge | office or area lead | open (escalate: below the county level) |
//! | dispatch to a department | office or area lead | open, not with a department now |
//! | name the leader in charge | office or area lead | open |
//! | evaluate | any active member (recording the resident's word) | resolved |
//! | attach a photo | any active member | always |
//!
//! Handlers are the office, area leads, building and lane leads, gate leads and shift leads.

use super::Linli;
use crate::error::{Error, ErrorCode, Result};
use crate::records::Coded;
use crate::records::directory::Role;
use crate::records::ticket::{Level, Status, TicketState};

/// A ticket action a member can take.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum TicketActionKind {
    /// Take responsibility (首问负责).
    Accept,
    /// Assign to a department.
    Assign,
    /// Escalate to the street or county office.
    Escalate,
    /// Reply to the resident.
    Reply,
    /// Mark resolved.
    Resolve,
    /// Record the resident's evaluation.
    Evaluate,
    /// Merge this duplicate into another ticket.
    Merge,
    /// Attach a photo.
    AttachPhoto,
    /// Dispatch to a department that works it on its own phones.
    Dispatch,
    /// Name the leader in charge (包案领导).
    NameLeader,
}

impl TicketActionKind {
    /// Every action, in the order the apps show them.
    pub const ALL: [TicketActionKind; 10] = [
        TicketActionKind::Accept,
        TicketActionKind::Assign,
        TicketActionKind::Escalate,
        TicketActionKind::Reply,
        TicketActionKind::Resolve,
        TicketActionKind::Evaluate,
        TicketActionKind::Merge,
        TicketActionKind::AttachPhoto,
        TicketActionKind::Dispatch,
        TicketActionKind::NameLeader,
    ];

    /// What the action is called in Chinese (for error messages).
    pub fn label_zh(self) -> &'static str {
        match self {
            TicketActionKind::Accept => "受理",
            TicketActionKind::Assign => "派单",
            TicketActionKind::Escalate => "上报",
            TicketActionKind::Reply => "答复",
            TicketActionKind::Resolve => "办结",
            TicketActionKind::Evaluate => "评价",
            TicketActionKind::Merge => "合并",
            TicketActionKind::AttachPhoto => "添加照片",
            TicketActionKind::Dispatch => "派往部门",
            TicketActionKind::NameLeader => "指定包案领导",
        }
    }

    /// The roles that may take the action; empty means any active member.
    fn roles(self) -> &'static [Role] {
        const HANDLERS: &[Role] = &[
            Role::Office,
            Role::AreaLead,
            Role::BuildingLead,
            Role::LaneLead,
            Role::GateLead,
            Role::ShiftLead,
        ];
        const SUPERVISORS: &[Role] = &[Role::Office, Role::AreaLead];
        match self {
            TicketActionKind::Accept | TicketActionKind::Reply | TicketActionKind::Resolve => {
                HANDLERS
            }
            TicketActionKind::Assign
            | TicketActionKind::Escalate
            | TicketActionKind::Merge
            | TicketActionKind::Dispatch
            | TicketActionKind::NameLeader => SUPERVISORS,
            TicketActionKind::Evaluate | TicketActionKind::AttachPhoto => &[],
        }
    }

    /// Whether an active member holding `roles` may take the action.
    pub(crate) fn allowed_for(self, roles: &[Role]) -> bool {
        role_allows(self, roles)
    }

    /// Why the ticket's state does not allow the action now, if it does not: a code and
    /// the words for a log.
    pub(crate) fn refused_by_state(self, state: &TicketState) -> Option<(ErrorCode, String)> {
        let open = state.status.is_open();
        match self {
            TicketActionKind::AttachPhoto => None,
            TicketActionKind::Evaluate if state.status != Status::Resolved => Some((
                ErrorCode::TicketNotResolved,
                "only a resolved ticket can be evaluated".to_owned(),
            )),
            TicketActionKind::Evaluate => None,
            _ if !open => Some((
                ErrorCode::TicketClosed,
                format!("is {}", state.status.label_zh()),
            )),
            TicketActionKind::Accept => state.responsible.as_ref().map(|r| {
                (
                    ErrorCode::TicketAccepted,
                    format!("already accepted by {r}"),
                )
            }),
            TicketActionKind::Dispatch if state.unit.is_some() => Some((
                ErrorCode::AlreadyDispatched,
                "is with a department already".to_owned(),
            )),
            TicketActionKind::Escalate if state.level == Level::County => Some((
                ErrorCode::AlreadyAtLevel,
                format!("is already at {} level", Level::County.label_zh()),
            )),
            _ => None,
        }
    }
}

impl Linli {
    /// The actions the acting member may take on the ticket now, in display order.
    pub fn ticket_actions(&self, id: &str) -> Result<Vec<TicketActionKind>> {
        let state = self.ticket(id)?.state;
        let roles = self.acting_roles()?;
        Ok(TicketActionKind::ALL
            .into_iter()
            .filter(|k| role_allows(*k, &roles) && k.refused_by_state(&state).is_none())
            .collect())
    }

    /// Fails with [`Error::Forbidden`] unless the acting member's roles allow `kind`.
    pub(crate) fn require_ticket_role(&self, kind: TicketActionKind) -> Result<()> {
        if role_allows(kind, &self.acting_roles()?) {
            return Ok(());
        }
        let names: Vec<&str> = kind.roles().iter().map(|r| r.label_zh()).collect();
        Err(Error::forbidden(
            format!("{} ticket", kind.label_zh()),
            ErrorCode::RoleRequired,
            format!("需要{}角色", names.join("/")),
        ))
    }

    fn acting_roles(&self) -> Result<Vec<Role>> {
        Ok(self
            .member_role_codes(&self.identity().member_id)?
            .into_iter()
            .filter_map(|(code, _)| Role::from_code(&code))
            .collect())
    }
}

/// Whether an active member holding `roles` may take `kind` (no roles: not an active member).
fn role_allows(kind: TicketActionKind, roles: &[Role]) -> bool {
    !roles.is_empty() && (kind.roles().is_empty() || roles.iter().any(|r| kind.roles().contains(r)))
}
