//! The wire format between phones and the relay: typed messages encoded with postcard and
//! compressed with deflate, behind a four-byte magic and a protocol version, so that a relay
//! can refuse a phone it does not understand with a clear message instead of misreading it.
//! Errors travel as small JSON bodies (`{"error": code, "message": text}`) that a person can
//! read with curl.
//!
//! Requests are bounded while they decode: each list holds at most so many elements and each
//! id or scope at most so many bytes, so that a small body cannot unfold into millions of
//! elements before anyone looks at it.

use std::cell::Cell;
use std::fmt;
use std::io::{Read, Write};
use std::marker::PhantomData;

use flate2::Compression;
use flate2::read::DeflateDecoder;
use flate2::write::DeflateEncoder;
use serde::de::{self, DeserializeOwned, SeqAccess, Visitor};
use serde::{Deserialize, Deserializer, Serialize};

use crate::doc::DocKind;
pub use crate::store::RemoteChange;

/// The protocol version this build speaks.
pub const PROTOCOL_VERSION: u16 = 5;
/// The media type of encoded messages.
pub const MEDIA_TYPE: &str = "application/vnd.linli.sync";
/// The header that carries the protocol version on every request.
pub const VERSION_HEADER: &str = "linli-protocol";
/// The first bytes of every encoded message.
pub const MAGIC: &[u8; 4] = b"LNLI";
/// The most bytes a message may decompress to.
pub const MAX_DECODED_BYTES: u64 = 64 * 1024 * 1024;
/// The most changes one sync request may push (a phone's requests grow to at most 8,000, see
/// [`super::push_size`]).
pub const MAX_PUSH_CHANGES: usize = 10_000;
/// The most cursors one sync request may name: one per scope the device reads.
pub const MAX_CURSORS: usize = 20_000;
/// The most documents one sync request may ask changes of by hash.
pub const MAX_WANTS: usize = 10_000;
/// The most change hashes asked for one document.
pub const MAX_HASHES_PER_WANT: usize = 10_000;
/// The longest document id in a request, in bytes.
pub const MAX_DOC_ID_BYTES: usize = 128;
/// The longest scope in a request, in bytes.
pub const MAX_SCOPE_BYTES: usize = 128;
/// The longest enrolment code, device name or actor id, in bytes.
pub const MAX_ENROL_FIELD_BYTES: usize = 256;

/// Why a message could not be decoded.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum DecodeError {
    /// The body does not start with the magic.
    #[error("the body is not a Linli sync message (bad magic)")]
    BadMagic,
    /// The body is of a protocol version this build does not speak.
    #[error("protocol version {found} is not supported (this side speaks {PROTOCOL_VERSION})")]
    UnsupportedVersion {
        /// The version found.
        found: u16,
    },
    /// Decompressing or decoding failed.
    #[error("the message is corrupt or truncated: {0}")]
    Corrupt(String),
    /// The body decompresses to more than [`MAX_DECODED_BYTES`].
    #[error("the message decompresses to more than {MAX_DECODED_BYTES} bytes")]
    TooLarge,
    /// A list of the message holds more elements than a request may.
    #[error("the message holds more than {limit} {field}")]
    TooManyElements {
        /// What the list holds.
        field: &'static str,
        /// The most it may hold.
        limit: usize,
    },
    /// A text of the message is longer than a request's may be.
    #[error("a {field} of the message is longer than {limit} bytes")]
    TooLong {
        /// Which text.
        field: &'static str,
        /// The most bytes it may have.
        limit: usize,
    },
}

/// Encodes `message`.
pub fn encode<T: Serialize>(message: &T) -> Vec<u8> {
    let body = postcard::to_stdvec(message).unwrap_or_default();
    let mut out = Vec::with_capacity(body.len() / 2 + 8);
    out.extend_from_slice(MAGIC);
    out.extend_from_slice(&PROTOCOL_VERSION.to_be_bytes());
    let mut encoder = DeflateEncoder::new(out, Compression::fast());
    // Writing into a Vec cannot fail.
    let _ = encoder.write_all(&body);
    encoder.finish().unwrap_or_default()
}

