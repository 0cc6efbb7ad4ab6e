//! Counting what happened: every answered request's latency (µs), completed flows, and every
//! error by kind. Only answers that arrive inside the measurement window count towards
//! throughput and latency; errors count wherever they happen (setup, warm-up or measurement),
//! so none goes unseen.

use std::collections::BTreeMap;
use std::time::{Duration, Instant};

/// The measured interval: after the warm-up, for the configured seconds.
#[derive(Debug, Clone, Copy)]
pub struct Window {
    pub start: Instant,
    pub end: Instant,
}

impl Window {
    pub fn after_warmup(warmup: Duration, measured: Duration) -> Window {
        let start = Instant::now() + warmup;
        Window {
            start,
            end: start + measured,
        }
    }

    pub fn contains(&self, t: Instant) -> bool {
        t >= self.start && t < self.end
    }

    pub fn seconds(&self) -> f64 {
        (self.end - self.start).as_secs_f64()
    }
}

/// One kind of error: how often, and the first example seen.
#[derive(Debug, Clone, Default)]
pub struct ErrorKind {
    pub count: u64,
    pub example: String,
}

/// What one virtual user saw; merged into the scenario's totals at the end.
#[derive(Debug, Default)]
pub struct Recorder {
    window: Option<Window>,
    /// False while a virtual user (re)establishes its state: those requests are not the
    /// scenario's.
    counting: bool,
    latencies_us: Vec<u32>,
    requests: u64,
    flows: u64,
    errors: BTreeMap<String, ErrorKind>,
}

impl Recorder {
    /// Starts counting inside `window`.
    pub fn measure(&mut self, window: Window) {
        self.window = Some(window);
        self.counting = true;
    }

    /// Stops or resumes counting successes (errors are always counted).
    pub fn set_counting(&mut self, counting: bool) {
        self.counting = counting;
    }

    fn counts(&self, finished: Instant) -> bool {
        self.counting && self.window.is_some_and(|w| w.contains(finished))
    }

    /// An answer as expected.
    pub fn success(&mut self, started: Instant, finished: Instant) {
        if self.counts(finished) {
            let micros = (finished - started).as_micros();
            self.latencies_us
                .push(u32::try_from(micros).unwrap_or(u32::MAX));
            self.requests += 1;
        }
    }

    /// A whole flow (all its requests) done.
    pub fn flow_done(&mut self, finished: Instant) {
        if self.counts(finished) {
            self.flows += 1;
        }
    }

    /// Anything unexpected. `kind` groups errors; `detail` is kept for the first of a kind.
    pub fn error(&mut self, kind: &str, detail: &str) {
        let now = Instant::now();
        let phase = match self.window {
            None => "setup",
            Some(w) if now < w.start => "warm-up",
            Some(w) if now < w.end => "measured",
            Some(_) => "after the window",
        };
        let entry = self.errors.entry(format!("{phase}: {kind}")).or_default();
        if entry.count == 0 {
            entry.example = detail.chars().take(200).collect();
        }
        entry.count += 1;
    }

    pub fn merge(&mut self, other: Recorder) {
        self.latencies_us.extend(other.latencies_us);
        self.requests += other.requests;
        self.flows += other.flows;
        for (kind, e) in other.errors {
            let entry = self.errors.entry(kind).or_default();
            if entry.count == 0 {
                entry.example = e.example;
            }
            entry.count += e.count;
        }
    }

    /// Totals over `seconds` of measurement.
    pub fn summary(mut self, seconds: f64) -> Summary {
        self.latencies_us.sort_unstable();
        let pct = |p: f64| percentile(&self.latencies_us, p);
        let per_second = |n: u64| {
            if seconds > 0.0 {
                n as f64 / seconds
            } else {
                0.0
            }
        };
        Summary {
            requests_per_sec: per_second(self.requests),
            flows_per_sec: per_second(self.flows),
            p50_us: pct(50.0),
            p90_us: pct(90.0),
            p95_us: pct(95.0),
            p99_us: pct(99.0),
            max_us: self.latencies_us.last().copied().unwrap_or_default(),
            errors: self.errors.values().map(|e| e.count).sum(),
            error_kinds: self.errors,
        }
    }
}

/// Nearest-rank percentile of sorted values.
fn percentile(sorted: &[u32], p: f64) -> u32 {
    if sorted.is_empty() {
        return 0;
    }
    let rank = ((p / 100.0) * sorted.len() as f64).ceil() as usize;
    sorted[rank.clamp(1, sorted.len()) - 1]
}

/// A scenario's numbers.
#[derive(Debug, Clone, Default)]
pub struct Summary {
    pub requests_per_sec: f64,
    pub flows_per_sec: f64,
    pub p50_us: u32,
    pub p90_us: u32,
    pub p95_us: u32,
    pub p99_us: u32,
    pub max_us: u32,
    pub errors: u64,
    pub error_kinds: BTreeMap<String, ErrorKind>,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn nearest_rank_percentiles() {
        let values: Vec<u32> = (1..=100).collect();
        assert_eq!(percentile(&values, 50.0), 50);
        assert_eq!(percentile(&values, 99.0), 99);
        assert_eq!(percentile(&values, 100.0), 100);
        assert_eq!(percentile(&[7], 99.0), 7);
        assert_eq!(percentile(&[], 50.0), 0);
    }

    #[test]
    fn only_answers_inside_the_window_count() {
        let window = Window::after_warmup(Duration::ZERO, Duration::from_secs(60));
        let mut rec = Recorder::default();
        rec.measure(window);
        let before = window.start - Duration::from_millis(1);
        rec.success(before, window.start - Duration::from_micros(1));
        rec.success(window.start, window.start + Duration::from_micros(250));
        rec.set_counting(false);
        rec.success(window.start, window.start + Duration::from_micros(300));
        let summary = rec.summary(60.0);
        assert_eq!(summary.requests_per_sec, 1.0 / 60.0);
        assert_eq!(summary.max_us, 250);
    }
}
