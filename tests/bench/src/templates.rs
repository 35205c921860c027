//! Prepared starting points, made once per size and copied for every run: a relay with the
//! bench community and a phone holding N records not yet pushed (Linli), and a client repo
//! holding the same N records (the peer). Kept in the work folder and reused by later runs of
//! the same day (enrolment codes live 24 h).
#![allow(clippy::print_stderr)]

use std::ops::Range;
use std::path::{Path, PathBuf};
use std::sync::Arc;

use linli_core::Linli;

use serde::{Deserialize, Serialize};

use crate::BenchError;
use crate::linli_side::{OFFICE, PhoneIdentity, Places, PrepRelay, Tickets, write_records};
use crate::process::copy_dir;
use crate::samod_side;

/// A relay folder and a phone store for N records.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct LinliTemplate {
    /// Its folder.
    pub dir: PathBuf,
    /// Records on the phone.
    pub records: u64,
    /// Changes waiting in the phone's outbox.
    pub changes: u64,
    /// A one-time code for a second device of the same member.
    pub fresh_code: String,
    /// The places.
    pub places: Places,
}

impl LinliTemplate {
    /// The relay folder.
    pub fn relay_dir(&self) -> PathBuf {
        self.dir.join("relay")
    }

    /// The phone's folder (its store is `phone.db`).
    pub fn phone_dir(&self) -> PathBuf {
        self.dir.join("phone")
    }

    /// The phone's identity file.
    pub fn identity(&self) -> PathBuf {
        self.dir.join("identity.json")
    }

    /// Prepares (or reuses) the template for `n` records under `work`.
    pub async fn prepare(work: &Path, n: usize) -> Result<LinliTemplate, BenchError> {
        let dir = work.join(format!("linli-d{}-{n}", crate::data::DATA_VERSION));
        let manifest = dir.join("template.json");
        if let Ok(json) = std::fs::read_to_string(&manifest)
            && let Ok(t) = serde_json::from_str::<LinliTemplate>(&json)
        {
            bring_up_to_date(&t.phone_dir(), &t.identity())?;
            return Ok(t);
        }
        let _ = std::fs::remove_dir_all(&dir);
        eprintln!("准备 preparing Linli: a phone with {n} records …");
        let relay = PrepRelay::start(&dir.join("relay"), n, 0).await?;
        std::fs::create_dir_all(dir.join("phone")).map_err(|e| BenchError(e.to_string()))?;
        let phone = relay.phone(OFFICE, &dir.join("phone/phone.db")).await?;
        PhoneIdentity::of(&phone).save(&dir.join("identity.json"))?;
        write_records(&phone.linli, &relay.places, 0..n, Tickets::Write, &|done| {
            if done % 5000 == 0 || done == n {
                eprintln!("  {done}/{n} records written");
            }
        })?;
        let template = LinliTemplate {
            records: n as u64,
            changes: phone.linli.outbox_len()?,
            fresh_code: relay.code(OFFICE)?,
            places: relay.places.clone(),
            dir: dir.clone(),
        };
        drop(phone);
        relay.stop().await?;
        let json = serde_json::to_string(&template).map_err(|e| BenchError(e.to_string()))?;
        std::fs::write(&manifest, json).map_err(|e| BenchError(e.to_string()))?;
        Ok(template)
    }
}

/// Opens a kept template's phone store once, so that a store made by an older core is migrated
/// (and its projections rebuilt) here, not in every copy inside a timed run.
fn bring_up_to_date(phone_dir: &Path, identity: &Path) -> Result<(), BenchError> {
    PhoneIdentity::load(identity)?.open(&phone_dir.join("phone.db"))?;
    Ok(())
}

/// A client repo holding N records and the ids of their documents.
#[derive(Debug, Clone)]
pub struct SamodTemplate {
    /// Its folder.
    pub dir: PathBuf,
}