/// Decodes a message, checking magic, version and size.
pub fn decode<T: DeserializeOwned>(bytes: &[u8]) -> Result<T, DecodeError> {
    let rest = bytes.strip_prefix(MAGIC).ok_or(DecodeError::BadMagic)?;
    let (version, body) = rest
        .split_first_chunk::<2>()
        .ok_or_else(|| DecodeError::Corrupt("no version".into()))?;
    let found = u16::from_be_bytes(*version);
    if found != PROTOCOL_VERSION {
        return Err(DecodeError::UnsupportedVersion { found });
    }
    let mut plain = Vec::new();
    DeflateDecoder::new(body)
        .take(MAX_DECODED_BYTES + 1)
        .read_to_end(&mut plain)
        .map_err(|e| DecodeError::Corrupt(e.to_string()))?;
    if plain.len() as u64 > MAX_DECODED_BYTES {
        return Err(DecodeError::TooLarge);
    }
    REFUSED.with(|r| r.set(None));
    postcard::from_bytes(&plain).map_err(|e| {
        REFUSED
            .with(Cell::take)
            .unwrap_or_else(|| DecodeError::Corrupt(e.to_string()))
    })
}

thread_local! {
    /// Why the bounded decoding on this thread stopped last: postcard keeps no message of a
    /// custom error, so the reason travels beside it.
    static REFUSED: Cell<Option<DecodeError>> = const { Cell::new(None) };
}

/// Stops decoding with `reason`.
fn refuse<E: de::Error>(reason: DecodeError) -> E {
    let error = E::custom(&reason);
    REFUSED.with(|r| r.set(Some(reason)));
    error
}

fn too_long<E: de::Error>(field: &'static str, limit: usize, text: &str) -> Result<(), E> {
    if text.len() > limit {
        return Err(refuse(DecodeError::TooLong { field, limit }));
    }
    Ok(())
}

/// An element of a bounded list, checked as soon as it is decoded.
trait Bounded: DeserializeOwned {
    /// Refuses an element whose texts are too long.
    fn check<E: de::Error>(&self) -> Result<(), E> {
        Ok(())
    }
}

impl Bounded for [u8; 32] {}

impl Bounded for Wanted {}

impl Bounded for Cursor {
    fn check<E: de::Error>(&self) -> Result<(), E> {
        too_long("scope", MAX_SCOPE_BYTES, &self.scope)
    }
}

impl Bounded for RemoteChange {
    fn check<E: de::Error>(&self) -> Result<(), E> {
        too_long("document id", MAX_DOC_ID_BYTES, &self.doc_id)?;
        too_long("scope", MAX_SCOPE_BYTES, &self.scope)
    }
}

/// Decodes a list as `Vec` does (the same wire format), refusing it once it holds more than
/// `limit` elements: before allocating when the length prefix says so, else at the element
/// past the limit.
struct BoundedSeq<T> {
    field: &'static str,
    limit: usize,
    element: PhantomData<T>,
}

impl<'de, T: Bounded> Visitor<'de> for BoundedSeq<T> {
    type Value = Vec<T>;

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "a list of at most {} {}", self.limit, self.field)
    }

    fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<Vec<T>, A::Error> {
        let too_many = || {
            refuse(DecodeError::TooManyElements {
                field: self.field,
                limit: self.limit,
            })
        };
        let announced = seq.size_hint().unwrap_or(0);
        if announced > self.limit {
            return Err(too_many());
        }
        let mut out = Vec::with_capacity(announced.min(1024));
        while let Some(element) = seq.next_element::<T>()? {
            if out.len() == self.limit {
                return Err(too_many());
            }
            element.check()?;
            out.push(element);
        }
        Ok(out)
    }
}

fn bounded_seq<'de, D: Deserializer<'de>, T: Bounded>(
    d: D,
    field: &'static str,
    limit: usize,
) -> Result<Vec<T>, D::Error> {
    d.deserialize_seq(BoundedSeq {
        field,
        limit,
        element: PhantomData,
    })
}

fn bounded_push<'de, D: Deserializer<'de>>(d: D) -> Result<Vec<RemoteChange>, D::Error> {
    bounded_seq(d, "pushed changes", MAX_PUSH_CHANGES)
}

fn bounded_cursors<'de, D: Deserializer<'de>>(d: D) -> Result<Vec<Cursor>, D::Error> {
    bounded_seq(d, "cursors", MAX_CURSORS)
}

fn bounded_wants<'de, D: Deserializer<'de>>(d: D) -> Result<Vec<Wanted>, D::Error> {
    bounded_seq(d, "wanted documents", MAX_WANTS)
}

