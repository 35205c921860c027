//! Why the core refused an input, an action or a state: a stable code the apps turn into a
//! whole sentence from their string tables (`error_code_<code>`), and the names of the input
//! fields an error can point at (`field_<key>`), so that no English detail text ever reaches
//! a screen.

macro_rules! error_codes {
    ($($(#[$meta:meta])* $variant:ident = $code:literal),+ $(,)?) => {
        /// Why something was refused; see the module documentation.
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
        pub enum ErrorCode {
            $($(#[$meta])* $variant),+
        }

        impl ErrorCode {
            /// Every code, for the apps' string-table checks.
            pub const ALL: &'static [ErrorCode] = &[$(ErrorCode::$variant),+];

            /// The stable code (`snake_case`), never changed once released.
            pub fn code(self) -> &'static str {
                match self { $(ErrorCode::$variant => $code),+ }
            }
        }
    };
}

error_codes! {
    // An input field's value.
    /// A required value is missing.
    Empty = "empty",
    /// Longer than the field allows.
    TooLong = "too_long",
    /// Holds control characters (a line break in a name).
    ControlCharacters = "control_characters",
    /// A number outside the field's range.
    OutOfRange = "out_of_range",
    /// Not a phone number.
    NotAPhone = "not_a_phone",
    /// Not a licence plate.
    NotAPlate = "not_a_plate",
    /// Not a date written YYYY-MM-DD.
    NotADate = "not_a_date",
    /// Not a time of day written HH:MM.
    NotATime = "not_a_time",
    /// Not in the form the field needs (an id, a hash, a key, an export file).
    Malformed = "malformed",
    /// Not one of the values the field allows.
    UnknownValue = "unknown_value",
    /// A time or date that has not come yet.
    InTheFuture = "in_the_future",
    /// An end before its start.
    EndsBeforeStart = "ends_before_start",
    /// A follow-up due before the visit it follows.
    BeforeVisit = "before_visit",
    /// A span longer than allowed (a shift over 24 h, a pass over a year).
    SpanTooLong = "span_too_long",
    /// Names a place this device does not know.
    NoSuchPlace = "no_such_place",
    /// Names a place of the wrong kind for it.
    WrongPlaceKind = "wrong_place_kind",
    /// Names a member this device does not know.
    NoSuchMember = "no_such_member",
    /// Names a deactivated member.
    MemberInactive = "member_inactive",
    /// The member holds no role for this duty slot.
    NoDutyRole = "no_duty_role",
    /// Names the acting member (or the slot's own member) where another one is needed.
    SameMember = "same_member",
    /// Needs another field filled in with it.
    Incomplete = "incomplete",
    /// Matches several records: say which.
    Ambiguous = "ambiguous",
    /// Names someone who is not a resident of the household.
    NotAResident = "not_a_resident",
    /// A pass not signed with the community's key.
    BadSignature = "bad_signature",
    /// A photo empty or too large.
    PhotoSize = "photo_size",
    /// A photo's bytes do not match its name.
    PhotoMismatch = "photo_mismatch",
    /// An id in use already.
    Exists = "exists",
    /// Names a ticket this device does not know.
    NoSuchTicket = "no_such_ticket",
    /// A ticket merged into itself.
    MergeIntoSelf = "merge_into_self",
    /// Names a field the record does not have.
    NoSuchField = "no_such_field",
    /// A conflict resolved with a choice that is not one of its values.
    ChooseValue = "choose_value",
    /// A record in a scope it cannot live in.
    WrongScope = "wrong_scope",
    /// A record of another kind than asked for.
    WrongKind = "wrong_kind",
    // A record's state.
    /// Checked in already at this gate.
    AlreadyCheckedIn = "already_checked_in",
    /// Not checked in at this gate.
    NotCheckedIn = "not_checked_in",
    /// Nobody holds the slot.
    SlotEmpty = "slot_empty",
    /// The swap was answered already.
    SwapAnswered = "swap_answered",
    /// The swap is not waiting for approval.
    SwapNotWaiting = "swap_not_waiting",
    /// The isolation was released already.
    IsolationReleased = "isolation_released",
    /// The household is not in isolation.
    NotInIsolation = "not_in_isolation",
    /// Every occurrence of the reminder is done.
    ReminderDone = "reminder_done",
    /// This device belongs to a community already.
    CommunityExists = "community_exists",
    /// The field has no conflict (any more).
    NoConflict = "no_conflict",
    /// The ticket is closed (or merged, or not open).
    TicketClosed = "ticket_closed",
    /// Only a resolved ticket can be evaluated.
    TicketNotResolved = "ticket_not_resolved",
    /// Someone accepted the ticket already.
    TicketAccepted = "ticket_accepted",
    /// The ticket is at that level (or the county's) already.
    AlreadyAtLevel = "already_at_level",
    /// The ticket was itself merged into another.
    TicketMerged = "ticket_merged",
    /// The ticket is with a department already.
    AlreadyDispatched = "already_dispatched",
    /// The department's work order is finished (resolved or handed back).
    OrderFinished = "order_finished",
    /// The department took the work order already.
    OrderAccepted = "order_accepted",
    /// The department asked nothing that waits for an answer (or asks already).
    NoQuestionOpen = "no_question_open",
    /// Someone claimed the need already.
    NeedClaimed = "need_claimed",
    /// The need's lead confirmed it already.
    NeedConfirmed = "need_confirmed",
    /// Nobody recorded a service for the need yet.
    NotServed = "not_served",
    /// The step of the joint action was marked done already.
    StepDone = "step_done",
    /// The evaluation round is closed (or not opened).
    RoundClosed = "round_closed",
    /// The member voted in this round already.
    AlreadyVoted = "already_voted",
    /// The member rated this subject in this round already.
    AlreadyRated = "already_rated",
    /// Names someone or something that is not evaluated (an area lead, a unit, a lead to vote
    /// for).
    NotRated = "not_rated",
    /// The parcel was collected already.
    ParcelCollected = "parcel_collected",
    // The acting member.
    /// The member's roles over the place do not allow it.
    RoleRequired = "role_required",
    /// The item is someone else's (a swap offered to another member, a reminder for others).
    NotForYou = "not_for_you",
}

/// Every input field an error can name, by its key: the last part of the field's path
/// without indices (`residents[0].phone` → `phone`, see [`field_key`]).
pub const INPUT_FIELDS: &[&str] = &[
    "action",
    "actor_id",
    "admin_name",
    "admin_phone",
    "answer",
    "arrived_from",
    "arrived_on",
    "arrived_since",
    "at",
    "birth_year",
    "building_id",
    "bytes",
    "candidate",
    "carrier",
    "celsius",
    "checks_per_day",
    "collected_by",
    "comment",
    "date",
    "day",
    "days",
    "department",
    "description",
    "device_id",
    "diastolic",
    "doc_id",
    "end",
    "export",
    "first_due",
    "follow_up_due",
    "follow_up_note",
    "format",
    "from",
    "hash",
    "household_id",
    "id",
    "into",
    "key",
    "kind",
    "label",
    "lead_days",
    "level",
    "member_id",
    "message",
    "minutes",
    "moved_in",
    "moved_out",
    "name",
    "needs",
    "note",
    "on",
    "opinions",
    "other",
    "outcome",
    "owner_member",
    "owner_role",
    "parcel",
    "parent",
    "pass",
    "pass_id",
    "pass_key",
    "path",
    "person",
    "phone",
    "photo",
    "photos",
    "place",
    "place_ref",
    "place_text",
    "places",
    "planned_end",
    "plate",
    "purpose",
    "question",
    "reason",
    "recipient",
    "repeat",
    "resident_id",
    "resident_name",
    "resolution",
    "role",
    "room",
    "safety_officers",
    "scope",
    "score",
    "sha256",
    "start",
    "status",
    "step",
    "steps",
    "subject",
    "summary",
    "systolic",
    "tag",
    "tags",
    "temperature_c",
    "text",
    "tickets",
    "title",
    "to",
    "to_member",
    "unit",
    "until",
    "utc_offset_minutes",
    "valid_until",
    "visit_id",
    "visitor_name",
    "watch",
    "watch_count",
    "what",
];

/// The key of a field's label: the last part of its path, indices dropped
/// (`residents[0].phone` → `phone`, `health.systolic` → `systolic`).
pub fn field_key(field: &str) -> &str {
    let last = field.rsplit('.').next().unwrap_or(field);
    last.split('[').next().unwrap_or(last)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn codes_are_unique_snake_case() {
        let mut seen = std::collections::HashSet::new();
        for c in ErrorCode::ALL {
            assert!(seen.insert(c.code()), "{} twice", c.code());
            assert!(
                c.code()
                    .chars()
                    .all(|ch| ch.is_ascii_lowercase() || ch == '_')
            );
        }
        let mut fields = INPUT_FIELDS.to_vec();
        fields.sort_unstable();
        fields.dedup();
        assert_eq!(fields.len(), INPUT_FIELDS.len(), "a field listed twice");
    }

    #[test]
    fn field_keys_drop_paths_and_indices() {
        assert_eq!(field_key("residents[0].phone"), "phone");
        assert_eq!(field_key("health.systolic"), "systolic");
        assert_eq!(field_key("photos[3]"), "photos");
        assert_eq!(field_key("room"), "room");
    }

    /// Every field a core source names in an input error is listed, so that every app has
    /// its label: a new field without a label fails here, not on a phone.
    #[test]
    fn every_field_the_sources_name_is_listed() {
        let root = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("src");
        let mut named = Vec::new();
        for (path, text) in crate::test_support::sources::rust_sources(&root) {
            if !path.ends_with("error_code.rs") {
                named.extend(fields_named_in(&text));
            }
        }
        assert!(named.len() > 50, "{} fields found", named.len());
        let missing: Vec<_> = named
            .iter()
            .map(|f| field_key(f))
            .filter(|k| !INPUT_FIELDS.contains(k))
            .collect();
        assert!(missing.is_empty(), "fields without a label: {missing:?}");
    }

    /// The literal field names given to the input checks and to `Error::invalid`.
    fn fields_named_in(text: &str) -> Vec<String> {
        let mut out = Vec::new();
        for opener in ["validate::", "Error::invalid(", "parse_code("] {
            for (at, _) in text.match_indices(opener) {
                let rest = &text[at + opener.len()..];
                // `validate::name("visitor_name", …)`: skip the function's name.
                let rest = match opener {
                    "validate::" => match rest.find('(') {
                        Some(p)
                            if rest[..p].chars().all(|c| {
                                c.is_ascii_lowercase() || c == '_' || c.is_ascii_digit()
                            }) =>
                        {
                            &rest[p + 1..]
                        }
                        _ => continue,
                    },
                    "parse_code(" => match rest.find(',') {
                        Some(p) if !rest[..p].contains(')') => &rest[p + 1..],
                        _ => continue,
                    },
                    _ => rest,
                };
                let rest = rest.trim_start();
                if let Some(lit) = rest.strip_prefix('"')
                    && let Some(end) = lit.find('"')
                {
                    out.push(lit[..end].to_owned());
                }
            }
        }
        out
    }
}
