//! The eulogin binary: reads the settings, connects, migrates and serves.

use clap::Parser;
use eulogin::{Application, Cli, Settings};
use std::sync::Arc;

#[actix_web::main]
async fn main() -> anyhow::Result<()> {
    infra::telemetry::init("info");
    let settings = Settings::from_cli(Cli::parse())?;
    let public = settings.public_base();
    let app = Application::build(settings, Arc::new(infra::SystemClock)).await?;
    let state = &app.state;
    tracing::info!(
        database = ?state.db.backend(),
        key_value_store = if state.kv.is_redis() { "redis" } else { "in-process" },
        mail = if state.postman.is_outbox() { "outbox" } else { "smtp" },
        "eulogin ready"
    );
    println!(
        "eulogin is running: open {public}/register to create an account, {public}/login to log in"
    );
    app.run_until_stopped().await?;
    Ok(())
}
