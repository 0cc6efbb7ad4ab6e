//! Administration commands of the traces binary (`traces --help`); without a command it serves.

use clap::Subcommand;

#[derive(Debug, Subcommand)]
pub enum Command {
    /// Serve traces (what `traces` does without a command).
    Serve,
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
