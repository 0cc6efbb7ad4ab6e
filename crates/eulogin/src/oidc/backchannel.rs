//! Back-channel logout (OpenID Connect Back-Channel Logout 1.0): when an SSO session ends, each
//! application that took part in it receives a signed `logout+jwt` at its back-channel logout
//! URI. Delivery happens in the background, so the person's page never waits for an application;
//! a failed delivery is retried with growing pauses (1 s, 4 s, 16 s, 64 s) before it is given up
//! and logged.

use std::time::Duration;
use tokio::sync::mpsc;

/// Pauses before each retry.
const RETRY_PAUSES: [Duration; 4] = [
    Duration::from_secs(1),
    Duration::from_secs(4),
    Duration::from_secs(16),
    Duration::from_secs(64),
];

/// One logout token to deliver.
#[derive(Debug, Clone)]
pub struct LogoutNotice {
    pub client_id: String,
    pub uri: String,
    pub logout_token: String,
}

/// The delivery queue; cheap to clone.
#[derive(Debug, Clone)]
pub struct BackChannel {
    queue: mpsc::UnboundedSender<LogoutNotice>,
    pending: std::sync::Arc<std::sync::atomic::AtomicUsize>,
}

impl BackChannel {
    /// Starts the delivery task on the current Tokio runtime.
    pub fn start(http: reqwest::Client, metrics: infra::metrics::Metrics) -> BackChannel {
        let (queue, mut receiver) = mpsc::unbounded_channel::<LogoutNotice>();
        let pending = std::sync::Arc::new(std::sync::atomic::AtomicUsize::new(0));
        let counter = pending.clone();
        tokio::spawn(async move {
            while let Some(notice) = receiver.recv().await {
                let (http, metrics, counter) = (http.clone(), metrics.clone(), counter.clone());
                tokio::spawn(async move {
                    deliver(&http, &notice, &metrics).await;
                    counter.fetch_sub(1, std::sync::atomic::Ordering::SeqCst);
                });
            }
        });
        BackChannel { queue, pending }
    }

    /// Queues a notice; returns at once.
    pub fn send(&self, notice: LogoutNotice) {
        self.pending
            .fetch_add(1, std::sync::atomic::Ordering::SeqCst);
        if self.queue.send(notice).is_err() {
            self.pending
                .fetch_sub(1, std::sync::atomic::Ordering::SeqCst);
            tracing::error!("back-channel logout queue is closed");
        }
    }

    /// Notices not yet delivered or given up (for tests and shutdown).
    pub fn pending(&self) -> usize {
        self.pending.load(std::sync::atomic::Ordering::SeqCst)
    }
}

async fn deliver(http: &reqwest::Client, notice: &LogoutNotice, metrics: &infra::metrics::Metrics) {
    for (attempt, pause) in std::iter::once(Duration::ZERO)
        .chain(RETRY_PAUSES)
        .enumerate()
    {
        tokio::time::sleep(pause).await;
        let outcome = http
            .post(&notice.uri)
            .form(&[("logout_token", notice.logout_token.as_str())])
            .send()
            .await;
        match outcome {
            Ok(response) if response.status().is_success() => {
                metrics.event("backchannel_logout_delivered");
                return;
            }
            Ok(response) => tracing::warn!(
                client_id = %notice.client_id,
                status = %response.status(),
                attempt = attempt + 1,
                "back-channel logout refused"
            ),
            Err(e) => tracing::warn!(
                client_id = %notice.client_id,
                error = %e,
                attempt = attempt + 1,
                "back-channel logout not delivered"
            ),
        }
    }
    metrics.event("backchannel_logout_failed");
    tracing::error!(client_id = %notice.client_id, "back-channel logout given up");
}

/// The HTTP client for back-channel calls: short timeouts, no redirects (a logout token must
/// not be forwarded elsewhere), TLS with the system's roots.
pub fn http_client() -> anyhow::Result<reqwest::Client> {
    Ok(reqwest::Client::builder()
        .timeout(Duration::from_secs(5))
        .connect_timeout(Duration::from_secs(3))
        .redirect(reqwest::redirect::Policy::none())
        .user_agent(concat!("eulogin/", env!("CARGO_PKG_VERSION")))
        .build()?)
}
