//! Background delivery with retries, for messages that a page must never wait on (e-mail, SMS):
//! each message is tried at once, then again after each pause; `idle()` lets tests and shutdown
//! wait until everything handed over so far has been delivered or given up.

use std::future::Future;
use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::Duration;
use tokio::sync::Notify;

/// Deliveries in flight; cheap to clone.
#[derive(Clone, Debug, Default)]
pub struct Deliveries {
    pending: Arc<(AtomicUsize, Notify)>,
}

impl Deliveries {
    /// Runs `attempt` in the background until it succeeds; after a failure it waits the next
    /// of `pauses` and tries again, and gives up (logged as an error) when they run out.
    pub fn spawn<F, Fut, E>(&self, what: &'static str, pauses: &'static [Duration], attempt: F)
    where
        F: Fn() -> Fut + Send + 'static,
        Fut: Future<Output = Result<(), E>> + Send,
        E: std::fmt::Display,
    {
        self.pending.0.fetch_add(1, Ordering::SeqCst);
        let pending = Arc::clone(&self.pending);
        tokio::spawn(async move {
            let mut tries = 0;
            loop {
                tries += 1;
                let failure = match attempt().await {
                    Ok(()) => break,
                    Err(e) => e.to_string(),
                };
                {
                    let e = failure;
                    match pauses.get(tries - 1) {
                        Some(pause) => {
                            tracing::warn!(error = %e, attempt = tries, "{what} not delivered; retrying");
                            tokio::time::sleep(*pause).await;
                        }
                        None => {
                            tracing::error!(error = %e, attempt = tries, "{what} not delivered; giving up");
                            break;
                        }
                    }
                }
            }
            pending.0.fetch_sub(1, Ordering::SeqCst);
            pending.1.notify_waiters();
        });
    }

    /// Messages handed over and not yet delivered or given up.
    pub fn pending(&self) -> usize {
        self.pending.0.load(Ordering::SeqCst)
    }

    /// Waits until nothing is being delivered.
    pub async fn idle(&self) {
        loop {
            let notified = self.pending.1.notified();
            if self.pending() == 0 {
                return;
            }
            notified.await;
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test(start_paused = true)]
    async fn a_failed_delivery_is_retried_after_each_pause_then_given_up() {
        static PAUSES: [Duration; 2] = [Duration::from_secs(1), Duration::from_secs(5)];
        let tries = Arc::new(AtomicUsize::new(0));
        let deliveries = Deliveries::default();
        let counter = Arc::clone(&tries);
        deliveries.spawn("test message", &PAUSES, move || {
            let counter = Arc::clone(&counter);
            async move {
                counter.fetch_add(1, Ordering::SeqCst);
                Err::<(), _>("refused")
            }
        });
        deliveries.idle().await;
        assert_eq!(tries.load(Ordering::SeqCst), 3);
        assert_eq!(deliveries.pending(), 0);
    }

    #[tokio::test(start_paused = true)]
    async fn a_success_stops_the_retries() {
        static PAUSES: [Duration; 2] = [Duration::from_secs(1), Duration::from_secs(5)];
        let tries = Arc::new(AtomicUsize::new(0));
        let deliveries = Deliveries::default();
        let counter = Arc::clone(&tries);
        deliveries.spawn("test message", &PAUSES, move || {
            let counter = Arc::clone(&counter);
            async move {
                let n = counter.fetch_add(1, Ordering::SeqCst);
                if n == 0 { Err("busy") } else { Ok(()) }
            }
        });
        deliveries.idle().await;
        assert_eq!(tries.load(Ordering::SeqCst), 2);
    }
}
