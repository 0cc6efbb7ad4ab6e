//! The Markdown section of one backend's run of `traces-bench`: the conditions (data, tokens,
//! load, server), the results against the targets of the issue, where the CPU went, memory,
//! and every error.

use crate::args::BackendKind;
use crate::workloads::Scenario;
use bench::figures::{megabytes, ms, thousands};
use bench::machine::Machine;
use bench::procstat::Memory;
use std::fmt::Write as _;
use traces::demo_data::Seeded;

/// An authenticated read of one operator: at least this many per second…
pub const READS_PER_SECOND: f64 = 15_000.0;
/// …with every answer within this latency at the 99th percentile.
pub const READ_P99_LIMIT_MS: f64 = 5.0;
/// A search over the operators within this latency at the 99th percentile, on PostgreSQL.
pub const SEARCH_P99_LIMIT_MS: f64 = 50.0;

pub type Outcome = bench::runner::Outcome<Scenario>;

/// Everything the report tells.
#[derive(Debug)]
pub struct Report {
    pub machine: Machine,
    pub backend: BackendKind,
    pub command: String,
    pub quick: bool,
    pub in_process: bool,
    pub seeded: Seeded,
    pub seed: u64,
    pub people: usize,
    pub officers: usize,
    pub valid_operators: usize,
    pub read_connections: usize,
    pub search_connections: usize,
    pub generator_threads: usize,
    pub warmup_secs: u64,
    pub measured_secs: u64,
    pub pool_size: Option<u32>,
    pub quiet_server: bool,
    pub outcomes: Vec<Outcome>,
    pub memory: Option<Memory>,
    pub server_threads: Option<u64>,
    pub server_log: Option<(u64, u64)>,
    pub warnings: Vec<String>,
}

fn yes_no(met: bool) -> &'static str {
    if met { "yes" } else { "**no**" }
}

/// A scenario's targets as text, and for each whether it is met.
fn judge(outcome: &Outcome, backend: BackendKind) -> (String, String) {
    let s = &outcome.summary;
    let p99_ms = f64::from(s.p99_us) / 1000.0;
    let mut targets = Vec::new();
    let mut met = Vec::new();
    if outcome.scenario.is_search() {
        let note = if backend == BackendKind::Embedded {
            " (set for PostgreSQL)"
        } else {
            ""
        };
        targets.push(format!("p99 < {SEARCH_P99_LIMIT_MS:.0} ms{note}"));
        met.push(yes_no(p99_ms < SEARCH_P99_LIMIT_MS));
    } else {
        targets.push(format!("≥ {} req/s", thousands(READS_PER_SECOND)));
        met.push(yes_no(s.requests_per_sec >= READS_PER_SECOND));
        targets.push(format!("p99 < {READ_P99_LIMIT_MS:.0} ms"));
        met.push(yes_no(p99_ms < READ_P99_LIMIT_MS));
    }
    targets.push("no errors".to_owned());
    met.push(yes_no(s.errors == 0));
    (targets.join("; "), met.join("; "))
}

impl Report {
    pub fn errors(&self) -> u64 {
        self.outcomes.iter().map(|o| o.summary.errors).sum()
    }

    pub fn markdown(&self) -> String {
        let mut md = String::new();
        self.conditions(&mut md);
        self.results(&mut md);
        self.cpu(&mut md);
        self.errors_list(&mut md);
        md
    }

