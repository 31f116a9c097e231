//! Prometheus metrics, kept in process and rendered as text at `GET /metrics`: requests by
//! operation and outcome, latency histograms, database pool use, statements, open
//! subscriptions, webhook deliveries.
use std::collections::HashMap;
use std::fmt::Write as _;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::Mutex;

use crate::store::db::Db;

/// Upper bounds (seconds) of the latency histogram's buckets.
const BUCKETS: [f64; 12] = [
    0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 10.0,
];
/// Distinct operation names kept; beyond, they count as `other` (a client cannot blow up the
/// metrics by inventing names).
const MAX_OPERATIONS: usize = 200;

#[derive(Default, Clone)]
struct Histogram {
    counts: [u64; BUCKETS.len()],
    sum: f64,
    count: u64,
}

impl Histogram {
    fn observe(&mut self, seconds: f64) {
        for (i, bound) in BUCKETS.iter().enumerate() {
            if seconds <= *bound {
                self.counts[i] += 1;
            }
        }
        self.sum += seconds;
        self.count += 1;
    }

    fn render(&self, out: &mut String, name: &str, labels: &str) {
        let sep = if labels.is_empty() { "" } else { "," };
        for (bound, count) in BUCKETS.iter().zip(self.counts) {
            let _ = writeln!(out, "{name}_bucket{{{labels}{sep}le=\"{bound}\"}} {count}");
        }
        let _ = writeln!(
            out,
            "{name}_bucket{{{labels}{sep}le=\"+Inf\"}} {}",
            self.count
        );
        let braces = |l: &str| {
            if l.is_empty() {
                String::new()
            } else {
                format!("{{{l}}}")
            }
        };
        let _ = writeln!(out, "{name}_sum{} {}", braces(labels), self.sum);
        let _ = writeln!(out, "{name}_count{} {}", braces(labels), self.count);
    }
}

#[derive(Default)]
struct Inner {
    requests: HashMap<(String, String), u64>,
    latency: HashMap<String, Histogram>,
    /// Webhook attempts by outcome (`delivered`, `retry`, `dead`, `skipped`).
    webhook_outcomes: HashMap<&'static str, u64>,
    /// How long receivers took to answer (or fail).
    webhook_latency: Histogram,
    /// Deliveries pending when the deliverer last counted.
    webhook_pending: u64,
}

/// Where the documents run came from (`registry_graphql_documents_total{source}`).
const DOCUMENT_SOURCES: [&str; 3] = ["free_form", "apq", "trusted"];

#[derive(Default)]
pub struct Metrics {
    inner: Mutex<Inner>,
    /// Counted on every request: atomics, not a second turn at the lock.
    documents: [AtomicU64; DOCUMENT_SOURCES.len()],
}

/// An operation name fit for a label: letters, digits and `_`, at most 64 characters.
fn label(operation: Option<&str>) -> String {
    match operation {
        Some(name)
            if !name.is_empty()
                && name.len() <= 64
                && name.chars().all(|c| c.is_ascii_alphanumeric() || c == '_') =>
        {
            name.to_owned()
        }
        Some(_) => "invalid".into(),
        None => "anonymous".into(),
    }
}

impl Metrics {
    /// Records one request: its operation, outcome (`ok` or an error code) and duration.
    pub fn observe(&self, operation: Option<&str>, outcome: &str, seconds: f64) {
        let Ok(mut inner) = self.inner.lock() else {
            return;
        };
        let mut op = label(operation);
        if !inner.latency.contains_key(&op) && inner.latency.len() >= MAX_OPERATIONS {
            op = "other".into();
        }
        *inner
            .requests
            .entry((op.clone(), outcome.to_owned()))
            .or_default() += 1;
        inner.latency.entry(op).or_default().observe(seconds);
    }

    /// Records one webhook delivery attempt: its outcome and, when one was sent, how long the
    /// receiver took.
    pub fn webhook_attempt(&self, outcome: &'static str, seconds: Option<f64>) {
        let Ok(mut inner) = self.inner.lock() else {
            return;
        };
        *inner.webhook_outcomes.entry(outcome).or_default() += 1;
        if let Some(s) = seconds {
            inner.webhook_latency.observe(s);
        }
    }

