//! The store object: one phone's Linli data, with every user-facing operation of the core.
//! Each method is a line into `linli-core`, guarded so that a panic becomes an error. The
//! object is `Send + Sync`; the apps may call it from any thread.

use std::path::Path;
use std::sync::Arc;

use linli_core::{DeviceIdentity, Linli, StoreKey, SystemClock};

use crate::enums::*;
use crate::error::{LinliError, guard};
use crate::mirror::{Convert, Timestamp, parse_date};
use crate::records::*;
use crate::watch::{DataObserver, Subscription};

type R<T> = Result<T, LinliError>;

/// A phone's store.
#[derive(Debug, uniffi::Object)]
pub struct LinliStore {
    pub(crate) inner: Arc<Linli>,
}

/// A new automerge actor id for an install: make it before enrolment, which binds it to the
/// device, and open the store with it.
#[uniffi::export]
pub fn new_actor_id() -> String {
    Linli::new_actor_id()
}

/// Deletes a store's files (after the office revoked the device). The app then deletes the
/// store's key from the platform's key store.
#[uniffi::export]
pub fn wipe_store(path: String) -> R<()> {
    guard(|| linli_core::wipe_store(Path::new(&path)))
}

/// The QR code of `text` (a pass's text, an enrolment code), medium error correction, for the
/// screen to draw.
#[uniffi::export]
pub fn qr_code(text: String) -> R<QrMatrix> {
    let code = qrcode::QrCode::with_error_correction_level(text.as_bytes(), qrcode::EcLevel::M)
        .map_err(|e| {
            linli_core::Error::invalid(
                "text",
                linli_core::ErrorCode::TooLong,
                format!("too long for a QR code: {e}"),
            )
        })?;
    Ok(QrMatrix {
        size: code.width() as u32,
        dark: code
            .to_colors()
            .into_iter()
            .map(|c| c == qrcode::Color::Dark)
            .collect(),
    })
}

/// The local date `days` days after `date` (both `YYYY-MM-DD`; `days` may be negative): calendar
/// arithmetic on dates alone, so that no screen reaches for the phone's time zone.
#[uniffi::export]
pub fn add_days(date: String, days: i32) -> R<String> {
    let date = parse_date("date", &date)?;
    let shifted = if days >= 0 {
        date.checked_add_days(chrono::Days::new(days.unsigned_abs().into()))
    } else {
        date.checked_sub_days(chrono::Days::new(days.unsigned_abs().into()))
    };
    shifted.map(|d| d.convert()).ok_or_else(|| {
        linli_core::Error::invalid(
            "days",
            linli_core::ErrorCode::OutOfRange,
            "beyond the calendar",
        )
        .into()
    })
}

/// A new random 256-bit store key, from the operating system's generator: made once per
/// install, kept wrapped by the Android Keystore or in the iOS Keychain (this device only),
/// and given to [`LinliStore::open`].
#[uniffi::export]
pub fn new_store_key() -> Vec<u8> {
    StoreKey::generate().as_bytes().to_vec()
}

/// Re-encrypts the closed store at `path` from key `old_key` to `new_key` (a key rotation).
/// `WrongKey` when `old_key` does not open it, `StoreInUse` while it is open; nothing changes
/// then. Keep the old key until this returns.
#[uniffi::export]
pub fn rekey_store(path: String, old_key: Vec<u8>, new_key: Vec<u8>) -> R<()> {
    guard(|| {
        let from = StoreKey::from_bytes(&old_key)?;
        let to = StoreKey::from_bytes(&new_key)?;
        Linli::rekey(Path::new(&path), &from, &to)
    })
}

