//! Administration commands of the traces binary (`traces --help`); without a command it serves.

use clap::Subcommand;

#[derive(Debug, Subcommand)]
pub enum Command {
    /// Serve traces (what `traces` does without a command).
    Serve,
}