    /// Records where the text of one operation came from: an operator sees how much of the
    /// traffic is free-form before requiring trusted documents.
    pub fn document(&self, source: &'static str) {
        if let Some(i) = DOCUMENT_SOURCES.iter().position(|s| *s == source) {
            self.documents[i].fetch_add(1, Ordering::Relaxed);
        }
    }

    /// Records the number of deliveries waiting to be made.
    pub fn webhook_pending(&self, pending: u64) {
        if let Ok(mut inner) = self.inner.lock() {
            inner.webhook_pending = pending;
        }
    }

    pub fn render(&self, db: &Db) -> String {
        let mut out = String::new();
        let (requests, latency, outcomes, webhook_latency, pending) = match self.inner.lock() {
            Ok(inner) => (
                inner.requests.clone(),
                inner.latency.clone(),
                inner.webhook_outcomes.clone(),
                inner.webhook_latency.clone(),
                inner.webhook_pending,
            ),
            Err(_) => Default::default(),
        };
        out.push_str(
            "# HELP registry_graphql_requests_total GraphQL requests by operation and outcome.\n",
        );
        out.push_str("# TYPE registry_graphql_requests_total counter\n");
        let mut rows: Vec<_> = requests.into_iter().collect();
        rows.sort();
        for ((op, outcome), n) in rows {
            let _ = writeln!(
                out,
                "registry_graphql_requests_total{{operation=\"{op}\",outcome=\"{outcome}\"}} {n}"
            );
        }
        out.push_str("# HELP registry_graphql_request_duration_seconds GraphQL request latency.\n");
        out.push_str("# TYPE registry_graphql_request_duration_seconds histogram\n");
        let mut ops: Vec<_> = latency.into_iter().collect();
        ops.sort_by(|a, b| a.0.cmp(&b.0));
        for (op, h) in ops {
            h.render(
                &mut out,
                "registry_graphql_request_duration_seconds",
                &format!("operation=\"{op}\""),
            );
        }
        out.push_str(
            "# HELP registry_graphql_documents_total Operations run, by where their document came from.\n",
        );
        out.push_str("# TYPE registry_graphql_documents_total counter\n");
        for (source, n) in DOCUMENT_SOURCES.iter().zip(&self.documents) {
            let n = n.load(Ordering::Relaxed);
            let _ = writeln!(
                out,
                "registry_graphql_documents_total{{source=\"{source}\"}} {n}"
            );
        }
        let (size, idle) = db.pool_state();
        out.push_str("# HELP registry_db_pool_connections Database connections by state.\n");
        out.push_str("# TYPE registry_db_pool_connections gauge\n");
        let _ = writeln!(
            out,
            "registry_db_pool_connections{{state=\"in_use\"}} {}",
            (size as usize).saturating_sub(idle)
        );
        let _ = writeln!(out, "registry_db_pool_connections{{state=\"idle\"}} {idle}");
        out.push_str("# HELP registry_db_statements_total SQL statements executed.\n");
        out.push_str("# TYPE registry_db_statements_total counter\n");
        let _ = writeln!(
            out,
            "registry_db_statements_total {}",
            db.statements_executed()
        );
        out.push_str("# HELP registry_subscriptions_open Live subscriptions on this instance.\n");
        out.push_str("# TYPE registry_subscriptions_open gauge\n");
        let _ = writeln!(
            out,
            "registry_subscriptions_open {}",
            db.events().subscribers()
        );
        out.push_str(
            "# HELP registry_webhook_attempts_total Webhook delivery attempts by outcome.\n",
        );
        out.push_str("# TYPE registry_webhook_attempts_total counter\n");
        let mut outcomes: Vec<_> = outcomes.into_iter().collect();
        outcomes.sort();
        for (outcome, n) in outcomes {
            let _ = writeln!(
                out,
                "registry_webhook_attempts_total{{outcome=\"{outcome}\"}} {n}"
            );
        }
        out.push_str(
            "# HELP registry_webhook_attempt_duration_seconds How long receivers took to answer.\n",
        );
        out.push_str("# TYPE registry_webhook_attempt_duration_seconds histogram\n");
        webhook_latency.render(&mut out, "registry_webhook_attempt_duration_seconds", "");
        out.push_str("# HELP registry_webhook_pending Webhook deliveries waiting to be made.\n");
        out.push_str("# TYPE registry_webhook_pending gauge\n");
        let _ = writeln!(out, "registry_webhook_pending {pending}");
        out
    }
}
