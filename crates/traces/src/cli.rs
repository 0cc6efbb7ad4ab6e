//! Administration commands of the traces binary (`traces --help`); without a command it serves.
//! One module per group of commands. They open the server's database with its settings, after
//! the same environment guard as serving, work while the server runs, and audit every change
//! with the actor `cli` (`store::audit::CLI_ACTOR`).

pub mod admins;
pub mod authorities;
pub mod inactivity;
pub mod officers;
pub mod person;

#[cfg(test)]
mod tests;

use crate::config::Settings;
use clap::Subcommand;
use infra::clock::SharedClock;

#[derive(Debug, Subcommand)]
pub enum Command {
    /// Serve traces (what `traces` does without a command).
    Serve,
    #[command(flatten)]
    Admin(AdminCommand),
}

/// The commands that administer a deployment instead of serving it.
#[derive(Debug, Subcommand)]
pub enum AdminCommand {
    #[command(flatten)]
    Records(RecordsCommand),
    /// The four-month inactivity rule (docs/traces.md, "Inactivity").
    #[command(subcommand)]
    Inactivity(inactivity::InactivityCommand),
    /// Fill a database that has no operators with invented ones (demonstrations, benchmark);
    /// refused in the production environment.
    SeedDemo {
        /// How many operators to write.
        #[arg(long, default_value_t = 1000)]
        operators: usize,
        /// The same seed makes the same operators.
        #[arg(long, default_value_t = 1)]
        seed: u64,
    },
}

/// The commands that only read and write the database.
#[derive(Debug, Subcommand)]
pub enum RecordsCommand {
    /// Authority officers: make a person a valid officer of an authority, list them.
    #[command(subcommand)]
    Officers(officers::OfficersCommand),
    /// System administrators: add, remove, list.
    #[command(subcommand)]
    Admins(admins::AdminsCommand),
    /// The authorities of the reference data, as loaded in the database.
    #[command(subcommand)]
    Authorities(authorities::AuthoritiesCommand),
}

/// Why a command did nothing; printed for the person running it (exit status 1).
#[derive(Debug, thiserror::Error)]
pub enum CliError {
    #[error(
        "unknown authority code {0:?}: `traces authorities list` shows the codes (crates/traces/reference/authorities.toml)"
    )]
    UnknownAuthority(String),
    #[error(
        "traces does not know the person {subject:?} of {issuer} yet: give --email, --given-name and --family-name"
    )]
    UnknownPerson { issuer: String, subject: String },
    #[error("{0}")]
    Invalid(String),
    #[error(transparent)]
    Storage(#[from] infra::db::DbError),
}

impl From<diesel::result::Error> for CliError {
    fn from(e: diesel::result::Error) -> CliError {
        CliError::Storage(e.into())
    }
}

/// Runs one administration command against the database of `settings`; the person's issuer
/// defaults to `TRACES_ISSUER_URL`.
pub async fn run(
    command: AdminCommand,
    settings: Settings,
    clock: SharedClock,
) -> anyhow::Result<()> {
    let command = match command {
        // The job needs the whole state (mail, settings), not just the database.
        AdminCommand::Inactivity(command) => {
            return inactivity::run(command, settings, clock).await;
        }
        AdminCommand::SeedDemo { operators, seed } => {
            let plan = crate::demo_data::DemoPlan { operators, seed };
            return crate::demo_data::command(&settings, plan, clock.now()).await;
        }
        AdminCommand::Records(command) => command,
    };
    let db = crate::app::open_database(&settings, clock.now()).await?;
    let issuer = settings.issuer();
    match command {
        RecordsCommand::Officers(command) => officers::run(command, &db, &issuer, clock).await?,
        RecordsCommand::Admins(command) => admins::run(command, &db, &issuer, clock).await?,
        RecordsCommand::Authorities(command) => authorities::run(command, &db).await?,
    }
    Ok(())
}
