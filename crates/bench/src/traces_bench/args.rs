//! The command line of `traces-bench`.

pub use bench::backend_kind::BackendKind;
use clap::Parser;
use std::path::PathBuf;

/// Benchmarks traces' API: seeds operators with the demo-data generator, starts a eulogin
/// (for its keys and tokens) and the release traces server on one backend, drives authenticated
/// reads and searches with closed-loop load, and prints a Markdown report.
#[derive(Debug, Clone, Parser)]
#[command(name = "traces-bench", version, about)]
pub struct Args {
    /// Storage traces runs on: `embedded` (SQLite file + in-process store) or `production`
    /// (PostgreSQL + Redis).
    #[arg(long, value_enum, default_value_t = BackendKind::Embedded)]
    pub backend: BackendKind,
    /// The traces binary to start (build it with `cargo build --release -p traces`).
    #[arg(long, default_value = "target/release/traces")]
    pub server: PathBuf,
    /// Run traces inside this process instead of starting the binary (the smoke test does; its
    /// CPU then counts as the generator's).
    #[arg(long)]
    pub in_process: bool,
    /// Operators written by the demo-data generator before the run.
    #[arg(long, default_value_t = 100_000)]
    pub operators: usize,
    /// Seed of the demo-data generator.
    #[arg(long, default_value_t = 1)]
    pub seed: u64,
    /// People with a token (each a eulogin account and a traces user; half of them officers of
    /// an authority, whose search scope is larger).
    #[arg(long, default_value_t = 8)]
    pub users: usize,
    /// Keep-alive connections (one virtual user each) for the API reads.
    #[arg(long, default_value_t = 16)]
    pub connections: usize,
    /// Connections for the searches: the target is their latency, not a saturated server.
    #[arg(long, default_value_t = 4)]
    pub search_connections: usize,
    /// Measured seconds per scenario.
    #[arg(long, default_value_t = 10)]
    pub seconds: u64,
    /// Seconds of load before the measurement starts (not counted).
    #[arg(long, default_value_t = 2)]
    pub warmup: u64,
    /// Tokio worker threads of the load generator (the server needs the other cores).
    #[arg(long, default_value_t = 1)]
    pub threads: usize,
    /// Database connections of traces (`TRACES_DATABASE_POOL_SIZE`; traces' default is 8).
    #[arg(long)]
    pub pool_size: Option<u32>,
    /// A smoke test in seconds: 2,000 operators, 2 connections, 1 s per scenario, no warm-up.
    #[arg(long)]
    pub quick: bool,
    /// Start traces with RUST_LOG=warn instead of its default (info: one line per request).
    #[arg(long)]
    pub quiet_server: bool,
    /// Scenarios to run, comma-separated (default: all, in the standard order).
    #[arg(long, value_delimiter = ',')]
    pub scenarios: Vec<String>,
    /// Replace this backend's traces section of this Markdown file (e.g. docs/benchmarks.md).
    #[arg(long)]
    pub write_report: Option<PathBuf>,
    /// PostgreSQL database of the production backend; dropped and recreated at every run. On
    /// this host, so without TLS (`sslmode=disable`), as docs/deployment.md advises for a
    /// database on the same host: encrypting loopback traffic only burns the cores measured.
    #[arg(
        long,
        default_value = "postgres://postgres@127.0.0.1:5432/traces_bench?sslmode=disable"
    )]
    pub postgres_url: String,
    /// Redis of the production backend (keys live under a random prefix).
    #[arg(long, default_value = "redis://127.0.0.1:6379/14")]
    pub redis_url: String,
    /// Keep the temporary folder (server log, SQLite files) after the run.
    #[arg(long)]
    pub keep_temp: bool,
}

impl Args {
    /// The arguments with `--quick` applied.
    pub fn effective(mut self) -> Args {
        if self.quick {
            self.operators = self.operators.min(2_000);
            self.users = self.users.min(4);
            self.connections = self.connections.min(2);
            self.search_connections = self.search_connections.min(2);
            self.seconds = 1;
            self.warmup = 0;
        }
        self
    }
}
