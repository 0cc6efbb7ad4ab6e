//! What Linux tells about CPU time and memory (`/proc`): where the CPU went during a
//! measurement, and how much memory the server holds.

use std::process::Command;

/// CPU seconds used so far by one process (user + system).
fn process_cpu_seconds(pid: u32, ticks_per_second: f64) -> Option<f64> {
    let stat = std::fs::read_to_string(format!("/proc/{pid}/stat")).ok()?;
    // The command name may hold spaces: fields are counted after its closing parenthesis.
    let after_name = &stat[stat.rfind(')')? + 2..];
    let fields: Vec<&str> = after_name.split_whitespace().collect();
    // utime and stime are fields 14 and 15 of the full line, 12 and 13 after the name.
    let user: f64 = fields.get(11)?.parse().ok()?;
    let system: f64 = fields.get(12)?.parse().ok()?;
    Some((user + system) / ticks_per_second)
}

/// Busy and total CPU seconds of the whole machine (all cores).
fn machine_cpu_seconds(ticks_per_second: f64) -> Option<(f64, f64)> {
    let stat = std::fs::read_to_string("/proc/stat").ok()?;
    let line = stat.lines().next()?;
    let values: Vec<f64> = line
        .split_whitespace()
        .skip(1)
        .filter_map(|v| v.parse().ok())
        .collect();
    // user nice system idle iowait irq softirq steal (guest time is already in user).
    let total: f64 = values.iter().take(8).sum();
    let idle = values.get(3)? + values.get(4).copied().unwrap_or(0.0);
    Some(((total - idle) / ticks_per_second, total / ticks_per_second))
}

/// Clock ticks per second of `/proc` times (`getconf CLK_TCK`, 100 nearly everywhere).
pub fn ticks_per_second() -> f64 {
    Command::new("getconf")
        .arg("CLK_TCK")
        .output()
        .ok()
        .and_then(|o| String::from_utf8_lossy(&o.stdout).trim().parse().ok())
        .unwrap_or(100.0)
}

/// One reading of the CPU counters.
#[derive(Debug, Clone, Copy, Default)]
pub struct CpuSample {
    server: f64,
    generator: f64,
    machine_busy: f64,
    machine_total: f64,
}

impl CpuSample {
    pub fn take(server_pid: u32, ticks: f64) -> CpuSample {
        let (machine_busy, machine_total) = machine_cpu_seconds(ticks).unwrap_or_default();
        CpuSample {
            server: process_cpu_seconds(server_pid, ticks).unwrap_or_default(),
            generator: process_cpu_seconds(std::process::id(), ticks).unwrap_or_default(),
            machine_busy,
            machine_total,
        }
    }
}

/// Cores used on average between two readings.
#[derive(Debug, Clone, Copy, Default)]
pub struct CpuUse {
    pub server: f64,
    pub generator: f64,
    /// Everything else that ran: PostgreSQL, Redis, the rest of the machine.
    pub others: f64,
    pub idle: f64,
}

impl CpuUse {
    pub fn between(before: CpuSample, after: CpuSample, wall_seconds: f64) -> CpuUse {
        let per_wall = |v: f64| {
            if wall_seconds > 0.0 {
                v / wall_seconds
            } else {
                0.0
            }
        };
        let server = per_wall(after.server - before.server);
        let generator = per_wall(after.generator - before.generator);
        let busy = per_wall(after.machine_busy - before.machine_busy);
        let total = per_wall(after.machine_total - before.machine_total);
        CpuUse {
            server,
            generator,
            others: (busy - server - generator).max(0.0),
            idle: (total - busy).max(0.0),
        }
    }
}

/// Cores used by every process but this one over `period` (blocks for that long): how idle
/// the machine is before a run.
pub fn others_busy(ticks: f64, period: std::time::Duration) -> f64 {
    // No process has pid 0: the "server" share is nothing, all but ours counts as others.
    let before = CpuSample::take(0, ticks);
    std::thread::sleep(period);
    let after = CpuSample::take(0, ticks);
    CpuUse::between(before, after, period.as_secs_f64()).others
}

/// Other running processes whose name is one of `names` (another benchmark or server on the
/// machine would skew every number), except `except`.
pub fn others_named(names: &[&str], except: &[u32]) -> Vec<String> {
    let Ok(entries) = std::fs::read_dir("/proc") else {
        return Vec::new();
    };
    let me = std::process::id();
    let mut found = Vec::new();
    for entry in entries.flatten() {
        let Some(pid) = entry
            .file_name()
            .to_str()
            .and_then(|n| n.parse::<u32>().ok())
        else {
            continue;
        };
        if pid == me || except.contains(&pid) {
            continue;
        }
        let comm = std::fs::read_to_string(entry.path().join("comm")).unwrap_or_default();
        let comm = comm.trim();
        if names.contains(&comm) {
            found.push(format!("{comm} (pid {pid})"));
        }
    }
    found.sort();
    found
}

/// Peak and current resident memory of a process, in KiB (`VmHWM`, `VmRSS`), and of the
/// current one what is the process's own (`RssAnon`: heap, stacks) and what is files mapped
/// into it (`RssFile`: the binary, and a database read through a memory map).
#[derive(Debug, Clone, Copy, Default)]
pub struct Memory {
    pub peak_kib: u64,
    pub current_kib: u64,
    pub anonymous_kib: u64,
    pub file_kib: u64,
}

pub fn memory(pid: u32) -> Option<Memory> {
    let status = std::fs::read_to_string(format!("/proc/{pid}/status")).ok()?;
    let field = |name: &str| -> Option<u64> {
        status
            .lines()
            .find(|l| l.starts_with(name))?
            .split_whitespace()
            .nth(1)?
            .parse()
            .ok()
    };
    Some(Memory {
        peak_kib: field("VmHWM:")?,
        current_kib: field("VmRSS:")?,
        anonymous_kib: field("RssAnon:").unwrap_or_default(),
        file_kib: field("RssFile:").unwrap_or_default(),
    })
}

/// Number of threads of a process.
pub fn threads(pid: u32) -> Option<u64> {
    let status = std::fs::read_to_string(format!("/proc/{pid}/status")).ok()?;
    status
        .lines()
        .find(|l| l.starts_with("Threads:"))?
        .split_whitespace()
        .nth(1)?
        .parse()
        .ok()
}
