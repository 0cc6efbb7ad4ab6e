//! The eulogin binary: serves (the default), or runs an administration command
//! (`eulogin clients …`, `eulogin keys …`; see `eulogin --help`).

use clap::Parser;
use eulogin::cli::Command;
use eulogin::{Application, Cli, Settings};
use std::sync::Arc;

/// mimalloc instead of the system allocator: glibc keeps one arena per thread that ever
/// allocated, and the blocking threads of the database and password hashing grew the resident
/// memory to over a gigabyte under load; mimalloc returns freed memory to the system.
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
        eulogin::app::install_crypto();
        return eulogin::cli::run(command, settings, clock).await;
    }
    let public = settings.public_base();
    let app = Application::build(settings, clock).await?;
    let state = &app.state;
    tracing::info!(
        database = ?state.db.backend(),
        key_value_store = if state.kv.is_redis() { "redis" } else { "in-process" },
        mail = if state.postman.is_outbox() { "outbox" } else { "smtp" },
        issuer = %state.settings.issuer(),
        "eulogin ready"
    );
    println!(
        "eulogin is running: open {public}/register to create an account, {public}/login to log in; \
         OpenID Connect discovery at {public}/.well-known/openid-configuration"
    );
    app.run_until_stopped().await?;
    Ok(())
}