#[uniffi::export]
impl LinliStore {
    /// Opens (or creates) the store at `path` for a member's device, encrypted with `key` (32
    /// bytes, from [`new_store_key`]), writing as `actor_id` (the one enrolment bound; none
    /// keeps the store's own). A plain store from an earlier version is encrypted in place on
    /// its first open with a key, with nothing lost. A key that does not open the store is
    /// `WrongKey`, with nothing touched.
    #[uniffi::constructor]
    pub fn open(
        path: String,
        key: Vec<u8>,
        member_id: String,
        device_id: String,
        actor_id: Option<String>,
    ) -> R<Arc<LinliStore>> {
        guard(|| {
            let key = StoreKey::from_bytes(&key)?;
            Linli::open_with_actor(
                Path::new(&path),
                DeviceIdentity {
                    member_id,
                    device_id,
                },
                Arc::new(SystemClock),
                actor_id.as_deref(),
                Some(&key),
            )
            .map(|inner| LinliStore {
                inner: Arc::new(inner),
            })
        })
        .map(Arc::new)
    }

    /// The member this store belongs to.
    pub fn member_id(&self) -> String {
        self.inner.identity().member_id.clone()
    }

    /// The device id.
    pub fn device_id(&self) -> String {
        self.inner.identity().device_id.clone()
    }

    /// The automerge actor this device writes as.
    pub fn actor_id(&self) -> String {
        self.inner.actor_id()
    }

    /// Cache counters.
    pub fn stats(&self) -> StoreStats {
        self.inner.stats().convert()
    }

    /// Calls `observer` with the ids of the records each committed write touched, until the
    /// returned subscription is dropped (or `cancel()`ed).
    pub fn subscribe(&self, observer: Arc<dyn DataObserver>) -> Arc<Subscription> {
        Subscription::start(&self.inner, observer)
    }

    /// How many subscriptions are active on this store.
    pub fn subscriber_count(&self) -> u64 {
        self.inner.watcher_count() as u64
    }

    // ---- directory ----

    /// Creates the community with this device's member as its office.
    pub fn create_community(
        &self,
        name: String,
        utc_offset_minutes: Option<i32>,
        admin_name: String,
        admin_phone: String,
    ) -> R<CommunityInfo> {
        guard(|| {
            self.inner
                .create_community(&name, utc_offset_minutes, &admin_name, &admin_phone)
        })
    }

    /// The community.
    pub fn community(&self) -> R<CommunityInfo> {
        guard(|| self.inner.community())
    }

    /// Adds a place.
    pub fn add_place(&self, kind: PlaceKind, name: String, parent: Option<String>) -> R<String> {
        guard(|| {
            self.inner
                .add_place(kind.convert(), &name, parent.as_deref())
        })
    }

    /// Adds a member.
    pub fn add_member(&self, input: MemberInput) -> R<String> {
        guard(|| self.inner.add_member(&input.convert()))
    }

    /// Grants a role.
    pub fn grant_role(&self, member_id: String, role: RoleInput) -> R<()> {
        guard(|| self.inner.grant_role(&member_id, &role.convert()))
    }

    /// Deactivates a member.
    pub fn deactivate_member(&self, member_id: String) -> R<()> {
        guard(|| self.inner.deactivate_member(&member_id))
    }

    /// Places, of one kind or all.
    pub fn places(&self, kind: Option<PlaceKind>) -> R<Vec<PlaceRow>> {
        guard(|| self.inner.places(kind.convert()))
    }

    /// The buildings or gates this member works at (those it may write).
    pub fn my_places(&self, kind: PlaceKind) -> R<Vec<PlaceRow>> {
        guard(|| self.inner.my_places(kind.convert()))
    }

    /// A place's name.
    pub fn place_name(&self, id: String) -> R<String> {
        guard(|| self.inner.place_name(&id))
    }

    /// Every member.
    pub fn members(&self) -> R<Vec<MemberRow>> {
        guard(|| self.inner.members())
    }

    /// One member.
    pub fn member(&self, id: String) -> R<MemberRow> {
        guard(|| self.inner.member(&id))
    }

    // ---- gate duty ----

