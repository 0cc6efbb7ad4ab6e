//! `eulogin-bench`: benchmarks eulogin's OpenID Connect endpoints on one backend. It seeds the
//! database, starts the release server as a child process, drives each scenario with a light
//! closed-loop load generator, measures raw Argon2id for comparison, and prints (and optionally
//! writes) a Markdown report. `make bench` runs it on both backends.

mod argon;
mod args;
mod backend;
mod oidc;
mod report;
mod scenarios;
mod seed;
mod setup;
mod targets;

use anyhow::bail;
use args::Args;
use bench::conditions::{BUSY_LIMIT, idle_check, log_size};
use bench::{client, docfile, machine, procstat, runner, server, vu, workdir};
use clap::Parser;
use scenarios::{OidcWorkload, Scenario};
use std::sync::Arc;
use std::time::Duration;

/// The name of the Argon2id comparison in `--scenarios`.
const ARGON2_RAW: &str = "argon2_raw";
/// Processes that must not run beside a benchmark (another run would halve every number).
const RIVALS: [&str; 4] = ["eulogin-bench", "eulogin", "traces-bench", "traces"];

/// What to run, in the standard order.
#[derive(Debug)]
struct Plan {
    scenarios: Vec<Scenario>,
    argon2: bool,
}

impl Plan {
    fn from_args(args: &Args) -> anyhow::Result<Plan> {
        if args.scenarios.is_empty() {
            return Ok(Plan {
                scenarios: Scenario::ALL.to_vec(),
                argon2: true,
            });
        }
        for name in &args.scenarios {
            if name != ARGON2_RAW && Scenario::parse(name).is_none() {
                let known: Vec<&str> = Scenario::ALL.iter().map(|s| s.name()).collect();
                bail!(
                    "unknown scenario {name:?}; known: {}, {ARGON2_RAW}",
                    known.join(", ")
                );
            }
        }
        Ok(Plan {
            scenarios: Scenario::ALL
                .into_iter()
                .filter(|s| args.scenarios.iter().any(|n| n == s.name()))
                .collect(),
            argon2: args.scenarios.iter().any(|n| n == ARGON2_RAW),
        })
    }
}

fn main() -> anyhow::Result<()> {
    let args = Args::parse();
    let plan = Plan::from_args(&args)?;
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(args.threads.max(1))
        .enable_all()
        .build()?;
    let work = workdir::WorkDir::create(args.keep_temp)?;
    let report = runtime.block_on(bench(&args, &plan, work.path()))?;
    let markdown = report.markdown();
    println!("{markdown}");
    if let Some(path) = &args.write_report {
        docfile::write_section(path, args.backend.name(), &markdown)?;
        eprintln!(
            "wrote the {} section of {}",
            args.backend.name(),
            path.display()
        );
    }
    Ok(())
}

