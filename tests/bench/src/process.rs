//! The processes a benchmark runs: this binary started again as a server or a client, and what
//! the kernel says they cost (CPU seconds, resident and peak memory).

use std::ffi::OsString;
use std::path::Path;
use std::process::Stdio;
use std::time::{Duration, Instant};

use serde::de::DeserializeOwned;
use tokio::process::Command;

use crate::BenchError;

/// Clock ticks per second of `/proc/*/stat` times: `USER_HZ`, 100 on every Linux target the
/// harness runs on.
const TICKS_PER_SECOND: f64 = 100.0;

/// This binary with `args`.
pub fn this_binary(args: &[OsString]) -> Result<Command, BenchError> {
    let exe = std::env::current_exe().map_err(|e| BenchError(format!("own path: {e}")))?;
    let mut command = Command::new(exe);
    command.args(args);
    Ok(command)
}

/// User plus system CPU seconds that process `pid` (all its threads) has used so far.
pub fn cpu_seconds(pid: u32) -> f64 {
    stat_cpu(&format!("/proc/{pid}/stat"))
}

/// CPU seconds this process has used so far.
pub fn own_cpu_seconds() -> f64 {
    stat_cpu("/proc/self/stat")
}

fn stat_cpu(path: &str) -> f64 {
    let Ok(stat) = std::fs::read_to_string(path) else {
        return 0.0;
    };
    // The command name may hold spaces; the fields after it are plain numbers.
    let after_name = stat.rsplit_once(')').map(|(_, rest)| rest).unwrap_or("");
    let fields: Vec<&str> = after_name.split_whitespace().collect();
    // utime and stime are fields 14 and 15 of the line, 12 and 13 after the name.
    let ticks = |i: usize| {
        fields
            .get(i)
            .and_then(|f| f.parse::<f64>().ok())
            .unwrap_or(0.0)
    };
    (ticks(11) + ticks(12)) / TICKS_PER_SECOND
}

/// A memory line of `/proc/<pid>/status` (`VmRSS`, `VmHWM`) in MiB.
pub fn memory_mib(pid: &str, field: &str) -> f64 {
    let Ok(status) = std::fs::read_to_string(format!("/proc/{pid}/status")) else {
        return 0.0;
    };
    status
        .lines()
        .find_map(|l| l.strip_prefix(field)?.strip_prefix(':'))
        .and_then(|v| v.trim().trim_end_matches("kB").trim().parse::<f64>().ok())
        .map_or(0.0, |kib| kib / 1024.0)
}

/// Runs this binary with `args` to its end and reads the JSON object it prints last. `None`
/// when it ran longer than `cap` and was killed.
pub async fn run_client<T: DeserializeOwned>(
    args: &[OsString],
    cap: Duration,
) -> Result<Option<T>, BenchError> {
    let mut command = this_binary(args)?;
    command
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::inherit())
        .kill_on_drop(true);
    let child = command
        .spawn()
        .map_err(|e| BenchError(format!("starting a client: {e}")))?;
    let started = Instant::now();
    let output = match tokio::time::timeout(cap, child.wait_with_output()).await {
        Ok(output) => output.map_err(|e| BenchError(format!("client: {e}")))?,
        Err(_) => return Ok(None),
    };
    if !output.status.success() {
        return Err(BenchError(format!(
            "client {:?} failed after {:.1} s ({})",
            args.first(),
            started.elapsed().as_secs_f64(),
            output.status
        )));
    }
    let stdout = String::from_utf8_lossy(&output.stdout);
    let last = stdout
        .lines()
        .rev()
        .find(|l| l.starts_with('{'))
        .unwrap_or("");
    serde_json::from_str(last)
        .map(Some)
        .map_err(|e| BenchError(format!("client printed no result ({e}): {stdout}")))
}

/// Copies every file of folder `from` into `to` (created), one level deep.
pub fn copy_dir(from: &Path, to: &Path) -> Result<(), BenchError> {
    std::fs::create_dir_all(to).map_err(|e| BenchError(format!("{}: {e}", to.display())))?;
    for entry in std::fs::read_dir(from).map_err(|e| BenchError(format!("{e}")))? {
        let entry = entry.map_err(|e| BenchError(format!("{e}")))?;
        let target = to.join(entry.file_name());
        if entry.path().is_dir() {
            copy_dir(&entry.path(), &target)?;
        } else {
            std::fs::copy(entry.path(), &target)
                .map_err(|e| BenchError(format!("{}: {e}", target.display())))?;
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn this_process_has_used_cpu_and_memory() {
        let spin = Instant::now();
        while spin.elapsed() < Duration::from_millis(30) {
            std::hint::black_box(spin.elapsed());
        }
        assert!(own_cpu_seconds() > 0.0);
        assert!(memory_mib("self", "VmRSS") > 1.0);
        assert!(memory_mib("self", "VmHWM") >= memory_mib("self", "VmRSS"));
        assert_eq!(memory_mib("self", "NoSuchField"), 0.0);
    }
}
