//! Prometheus metrics with a registry per application instance (no global recorder, so tests
//! that build many applications in one process do not share counters).

use prometheus_client::encoding::EncodeLabelSet;
use prometheus_client::metrics::counter::Counter;
use prometheus_client::metrics::family::Family;
use prometheus_client::metrics::histogram::{Histogram, exponential_buckets};
use prometheus_client::registry::Registry;
use std::sync::{Arc, Mutex};

#[derive(Clone, Debug, Hash, PartialEq, Eq, EncodeLabelSet)]
pub struct RequestLabels {
    pub method: String,
    pub status: u16,
}

#[derive(Clone, Debug, Hash, PartialEq, Eq, EncodeLabelSet)]
pub struct EventLabels {
    pub event: String,
}

/// The metrics of one service instance.
#[derive(Clone, Debug)]
pub struct Metrics {
    registry: Arc<Mutex<Registry>>,
    pub http_requests: Family<RequestLabels, Counter>,
    pub http_duration: Histogram,
    pub events: Family<EventLabels, Counter>,
}

impl Metrics {
    pub fn new(service: &str) -> Metrics {
        let mut registry = Registry::with_prefix(service);
        let http_requests = Family::<RequestLabels, Counter>::default();
        registry.register(
            "http_requests",
            "HTTP requests answered, by method and status",
            http_requests.clone(),
        );
        let http_duration = Histogram::new(exponential_buckets(0.0005, 2.0, 16));
        registry.register(
            "http_request_duration_seconds",
            "Time to answer an HTTP request",
            http_duration.clone(),
        );
        let events = Family::<EventLabels, Counter>::default();
        registry.register(
            "security_events",
            "Security events (logins, lockouts, links...)",
            events.clone(),
        );
        Metrics {
            registry: Arc::new(Mutex::new(registry)),
            http_requests,
            http_duration,
            events,
        }
    }

    pub fn event(&self, event: &str) {
        self.events
            .get_or_create(&EventLabels {
                event: event.to_owned(),
            })
            .inc();
    }

    /// The Prometheus text exposition.
    pub fn render(&self) -> String {
        let mut out = String::new();
        let registry = self.registry.lock().unwrap_or_else(|p| p.into_inner());
        if prometheus_client::encoding::text::encode(&mut out, &registry).is_err() {
            out.clear();
        }
        out
    }
}
