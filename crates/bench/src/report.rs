//! The Markdown report of one backend's run: the conditions, the results table with targets,
//! memory, where the CPU went, and every error.

use crate::argon::{self, Ceiling};
use crate::args::BackendKind;
use crate::machine::Machine;
use crate::procstat::Memory;
use crate::scenarios::{Outcome, Scenario};
use crate::targets;
use std::fmt::Write as _;

/// Everything the report tells.
#[derive(Debug)]
pub struct Report {
    pub machine: Machine,
    pub backend: BackendKind,
    pub command: String,
    pub connections: usize,
    pub login_connections: usize,
    pub generator_threads: usize,
    pub warmup_secs: u64,
    pub measured_secs: u64,
    pub accounts: usize,
    pub rust_log: String,
    pub id_token_alg: String,
    /// Extra environment given to the server (`--server-env`).
    pub server_env: Vec<(String, String)>,
    pub outcomes: Vec<Outcome>,
    pub argon: Option<Ceiling>,
    pub memory: Option<Memory>,
    pub server_threads: Option<u64>,
    pub server_log: (u64, u64),
    /// Signs that the machine was not idle: the numbers are then not to be trusted.
    pub warnings: Vec<String>,
}

pub use bench::figures::thousands;
use bench::figures::{capitalised, megabytes, ms};

impl Report {
    /// The share of raw Argon2id throughput the password login flow reached, in percent.
    pub fn login_share(&self) -> Option<f64> {
        let argon = self
            .argon
            .map(|c| c.mean())
            .filter(|a| a.hashes_per_sec > 0.0)?;
        let login = self
            .outcomes
            .iter()
            .find(|o| o.scenario == Scenario::PasswordLoginFlow)?;
        Some(login.summary.flows_per_sec * 100.0 / argon.hashes_per_sec)
    }

    pub fn markdown(&self) -> String {
        let mut md = String::new();
        self.conditions(&mut md);
        self.results(&mut md);
        self.totals(&mut md);
        self.cpu(&mut md);
        self.errors(&mut md);
        md
    }

    fn conditions(&self, md: &mut String) {
        let m = &self.machine;
        let _ = writeln!(
            md,
            "### {} backend ({})\n",
            capitalised(self.backend.name()),
            self.backend.description()
        );
        let _ = writeln!(md, "- Run: {}, commit `{}`", m.date, m.commit);
        let _ = writeln!(md, "- Machine: {} cores, {}", m.cores, m.cpu_model);
        let _ = writeln!(
            md,
            "- Load: closed loop, one keep-alive HTTP/1.1 connection per virtual user, \
             {} connections ({} for `password_login_flow`), {} s measured after {} s of warm-up; \
             generator: {} tokio worker thread(s), on the same machine",
            self.connections,
            self.login_connections,
            self.measured_secs,
            self.warmup_secs,
            self.generator_threads
        );
        let logging = if self.rust_log == "warn" {
            "RUST_LOG=warn (`--quiet-server`: no access log)".to_owned()
        } else {
            "RUST_LOG unset = eulogin's default `info` (one access-log line per request, \
             written to a file as in production)"
                .to_owned()
        };
        let _ = writeln!(
            md,
            "- Server: release build, {logging}; {} lines ({:.1} MB) of log written",
            thousands(self.server_log.1 as f64),
            self.server_log.0 as f64 / 1_000_000.0
        );
        let _ = writeln!(
            md,
            "- Clients: `bench-service` (client_credentials, ES256 access tokens), `bench-web` \
             (code + refresh, {} ID tokens, ES256 access tokens), both `client_secret_basic`",
            self.id_token_alg
        );
        let _ = writeln!(
            md,
            "- `EULOGIN_LOGIN_LIMIT_PER_IP=100000000`: every login comes from 127.0.0.1, and the \
             per-address limit (30 per 5 minutes by default) would otherwise refuse \
             `password_login_flow` after 30 logins; the per-account limit (20 per 15 minutes) is \
             untouched, the flow goes round-robin over {} seeded accounts",
            thousands(self.accounts as f64)
        );
        if !self.server_env.is_empty() {
            let extra: Vec<String> = self
                .server_env
                .iter()
                .map(|(k, v)| format!("`{k}={v}`"))
                .collect();
            let _ = writeln!(md, "- Extra server environment: {}", extra.join(", "));
        }
        let _ = writeln!(md, "- Command: `{}`\n", self.command);
        if !self.warnings.is_empty() {
            md.push_str(
                "**Warning: the machine was not idle during this run; do not trust these numbers, \
                 run again on a quiet machine.**\n\n",
            );
            for warning in &self.warnings {
                let _ = writeln!(md, "- {warning}");
            }
            md.push('\n');
        }
    }