    /// Adds a shift to a gate's roster week.
    pub fn add_shift(
        &self,
        gate_id: String,
        label: String,
        start: Timestamp,
        end: Timestamp,
        safety_officers: u32,
    ) -> R<String> {
        guard(|| {
            self.inner
                .add_shift(&gate_id, &label, start, end, safety_officers)
        })
    }

    /// Adds a shift on the community's local `day` (`2026-12-02`) from times written `HH:MM`
    /// in the community's time, whatever the phone's time zone; an end at or before the start
    /// is the next morning.
    pub fn add_shift_on(
        &self,
        gate_id: String,
        label: String,
        day: String,
        start: String,
        end: String,
        safety_officers: u32,
    ) -> R<String> {
        let day = parse_date("day", &day)?;
        guard(|| {
            self.inner
                .add_shift_on(&gate_id, &label, day, &start, &end, safety_officers)
        })
    }

    /// Assigns (or clears) a slot.
    pub fn assign_slot(
        &self,
        gate_id: String,
        shift_id: String,
        slot_id: String,
        member_id: Option<String>,
    ) -> R<()> {
        guard(|| {
            self.inner
                .assign_slot(&gate_id, &shift_id, &slot_id, member_id.as_deref())
        })
    }

    /// The roster week holding `day` (`YYYY-MM-DD`).
    pub fn roster_week(&self, gate_id: String, day: String) -> R<Vec<ShiftRow>> {
        let day = parse_date("day", &day)?;
        guard(|| self.inner.roster_week(&gate_id, day))
    }

    /// Asks another member to take a slot.
    pub fn request_swap(
        &self,
        gate_id: String,
        shift_id: String,
        slot_id: String,
        to_member: String,
    ) -> R<String> {
        guard(|| {
            self.inner
                .request_swap(&gate_id, &shift_id, &slot_id, &to_member)
        })
    }

    /// Accepts a swap asked of this member.
    pub fn accept_swap(&self, gate_id: String, swap_id: String) -> R<()> {
        guard(|| self.inner.accept_swap(&gate_id, &swap_id))
    }

    /// Approves a swap (gate lead).
    pub fn approve_swap(&self, gate_id: String, swap_id: String) -> R<()> {
        guard(|| self.inner.approve_swap(&gate_id, &swap_id))
    }

    /// The gate's swap requests.
    pub fn swaps(&self, gate_id: String) -> R<Vec<SwapRow>> {
        guard(|| self.inner.swaps(&gate_id))
    }

    /// The badge view: who is on duty at the gate now.
    pub fn on_duty(&self, gate_id: String) -> R<OnDutyView> {
        guard(|| self.inner.on_duty(&gate_id))
    }

    /// Checks in at the gate.
    pub fn check_in(&self, gate_id: String) -> R<String> {
        guard(|| self.inner.check_in(&gate_id))
    }

    /// Checks out.
    pub fn check_out(&self, gate_id: String) -> R<String> {
        guard(|| self.inner.check_out(&gate_id))
    }

    /// Hands the duty over to another member.
    pub fn hand_over(&self, gate_id: String, to_member: String) -> R<String> {
        guard(|| self.inner.hand_over(&gate_id, &to_member))
    }

    /// Registers a visitor.
    pub fn register_visitor(&self, gate_id: String, visitor: VisitorInput) -> R<String> {
        guard(|| self.inner.register_visitor(&gate_id, &visitor.convert()))
    }

    /// Registers a vehicle.
    pub fn register_vehicle(&self, gate_id: String, plate: String, purpose: String) -> R<String> {
        guard(|| self.inner.register_vehicle(&gate_id, &plate, &purpose))
    }

    /// Registers a parcel.
    pub fn register_parcel(
        &self,
        gate_id: String,
        recipient: String,
        household: Option<String>,
        carrier: String,
    ) -> R<String> {
        guard(|| {
            self.inner
                .register_parcel(&gate_id, &recipient, household.as_deref(), &carrier)
        })
    }