    fn conditions(&self, md: &mut String) {
        let m = &self.machine;
        let _ = writeln!(
            md,
            "### traces, {} backend ({})\n",
            self.backend.name(),
            self.backend.description()
        );
        if self.quick {
            md.push_str(
                "**A `--quick` smoke run: it shows that every scenario works, its figures mean \
                 nothing.**\n\n",
            );
        }
        let _ = writeln!(md, "- Run: {}, commit `{}`", m.date, m.commit);
        let _ = writeln!(md, "- Machine: {} cores, {}", m.cores, m.cpu_model);
        let w = &self.seeded.written;
        let _ = writeln!(
            md,
            "- Data: {} operators ({} valid) with {} addresses, {} identifiers and {} activities \
             in {} countries, written by the demo-data generator (`traces seed-demo`, seed {}) in \
             {:.1} s",
            thousands(w.operators as f64),
            thousands(self.valid_operators as f64),
            thousands(w.addresses as f64),
            thousands(w.identifiers as f64),
            thousands(w.activities as f64),
            self.seeded.countries.len(),
            self.seed,
            self.seeded.elapsed.as_secs_f64()
        );
        let _ = writeln!(
            md,
            "- Callers: {} people with a eulogin access token each (ES256, medium level, signed by \
             a eulogin running in the benchmark's process, validated by traces against its JWKS), \
             {} of them officers of an authority",
            self.people, self.officers
        );
        let _ = writeln!(
            md,
            "- Load: closed loop, one keep-alive HTTP/1.1 connection per virtual user, {} \
             connections for the reads, {} for the searches, {} s measured after {} s of warm-up; \
             generator: {} tokio worker thread(s), on the same machine",
            self.read_connections,
            self.search_connections,
            self.measured_secs,
            self.warmup_secs,
            self.generator_threads
        );
        let logging = if self.in_process {
            "no log (no logger in the benchmark's process)"
        } else if self.quiet_server {
            "RUST_LOG=warn (`--quiet-server`: no access log)"
        } else {
            "RUST_LOG unset = traces' default `info` (one access-log line per request, written to \
             a file)"
        };
        let pool = self
            .pool_size
            .map(|n| format!("{n} database connections"))
            .unwrap_or_else(|| "traces' default database pool (8 connections)".to_owned());
        let process = if self.in_process {
            "in the benchmark's process (`--in-process`: its CPU counts as the generator's)"
        } else {
            "release build as a child process"
        };
        let log = self
            .server_log
            .map(|(bytes, lines)| {
                format!(
                    "; {} lines ({:.1} MB) of log written",
                    thousands(lines as f64),
                    bytes as f64 / 1_000_000.0
                )
            })
            .unwrap_or_default();
        let _ = writeln!(md, "- Server: {process}, {logging}, {pool}{log}");
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
        md.push_str(
            "| scenario | conns | req/s | p50 ms | p95 ms | p99 ms | max ms | errors | target | met |\n\
             |---|--:|--:|--:|--:|--:|--:|--:|---|---|\n",
        );
        for o in &self.outcomes {
            let s = &o.summary;
            let (target, met) = judge(o, self.backend);
            let _ = writeln!(
                md,
                "| `{}` | {} | {} | {} | {} | {} | {} | {} | {target} | {met} |",
                o.scenario.name(),
                o.connections,
                thousands(s.requests_per_sec),
                ms(s.p50_us),
                ms(s.p95_us),
                ms(s.p99_us),
                ms(s.max_us),
                s.errors,
            );
        }
        md.push_str(
            "\nreq/s and latencies count only answers with the expected status and body, \
             received inside the measured window; errors count everywhere.\n\n",
        );
        for o in &self.outcomes {
            let _ = writeln!(
                md,
                "- `{}`: {}",
                o.scenario.name(),
                o.scenario.description()
            );
        }
        md.push('\n');
        if let Some(mem) = &self.memory {
            let _ = write!(
                md,
                "traces' peak resident memory (VmHWM): {:.1} MB; at the end (VmRSS): {:.1} MB, of \
                 which {:.1} MB its own (RssAnon) and {:.1} MB mapped files (RssFile: on SQLite \
                 mostly the database, read through a memory map by each pooled connection, so a \
                 page of the file cache counts once per connection that touched it)",
                megabytes(mem.peak_kib),
                megabytes(mem.current_kib),
                megabytes(mem.anonymous_kib),
                megabytes(mem.file_kib)
            );
            if let Some(threads) = self.server_threads {
                let _ = write!(md, "; {threads} threads");
            }
            md.push_str(".\n\n");
        }
    }

    fn cpu(&self, md: &mut String) {
        md.push_str("CPU during each measured window, in cores (the machine has ");
        md.push_str(&self.machine.cores);
        md.push_str(
            "; \"generator\" includes the benchmark's eulogin, idle after traces fetched its keys; \
             \"others\" is PostgreSQL, Redis and the rest of the machine):\n\n\
             | scenario | traces | generator | others | idle |\n|---|--:|--:|--:|--:|\n",
        );
        for o in &self.outcomes {
            let c = &o.cpu;
            let _ = writeln!(
                md,
                "| `{}` | {:.2} | {:.2} | {:.2} | {:.2} |",
                o.scenario.name(),
                c.server,
                c.generator,
                c.others,
                c.idle
            );
        }
        md.push('\n');
    }

    fn errors_list(&self, md: &mut String) {
        if self.errors() == 0 {
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