fn bounded_hashes<'de, D: Deserializer<'de>>(d: D) -> Result<Vec<[u8; 32]>, D::Error> {
    bounded_seq(d, "hashes for one document", MAX_HASHES_PER_WANT)
}

/// Decodes a text as `String` does, refusing it past `limit` bytes before copying it.
struct BoundedStr {
    field: &'static str,
    limit: usize,
}

impl Visitor<'_> for BoundedStr {
    type Value = String;

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "a {} of at most {} bytes", self.field, self.limit)
    }

    fn visit_str<E: de::Error>(self, v: &str) -> Result<String, E> {
        too_long(self.field, self.limit, v)?;
        Ok(v.to_owned())
    }
}

fn bounded_str<'de, D: Deserializer<'de>>(
    d: D,
    field: &'static str,
    limit: usize,
) -> Result<String, D::Error> {
    d.deserialize_string(BoundedStr { field, limit })
}

fn bounded_doc_id<'de, D: Deserializer<'de>>(d: D) -> Result<String, D::Error> {
    bounded_str(d, "document id", MAX_DOC_ID_BYTES)
}

/// An optional document id, bounded like [`bounded_doc_id`].
struct BoundedDocId;

impl<'de> Visitor<'de> for BoundedDocId {
    type Value = Option<String>;

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "an optional document id of at most {MAX_DOC_ID_BYTES} bytes"
        )
    }

    fn visit_none<E: de::Error>(self) -> Result<Option<String>, E> {
        Ok(None)
    }

    fn visit_some<D: Deserializer<'de>>(self, d: D) -> Result<Option<String>, D::Error> {
        bounded_doc_id(d).map(Some)
    }
}

fn bounded_opt_doc_id<'de, D: Deserializer<'de>>(d: D) -> Result<Option<String>, D::Error> {
    d.deserialize_option(BoundedDocId)
}

fn bounded_code<'de, D: Deserializer<'de>>(d: D) -> Result<String, D::Error> {
    bounded_str(d, "enrolment code", MAX_ENROL_FIELD_BYTES)
}

fn bounded_device_name<'de, D: Deserializer<'de>>(d: D) -> Result<String, D::Error> {
    bounded_str(d, "device name", MAX_ENROL_FIELD_BYTES)
}

fn bounded_actor_id<'de, D: Deserializer<'de>>(d: D) -> Result<String, D::Error> {
    bounded_str(d, "actor id", MAX_ENROL_FIELD_BYTES)
}

/// An error body.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ErrorBody {
    /// A stable code, e.g. `device_revoked`, `scope_forbidden`.
    pub error: String,
    /// What was wrong, for a person.
    pub message: String,
}

/// The error code of a revoked device.
pub const DEVICE_REVOKED: &str = "device_revoked";
/// The error code of a revoked device whose data the office had erased (a lost or stolen
/// phone): the phone erases its store.
pub const DEVICE_WIPED: &str = "device_wiped";
/// The error code of a device whose member the office deactivated.
pub const MEMBER_DEACTIVATED: &str = "member_deactivated";
/// The error code of a store whose actor the device replaced: another copy of the store took
/// over after a restore or a copy.
pub const ACTOR_RETIRED: &str = "actor_retired";

/// How far a device has pulled one scope: the relay's sequence number of the last change seen.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize)]
pub struct Cursor {
    /// Scope.
    pub scope: String,
    /// Sequence number.
    pub seq: i64,
}

/// Changes a device lacks to apply changes it holds: asked for by hash.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Wanted {
    /// Document id.
    #[serde(deserialize_with = "bounded_doc_id")]
    pub doc_id: String,
    /// Change hashes.
    #[serde(deserialize_with = "bounded_hashes")]
    pub hashes: Vec<[u8; 32]>,
}

/// `POST /v1/enrol`: a one-time code exchanged for a device token.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct EnrolRequest {
    /// The code the office printed.
    #[serde(deserialize_with = "bounded_code")]
    pub code: String,
    /// The device's name, e.g. "王建国的手机".
    #[serde(deserialize_with = "bounded_device_name")]
    pub device_name: String,
    /// The automerge actor id (hex) this device writes with.
    #[serde(deserialize_with = "bounded_actor_id")]
    pub actor_id: String,
}

