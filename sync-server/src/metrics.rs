//! Counters the relay exposes at `/metrics` in the Prometheus text format: requests by route
//! and status class, changes stored, bytes in and out, and sync latency as a histogram.

use std::fmt::Write as _;
use std::sync::Mutex;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::Duration;

/// The latency buckets of `linli_sync_seconds`, in seconds.
const BUCKETS: [f64; 8] = [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 1.0, 5.0];

/// The routes counted.
pub const ROUTES: [&str; 6] = ["enrol", "sync", "bootstrap", "blobs", "healthz", "metrics"];

/// The relay's counters.
#[derive(Debug, Default)]
pub struct Metrics {
    requests: [[AtomicU64; 3]; ROUTES.len()],
    changes_stored: AtomicU64,
    changes_duplicate: AtomicU64,
    changes_refused: AtomicU64,
    pushes_spread: AtomicU64,
    judge_nanos: AtomicU64,
    judge_load_nanos: AtomicU64,
    changes_sent: AtomicU64,
    bytes_in: AtomicU64,
    bytes_out: AtomicU64,
    sync_latency: Mutex<Histogram>,
}

#[derive(Debug, Default)]
struct Histogram {
    buckets: [u64; BUCKETS.len()],
    count: u64,
    sum: f64,
}

impl Metrics {
    /// Counts a request to `route` answered with `status`.
    pub fn request(&self, route: &str, status: u16) {
        let Some(i) = ROUTES.iter().position(|r| *r == route) else {
            return;
        };
        let class = match status {
            200..=399 => 0,
            400..=499 => 1,
            _ => 2,
        };
        self.requests[i][class].fetch_add(1, Ordering::Relaxed);
    }

    /// Counts bytes received and sent.
    pub fn bytes(&self, received: usize, sent: usize) {
        self.bytes_in.fetch_add(received as u64, Ordering::Relaxed);
        self.bytes_out.fetch_add(sent as u64, Ordering::Relaxed);
    }

    /// Counts changes stored, already known, and sent.
    pub fn changes(&self, stored: u32, duplicates: u32, sent: usize) {
        self.changes_stored
            .fetch_add(stored.into(), Ordering::Relaxed);
        self.changes_duplicate
            .fetch_add(duplicates.into(), Ordering::Relaxed);
        self.changes_sent.fetch_add(sent as u64, Ordering::Relaxed);
    }

    /// Counts pushed changes refused and set aside.
    pub fn refused(&self, refused: usize) {
        self.changes_refused
            .fetch_add(refused as u64, Ordering::Relaxed);
    }

    /// Counts a push whose documents were judged on more than one thread.
    pub fn spread(&self) {
        self.pushes_spread.fetch_add(1, Ordering::Relaxed);
    }

    /// Adds the CPU time spent judging a push: loading the documents the judge did not hold
    /// and what they lacked (`load`), and the checks and rules themselves (`rules`).
    pub fn judged(&self, load: Duration, rules: Duration) {
        self.judge_load_nanos
            .fetch_add(load.as_nanos() as u64, Ordering::Relaxed);
        self.judge_nanos
            .fetch_add(rules.as_nanos() as u64, Ordering::Relaxed);
    }

    /// Records how long one sync request took.
    pub fn sync_latency(&self, took: Duration) {
        let s = took.as_secs_f64();
        let mut h = self.sync_latency.lock().unwrap_or_else(|e| e.into_inner());
        for (i, upper) in BUCKETS.iter().enumerate() {
            if s <= *upper {
                h.buckets[i] += 1;
            }
        }
        h.count += 1;
        h.sum += s;
    }

    /// The text exposition.
    pub fn render(&self) -> String {
        let mut out = String::new();
        let load = |a: &AtomicU64| a.load(Ordering::Relaxed);
        out.push_str("# HELP linli_requests_total Requests by route and status class.\n");
        out.push_str("# TYPE linli_requests_total counter\n");
        for (i, route) in ROUTES.iter().enumerate() {
            for (j, class) in ["2xx", "4xx", "5xx"].iter().enumerate() {
                let _ = writeln!(
                    out,
                    "linli_requests_total{{route=\"{route}\",status=\"{class}\"}} {}",
                    load(&self.requests[i][j])
                );
            }
        }
        for (name, help, value) in [
            (
                "linli_changes_stored_total",
                "Changes stored in the log.",
                &self.changes_stored,
            ),
            (
                "linli_changes_duplicate_total",
                "Pushed changes the log already had.",
                &self.changes_duplicate,
            ),
            (
                "linli_changes_refused_total",
                "Pushed changes refused and set aside.",
                &self.changes_refused,
            ),
            (
                "linli_pushes_judged_on_several_threads_total",
                "Pushes large enough that their documents were judged on several threads.",
                &self.pushes_spread,
            ),
            (
                "linli_changes_sent_total",
                "Changes sent to devices.",
                &self.changes_sent,
            ),
            (
                "linli_bytes_in_total",
                "Request body bytes received.",
                &self.bytes_in,
            ),
            (
                "linli_bytes_out_total",
                "Response body bytes sent.",
                &self.bytes_out,
            ),
        ] {
            let _ = writeln!(out, "# HELP {name} {help}\n# TYPE {name} counter");
            let _ = writeln!(out, "{name} {}", load(value));
        }
        for (name, help, value) in [
            (
                "linli_judge_seconds_total",
                "CPU time spent on the checks and rules of pushed changes.",
                &self.judge_nanos,
            ),
            (
                "linli_judge_load_seconds_total",
                "CPU time spent loading the documents a push names that the judge did not hold.",
                &self.judge_load_nanos,
            ),
        ] {
            let _ = writeln!(out, "# HELP {name} {help}\n# TYPE {name} counter");
            let _ = writeln!(out, "{name} {:.6}", load(value) as f64 / 1e9);
        }
        let h = self.sync_latency.lock().unwrap_or_else(|e| e.into_inner());
        out.push_str("# HELP linli_sync_seconds Time to answer one sync request.\n");
        out.push_str("# TYPE linli_sync_seconds histogram\n");
        for (i, upper) in BUCKETS.iter().enumerate() {
            let _ = writeln!(
                out,
                "linli_sync_seconds_bucket{{le=\"{upper}\"}} {}",
                h.buckets[i]
            );
        }
        let _ = writeln!(out, "linli_sync_seconds_bucket{{le=\"+Inf\"}} {}", h.count);
        let _ = writeln!(out, "linli_sync_seconds_sum {}", h.sum);
        let _ = writeln!(out, "linli_sync_seconds_count {}", h.count);
        out
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn counters_and_histogram_render_as_prometheus_text() {
        let m = Metrics::default();
        m.request("sync", 200);
        m.request("sync", 403);
        m.changes(3, 1, 2);
        m.bytes(100, 50);
        m.sync_latency(Duration::from_millis(20));
        let text = m.render();
        assert!(text.contains("linli_requests_total{route=\"sync\",status=\"2xx\"} 1"));
        assert!(text.contains("linli_requests_total{route=\"sync\",status=\"4xx\"} 1"));
        assert!(text.contains("linli_changes_stored_total 3"));
        assert!(text.contains("linli_bytes_in_total 100"));
        assert!(text.contains("linli_sync_seconds_bucket{le=\"0.01\"} 0"));
        assert!(text.contains("linli_sync_seconds_bucket{le=\"0.025\"} 1"));
        assert!(text.contains("linli_sync_seconds_count 1"));
    }
}
