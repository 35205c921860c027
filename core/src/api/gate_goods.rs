//! Vehicles and parcels beyond their arrival at the gate: a vehicle logged out and the
//! vehicles still inside (last logged in, by plate); a parcel collected and the parcels still
//! waiting, across the gate's days. Both are gate-log entries like any other (append-only, by
//! the gate's duty roles); collecting names the parcel's entry, so that two phones that record
//! the same collection offline leave the parcel collected once.

use super::Linli;
use super::duty::{GATE_ENTRY_ROW, GateEntryRow, gate_entry_row};
use crate::error::{Error, ErrorCode, Result};
use crate::records::gate_log::{GateEntryKind, GateLogDoc, VehicleDirection};
use crate::records::validate;

/// The most rows either list returns: a gate's backlog beyond it is the office's to clear.
pub const GOODS_LIST_LIMIT: u32 = 500;

impl Linli {
    /// Logs a vehicle leaving through the gate. Returns the entry's id.
    pub fn register_vehicle_exit(&self, gate_id: &str, plate: &str) -> Result<String> {
        let kind = GateEntryKind::Vehicle {
            plate: validate::plate("plate", plate)?,
            purpose: String::new(),
            direction: Some(VehicleDirection::Out),
        };
        self.append_gate_entry(gate_id, "gate.vehicle_exit", kind)
    }

    /// The vehicles whose last entry at the gate is one coming in, oldest first.
    pub fn vehicles_inside(&self, gate_id: &str) -> Result<Vec<GateEntryRow>> {
        self.store.read(|c| {
            let sql = format!(
                "{GATE_ENTRY_ROW} WHERE e.gate_id = ?1 AND e.kind = 'vehicle' AND e.subject IS NOT NULL \
                 AND NOT EXISTS (SELECT 1 FROM p_gate_entries x WHERE x.gate_id = e.gate_id \
                   AND x.kind IN ('vehicle', 'vehicle_exit') AND x.subject = e.subject \
                   AND (x.at_ms, x.entry_id) > (e.at_ms, e.entry_id)) \
                 ORDER BY e.at_ms, e.entry_id LIMIT ?2"
            );
            let mut stmt = c.prepare_cached(&sql)?;
            let rows = stmt.query_map(rusqlite::params![gate_id, GOODS_LIST_LIMIT], gate_entry_row)?;
            rows.collect::<Result<Vec<_>, _>>().map_err(Error::from)
        })
    }

    /// Records that `collected_by` took the parcel logged as entry `parcel` at the gate.
    /// Returns the collection's entry id.
    pub fn pick_up_parcel(
        &self,
        gate_id: &str,
        parcel: &str,
        collected_by: &str,
    ) -> Result<String> {
        let parcel = validate::id("parcel", parcel)?;
        let collected_by = validate::name("collected_by", collected_by)?;
        let found: Option<(String, bool)> = self.store.read(|c| {
            let mut stmt = c.prepare_cached(
                "SELECT e.doc_id, EXISTS (SELECT 1 FROM p_gate_entries x \
                   WHERE x.gate_id = e.gate_id AND x.kind = 'parcel_pickup' \
                   AND x.subject = e.entry_id) \
                 FROM p_gate_entries e WHERE e.gate_id = ?1 AND e.entry_id = ?2 \
                 AND e.kind = 'parcel'",
            )?;
            let mut rows = stmt.query(rusqlite::params![gate_id, parcel])?;
            match rows.next()? {
                Some(r) => Ok(Some((r.get(0)?, r.get(1)?))),
                None => Ok(None),
            }
        })?;
        let Some((doc_id, collected)) = found else {
            return Err(Error::NotFound {
                what: "parcel",
                id: parcel,
            });
        };
        if collected {
            return Err(Error::state(
                "parcel",
                &parcel,
                ErrorCode::ParcelCollected,
                "collected already".to_owned(),
            ));
        }
        let log: GateLogDoc = self.read_record(&doc_id, "gate log")?;
        let Some(GateEntryKind::Parcel {
            household, carrier, ..
        }) = log
            .entries
            .into_iter()
            .find(|e| e.id == parcel)
            .map(|e| e.kind)
        else {
            return Err(Error::NotFound {
                what: "parcel",
                id: parcel,
            });
        };
        let kind = GateEntryKind::Parcel {
            recipient: collected_by,
            household,
            carrier,
            picked_up: Some(parcel),
        };
        self.append_gate_entry(gate_id, "gate.parcel_pickup", kind)
    }

    /// The parcels logged at the gate and not collected, oldest first.
    pub fn parcels_waiting(&self, gate_id: &str) -> Result<Vec<GateEntryRow>> {
        self.store.read(|c| {
            let sql = format!(
                "{GATE_ENTRY_ROW} WHERE e.gate_id = ?1 AND e.kind = 'parcel' \
                 AND NOT EXISTS (SELECT 1 FROM p_gate_entries x WHERE x.gate_id = e.gate_id \
                   AND x.kind = 'parcel_pickup' AND x.subject = e.entry_id) \
                 ORDER BY e.at_ms, e.entry_id LIMIT ?2"
            );
            let mut stmt = c.prepare_cached(&sql)?;
            let rows =
                stmt.query_map(rusqlite::params![gate_id, GOODS_LIST_LIMIT], gate_entry_row)?;
            rows.collect::<Result<Vec<_>, _>>().map_err(Error::from)
        })
    }
}