/// The answer to an enrolment.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct EnrolResponse {
    /// The device token: send as `Authorization: Bearer <token>`.
    pub token: String,
    /// The member.
    pub member_id: String,
    /// The device id the relay assigned.
    pub device_id: String,
    /// The member's roles as `(role code, place id)`.
    pub roles: Vec<(String, String)>,
    /// The scopes the member may read now.
    pub scopes: Vec<String>,
}

/// The most gates a pass asked for from a phone names.
pub const MAX_PASS_GATES: usize = 64;

/// `POST /v1/passes`: a gate lead (or the office) asks the relay to sign a pass. The relay
/// checks it for the member of the device that asks, with its own directory, signs it and
/// records it in the holder's household.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct PassRequest {
    /// The household the holder lives in (or, for a visitor pass, visits).
    #[serde(deserialize_with = "bounded_doc_id")]
    pub household_id: String,
    /// The resident it is for (resident and night passes); empty for a visitor pass.
    #[serde(deserialize_with = "bounded_doc_id")]
    pub resident_id: String,
    /// The visitor's name (visitor passes).
    #[serde(deserialize_with = "bounded_pass_field")]
    pub visitor_name: String,
    /// The pass kind's code (`resident`, `night`, `visitor`).
    #[serde(deserialize_with = "bounded_pass_field")]
    pub kind: String,
    /// Valid from (ms since the epoch).
    pub valid_from_ms: i64,
    /// Valid until (ms, exclusive).
    pub valid_until_ms: i64,
    /// The gates it opens; empty: every gate (the office's alone).
    #[serde(deserialize_with = "bounded_gates")]
    pub gates: Vec<String>,
    /// The holder's building, when the household is named by its address (a gate lead's
    /// phone holds no household); empty otherwise.
    #[serde(deserialize_with = "bounded_doc_id")]
    pub building_id: String,
    /// The unit (may be empty).
    #[serde(deserialize_with = "bounded_pass_field")]
    pub unit: String,
    /// The room.
    #[serde(deserialize_with = "bounded_pass_field")]
    pub room: String,
    /// The resident's name.
    #[serde(deserialize_with = "bounded_pass_field")]
    pub resident_name: String,
}

impl PassRequest {
    /// The request for `input`.
    pub fn new(input: &crate::api::passes::PassInput) -> PassRequest {
        use crate::records::Coded;
        let address = input.address.clone().unwrap_or_default();
        PassRequest {
            household_id: input.household_id.clone(),
            resident_id: input.resident_id.clone().unwrap_or_default(),
            visitor_name: input.visitor_name.clone(),
            kind: input.kind.code().to_owned(),
            valid_from_ms: input.valid_from_ms,
            valid_until_ms: input.valid_until_ms,
            gates: input.gates.clone(),
            building_id: address.building_id,
            unit: address.unit,
            room: address.room,
            resident_name: address.resident_name,
        }
    }

    /// What it asks for; an unknown kind is [`crate::Error::InvalidInput`].
    pub fn input(&self) -> crate::Result<crate::api::passes::PassInput> {
        use crate::records::Coded;
        Ok(crate::api::passes::PassInput {
            household_id: self.household_id.clone(),
            resident_id: (!self.resident_id.is_empty()).then(|| self.resident_id.clone()),
            visitor_name: self.visitor_name.clone(),
            kind: crate::records::pass::PassKind::parse_code(&self.kind, "kind")?,
            valid_from_ms: self.valid_from_ms,
            valid_until_ms: self.valid_until_ms,
            gates: self.gates.clone(),
            address: (!self.building_id.is_empty()).then(|| crate::api::passes::PassAddress {
                building_id: self.building_id.clone(),
                unit: self.unit.clone(),
                room: self.room.clone(),
                resident_name: self.resident_name.clone(),
            }),
        })
    }
}

/// The answer to a pass request: the signed pass, also recorded in the household.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct PassAnswer {
    /// The pass's id.
    pub id: String,
    /// Its holder's name, as the household records it.
    pub holder: String,
    /// The text of its QR code.
    pub text: String,
}

/// A gate id in a pass request.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(transparent)]
struct GateId(String);

impl Bounded for GateId {
    fn check<E: de::Error>(&self) -> Result<(), E> {
        too_long("gate id", MAX_DOC_ID_BYTES, &self.0)
    }
}

