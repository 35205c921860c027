//! A phone as a separate process: opens a store, syncs it once through the relay with small
//! pages, and prints one line per progress step (`pull 12`), so that a test can kill it while
//! it applies a pull and then check the store it left behind.
#![allow(clippy::print_stdout, clippy::print_stderr)]

use std::path::PathBuf;
use std::sync::Arc;

use clap::Parser;
use linli_core::sync::client::{SyncClient, SyncOptions};
use linli_core::{DeviceIdentity, Linli, SystemClock};
use tokio_util::sync::CancellationToken;

#[derive(Debug, Parser)]
struct Args {
    /// The phone's store.
    #[arg(long)]
    store: PathBuf,
    /// The relay's base URL.
    #[arg(long)]
    server: String,
    /// The device token.
    #[arg(long)]
    token: String,
    /// The member the store belongs to.
    #[arg(long)]
    member: String,
    /// The device id the relay assigned.
    #[arg(long)]
    device: String,
    /// Change bytes per pulled page.
    #[arg(long, default_value_t = 1024)]
    page_bytes: u32,
}

#[tokio::main(flavor = "current_thread")]
async fn main() -> std::process::ExitCode {
    let args = Args::parse();
    let linli = match Linli::open(
        &args.store,
        DeviceIdentity {
            member_id: args.member,
            device_id: args.device,
        },
        Arc::new(SystemClock),
    ) {
        Ok(l) => Arc::new(l),
        Err(e) => {
            eprintln!("cannot open the store: {e}");
            return std::process::ExitCode::FAILURE;
        }
    };
    let mut options = SyncOptions::new(args.server, args.token);
    options.page_bytes = args.page_bytes;
    let client = match SyncClient::new(options) {
        Ok(c) => c,
        Err(e) => {
            eprintln!("{e}");
            return std::process::ExitCode::FAILURE;
        }
    };
    let progress = |p: linli_core::sync::client::SyncProgress| {
        println!("{:?} {}", p.phase, p.done);
    };
    match client
        .sync(&linli, &progress, &CancellationToken::new())
        .await
    {
        Ok(summary) => {
            println!("done pulled={}", summary.pulled);
            std::process::ExitCode::SUCCESS
        }
        Err(e) => {
            eprintln!("sync failed: {e}");
            std::process::ExitCode::FAILURE
        }
    }
}
