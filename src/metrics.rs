//! Prometheus metrics, kept in process by `prometheus-client` and rendered as text at
//! `GET /metrics`: requests by operation and outcome, latency histograms, where documents came
//! from, database pool use, statements, open subscriptions, webhook deliveries.
use std::sync::atomic::{AtomicUsize, Ordering};

use prometheus_client::collector::Collector;
use prometheus_client::encoding::{DescriptorEncoder, EncodeLabelSet, EncodeMetric};
use prometheus_client::metrics::counter::{ConstCounter, Counter};
use prometheus_client::metrics::family::Family;
use prometheus_client::metrics::gauge::{ConstGauge, Gauge};
use prometheus_client::metrics::histogram::Histogram;
use prometheus_client::metrics::MetricType;
use prometheus_client::registry::Registry;

use crate::store::db::Db;

/// The `Content-Type` of what [`Metrics::render`] writes.
pub const CONTENT_TYPE: &str = prometheus_client::encoding::prometheus_text::CONTENT_TYPE;

/// Upper bounds (seconds) of the latency histograms' buckets.
const BUCKETS: [f64; 12] = [
    0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 10.0,
];
/// Distinct operation names kept; beyond, they count as `other` (a client cannot blow up the
/// metrics by inventing names).
const MAX_OPERATIONS: usize = 200;
/// Where the documents run came from (`registry_graphql_documents_total{source}`).
const DOCUMENT_SOURCES: [&str; 3] = ["free_form", "apq", "trusted"];
/// What a webhook attempt came to (`registry_webhook_attempts_total{outcome}`).
const WEBHOOK_OUTCOMES: [&str; 4] = ["delivered", "retry", "dead", "skipped"];

#[derive(Clone, Debug, Hash, PartialEq, Eq, EncodeLabelSet)]
struct Operation {
    operation: String,
}

#[derive(Clone, Debug, Hash, PartialEq, Eq, EncodeLabelSet)]
struct OperationOutcome {
    operation: String,
    outcome: String,
}

#[derive(Clone, Debug, Hash, PartialEq, Eq, EncodeLabelSet)]
struct Source {
    source: &'static str,
}

#[derive(Clone, Debug, Hash, PartialEq, Eq, EncodeLabelSet)]
struct Outcome {
    outcome: &'static str,
}

fn latency_histogram() -> Histogram {
    Histogram::new(BUCKETS)
}

pub struct Metrics {
    registry: Registry,
    requests: Family<OperationOutcome, Counter>,
    latency: Family<Operation, Histogram>,
    documents: Family<Source, Counter>,
    webhook_attempts: Family<Outcome, Counter>,
    webhook_latency: Histogram,
    webhook_pending: Gauge,
    /// Distinct operation names labelled so far (see [`MAX_OPERATIONS`]).
    operations: AtomicUsize,
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
    /// The metrics of one instance; what `db` knows (pool, statements, subscribers) is read
    /// at each scrape.
    pub fn new(db: &Db) -> Self {
        let requests = Family::<OperationOutcome, Counter>::default();
        let latency = Family::new_with_constructor(latency_histogram as fn() -> Histogram);
        let documents = Family::<Source, Counter>::default();
        for source in DOCUMENT_SOURCES {
            // Every source and outcome is shown from the start, at zero, so dashboards have a
            // series before the first event.
            let _ = documents.get_or_create(&Source { source });
        }
        let webhook_attempts = Family::<Outcome, Counter>::default();
        for outcome in WEBHOOK_OUTCOMES {
            let _ = webhook_attempts.get_or_create(&Outcome { outcome });
        }
        let webhook_latency = latency_histogram();
        let webhook_pending = Gauge::default();

        let mut registry = Registry::default();
        registry.register(
            "registry_graphql_requests",
            "GraphQL requests by operation and outcome",
            requests.clone(),
        );
        registry.register(
            "registry_graphql_request_duration_seconds",
            "GraphQL request latency",
            latency.clone(),
        );
        registry.register(
            "registry_graphql_documents",
            "Operations run, by where their document came from",
            documents.clone(),
        );
        registry.register_collector(Box::new(DatabaseFigures(db.clone())));
        registry.register(
            "registry_webhook_attempts",
            "Webhook delivery attempts by outcome",
            webhook_attempts.clone(),
        );
        registry.register(
            "registry_webhook_attempt_duration_seconds",
            "How long receivers took to answer",
            webhook_latency.clone(),
        );
        registry.register(
            "registry_webhook_pending",
            "Webhook deliveries waiting to be made",
            webhook_pending.clone(),
        );
        Self {
            registry,
            requests,
            latency,
            documents,
            webhook_attempts,
            webhook_latency,
            webhook_pending,
            operations: AtomicUsize::new(0),
        }
    }