fn bounded_gates<'de, D: Deserializer<'de>>(d: D) -> Result<Vec<String>, D::Error> {
    let gates: Vec<GateId> = bounded_seq(d, "gates", MAX_PASS_GATES)?;
    Ok(gates.into_iter().map(|g| g.0).collect())
}

fn bounded_pass_field<'de, D: Deserializer<'de>>(d: D) -> Result<String, D::Error> {
    bounded_str(d, "pass field", MAX_ENROL_FIELD_BYTES)
}

/// `POST /v1/token`: the device's new token (send it from now on; the old one no longer works).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct TokenResponse {
    /// The new device token.
    pub token: String,
}

/// A point of the relay's log up to which a device has pulled every scope it may read, as the
/// relay named it in a drained answer. Only a relay whose sequence numbers are one order over
/// every scope (SQLite's single writer) names marks.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct LogMark {
    /// Every change with a sequence number up to this one, in a scope the device could read
    /// then, has reached the device.
    pub seq: i64,
    /// The directory's (`community` scope's) head then: while it stands, the device may read
    /// the same scopes.
    pub directory: i64,
}

/// The header in which a phone says, with every sync request, what it still holds: the
/// office's devices page shows which phones have not synced today or hold unsent work. A
/// header, not a field of the request: a relay or a phone that does not know it loses nothing.
pub const DEVICE_STATUS_HEADER: &str = "linli-device-status";

/// The header in which a phone names its previous push request (in hex, see [`change_key`])
/// when it sends the next one before that one is answered: the relay judges the request once
/// the one it follows is stored, and answers it with no page of changes. A relay that takes
/// such requests sends the header (with any value) in its sync answers; a phone sends it only
/// to a relay that did, so an older relay never meets it.
pub const FOLLOWS_HEADER: &str = "linli-follows";

/// The code of a request whose predecessor ([`FOLLOWS_HEADER`]) was not stored in time: it
/// was not judged, and goes again after that one's answer.
pub const FOLLOWS_UNANSWERED: &str = "follows_unanswered";

/// The name a change goes by in the log, in the set-aside lists and, for a push request's last
/// change, in [`FOLLOWS_HEADER`]: its automerge hash, or [`undecodable_key`] when its bytes do
/// not decode (or automerge's decoder panics on them). The relay finds a request's key in its
/// log once the request is stored, even a relay process started since.
pub fn change_key(bytes: &[u8]) -> [u8; 32] {
    crate::doc::guarded(|| automerge::Change::from_bytes(bytes.to_vec()))
        .ok()
        .and_then(Result::ok)
        .map_or_else(|| undecodable_key(bytes), |c| c.hash().0)
}

/// The name of a change whose bytes do not decode: the SHA-256 of the bytes.
pub fn undecodable_key(bytes: &[u8]) -> [u8; 32] {
    use sha2::Digest;
    sha2::Sha256::digest(bytes).into()
}

/// What a phone says of itself in [`DEVICE_STATUS_HEADER`]:
/// `outbox=3;photos=1;conflicts=0;app=0.1.0`.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct DeviceStatus {
    /// Changes not yet uploaded when the request was sent (its own push included).
    pub outbox: u32,
    /// Photos not yet uploaded.
    pub photos: u32,
    /// Conflicts open on the phone.
    pub conflicts: u32,
    /// The app's version.
    pub app_version: String,
}

/// The longest [`DEVICE_STATUS_HEADER`] value read.
const MAX_DEVICE_STATUS_BYTES: usize = 200;
/// The longest app version kept.
const MAX_APP_VERSION_CHARS: usize = 32;

impl DeviceStatus {
    /// The header's value.
    pub fn to_header(&self) -> String {
        format!(
            "outbox={};photos={};conflicts={};app={}",
            self.outbox, self.photos, self.conflicts, self.app_version
        )
    }