    /// Records a temperature check; a fever reading is flagged.
    pub fn record_temperature(
        &self,
        gate_id: String,
        person: String,
        celsius: f64,
    ) -> R<TemperatureEntry> {
        guard(|| self.inner.record_temperature(&gate_id, &person, celsius))
    }

    /// Records a patrol note.
    pub fn record_patrol(&self, gate_id: String, note: String) -> R<String> {
        guard(|| self.inner.record_patrol(&gate_id, &note))
    }

    /// Records an incident.
    pub fn record_incident(&self, gate_id: String, note: String, severity: Severity) -> R<String> {
        guard(|| {
            self.inner
                .record_incident(&gate_id, &note, severity.convert())
        })
    }

    /// The gate's entries of a local date (`YYYY-MM-DD`).
    pub fn gate_entries(&self, gate_id: String, date: String) -> R<Vec<GateEntryRow>> {
        let date = parse_date("date", &date)?;
        guard(|| self.inner.gate_entries(&gate_id, date))
    }

    // ---- households and visits ----

    /// Registers a household.
    pub fn register_household(&self, input: HouseholdInput) -> R<String> {
        guard(|| self.inner.register_household(&input.convert()))
    }

    /// Registers many households in one transaction.
    pub fn import_households(&self, inputs: Vec<HouseholdInput>) -> R<Vec<String>> {
        let inputs: Vec<linli_core::api::households::HouseholdInput> = inputs.convert();
        guard(|| self.inner.import_households(&inputs))
    }

    /// Sets a household's phone.
    pub fn set_household_phone(&self, household_id: String, phone: String) -> R<()> {
        guard(|| self.inner.set_household_phone(&household_id, &phone))
    }

    /// Sets or clears a tag.
    pub fn set_household_tag(&self, household_id: String, tag: Tag, on: bool) -> R<()> {
        guard(|| {
            self.inner
                .set_household_tag(&household_id, tag.convert(), on)
        })
    }

    /// Sets or clears the watch plan.
    pub fn set_watch_plan(&self, household_id: String, plan: Option<WatchPlanInput>) -> R<()> {
        guard(|| self.inner.set_watch_plan(&household_id, plan.convert()))
    }

    /// Adds a resident.
    pub fn add_resident(&self, household_id: String, resident: ResidentInput) -> R<String> {
        guard(|| self.inner.add_resident(&household_id, &resident.convert()))
    }

    /// Logs a visit.
    pub fn log_visit(&self, household_id: String, input: VisitInput) -> R<String> {
        let input = input.to_core()?;
        guard(|| self.inner.log_visit(&household_id, &input))
    }

    /// A household with its residents and its latest 20 visits, oldest first.
    pub fn household(&self, household_id: String) -> R<HouseholdDetail> {
        guard(|| self.inner.household(&household_id))
    }

    /// Up to `limit` (at most 200) visits of a household made before the visit at
    /// `before_ms` with id `before_id` (both none for the latest), oldest first: scroll back
    /// through a long history a page at a time.
    pub fn household_visits(
        &self,
        household_id: String,
        before_ms: Option<i64>,
        before_id: Option<String>,
        limit: u32,
    ) -> R<Vec<Visit>> {
        let before = before_ms.map(|ms| (ms, before_id.as_deref().unwrap_or("")));
        guard(|| {
            self.inner
                .household_visits(&household_id, before, limit as usize)
        })
    }

    /// The households of a building with their last visit and checks due.
    pub fn households_in_building(&self, building_id: String) -> R<Vec<HouseholdRow>> {
        guard(|| self.inner.households_in_building(&building_id))
    }

    /// The households of a building with a resident who matches `filter` (户籍 / 租户 / 流动,
    /// arrived since a date, moved out or not).
    pub fn households_with(
        &self,
        building_id: String,
        filter: ResidentFilter,
    ) -> R<Vec<HouseholdRow>> {
        let filter = filter.into_core()?;
        guard(|| self.inner.households_with(&building_id, &filter))
    }

