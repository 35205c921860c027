//! Vehicles and parcels past their arrival, as the gate's phone sees them: a vehicle logged
//! out, the vehicles still inside, a parcel collected, the parcels still waiting.

use crate::error::{LinliError, guard};
use crate::records::GateEntryRow;
use crate::store::LinliStore;

type R<T> = Result<T, LinliError>;

#[uniffi::export]
impl LinliStore {
    /// Logs a vehicle leaving through the gate. Returns the entry's id.
    pub fn register_vehicle_exit(&self, gate_id: String, plate: String) -> R<String> {
        guard(|| self.inner.register_vehicle_exit(&gate_id, &plate))
    }

    /// The vehicles whose last entry at the gate is one coming in, oldest first.
    pub fn vehicles_inside(&self, gate_id: String) -> R<Vec<GateEntryRow>> {
        guard(|| self.inner.vehicles_inside(&gate_id))
    }

    /// Records who collected the parcel logged as entry `parcel_id`. Returns the entry's id.
    pub fn pick_up_parcel(
        &self,
        gate_id: String,
        parcel_id: String,
        collected_by: String,
    ) -> R<String> {
        guard(|| {
            self.inner
                .pick_up_parcel(&gate_id, &parcel_id, &collected_by)
        })
    }

    /// The parcels logged at the gate and not collected, oldest first (any of its days).
    pub fn parcels_waiting(&self, gate_id: String) -> R<Vec<GateEntryRow>> {
        guard(|| self.inner.parcels_waiting(&gate_id))
    }
}