    /// Reads a header's value: unknown fields are skipped (a newer phone's), and a value too
    /// long, a count that is no number or an app version of other characters than letters,
    /// digits and `.+-_` is nothing.
    pub fn parse(value: &str) -> Option<DeviceStatus> {
        if value.len() > MAX_DEVICE_STATUS_BYTES {
            return None;
        }
        let mut status = DeviceStatus::default();
        for field in value.split(';') {
            let (name, v) = field.trim().split_once('=')?;
            match name {
                "outbox" => status.outbox = v.parse().ok()?,
                "photos" => status.photos = v.parse().ok()?,
                "conflicts" => status.conflicts = v.parse().ok()?,
                "app" => {
                    let ok = v.chars().count() <= MAX_APP_VERSION_CHARS
                        && v.chars()
                            .all(|c| c.is_ascii_alphanumeric() || ".+-_".contains(c));
                    if !ok {
                        return None;
                    }
                    status.app_version = v.to_owned();
                }
                _ => {}
            }
        }
        Some(status)
    }
}

/// `POST /v1/sync`: push a part of the outbox and pull a page.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct SyncRequest {
    /// Local changes for the relay.
    #[serde(deserialize_with = "bounded_push")]
    pub push: Vec<RemoteChange>,
    /// Where the device stands in each scope. Without `since`, scopes not named start from
    /// zero; with it, they stand at the mark, and a device names only the cursors past it.
    #[serde(deserialize_with = "bounded_cursors")]
    pub cursors: Vec<Cursor>,
    /// The last mark the relay gave this device, if it still holds.
    pub since: Option<LogMark>,
    /// Changes asked for by hash.
    #[serde(deserialize_with = "bounded_wants")]
    pub want: Vec<Wanted>,
    /// The most change bytes wanted in the answer.
    pub page_bytes: u32,
    /// The actor (hex) this store writes with.
    #[serde(deserialize_with = "bounded_actor_id")]
    pub actor: String,
    /// How many changes this store's actor wrote, sent or not: a store holding fewer than
    /// the relay logged from it was restored from a backup or copied.
    pub authored: u64,
    /// The last erasure this store applied ([`Erased::seq`]; 0 for none).
    pub erased_after: i64,
}

/// `POST /v1/actor`: a device whose store was restored or copied takes a new actor.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct ActorRequest {
    /// The actor the store wrote with (the device's current one).
    #[serde(deserialize_with = "bounded_actor_id")]
    pub old_actor: String,
    /// The new actor (hex), never used by any device.
    #[serde(deserialize_with = "bounded_actor_id")]
    pub new_actor: String,
}

/// The answer to a sync request.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct SyncResponse {
    /// Pushed changes the relay stored now.
    pub stored: u32,
    /// Pushed changes it already had.
    pub duplicates: u32,
    /// Changes after the cursors, oldest first within each scope.
    pub changes: Vec<RemoteChange>,
    /// The cursors to keep once `changes` are applied.
    pub cursors: Vec<Cursor>,
    /// Whether more changes wait after this page.
    pub more: bool,
    /// Changes asked for by hash that the relay has and the device may read.
    pub wanted: Vec<RemoteChange>,
    /// When nothing more waits: the point of the log the device now stands at, to send as
    /// `since` next time (none from a relay that cannot name one).
    pub mark: Option<LogMark>,
    /// The request's `since` no longer holds (the directory changed, or this relay cannot use
    /// marks): nothing was pulled; ask again with every cursor and no `since`.
    pub resend_cursors: bool,
    /// Pushed changes the relay refused and set aside: each with its code and reason. The
    /// other changes of the push were judged on their own.
    pub refused: Vec<Refused>,
    /// How many changes the log holds that this device's current actor wrote.
    pub authored: u64,
    /// Records the office erased after the request's `erased_after`, oldest first (at most
    /// [`MAX_ERASED_PER_RESPONSE`]; the rest come with the next request).
    pub erased: Vec<Erased>,
}

/// The most erasures one answer carries.
pub const MAX_ERASED_PER_RESPONSE: usize = 10_000;

/// A record the office erased: every store deletes it, its history and its rows. It names no
/// one: an id and a position.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Erased {
    /// The position of the erasure at the relay (increasing).
    pub seq: i64,
    /// The erased record's document id.
    pub doc_id: String,
}

/// A pushed change the relay refused (see `linli_core::rules` for the codes).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Refused {
    /// The change hash (for a change that does not decode: the sha-256 of its bytes).
    pub hash: [u8; 32],
    /// Its document.
    pub doc_id: String,
    /// A stable code, e.g. `forged_attribution`, `role_forbidden`, `scope_forbidden`.
    pub code: String,
    /// Why, for a person.
    pub reason: String,
}

