//! The command line of `eulogin-bench`.

pub use bench::backend_kind::BackendKind;
use clap::Parser;
use std::path::PathBuf;

/// Benchmarks eulogin's OpenID Connect endpoints: starts the release server on one backend,
/// seeds accounts, drives closed-loop load and prints a Markdown report.
#[derive(Debug, Parser)]
#[command(name = "eulogin-bench", version, about)]
pub struct Args {
    /// Storage the server runs on: `embedded` (SQLite file + in-process store) or
    /// `production` (PostgreSQL + Redis).
    #[arg(long, value_enum, default_value_t = BackendKind::Embedded)]
    pub backend: BackendKind,
    /// The eulogin binary to start (build it with `cargo build --release -p eulogin`).
    #[arg(long, default_value = "target/release/eulogin")]
    pub server: PathBuf,
    /// Keep-alive connections (one virtual user each) for every scenario but the password login.
    /// 16 reaches every throughput target while keeping the queue short enough for the p99
    /// target to mean something; 32 only lengthens the queue on two cores.
    #[arg(long, default_value_t = 16)]
    pub connections: usize,
    /// Connections for `password_login_flow` (each login costs one Argon2id verification).
    #[arg(long, default_value_t = 8)]
    pub login_connections: usize,
    /// Measured seconds per scenario.
    #[arg(long, default_value_t = 10)]
    pub seconds: u64,
    /// Seconds of load before the measurement starts (not counted).
    #[arg(long, default_value_t = 2)]
    pub warmup: u64,
    /// Tokio worker threads of the load generator (the server needs the other cores).
    #[arg(long, default_value_t = 1)]
    pub threads: usize,
    /// OS threads hashing in `argon2_raw` (default: the number of cores).
    #[arg(long)]
    pub argon2_threads: Option<usize>,
    /// Accounts seeded, used round-robin by the logins.
    #[arg(long, default_value_t = 2000)]
    pub accounts: usize,
    /// Start the server with RUST_LOG=warn instead of its default (info: one line per request).
    #[arg(long)]
    pub quiet_server: bool,
    /// Scenarios to run, comma-separated (default: all, in the standard order).
    #[arg(long, value_delimiter = ',')]
    pub scenarios: Vec<String>,
    /// Replace this backend's section of this Markdown file (e.g. docs/benchmarks.md).
    #[arg(long)]
    pub write_report: Option<PathBuf>,
    /// PostgreSQL database of the production backend; dropped and recreated at every run. On
    /// this host, so without TLS (`sslmode=disable`), as docs/deployment.md advises for a
    /// database on the same host: encrypting loopback traffic only burns the cores measured.
    #[arg(
        long,
        default_value = "postgres://postgres@127.0.0.1:5432/eulogin_bench?sslmode=disable"
    )]
    pub postgres_url: String,
    /// Redis of the production backend (keys live under a random prefix).
    #[arg(long, default_value = "redis://127.0.0.1:6379/14")]
    pub redis_url: String,
    /// Signature algorithm of bench-web's ID tokens: RS256 (eulogin's default) or ES256.
    #[arg(long, default_value = "RS256", value_parser = ["RS256", "ES256"])]
    pub id_token_alg: String,
    /// Extra environment variable for the server, NAME=VALUE (repeatable), for experiments such
    /// as `--server-env MALLOC_ARENA_MAX=2`; shown in the report.
    #[arg(long, value_parser = parse_env_pair)]
    pub server_env: Vec<(String, String)>,
    /// Keep the temporary folder (server log, SQLite file, clients file) after the run.
    #[arg(long)]
    pub keep_temp: bool,
}

fn parse_env_pair(text: &str) -> Result<(String, String), String> {
    match text.split_once('=') {
        Some((name, value)) if !name.is_empty() => Ok((name.to_owned(), value.to_owned())),
        _ => Err(format!("{text:?}: use NAME=VALUE")),
    }
}
