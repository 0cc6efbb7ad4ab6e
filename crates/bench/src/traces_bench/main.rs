//! `traces-bench`: benchmarks traces' JSON API on one backend, against the targets of the
//! issue: authenticated reads of one operator (bearer token validated, one operator fetched)
//! at 15,000 per second or more with p99 under 5 ms, and searches over 100,000 operators with
//! p99 under 50 ms on PostgreSQL. It starts a eulogin in this process (the issuer of the
//! tokens), seeds traces' database with the demo-data generator, starts the release traces
//! server as a child process, drives each scenario with the closed-loop load generator shared
//! with `eulogin-bench`, and prints (and optionally writes) a Markdown report. `make bench`
//! runs it on both backends; `--quick` is a smoke test of a few seconds.

mod args;
mod dataset;
mod issuer;
mod report;
mod service;
mod workloads;

use anyhow::bail;
use args::Args;
use bench::conditions::{BUSY_LIMIT, idle_check};
use bench::runner::{self, Load, Target};
use bench::{docfile, machine, procstat, server, workdir};
use clap::Parser;
use std::sync::Arc;
use std::time::Duration;
use workloads::{Requests, Scenario};

/// Processes that must not run beside a benchmark (another run would halve every number).
const RIVALS: [&str; 4] = ["eulogin-bench", "eulogin", "traces-bench", "traces"];

fn scenarios(args: &Args) -> anyhow::Result<Vec<Scenario>> {
    if args.scenarios.is_empty() {
        return Ok(Scenario::ALL.to_vec());
    }
    for name in &args.scenarios {
        if Scenario::parse(name).is_none() {
            let known: Vec<&str> = Scenario::ALL.iter().map(|s| s.name()).collect();
            bail!("unknown scenario {name:?}; known: {}", known.join(", "));
        }
    }
    Ok(Scenario::ALL
        .into_iter()
        .filter(|s| args.scenarios.iter().any(|n| n == s.name()))
        .collect())
}

fn main() -> anyhow::Result<()> {
    let args = Args::parse().effective();
    let scenarios = scenarios(&args)?;
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(args.threads.max(1))
        .enable_all()
        .build()?;
    let work = workdir::WorkDir::create(args.keep_temp)?;
    let report = runtime.block_on(bench(&args, &scenarios, work.path()))?;
    let markdown = report.markdown();
    println!("{markdown}");
    if let Some(path) = &args.write_report {
        let section = format!("traces-{}", args.backend.name());
        docfile::write_section(path, &section, &markdown)?;
        eprintln!("wrote the {section} section of {}", path.display());
    }
    if args.quick && report.errors() > 0 {
        bail!("the smoke run saw {} errors", report.errors());
    }
    Ok(())
}

async fn bench(
    args: &Args,
    scenarios: &[Scenario],
    work: &std::path::Path,
) -> anyhow::Result<report::Report> {
    let machine = machine::Machine::describe(args.write_report.as_deref());
    let ticks = procstat::ticks_per_second();
    let mut warnings = if args.quick {
        Vec::new()
    } else {
        idle_check(ticks, &RIVALS).await?
    };

    let issuer = issuer::Issuer::start(work).await?;
    let people = issuer.people(args.users.max(1)).await?;
    let storage = dataset::Storage::prepare(args, work)?;
    eprintln!(
        "seeding {} operators ({})…",
        args.operators,
        args.backend.description()
    );
    let data = dataset::prepare(&storage, args, &issuer.url, &people).await?;
    eprintln!(
        "  {} operators in {:.1} s",
        data.seeded.written.operators,
        data.seeded.elapsed.as_secs_f64()
    );

    let addr = server::free_addr()?;
    let audience = service::public_url(addr);
    let authorizations = people
        .iter()
        .map(|p| Ok(format!("Bearer {}", issuer.access_token(p, &audience)?)))
        .collect::<anyhow::Result<Vec<String>>>()?;
    let authorizations = Arc::new(authorizations);
    let env = service::environment(args, addr, &issuer.url, &storage, work);
    let mut traces = service::Service::start(args, addr, &env, work).await?;
    eprintln!("traces ready on {addr} (pid {})", traces.pid());

    let target = Target {
        addr,
        server_pid: traces.pid(),
        ticks_per_second: ticks,
    };
    let reads: Vec<String> = data
        .valid_ids
        .iter()
        .map(|id| format!("/api/v1/operators/{id}"))
        .collect();
    let reads = Arc::new(reads);
    let mut outcomes = Vec::new();
    for &scenario in scenarios {
        let load = Load {
            connections: if scenario.is_search() {
                args.search_connections
            } else {
                args.connections
            }
            .max(1),
            warmup: Duration::from_secs(args.warmup),
            measured: Duration::from_secs(args.seconds.max(1)),
        };
        eprintln!("{}: {} connections…", scenario.name(), load.connections);
        let (paths, check): (Arc<Vec<String>>, workloads::Check) = match scenario {
            Scenario::ApiReadOperator => (reads.clone(), workloads::is_the_operator),
            Scenario::SearchText => (Arc::new(data.searches.text.clone()), workloads::is_a_page),
            Scenario::SearchFilters => (
                Arc::new(data.searches.filters.clone()),
                workloads::is_a_page,
            ),
            Scenario::SearchCombined => (
                Arc::new(data.searches.combined.clone()),
                workloads::is_a_page,
            ),
        };
        let workload = Requests {
            authorizations: authorizations.clone(),
            paths,
            check,
        };
        let outcome = runner::run(scenario, Arc::new(workload), &target, load).await?;
        let s = &outcome.summary;
        eprintln!(
            "  {:.0} req/s, p50 {:.2} ms, p99 {:.2} ms, {} errors; traces {:.2} cores",
            s.requests_per_sec,
            f64::from(s.p50_us) / 1000.0,
            f64::from(s.p99_us) / 1000.0,
            s.errors,
            outcome.cpu.server
        );
        if !args.quick
            && args.backend == args::BackendKind::Embedded
            && outcome.cpu.others > BUSY_LIMIT
        {
            warnings.push(format!(
                "during `{}` other processes used {:.2} cores (nothing else should run with the \
                 embedded backend)",
                scenario.name(),
                outcome.cpu.others
            ));
        }
        outcomes.push(outcome);
        if let Some(why) = traces.exited() {
            bail!("traces stopped during {}: {why}", scenario.name());
        }
    }
    let memory = procstat::memory(traces.pid());
    let server_threads = procstat::threads(traces.pid());
    traces.stop();
    storage.clean_up().await;

    Ok(report::Report {
        machine,
        backend: args.backend,
        command: std::env::args().collect::<Vec<_>>().join(" "),
        quick: args.quick,
        in_process: args.in_process,
        seeded: data.seeded,
        seed: args.seed,
        people: people.len(),
        officers: data.officers,
        valid_operators: data.valid_ids.len(),
        read_connections: args.connections.max(1),
        search_connections: args.search_connections.max(1),
        generator_threads: args.threads.max(1),
        warmup_secs: args.warmup,
        measured_secs: args.seconds.max(1),
        pool_size: args.pool_size,
        quiet_server: args.quiet_server,
        outcomes,
        memory,
        server_threads,
        server_log: traces.log_size(),
        warnings,
    })
}
