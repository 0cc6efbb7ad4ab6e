//! The server under test (eulogin or traces), run as a child process with its output in a log
//! file. The handle stops it when dropped (end of run, error or panic), so no server outlives
//! the bench.

use crate::client::{Call, Connection};
use anyhow::{Context, bail};
use hyper::StatusCode;
use std::net::{SocketAddr, TcpListener};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

/// How long the server may take to answer `/readyz` (migrations, signing keys).
const READY_WITHIN: Duration = Duration::from_secs(60);
/// How long a graceful stop (SIGTERM) may take before the process is killed.
const STOP_WITHIN: Duration = Duration::from_secs(15);

/// A free port on the loopback interface (released at once for the server to take).
pub fn free_addr() -> anyhow::Result<SocketAddr> {
    let listener = TcpListener::bind("127.0.0.1:0")?;
    Ok(listener.local_addr()?)
}

#[derive(Debug)]
pub struct Server {
    child: Option<Child>,
    pub addr: SocketAddr,
    pub pid: u32,
    pub log_path: PathBuf,
}

impl Server {
    /// Starts `binary` with `env` (and no other `EULOGIN_…`, `TRACES_…` or logging variable
    /// from the bench's own environment), its stdout and stderr going to `log_path`.
    pub fn start(
        binary: &Path,
        addr: SocketAddr,
        env: &[(String, String)],
        log_path: &Path,
    ) -> anyhow::Result<Server> {
        if !binary.is_file() {
            bail!(
                "{} not found: build it with `cargo build --release -p {}`",
                binary.display(),
                binary
                    .file_name()
                    .map(|n| n.to_string_lossy())
                    .unwrap_or_default()
            );
        }
        let log = std::fs::File::create(log_path)
            .with_context(|| format!("cannot create {}", log_path.display()))?;
        let mut command = Command::new(binary);
        for (name, _) in std::env::vars() {
            if name.starts_with("EULOGIN_")
                || name.starts_with("TRACES_")
                || name == "RUST_LOG"
                || name == "LOG_FORMAT"
            {
                command.env_remove(name);
            }
        }
        command
            .envs(env.iter().map(|(k, v)| (k, v)))
            .stdin(Stdio::null())
            .stdout(log.try_clone()?)
            .stderr(log);
        let child = command
            .spawn()
            .with_context(|| format!("cannot start {}", binary.display()))?;
        Ok(Server {
            pid: child.id(),
            child: Some(child),
            addr,
            log_path: log_path.to_owned(),
        })
    }

    /// Waits until `GET /readyz` answers 200.
    pub async fn wait_ready(&mut self) -> anyhow::Result<()> {
        let deadline = Instant::now() + READY_WITHIN;
        let mut conn = Connection::new(self.addr);
        let call = Call::get("/readyz");
        loop {
            if let Some(status) = self.exited() {
                bail!(
                    "the server stopped at start ({status}); its log ends with:\n{}",
                    self.log_tail(20)
                );
            }
            if let Ok(r) = conn.send(&call).await
                && r.status == StatusCode::OK
            {
                return Ok(());
            }
            if Instant::now() > deadline {
                bail!(
                    "the server was not ready within {READY_WITHIN:?}; its log ends with:\n{}",
                    self.log_tail(20)
                );
            }
            tokio::time::sleep(Duration::from_millis(100)).await;
        }
    }

    /// `Some(exit status)` once the process has ended.
    pub fn exited(&mut self) -> Option<String> {
        let child = self.child.as_mut()?;
        match child.try_wait() {
            Ok(Some(status)) => Some(status.to_string()),
            Ok(None) => None,
            Err(e) => Some(format!("unknown state: {e}")),
        }
    }

    /// The last `lines` lines of the server's log.
    pub fn log_tail(&self, lines: usize) -> String {
        let text = std::fs::read_to_string(&self.log_path).unwrap_or_default();
        let all: Vec<&str> = text.lines().collect();
        all[all.len().saturating_sub(lines)..].join("\n")
    }

    /// Stops the server: SIGTERM (graceful), then SIGKILL if it lingers. Idempotent.
    pub fn stop(&mut self) {
        let Some(mut child) = self.child.take() else {
            return;
        };
        if matches!(child.try_wait(), Ok(Some(_))) {
            return;
        }
        let _ = Command::new("kill")
            .args(["-TERM", &child.id().to_string()])
            .stderr(Stdio::null())
            .status();
        let deadline = Instant::now() + STOP_WITHIN;
        while Instant::now() < deadline {
            if matches!(child.try_wait(), Ok(Some(_))) {
                return;
            }
            std::thread::sleep(Duration::from_millis(50));
        }
        let _ = child.kill();
        let _ = child.wait();
    }
}

impl Drop for Server {
    fn drop(&mut self) {
        self.stop();
    }
}