/// `POST /v1/bootstrap`: a page of document snapshots for a device with no history.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct BootstrapRequest {
    /// Continue after this document id.
    #[serde(deserialize_with = "bounded_opt_doc_id")]
    pub after_doc: Option<String>,
    /// The most snapshot bytes wanted in the answer.
    pub page_bytes: u32,
}

/// One document's snapshot with its full history.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct SnapshotDoc {
    /// Document id.
    pub doc_id: String,
    /// Kind.
    pub kind: DocKind,
    /// Scope.
    pub scope: String,
    /// `Automerge::save` output.
    pub snapshot: Vec<u8>,
}

/// A page of snapshots.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct BootstrapResponse {
    /// Snapshots, by document id.
    pub docs: Vec<SnapshotDoc>,
    /// The relay sequence number the snapshots include, per readable scope: pull after it.
    pub cursors: Vec<Cursor>,
    /// The last document of this page when more follow.
    pub next_after: Option<String>,
}

#[cfg(test)]
mod tests {

    #[test]
    fn a_device_status_reads_back_and_bad_ones_are_nothing() {
        let status = DeviceStatus {
            outbox: 3,
            photos: 1,
            conflicts: 2,
            app_version: "1.4.0-beta+7".into(),
        };
        assert_eq!(DeviceStatus::parse(&status.to_header()), Some(status));
        assert_eq!(
            DeviceStatus::parse("outbox=1;later=x;app=2.0").map(|s| s.outbox),
            Some(1)
        );
        assert_eq!(DeviceStatus::parse("outbox=-1"), None);
        assert_eq!(DeviceStatus::parse("app=<script>"), None);
        assert_eq!(DeviceStatus::parse(&"outbox=1;".repeat(40)), None);
        assert_eq!(DeviceStatus::parse("outbox"), None);
    }

    use super::*;

    fn sample() -> SyncRequest {
        SyncRequest {
            push: vec![RemoteChange {
                doc_id: "01JABC".into(),
                kind: DocKind::Ticket,
                scope: "tickets".into(),
                bytes: vec![7; 300],
            }],
            cursors: vec![Cursor {
                scope: "community".into(),
                seq: 42,
            }],
            since: Some(LogMark {
                seq: 41,
                directory: 3,
            }),
            want: vec![],
            page_bytes: 1 << 20,
            actor: "0a1b2c3d".into(),
            authored: 12,
            erased_after: 3,
        }
    }

    #[test]
    fn messages_round_trip_and_compress() {
        let bytes = encode(&sample());
        assert!(bytes.len() < 300, "{} bytes", bytes.len());
        assert_eq!(decode::<SyncRequest>(&bytes).unwrap(), sample());
    }

    #[test]
    fn bad_bodies_are_named() {
        let good = encode(&sample());
        assert_eq!(
            decode::<SyncRequest>(b"{\"json\":1}"),
            Err(DecodeError::BadMagic)
        );
        let mut future = good.clone();
        future[4..6].copy_from_slice(&9u16.to_be_bytes());
        assert_eq!(
            decode::<SyncRequest>(&future),
            Err(DecodeError::UnsupportedVersion { found: 9 })
        );
        for cut in [5, 8, good.len() / 2, good.len() - 1] {
            assert!(
                matches!(
                    decode::<SyncRequest>(&good[..cut]),
                    Err(DecodeError::Corrupt(_))
                ),
                "cut at {cut}"
            );
        }
    }

