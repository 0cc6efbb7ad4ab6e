//! `traces inactivity …`: the four-month rule run by hand (docs/traces.md, "Inactivity").

use clap::Subcommand;

#[derive(Debug, Subcommand)]
pub enum InactivityCommand {
    /// Warn and deactivate inactive users now, then print how many (`serve` also does this
    /// every TRACES_INACTIVITY_INTERVAL_MINUTES; both may run at once).
    Run,
}

/// Connects like `serve` (without listening), runs the command and waits until its e-mails are
/// handed to the relay or the outbox.
pub async fn run(
    command: InactivityCommand,
    settings: crate::Settings,
    clock: infra::clock::SharedClock,
) -> anyhow::Result<()> {
    match command {
        InactivityCommand::Run => {
            let state = crate::AppState::connect(settings, clock).await?;
            let summary = crate::workflows::inactivity::run_now(&state).await?;
            state.postman.idle().await;
            println!(
                "inactivity: warned {}, deactivated {}",
                summary.warned, summary.deactivated
            );
            Ok(())
        }
    }
}