    /// Records how a resident lives here and when they came and went; only what changes is
    /// written, so two phones changing different fields offline both keep theirs.
    pub fn set_resident_moves(
        &self,
        household_id: String,
        resident_id: String,
        moves: ResidentMoves,
    ) -> R<()> {
        let moves = moves.into_core()?;
        guard(|| {
            self.inner
                .set_resident_moves(&household_id, &resident_id, &moves)
        })
    }

    /// Watched households whose check is due or overdue.
    pub fn watch_checks_due(&self) -> R<Vec<HouseholdRow>> {
        guard(|| self.inner.watch_checks_due())
    }

    /// Follow-ups due on or before a local date (`YYYY-MM-DD`).
    pub fn follow_ups_due(&self, on: String) -> R<Vec<FollowUpRow>> {
        let on = parse_date("on", &on)?;
        guard(|| self.inner.follow_ups_due(on))
    }

    /// Today's list for this member on a local date (`YYYY-MM-DD`): follow-ups, watch checks,
    /// tickets they answer for, their shifts not checked in, swaps waiting for them; most
    /// urgent first.
    pub fn agenda(&self, date: String) -> R<Vec<AgendaItem>> {
        let date = parse_date("date", &date)?;
        guard(|| self.inner.agenda(date))
    }

    // ---- tickets ----

    /// Reports a problem.
    pub fn report_ticket(&self, input: TicketInput) -> R<String> {
        guard(|| self.inner.report_ticket(&input.convert()))
    }

    /// Accepts a ticket.
    pub fn accept_ticket(&self, id: String) -> R<String> {
        guard(|| self.inner.accept_ticket(&id))
    }

    /// Assigns a ticket to a department.
    pub fn assign_ticket(&self, id: String, department: Department) -> R<String> {
        guard(|| self.inner.assign_ticket(&id, department.convert()))
    }

    /// Escalates a ticket.
    pub fn escalate_ticket(&self, id: String, to: Level, reason: String) -> R<String> {
        guard(|| self.inner.escalate_ticket(&id, to.convert(), &reason))
    }

    /// Replies to the resident.
    pub fn reply_ticket(&self, id: String, message: String) -> R<String> {
        guard(|| self.inner.reply_ticket(&id, &message))
    }

    /// Resolves a ticket.
    pub fn resolve_ticket(&self, id: String, summary: String) -> R<String> {
        guard(|| self.inner.resolve_ticket(&id, &summary))
    }

    /// Records the resident's evaluation.
    pub fn evaluate_ticket(&self, id: String, satisfied: bool, comment: String) -> R<String> {
        guard(|| self.inner.evaluate_ticket(&id, satisfied, &comment))
    }

    /// Attaches a stored photo.
    pub fn attach_photo(&self, id: String, sha256: String) -> R<String> {
        guard(|| self.inner.attach_photo(&id, &sha256))
    }

    /// Merges a duplicate into another ticket.
    pub fn merge_ticket(&self, duplicate: String, into: String) -> R<()> {
        guard(|| self.inner.merge_ticket(&duplicate, &into))
    }

    /// A ticket with its timeline.
    pub fn ticket(&self, id: String) -> R<TicketDetail> {
        guard(|| self.inner.ticket(&id))
    }

    /// The actions this member may take on the ticket now, in display order: the buttons to
    /// show (anything else would be refused).
    pub fn ticket_actions(&self, id: String) -> R<Vec<TicketActionKind>> {
        guard(|| self.inner.ticket_actions(&id))
    }

    /// Tickets matching a filter.
    pub fn tickets(&self, filter: TicketFilter) -> R<Vec<TicketRow>> {
        guard(|| self.inner.tickets(&filter.convert()))
    }

    // ---- photos ----

    /// Stores a photo taken on this device; returns its sha-256.
    pub fn add_photo(&self, bytes: Vec<u8>) -> R<String> {
        guard(|| self.inner.add_photo(&bytes))
    }