async fn bench(args: &Args, plan: &Plan, work: &std::path::Path) -> anyhow::Result<report::Report> {
    let machine = machine::Machine::describe(args.write_report.as_deref());
    let ticks = procstat::ticks_per_second();
    let mut warnings = idle_check(ticks, &RIVALS).await?;
    let storage = backend::Storage::prepare(args, work)?;
    eprintln!(
        "seeding {} accounts ({})…",
        args.accounts,
        args.backend.description()
    );
    seed::accounts(&storage.database_url, args.accounts).await?;

    let secrets = setup::Secrets::generate();
    let addr = server::free_addr()?;
    let env = setup::server_env(args, addr, &storage, &secrets, work)?;
    let log_path = work.join("eulogin.log");
    let mut server = server::Server::start(&args.server, addr, &env, &log_path)?;
    server.wait_ready().await?;
    eprintln!("eulogin ready on {addr} (pid {})", server.pid);

    let site = Arc::new(oidc::Site::new(
        setup::public_url(addr),
        &secrets.web_client,
        &secrets.service_client,
        args.accounts,
    ));
    let target = runner::Target {
        addr,
        server_pid: server.pid,
        ticks_per_second: ticks,
    };
    let mut outcomes = Vec::new();
    let mut argon_before = None;
    for &scenario in &plan.scenarios {
        if plan.argon2 && scenario == Scenario::PasswordLoginFlow {
            argon_before = Some(measure_argon(args, ticks, "server idle", &mut warnings).await?);
        }
        let connections = match scenario {
            Scenario::PasswordLoginFlow => args.login_connections,
            _ => args.connections,
        };
        let load = runner::Load {
            connections: connections.max(1),
            warmup: Duration::from_secs(args.warmup),
            measured: Duration::from_secs(args.seconds.max(1)),
        };
        eprintln!("{}: {} connections…", scenario.name(), load.connections);
        let workload = Arc::new(OidcWorkload {
            scenario,
            site: site.clone(),
        });
        let outcome = runner::run(scenario, workload, &target, load).await?;
        let s = &outcome.summary;
        eprintln!(
            "  {:.0} req/s, {:.1} flows/s, p99 {:.2} ms, {} errors; eulogin {:.2} cores",
            s.requests_per_sec,
            s.flows_per_sec,
            f64::from(s.p99_us) / 1000.0,
            s.errors,
            outcome.cpu.server
        );
        if args.backend == args::BackendKind::Embedded && outcome.cpu.others > BUSY_LIMIT {
            warnings.push(format!(
                "during `{}` other processes used {:.2} cores (nothing else should run with the \
                 embedded backend)",
                scenario.name(),
                outcome.cpu.others
            ));
        }
        outcomes.push(outcome);
        if let Some(status) = server.exited() {
            bail!(
                "the server stopped during {} ({status}); its log ends with:\n{}",
                scenario.name(),
                server.log_tail(20)
            );
        }
    }
    let rivals = procstat::others_named(&RIVALS, &[server.pid]);
    if !rivals.is_empty() {
        warnings.push(format!(
            "other benchmark or server processes were running at the end: {}",
            rivals.join(", ")
        ));
    }
    let memory = procstat::memory(server.pid);
    let server_threads = procstat::threads(server.pid);
    server.stop();
    storage.clean_up(&secrets.key_prefix).await;
    let server_log = log_size(&server.log_path);

    let argon = if plan.argon2 {
        let after = measure_argon(args, ticks, "server stopped", &mut warnings).await?;
        Some(argon::Ceiling {
            before: argon_before,
            after,
        })
    } else {
        None
    };

    Ok(report::Report {
        machine,
        backend: args.backend,
        command: std::env::args().collect::<Vec<_>>().join(" "),
        connections: args.connections,
        login_connections: args.login_connections,
        generator_threads: args.threads.max(1),
        warmup_secs: args.warmup,
        measured_secs: args.seconds.max(1),
        accounts: args.accounts,
        rust_log: setup::rust_log(args).unwrap_or("info").to_owned(),
        server_env: args.server_env.clone(),
        id_token_alg: args.id_token_alg.clone(),
        outcomes,
        argon,
        memory,
        server_threads,
        server_log,
        warnings,
    })
}

/// `argon2_raw` on this machine's cores for `--seconds`, with the server `state` (idle or
/// stopped); a warning when other processes took CPU meanwhile.
async fn measure_argon(
    args: &Args,
    ticks: f64,
    state: &str,
    warnings: &mut Vec<String>,
) -> anyhow::Result<argon::ArgonOutcome> {
    let threads = args.argon2_threads.unwrap_or_else(|| {
        std::thread::available_parallelism()
            .map(usize::from)
            .unwrap_or(2)
    });
    eprintln!("argon2_raw: {threads} threads, {state}…");
    let measured = Duration::from_secs(args.seconds.max(1));
    let before = procstat::CpuSample::take(0, ticks);
    let started = std::time::Instant::now();
    let outcome = tokio::task::spawn_blocking(move || argon::run(threads, measured)).await??;
    let cpu = procstat::CpuUse::between(
        before,
        procstat::CpuSample::take(0, ticks),
        started.elapsed().as_secs_f64(),
    );
    if cpu.others > BUSY_LIMIT {
        warnings.push(format!(
            "during `argon2_raw` ({state}) other processes used {:.2} cores: the Argon2id \
             ceiling, and the login share computed from it, are not reliable",
            cpu.others
        ));
    }
    eprintln!("  {:.1} hashes/s", outcome.hashes_per_sec);
    Ok(outcome)
}