    fn results(&self, md: &mut String) {
        let share = self.login_share();
        md.push_str(
            "| scenario | conns | req/s | flows/s | p50 ms | p90 ms | p99 ms | max ms | errors | target | met |\n\
             |---|--:|--:|--:|--:|--:|--:|--:|--:|---|---|\n",
        );
        for o in &self.outcomes {
            let s = &o.summary;
            let flows = if o.scenario.requests_per_flow() > 1 {
                format!("{:.1}", s.flows_per_sec)
            } else {
                "–".to_owned()
            };
            let verdict = targets::judge(o, self.backend, share);
            let _ = writeln!(
                md,
                "| `{}` | {} | {} | {} | {} | {} | {} | {} | {} | {} | {} |",
                o.scenario.name(),
                o.connections,
                thousands(s.requests_per_sec),
                flows,
                ms(s.p50_us),
                ms(s.p90_us),
                ms(s.p99_us),
                ms(s.max_us),
                s.errors,
                verdict.target,
                verdict.met
            );
        }
        if let Some(ceiling) = &self.argon {
            let a = ceiling.mean();
            let _ = writeln!(
                md,
                "| `argon2_raw` | {} threads | – | {:.1} hashes/s | {:.1} ms per hash | | | | | no server at work: the ceiling of password logins | |",
                a.threads, a.hashes_per_sec, a.millis_per_hash
            );
        }
        md.push_str(
            "\nreq/s and latencies count only answers with the expected status and content, \
             received inside the measured window; errors count everywhere (preparation, \
             warm-up, measurement). A flow is one complete repetition of a multi-request \
             scenario.\n\n",
        );
        for o in &self.outcomes {
            let _ = writeln!(
                md,
                "- `{}`: {}",
                o.scenario.name(),
                o.scenario.description()
            );
        }
        if let Some(ceiling) = &self.argon {
            let _ = write!(
                md,
                "- `argon2_raw`: {}, the argon2 crate on OS threads, ",
                argon::parameters()
            );
            let _ = match ceiling.before {
                Some(before) => writeln!(
                    md,
                    "the mean of {:.1} hashes/s right before `password_login_flow` (server idle) \
                     and {:.1} right after it (server stopped)",
                    before.hashes_per_sec, ceiling.after.hashes_per_sec
                ),
                None => writeln!(md, "server stopped"),
            };
        }
        md.push('\n');
    }

    fn totals(&self, md: &mut String) {
        md.push_str("| measure | value | target | met |\n|---|--:|---|---|\n");
        if let Some(mem) = &self.memory {
            let peak = megabytes(mem.peak_kib);
            let _ = writeln!(
                md,
                "| server peak resident memory (VmHWM) | {peak:.1} MB | < {:.0} MB | {} |",
                targets::PEAK_RSS_LIMIT_MB,
                targets::peak_rss_met(peak)
            );
            let _ = writeln!(
                md,
                "| server resident memory at the end (VmRSS) | {:.1} MB | | |",
                megabytes(mem.current_kib)
            );
        }
        if let Some(threads) = self.server_threads {
            let _ = writeln!(md, "| server threads at the end | {threads} | | |");
        }
        if let Some(share) = self.login_share() {
            let _ = writeln!(
                md,
                "| `password_login_flow` flows/s ÷ `argon2_raw` hashes/s | {share:.1} % | ≥ {:.0} % | {} |",
                targets::LOGIN_SHARE_OF_ARGON2,
                targets::login_share_met(share)
            );
        }
        md.push('\n');
    }

    fn cpu(&self, md: &mut String) {
        md.push_str("CPU during each measured window, in cores (the machine has ");
        md.push_str(&self.machine.cores);
        md.push_str(
            "; \"others\" is PostgreSQL, Redis and the rest of the machine):\n\n\
             | scenario | eulogin | generator | others | idle | eulogin RSS after (MB) |\n\
             |---|--:|--:|--:|--:|--:|\n",
        );
        for o in &self.outcomes {
            let c = &o.cpu;
            let _ = writeln!(
                md,
                "| `{}` | {:.2} | {:.2} | {:.2} | {:.2} | {} |",
                o.scenario.name(),
                c.server,
                c.generator,
                c.others,
                c.idle,
                o.rss_after_kib
                    .map(|kib| format!("{:.1}", megabytes(kib)))
                    .unwrap_or_default()
            );
        }
        md.push('\n');
    }

    fn errors(&self, md: &mut String) {
        let any = self.outcomes.iter().any(|o| o.summary.errors > 0);
        if !any {
            md.push_str("Errors: none.\n");
            return;
        }
        md.push_str("Errors:\n\n");
        for o in &self.outcomes {
            for (kind, e) in &o.summary.error_kinds {
                let _ = writeln!(
                    md,
                    "- `{}` {} × {kind} — e.g. `{}`",
                    o.scenario.name(),
                    e.count,
                    e.example.replace('`', "'")
                );
            }
        }
    }
}
