//! A record's name as people know it, for the screens that show any record (its history, its
//! conflicts): a household's address, a ticket's first words, a gate's roster week or log day,
//! the community's directory.

use rusqlite::OptionalExtension;

use super::Linli;
use crate::doc::DocKind;
use crate::error::{Error, Result};
use crate::ids::{GATE_LOG_PREFIX, ROSTER_PREFIX, parse_gate_doc_id};

/// How many characters of a ticket's description name it.
const TICKET_NAME_CHARS: usize = 24;

impl Linli {
    /// The record's name in Chinese: `3号楼 1单元 302`, `工单：楼道灯坏了`, `东门 排班（2026-11-30 起）`,
    /// `东门 门岗日志 2026-12-02`, `社区名录`. A record this device does not hold is
    /// [`Error::NotFound`].
    pub fn record_name(&self, doc_id: &str) -> Result<String> {
        let kind: Option<String> = self.store.read(|c| {
            Ok(
                c.prepare_cached("SELECT kind FROM documents WHERE doc_id = ?1")?
                    .query_row([doc_id], |r| r.get(0))
                    .optional()?,
            )
        })?;
        let kind = kind.ok_or_else(|| Error::NotFound {
            what: "record",
            id: doc_id.to_owned(),
        })?;
        Ok(match DocKind::parse(&kind)? {
            DocKind::Directory => "社区名录".to_owned(),
            DocKind::Household => self.household_address(doc_id)?.1,
            DocKind::Ticket => {
                let description: Option<String> = self.store.read(|c| {
                    Ok(
                        c.prepare_cached("SELECT description FROM p_tickets WHERE doc_id = ?1")?
                            .query_row([doc_id], |r| r.get(0))
                            .optional()?,
                    )
                })?;
                let words: String = description
                    .unwrap_or_default()
                    .chars()
                    .take(TICKET_NAME_CHARS)
                    .collect();
                format!("工单：{words}")
            }
            DocKind::Roster => match parse_gate_doc_id(ROSTER_PREFIX, doc_id) {
                Some((gate, monday)) => format!("{} 排班（{monday} 起）", self.place_name(gate)?),
                None => doc_id.to_owned(),
            },
            DocKind::GateLog => match parse_gate_doc_id(GATE_LOG_PREFIX, doc_id) {
                Some((gate, day)) => format!("{} 门岗日志 {day}", self.place_name(gate)?),
                None => doc_id.to_owned(),
            },
            DocKind::Case => match crate::ids::parse_case_doc_id(doc_id) {
                Some(unit) => format!("{} 派单", self.place_name(unit)?),
                None => doc_id.to_owned(),
            },
            DocKind::Need => {
                let need = self.need(doc_id)?;
                format!(
                    "需求：{} {}",
                    need.address,
                    crate::records::Coded::label_zh(need.category)
                )
            }
            DocKind::Joint => match self.joint_action(doc_id) {
                Ok(j) => format!("联合行动：{}", j.doc.title),
                Err(_) => doc_id.to_owned(),
            },
            DocKind::Round => format!(
                "{} 评议",
                doc_id
                    .strip_prefix(crate::api::evaluations::ROUND_PREFIX)
                    .and_then(|m| m.strip_prefix(':'))
                    .unwrap_or(doc_id)
            ),
        })
    }
}