    /// Records one request: its operation, outcome (`ok` or an error code) and duration.
    pub fn observe(&self, operation: Option<&str>, outcome: &str, seconds: f64) {
        let mut operation = Operation {
            operation: label(operation),
        };
        // A known operation is observed through the one look-up that found it.
        if let Some(latency) = self.latency.get(&operation) {
            latency.observe(seconds);
        } else {
            // Two requests naming one new operation at once may both count it: the cap is
            // then reached a little early, never exceeded.
            if self.operations.fetch_add(1, Ordering::Relaxed) >= MAX_OPERATIONS {
                operation.operation = "other".into();
            }
            self.latency.get_or_create(&operation).observe(seconds);
        }
        self.requests
            .get_or_create(&OperationOutcome {
                operation: operation.operation,
                outcome: outcome.to_owned(),
            })
            .inc();
    }

    /// Records one webhook delivery attempt: its outcome and, when one was sent, how long the
    /// receiver took.
    pub fn webhook_attempt(&self, outcome: &'static str, seconds: Option<f64>) {
        self.webhook_attempts
            .get_or_create(&Outcome { outcome })
            .inc();
        if let Some(s) = seconds {
            self.webhook_latency.observe(s);
        }
    }

    /// Records where the text of one operation came from: an operator sees how much of the
    /// traffic is free-form before requiring trusted documents.
    pub fn document(&self, source: &'static str) {
        if DOCUMENT_SOURCES.contains(&source) {
            self.documents.get_or_create(&Source { source }).inc();
        }
    }

    /// Records the number of deliveries waiting to be made.
    pub fn webhook_pending(&self, pending: u64) {
        self.webhook_pending
            .set(i64::try_from(pending).unwrap_or(i64::MAX));
    }

    /// Everything, in the Prometheus text format ([`CONTENT_TYPE`]).
    pub fn render(&self) -> String {
        let mut out = String::new();
        // Writing to a String cannot fail; an encoder error would leave a partial page.
        let _ = prometheus_client::encoding::prometheus_text::encode(&mut out, &self.registry);
        out
    }
}

/// What the database handle counts, read when scraped.
#[derive(Debug)]
struct DatabaseFigures(Db);

impl Collector for DatabaseFigures {
    fn encode(&self, mut encoder: DescriptorEncoder) -> Result<(), std::fmt::Error> {
        let (size, idle) = self.0.pool_state();
        let in_use = (size as usize).saturating_sub(idle);
        let mut family = encoder.encode_descriptor(
            "registry_db_pool_connections",
            "Database connections by state.",
            None,
            MetricType::Gauge,
        )?;
        for (state, n) in [("in_use", in_use), ("idle", idle)] {
            let labels = [("state", state)];
            ConstGauge::new(i64::try_from(n).unwrap_or(i64::MAX))
                .encode(family.encode_family(&labels)?)?;
        }

        let statements = ConstCounter::new(self.0.statements_executed());
        statements.encode(encoder.encode_descriptor(
            "registry_db_statements",
            "SQL statements executed.",
            None,
            MetricType::Counter,
        )?)?;

        let open = ConstGauge::new(i64::try_from(self.0.events().subscribers()).unwrap_or(0));
        open.encode(encoder.encode_descriptor(
            "registry_subscriptions_open",
            "Live subscriptions on this instance.",
            None,
            MetricType::Gauge,
        )?)
    }
}
