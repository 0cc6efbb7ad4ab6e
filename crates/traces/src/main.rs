//! The traces binary: serves (the default), or runs an administration command
//! (see `traces --help`).

use clap::Parser;
use std::sync::Arc;
use traces::cli::Command;
use traces::{Application, Cli, Settings};

/// mimalloc instead of the system allocator: glibc keeps one arena per thread that ever
/// allocated, and the blocking threads of the database grew the resident memory under load;
/// mimalloc returns freed memory to the system.
#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

#[actix_web::main]
async fn main() -> anyhow::Result<()> {
    let mut cli = Cli::parse();
    let administration = match cli.command.take() {
        Some(Command::Admin(command)) => Some(command),
        Some(Command::Serve) | None => None,
    };
    let _log = infra::telemetry::init(if administration.is_some() {
        "warn"
    } else {
        "info"
    });
    let settings = Settings::from_cli(cli)?;
    let clock: infra::clock::SharedClock = Arc::new(infra::SystemClock);
    if let Some(command) = administration {
        traces::app::install_crypto();
        return traces::cli::run(command, settings, clock).await;
    }
    let public = settings.url("");
    let app = Application::build(settings, clock).await?;
    let state = &app.state;
    tracing::info!(
        database = ?state.db.backend(),
        key_value_store = if state.kv.is_redis() { "redis" } else { "in-process" },
        mail = if state.postman.is_outbox() { "outbox" } else { "smtp" },
        issuer = %state.settings.issuer(),
        environment = state.settings.environment.code(),
        "traces ready"
    );
    println!("traces is running: {public}/ (health at {public}/healthz)");
    app.run_until_stopped().await?;
    Ok(())
}
