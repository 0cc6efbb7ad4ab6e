//! The closed loop: N virtual users, each on its own keep-alive connection, prepare (logins for
//! the scenarios that hold a token), then repeat the scenario back to back through the warm-up
//! and the measured window. The CPU of the server, of the generator and of the rest of the
//! machine is read at both ends of the window.

use crate::oidc::Site;
use crate::procstat::{self, CpuSample, CpuUse};
use crate::scenarios::{self, Scenario};
use crate::stats::{Recorder, Summary, Window};
use crate::vu::Vu;
use std::net::SocketAddr;
use std::sync::Arc;
use std::time::{Duration, Instant};

/// Pause after a failed repetition, so a dead server does not become an error storm.
const AFTER_FAILURE: Duration = Duration::from_millis(20);

/// How one scenario is driven.
#[derive(Debug, Clone, Copy)]
pub struct Load {
    pub connections: usize,
    pub warmup: Duration,
    pub measured: Duration,
}

/// Where the load goes and whose CPU is watched.
#[derive(Debug, Clone)]
pub struct Target {
    pub addr: SocketAddr,
    pub site: Arc<Site>,
    pub server_pid: u32,
    pub ticks_per_second: f64,
}

/// A scenario's result.
#[derive(Debug, Clone)]
pub struct Outcome {
    pub scenario: Scenario,
    pub connections: usize,
    pub summary: Summary,
    pub cpu: CpuUse,
    /// The server's resident memory right after the scenario, in KiB.
    pub rss_after_kib: Option<u64>,
}

pub async fn run(scenario: Scenario, target: &Target, load: Load) -> anyhow::Result<Outcome> {
    let mut totals = Recorder::default();
    let mut preparing = Vec::new();
    for _ in 0..load.connections {
        let site = target.site.clone();
        let addr = target.addr;
        preparing.push(tokio::spawn(async move {
            let mut vu = Vu::new(addr);
            let held = scenarios::prepare(scenario, &mut vu, &site).await;
            (vu, held)
        }));
    }
    let mut ready = Vec::new();
    for task in preparing {
        let (mut vu, held) = task.await?;
        match held {
            Ok(held) => ready.push((vu, held)),
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
    for (mut vu, mut held) in ready {
        let site = target.site.clone();
        users.push(tokio::spawn(async move {
            vu.rec.measure(window);
            while Instant::now() < window.end {
                if let Err(failure) = scenarios::repeat(scenario, &mut vu, &site, &mut held).await {
                    vu.rec.error(&failure.kind, &failure.detail);
                    tokio::time::sleep(AFTER_FAILURE).await;
                    // What the user held may be spent (a rotated refresh token): start over.
                    match scenarios::prepare(scenario, &mut vu, &site).await {
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
