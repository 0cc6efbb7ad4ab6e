//! traces under test: the release binary as a child process (the standard run: its CPU and
//! memory are its own), or, for the smoke test, the library inside this process. Either way
//! configured as a deployment would be, through its `TRACES_…` settings.

use crate::args::Args;
use crate::dataset::Storage;
use bench::server::Server;
use clap::Parser as _;
use std::net::SocketAddr;
use std::path::Path;
use std::sync::Arc;

/// The settings traces gets, as environment variables.
pub fn environment(
    args: &Args,
    addr: SocketAddr,
    issuer: &str,
    storage: &Storage,
    work: &Path,
) -> Vec<(String, String)> {
    let outbox = work.join("traces-outbox");
    let mut env: Vec<(String, String)> = vec![
        ("TRACES_LISTEN".into(), addr.to_string()),
        ("TRACES_PUBLIC_URL".into(), public_url(addr)),
        ("TRACES_ISSUER_URL".into(), issuer.to_owned()),
        ("TRACES_CLIENT_ID".into(), crate::issuer::CLIENT_ID.into()),
        ("TRACES_CLIENT_SECRET".into(), infra::crypto::random_token()),
        ("TRACES_SECRET_KEY".into(), infra::crypto::random_token()),
        ("TRACES_DATABASE_URL".into(), storage.database_url.clone()),
        ("TRACES_KEY_PREFIX".into(), storage.key_prefix.clone()),
        ("TRACES_OUTBOX_DIR".into(), outbox.display().to_string()),
        // As the container image sets it (see eulogin's benchmark).
        ("MIMALLOC_ARENA_EAGER_COMMIT".into(), "0".into()),
    ];
    if let Some(redis) = &storage.redis_url {
        env.push(("TRACES_REDIS_URL".into(), redis.clone()));
    }
    if let Some(size) = args.pool_size {
        env.push(("TRACES_DATABASE_POOL_SIZE".into(), size.to_string()));
    }
    if args.quiet_server {
        env.push(("RUST_LOG".into(), "warn".into()));
    }
    env
}

/// traces' public URL, which is also the audience of its tokens.
pub fn public_url(addr: SocketAddr) -> String {
    format!("http://localhost:{}", addr.port())
}

/// The running traces.
#[derive(Debug)]
pub enum Service {
    Process(Server),
    InProcess,
}

impl Service {
    /// Starts traces and waits until it is ready.
    pub async fn start(
        args: &Args,
        addr: SocketAddr,
        env: &[(String, String)],
        work: &Path,
    ) -> anyhow::Result<Service> {
        if !args.in_process {
            let mut server = Server::start(&args.server, addr, env, &work.join("traces.log"))?;
            server.wait_ready().await?;
            return Ok(Service::Process(server));
        }
        let mut cli = vec!["traces".to_owned()];
        for (name, value) in env {
            if let Some(setting) = name.strip_prefix("TRACES_") {
                cli.push(format!(
                    "--{}={value}",
                    setting.to_lowercase().replace('_', "-")
                ));
            }
        }
        let settings = traces::Settings::from_cli(traces::Cli::parse_from(cli))?;
        let listener = std::net::TcpListener::bind(addr)?;
        let clock: infra::clock::SharedClock = Arc::new(infra::SystemClock);
        let state = traces::AppState::connect(settings, clock).await?;
        let (_, _, server) = traces::Application::serve(listener, state)?.into_parts();
        tokio::spawn(server);
        Ok(Service::InProcess)
    }

    /// The process whose CPU and memory are traces'.
    pub fn pid(&self) -> u32 {
        match self {
            Service::Process(server) => server.pid,
            Service::InProcess => std::process::id(),
        }
    }

    /// `Some(why)` once the server process has ended.
    pub fn exited(&mut self) -> Option<String> {
        match self {
            Service::Process(server) => server
                .exited()
                .map(|status| format!("{status}; its log ends with:\n{}", server.log_tail(20))),
            Service::InProcess => None,
        }
    }

    pub fn stop(&mut self) {
        if let Service::Process(server) = self {
            server.stop();
        }
    }

    /// Bytes and lines the server logged.
    pub fn log_size(&self) -> Option<(u64, u64)> {
        match self {
            Service::Process(server) => Some(bench::conditions::log_size(&server.log_path)),
            Service::InProcess => None,
        }
    }
}
