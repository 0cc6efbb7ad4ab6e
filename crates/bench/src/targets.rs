//! The performance targets and whether a result meets them.

use crate::args::BackendKind;
use crate::scenarios::{Outcome, Scenario};

/// Every answer of the fast scenarios within this latency at the 99th percentile.
pub const P99_LIMIT_MS: f64 = 20.0;
/// Peak resident memory of the server.
pub const PEAK_RSS_LIMIT_MB: f64 = 100.0;
/// Password logins per second as a share of raw Argon2id hashes per second.
pub const LOGIN_SHARE_OF_ARGON2: f64 = 85.0;

/// A throughput target: per request or per flow.
#[derive(Debug, Clone, Copy)]
enum Rate {
    Requests(f64),
    Flows(f64),
}

fn rate_target(scenario: Scenario) -> Option<Rate> {
    match scenario {
        Scenario::ClientCredentials => Some(Rate::Requests(9_000.0)),
        Scenario::Refresh => Some(Rate::Requests(3_000.0)),
        Scenario::Userinfo => Some(Rate::Requests(12_000.0)),
        Scenario::SsoCodeFlow => Some(Rate::Flows(1_000.0)),
        _ => None,
    }
}

/// The p99 limit does not apply to the password login: each one is an Argon2id verification
/// (tens of milliseconds of CPU) queued behind the others, by design.
fn p99_applies(scenario: Scenario) -> bool {
    scenario != Scenario::PasswordLoginFlow
}

/// A scenario's targets as text, and for each whether it is met.
#[derive(Debug, Clone)]
pub struct Verdict {
    pub target: String,
    pub met: String,
}

fn yes_no(met: bool) -> &'static str {
    if met { "yes" } else { "**no**" }
}

pub fn judge(outcome: &Outcome, backend: BackendKind, login_share: Option<f64>) -> Verdict {
    let s = &outcome.summary;
    let mut targets = Vec::new();
    let mut met = Vec::new();
    match rate_target(outcome.scenario) {
        Some(Rate::Requests(min)) => {
            let note = if outcome.scenario == Scenario::Refresh && backend == BackendKind::Embedded
            {
                " (set for PostgreSQL)"
            } else {
                ""
            };
            targets.push(format!("≥ {} req/s{note}", crate::report::thousands(min)));
            met.push(yes_no(s.requests_per_sec >= min));
        }
        Some(Rate::Flows(min)) => {
            targets.push(format!("≥ {} flows/s", crate::report::thousands(min)));
            met.push(yes_no(s.flows_per_sec >= min));
        }
        None => {}
    }
    if outcome.scenario == Scenario::PasswordLoginFlow {
        targets.push(format!("≥ {LOGIN_SHARE_OF_ARGON2:.0} % of argon2_raw"));
        met.push(match login_share {
            Some(share) => yes_no(share >= LOGIN_SHARE_OF_ARGON2),
            None => "not measured",
        });
    }
    if p99_applies(outcome.scenario) {
        targets.push(format!("p99 < {P99_LIMIT_MS:.0} ms"));
        met.push(yes_no(f64::from(s.p99_us) / 1000.0 < P99_LIMIT_MS));
    }
    targets.push("no errors".to_owned());
    met.push(yes_no(s.errors == 0));
    Verdict {
        target: targets.join("; "),
        met: met.join("; "),
    }
}

pub fn peak_rss_met(peak_mb: f64) -> &'static str {
    yes_no(peak_mb < PEAK_RSS_LIMIT_MB)
}

pub fn login_share_met(share: f64) -> &'static str {
    yes_no(share >= LOGIN_SHARE_OF_ARGON2)
}
