//! Whether the machine is fit to measure anything, and what the server wrote meanwhile.

use crate::procstat;
use std::time::Duration;

/// Cores other processes may use before a run is reported as not made on an idle machine.
pub const BUSY_LIMIT: f64 = 0.25;

/// Whether the machine is idle enough to measure anything: none of `rivals` (another
/// benchmark, another server) running, and little CPU used by others over one second.
/// Problems become report warnings, printed as they are found.
pub async fn idle_check(
    ticks: f64,
    rivals: &'static [&'static str],
) -> anyhow::Result<Vec<String>> {
    let mut warnings = Vec::new();
    let running = procstat::others_named(rivals, &[]);
    if !running.is_empty() {
        warnings.push(format!(
            "other benchmark or server processes were running at the start: {}",
            running.join(", ")
        ));
    }
    let busy =
        tokio::task::spawn_blocking(move || procstat::others_busy(ticks, Duration::from_secs(1)))
            .await?;
    if busy > BUSY_LIMIT {
        warnings.push(format!(
            "before the run, other processes kept {busy:.2} cores busy"
        ));
    }
    for warning in &warnings {
        eprintln!("warning: {warning}");
    }
    Ok(warnings)
}

/// Bytes and lines of the server's log.
pub fn log_size(path: &std::path::Path) -> (u64, u64) {
    use std::io::Read as _;
    let Ok(mut file) = std::fs::File::open(path) else {
        return (0, 0);
    };
    let (mut bytes, mut lines) = (0u64, 0u64);
    let mut buffer = vec![0u8; 1 << 16];
    while let Ok(n) = file.read(&mut buffer) {
        if n == 0 {
            break;
        }
        bytes += n as u64;
        lines += buffer[..n].iter().filter(|&&b| b == b'\n').count() as u64;
    }
    (bytes, lines)
}
