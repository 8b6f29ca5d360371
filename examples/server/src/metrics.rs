//! What the server measures, in Prometheus' text format (`GET /api/v1/metrics`, see
//! [`crate::routes::ops`]): requests by route template, method and status; their latency; open
//! event streams; the SQLite writer's commits (how many, how many writes they carried, the time
//! they took: the group size and commit latency are the ratios); cases by status (counts only);
//! and the build.
//!
//! Labels are route templates (`/api/v1/cases/{id}`), methods, status codes, statuses and the
//! version: never a case id, a personal value or a token.
//!
//! The crate is `prometheus` (TiKV's client, the most used in Rust), without its protobuf
//! feature: a registry per application (so several servers in one test process count apart)
//! and the text encoder, nothing else.

use std::sync::Mutex;
use std::time::Duration;

use prometheus::{
    Counter, Encoder, HistogramOpts, HistogramVec, IntCounter, IntCounterVec, IntGauge,
    IntGaugeVec, Opts, Registry, TextEncoder,
};
use siproc_core::store::sqlite::CommitStats;
use siproc_core::store::{CaseStore, Records};

/// Latency buckets, in seconds: 1 ms to 10 s.
const BUCKETS: &[f64] = &[
    0.001, 0.002, 0.005, 0.01, 0.02, 0.05, 0.1, 0.2, 0.5, 1.0, 2.0, 5.0, 10.0,
];

/// The application's metrics.
pub struct Metrics {
    registry: Registry,
    requests: IntCounterVec,
    latency: HistogramVec,
    streams: IntGauge,
    cases: IntGaugeVec,
    commits: IntCounter,
    committed_writes: IntCounter,
    commit_seconds: Counter,
    /// The writer's counters at the last scrape (the counters above grow by the difference).
    last_commits: Mutex<CommitStats>,
}

impl std::fmt::Debug for Metrics {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("Metrics")
    }
}

/// An open event stream, counted while it lives.
pub struct OpenStream(IntGauge);

impl Drop for OpenStream {
    fn drop(&mut self) {
        self.0.dec();
    }
}

impl Metrics {
    /// A registry with every metric, and the build's info set.
    pub fn new() -> Result<Metrics, prometheus::Error> {
        let registry = Registry::new_custom(Some("siproc".into()), None)?;
        let requests = IntCounterVec::new(
            Opts::new("http_requests_total", "HTTP requests answered"),
            &["route", "method", "status"],
        )?;
        let latency = HistogramVec::new(
            HistogramOpts::new(
                "http_request_duration_seconds",
                "Time to answer an HTTP request (until the head of the answer)",
            )
            .buckets(BUCKETS.to_vec()),
            &["route", "method"],
        )?;
        let streams = IntGauge::new("event_streams_open", "Open GET /events streams")?;
        let cases = IntGaugeVec::new(Opts::new("cases", "Cases by status"), &["status"])?;
        let commits = IntCounter::new(
            "store_commits_total",
            "Transactions the SQLite writer committed (one fsync each)",
        )?;
        let committed_writes = IntCounter::new(
            "store_committed_writes_total",
            "Writes those commits carried (group size = writes / commits)",
        )?;
        let commit_seconds = Counter::new(
            "store_commit_seconds_total",
            "Time the SQLite writer spent running and committing (latency = seconds / commits)",
        )?;
        let build = IntGaugeVec::new(
            Opts::new("build_info", "The running build (always 1)"),
            &["version"],
        )?;
        build.with_label_values(&[env!("CARGO_PKG_VERSION")]).set(1);
        for collector in [
            Box::new(requests.clone()) as Box<dyn prometheus::core::Collector>,
            Box::new(latency.clone()),
            Box::new(streams.clone()),
            Box::new(cases.clone()),
            Box::new(commits.clone()),
            Box::new(committed_writes.clone()),
            Box::new(commit_seconds.clone()),
            Box::new(build),
        ] {
            registry.register(collector)?;
        }
        Ok(Metrics {
            registry,
            requests,
            latency,
            streams,
            cases,
            commits,
            committed_writes,
            commit_seconds,
            last_commits: Mutex::new(CommitStats::default()),
        })
    }

    /// Counts one answered request.
    pub fn observe(&self, route: &str, method: &str, status: u16, took: Duration) {
        self.requests
            .with_label_values(&[route, method, status.to_string().as_str()])
            .inc();
        self.latency
            .with_label_values(&[route, method])
            .observe(took.as_secs_f64());
    }

    /// Counts an event stream until the value is dropped.
    pub fn open_stream(&self) -> OpenStream {
        self.streams.inc();
        OpenStream(self.streams.clone())
    }

    /// The text exposition, with the store's figures read now (blocking: call off the async
    /// threads).
    pub fn render(&self, store: &dyn CaseStore, db: &Records) -> Result<String, String> {
        for (status, n) in store.status_counts().map_err(|e| e.code().to_owned())? {
            let status = serde_json::to_value(status)
                .ok()
                .and_then(|v| v.as_str().map(str::to_owned))
                .unwrap_or_default();
            self.cases
                .with_label_values(&[status.as_str()])
                .set(i64::try_from(n).unwrap_or(i64::MAX));
        }
        if let Some(now) = db.commit_stats() {
            let mut last = self
                .last_commits
                .lock()
                .unwrap_or_else(std::sync::PoisonError::into_inner);
            self.commits
                .inc_by(now.commits.saturating_sub(last.commits));
            self.committed_writes
                .inc_by(now.writes.saturating_sub(last.writes));
            self.commit_seconds
                .inc_by((now.seconds - last.seconds).max(0.0));
            *last = now;
        }
        let mut out = Vec::new();
        TextEncoder::new()
            .encode(&self.registry.gather(), &mut out)
            .map_err(|e| e.to_string())?;
        String::from_utf8(out).map_err(|e| e.to_string())
    }
}