impl SamodTemplate {
    /// The repo's storage folder.
    pub fn repo(&self) -> PathBuf {
        self.dir.join("repo")
    }

    /// The document ids, one per line in record order.
    pub fn ids(&self) -> PathBuf {
        self.dir.join("ids.txt")
    }

    /// Prepares (or reuses) the template for `n` records under `work`.
    pub async fn prepare(work: &Path, n: usize) -> Result<SamodTemplate, BenchError> {
        let t = SamodTemplate {
            dir: work.join(format!("samod-d{}-{n}", crate::data::DATA_VERSION)),
        };
        if t.ids().exists() {
            return Ok(t);
        }
        let _ = std::fs::remove_dir_all(&t.dir);
        eprintln!("准备 preparing samod: a client repo with {n} records …");
        std::fs::create_dir_all(t.repo()).map_err(|e| BenchError(e.to_string()))?;
        samod_side::create(&t.repo(), n, &t.ids(), &|done| {
            if done % 5000 == 0 || done == n {
                eprintln!("  {done}/{n} documents created");
            }
        })
        .await?;
        Ok(t)
    }
}

/// `phones` lead phones, lead `p` holding the households of records `records_of(p)` with
/// their visits, not yet pushed, and their relay (a community sized for `community_records`).
/// The fleet's records hold no tickets: each phone's work stays in its own buildings, so a
/// phone's sync measures the relay rather than the phone applying the others' tickets.
pub struct FleetTemplate {
    dir: PathBuf,
    phones: usize,
}

impl FleetTemplate {
    /// Prepares the fleet `name` in `work`, or reuses it.
    pub async fn prepare(
        work: &Path,
        name: &str,
        phones: usize,
        community_records: usize,
        records_of: impl Fn(usize) -> Range<usize>,
    ) -> Result<FleetTemplate, BenchError> {
        let dir = work.join(format!(
            "{name}-{phones}x{}-households",
            records_of(0).len()
        ));
        let t = FleetTemplate {
            dir: dir.clone(),
            phones,
        };
        if dir.join("ready").exists() {
            for p in 0..phones {
                let phone_dir = dir.join(format!("phone-{p}"));
                bring_up_to_date(&phone_dir, &phone_dir.join("identity.json"))?;
            }
            return Ok(t);
        }
        let _ = std::fs::remove_dir_all(&dir);
        eprintln!(
            "准备 preparing {name}: {phones} phones with {} records each …",
            records_of(0).len()
        );
        let relay = PrepRelay::start(&dir.join("relay"), community_records, phones).await?;
        for p in 0..phones {
            let phone_dir = dir.join(format!("phone-{p}"));
            std::fs::create_dir_all(&phone_dir).map_err(|e| BenchError(e.to_string()))?;
            let phone = relay
                .phone(&format!("lead-{p}"), &phone_dir.join("phone.db"))
                .await?;
            PhoneIdentity::of(&phone).save(&phone_dir.join("identity.json"))?;
            write_records(
                &phone.linli,
                &relay.places,
                records_of(p),
                Tickets::Skip,
                &|_| {},
            )?;
        }
        relay.stop().await?;
        std::fs::write(dir.join("ready"), "").map_err(|e| BenchError(e.to_string()))?;
        Ok(t)
    }

    /// The relay folder.
    pub fn relay_dir(&self) -> PathBuf {
        self.dir.join("relay")
    }

    /// Copies the phones into `run` and opens them, each with its device token.
    pub fn open(&self, run: &Path) -> Result<Vec<(Arc<Linli>, String)>, BenchError> {
        (0..self.phones)
            .map(|p| {
                let from = self.dir.join(format!("phone-{p}"));
                let to = run.join(format!("phone-{p}"));
                copy_dir(&from, &to)?;
                let identity = PhoneIdentity::load(&to.join("identity.json"))?;
                Ok((
                    Arc::new(identity.open(&to.join("phone.db"))?),
                    identity.token,
                ))
            })
            .collect()
    }
}