    /// A photo, or "pending" while its bytes have not arrived.
    pub fn photo(&self, sha256: String) -> R<Photo> {
        guard(|| self.inner.photo(&sha256))
    }

    // ---- history and conflicts ----

    /// Who changed a record, when, on which device.
    pub fn history(&self, doc_id: String) -> R<Vec<HistoryEntry>> {
        guard(|| self.inner.history(&doc_id))
    }

    /// A record's name in Chinese, for the screens that show any record (its history, its
    /// conflicts): `3号楼 1单元 302`, `工单：楼道灯坏了`, `东门 排班（2026-11-30 起）`.
    pub fn record_name(&self, doc_id: String) -> R<String> {
        guard(|| self.inner.record_name(&doc_id))
    }

    /// Every field in conflict on this device.
    pub fn open_conflicts(&self) -> R<Vec<OpenConflict>> {
        guard(|| self.inner.open_conflicts())
    }

    /// Changes set aside on this device ("未被接受的修改"), newest first.
    pub fn set_aside_changes(&self) -> R<Vec<SetAsideChange>> {
        guard(|| self.inner.set_aside_changes())
    }

    /// This phone's unsent work as JSON (the outbox and its own changes the relay refused,
    /// with their authorship and records), for the office to import when the phone can no
    /// longer sync (`DeviceRevoked`, `MemberDeactivated`, `StoreReplaced`), sealed with the
    /// device's `token` so that the office can tell it comes from this phone.
    pub fn export_unsent(&self, token: String) -> R<String> {
        guard(|| self.inner.export_unsent(&token))
    }

    /// A record's fields in conflict, with each value and who made it.
    pub fn conflicts(&self, doc_id: String) -> R<Vec<Conflict>> {
        guard(|| self.inner.conflicts(&doc_id))
    }

    /// Resolves a conflict.
    pub fn resolve_conflict(
        &self,
        doc_id: String,
        path: Vec<String>,
        resolution: Resolution,
    ) -> R<()> {
        guard(|| {
            self.inner
                .resolve_conflict(&doc_id, &path, &resolution.convert())
        })
    }

    // ---- the day-end report ----

    /// Creates a reminder (民情日志; the office only). Returns its id.
    pub fn add_reminder(&self, input: ReminderInput) -> R<String> {
        let input = input.into_core()?;
        guard(|| self.inner.add_reminder(&input))
    }

    /// Marks the reminder's current occurrence done (the office, or a member it concerns).
    /// Returns the next occurrence's due date (`YYYY-MM-DD`), if it repeats.
    pub fn complete_reminder(&self, reminder_id: String) -> R<Option<String>> {
        guard(|| self.inner.complete_reminder(&reminder_id))
    }

    /// The reminders this member sees on a local date (`YYYY-MM-DD`), soonest first.
    pub fn reminders(&self, date: String) -> R<Vec<ReminderRow>> {
        let date = parse_date("date", &date)?;
        guard(|| self.inner.reminders(date))
    }

    /// Puts a resident under home isolation; returns its id.
    pub fn start_isolation(&self, household_id: String, input: IsolationInput) -> R<String> {
        let input = input.into_core()?;
        guard(|| self.inner.start_isolation(&household_id, &input))
    }

    /// Records a check of an isolated resident (flagged on a fever or a symptom).
    pub fn record_isolation_check(
        &self,
        household_id: String,
        isolation_id: String,
        input: IsolationCheckInput,
    ) -> R<IsolationCheckRecorded> {
        let input = input.convert();
        guard(|| {
            self.inner
                .record_isolation_check(&household_id, &isolation_id, &input)
        })
    }

    /// Releases an isolated resident.
    pub fn release_isolation(&self, household_id: String, isolation_id: String) -> R<()> {
        guard(|| self.inner.release_isolation(&household_id, &isolation_id))
    }

