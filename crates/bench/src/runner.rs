//! The closed loop: N virtual users, each on its own keep-alive connection, prepare (a login,
//! a token: whatever the workload holds), then repeat the workload back to back through the
//! warm-up and the measured window. The CPU of the server, of the generator and of the rest of
//! the machine is read at both ends of the window.

use crate::procstat::{self, CpuSample, CpuUse};
use crate::stats::{Recorder, Summary, Window};
use crate::vu::{Failure, Vu};
use std::future::Future;
use std::net::SocketAddr;
use std::sync::Arc;
use std::time::{Duration, Instant};

/// Pause after a failed repetition, so a dead server does not become an error storm.
const AFTER_FAILURE: Duration = Duration::from_millis(20);

/// What virtual users do: prepare once (again after a failure), then repeat.
pub trait Workload: Send + Sync + 'static {
    /// What a virtual user keeps between repetitions (a token, a session, its next index).
    type Held: Send + 'static;

    /// Prepares virtual user number `user` (from 0). Its requests are not the workload's:
    /// they should not be counted (see `Recorder::set_counting`).
    fn prepare(
        &self,
        user: usize,
        vu: &mut Vu,
    ) -> impl Future<Output = Result<Self::Held, Failure>> + Send;

    /// One repetition; it counts a flow (`Recorder::flow_done`) when it is one.
    fn repeat(
        &self,
        vu: &mut Vu,
        held: &mut Self::Held,
    ) -> impl Future<Output = Result<(), Failure>> + Send;
}

/// How one scenario is driven.
#[derive(Debug, Clone, Copy)]
pub struct Load {
    pub connections: usize,
    pub warmup: Duration,
    pub measured: Duration,
}

/// Where the load goes and whose CPU is watched.
#[derive(Debug, Clone, Copy)]
pub struct Target {
    pub addr: SocketAddr,
    pub server_pid: u32,
    pub ticks_per_second: f64,
}

/// A scenario's result; `scenario` is whatever names it for the report.
#[derive(Debug, Clone)]
pub struct Outcome<S> {
    pub scenario: S,
    pub connections: usize,
    pub summary: Summary,
    pub cpu: CpuUse,
    /// The server's resident memory right after the scenario, in KiB.
    pub rss_after_kib: Option<u64>,
}

pub async fn run<S, W: Workload>(
    scenario: S,
    workload: Arc<W>,
    target: &Target,
    load: Load,
) -> anyhow::Result<Outcome<S>> {
    let mut totals = Recorder::default();
    let mut preparing = Vec::new();
    for user in 0..load.connections {
        let workload = workload.clone();
        let addr = target.addr;
        preparing.push(tokio::spawn(async move {
            let mut vu = Vu::new(addr);
            let held = workload.prepare(user, &mut vu).await;
            (user, vu, held)
        }));
    }
    let mut ready = Vec::new();
    for task in preparing {
        let (user, mut vu, held) = task.await?;
        match held {
            Ok(held) => ready.push((user, vu, held)),
            Err(failure) => {
                vu.rec.error(&failure.kind, &failure.detail);
                totals.merge(vu.rec);
            }
        }
    }

    let window = Window::after_warmup(load.warmup, load.measured);
    let (pid, ticks) = (target.server_pid, target.ticks_per_second);
    let sampler = tokio::spawn(async move {
        tokio::time::sleep_until(window.start.into()).await;
        let before = CpuSample::take(pid, ticks);
        let started = Instant::now();
        tokio::time::sleep_until(window.end.into()).await;
        let after = CpuSample::take(pid, ticks);
        CpuUse::between(before, after, started.elapsed().as_secs_f64())
    });
    let mut users = Vec::new();
    for (user, mut vu, mut held) in ready {
        let workload = workload.clone();
        users.push(tokio::spawn(async move {
            vu.rec.measure(window);
            while Instant::now() < window.end {
                if let Err(failure) = workload.repeat(&mut vu, &mut held).await {
                    vu.rec.error(&failure.kind, &failure.detail);
                    tokio::time::sleep(AFTER_FAILURE).await;
                    // What the user held may be spent (a rotated refresh token): start over.
                    match workload.prepare(user, &mut vu).await {
                        Ok(fresh) => held = fresh,
                        Err(failure) => vu.rec.error(&failure.kind, &failure.detail),
                    }
                }
            }
            vu.rec
        }));
    }
    for user in users {
        totals.merge(user.await?);
    }
    let cpu = sampler.await?;
    Ok(Outcome {
        scenario,
        connections: load.connections,
        summary: totals.summary(window.seconds()),
        cpu,
        rss_after_kib: procstat::memory(target.server_pid).map(|m| m.current_kib),
    })
}