    #[test]
    fn oversized_lists_are_refused_before_they_are_built() {
        let cursors = |n: usize| SyncRequest {
            cursors: vec![
                Cursor {
                    scope: String::new(),
                    seq: 0,
                };
                n
            ],
            ..SyncRequest::default()
        };
        let started = std::time::Instant::now();
        assert_eq!(
            decode::<SyncRequest>(&encode(&cursors(100_000))),
            Err(DecodeError::TooManyElements {
                field: "cursors",
                limit: MAX_CURSORS
            })
        );
        assert!(started.elapsed() < std::time::Duration::from_secs(1));
        assert_eq!(
            decode::<SyncRequest>(&encode(&cursors(MAX_CURSORS))),
            Ok(cursors(MAX_CURSORS))
        );
        let wants = |n: usize, hashes: usize| SyncRequest {
            want: vec![
                Wanted {
                    doc_id: String::new(),
                    hashes: vec![[0; 32]; hashes],
                };
                n
            ],
            ..SyncRequest::default()
        };
        assert_eq!(
            decode::<SyncRequest>(&encode(&wants(MAX_WANTS + 1, 0))),
            Err(DecodeError::TooManyElements {
                field: "wanted documents",
                limit: MAX_WANTS
            })
        );
        assert_eq!(
            decode::<SyncRequest>(&encode(&wants(1, MAX_HASHES_PER_WANT + 1))),
            Err(DecodeError::TooManyElements {
                field: "hashes for one document",
                limit: MAX_HASHES_PER_WANT
            })
        );
        let mut push = sample();
        push.push = vec![push.push[0].clone(); MAX_PUSH_CHANGES + 1];
        assert_eq!(
            decode::<SyncRequest>(&encode(&push)),
            Err(DecodeError::TooManyElements {
                field: "pushed changes",
                limit: MAX_PUSH_CHANGES
            })
        );
        // A refusal is not remembered by the next message.
        assert_eq!(decode::<SyncRequest>(&encode(&sample())), Ok(sample()));
    }

    #[test]
    fn a_length_prefix_that_lies_costs_nothing() {
        // The cursors' length says 2^60 elements; three bytes follow.
        let mut plain = postcard::to_stdvec(&Vec::<RemoteChange>::new()).unwrap();
        plain.extend(postcard::to_stdvec(&(1u64 << 60)).unwrap());
        plain.extend([0, 0, 0]);
        let mut out = MAGIC.to_vec();
        out.extend_from_slice(&PROTOCOL_VERSION.to_be_bytes());
        let mut e = DeflateEncoder::new(out, Compression::fast());
        e.write_all(&plain).unwrap();
        let lying = e.finish().unwrap();
        assert!(decode::<SyncRequest>(&lying).is_err());
    }

    #[test]
    fn long_ids_and_scopes_are_refused() {
        let long = "x".repeat(MAX_DOC_ID_BYTES + 1);
        let mut change = sample();
        change.push[0].doc_id = long.clone();
        assert_eq!(
            decode::<SyncRequest>(&encode(&change)),
            Err(DecodeError::TooLong {
                field: "document id",
                limit: MAX_DOC_ID_BYTES
            })
        );
        let mut scope = sample();
        scope.cursors[0].scope = "y".repeat(MAX_SCOPE_BYTES + 1);
        assert_eq!(
            decode::<SyncRequest>(&encode(&scope)),
            Err(DecodeError::TooLong {
                field: "scope",
                limit: MAX_SCOPE_BYTES
            })
        );
        let mut want = sample();
        want.want = vec![Wanted {
            doc_id: long.clone(),
            hashes: vec![],
        }];
        assert!(matches!(
            decode::<SyncRequest>(&encode(&want)),
            Err(DecodeError::TooLong { .. })
        ));
        let page = BootstrapRequest {
            after_doc: Some(long),
            page_bytes: 1,
        };
        assert!(matches!(
            decode::<BootstrapRequest>(&encode(&page)),
            Err(DecodeError::TooLong { .. })
        ));
        let fine = BootstrapRequest {
            after_doc: Some("01JABC".into()),
            page_bytes: 1,
        };
        assert_eq!(decode::<BootstrapRequest>(&encode(&fine)), Ok(fine));
        let enrol = EnrolRequest {
            code: "ABCD-EFGH-JKMN".into(),
            device_name: "王".repeat(100),
            actor_id: "ab".into(),
        };
        assert_eq!(
            decode::<EnrolRequest>(&encode(&enrol)),
            Err(DecodeError::TooLong {
                field: "device name",
                limit: MAX_ENROL_FIELD_BYTES
            })
        );
    }

    #[test]
    fn a_decompression_bomb_is_refused() {
        let huge = vec![0u8; (MAX_DECODED_BYTES + 10) as usize];
        let mut out = MAGIC.to_vec();
        out.extend_from_slice(&PROTOCOL_VERSION.to_be_bytes());
        let mut e = DeflateEncoder::new(out, Compression::fast());
        e.write_all(&huge).unwrap();
        let bomb = e.finish().unwrap();
        assert_eq!(decode::<SyncRequest>(&bomb), Err(DecodeError::TooLarge));
    }
}