    /// Records an errand the household needs (药品, 食品, 垃圾清运); returns its id.
    pub fn add_errand(&self, household_id: String, kind: ErrandKind, note: String) -> R<String> {
        guard(|| self.inner.add_errand(&household_id, kind.convert(), &note))
    }

    /// Marks an errand delivered.
    pub fn deliver_errand(&self, household_id: String, errand_id: String) -> R<()> {
        guard(|| self.inner.deliver_errand(&household_id, &errand_id))
    }

    /// The household's errands, open ones first.
    pub fn errands(&self, household_id: String) -> R<Vec<ErrandRow>> {
        guard(|| self.inner.errands(&household_id))
    }

    /// Every isolated resident's checks on a local date (`YYYY-MM-DD`).
    pub fn isolation_days(&self, date: String) -> R<Vec<IsolationDay>> {
        let date = parse_date("date", &date)?;
        guard(|| self.inner.isolation_days(date))
    }

    /// Checks a scanned or typed pass at a gate, offline (signature, validity, gate,
    /// revocation, a night pass's hours); every check is a gate entry.
    pub fn check_pass(&self, gate_id: String, text: String) -> R<PassCheck> {
        guard(|| self.inner.check_pass(&gate_id, &text))
    }

    /// The passes issued to a household's residents, newest id last.
    pub fn passes(&self, household_id: String) -> R<Vec<IssuedPassRow>> {
        guard(|| {
            let revoked = self.inner.revoked_passes()?;
            Ok::<_, linli_core::Error>(
                self.inner
                    .passes(&household_id)?
                    .into_iter()
                    .map(|(id, p)| IssuedPassRow {
                        revoked: revoked.contains(&id),
                        id,
                        kind: p.kind.convert(),
                        holder: p.holder,
                        valid_from_ms: p.valid_from_ms,
                        valid_until_ms: p.valid_until_ms,
                        gates: p.gates,
                        text: p.text,
                    })
                    .collect::<Vec<_>>(),
            )
        })
    }

    /// Revokes a pass (the office): gate phones refuse it from their next sync.
    pub fn revoke_pass(&self, pass_id: String) -> R<()> {
        guard(|| self.inner.revoke_pass(&pass_id))
    }

    /// Passes let through after they had been revoked (the gate had not synced yet).
    pub fn passes_let_through_after_revocation(&self) -> R<Vec<LateRevocation>> {
        guard(|| {
            Ok::<_, linli_core::Error>(
                self.inner
                    .passes_let_through_after_revocation()?
                    .into_iter()
                    .map(|(entry_id, gate_id, pass_id, at_ms)| LateRevocation {
                        entry_id,
                        gate_id,
                        pass_id,
                        at: linli_core::ids::ms_to_utc(at_ms),
                    })
                    .collect::<Vec<_>>(),
            )
        })
    }

    /// The day-end report of a local date (`YYYY-MM-DD`).
    pub fn day_report(&self, date: String) -> R<DayReport> {
        let date = parse_date("date", &date)?;
        guard(|| self.inner.day_report(date))
    }

    /// The day-end report as CSV.
    pub fn day_report_csv(&self, date: String) -> R<String> {
        let date = parse_date("date", &date)?;
        guard(|| self.inner.day_report(date).map(|r| r.to_csv()))
    }

    /// The day-end report as Markdown.
    pub fn day_report_markdown(&self, date: String) -> R<String> {
        let date = parse_date("date", &date)?;
        guard(|| self.inner.day_report(date).map(|r| r.to_markdown()))
    }

    /// Today's local date in the community (`YYYY-MM-DD`).
    pub fn today(&self) -> R<String> {
        guard(|| {
            let c = self.inner.community()?;
            Ok::<_, linli_core::Error>(c.local_date(self.inner.now()))
        })
    }

    // ---- sync state ----

    /// Changes waiting to go to the relay.
    pub fn outbox_len(&self) -> R<u64> {
        guard(|| self.inner.outbox_len())
    }
}
