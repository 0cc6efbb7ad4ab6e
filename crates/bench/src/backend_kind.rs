//! Which storage the service under test runs on, as both benchmarks' `--backend` takes it.

use clap::ValueEnum;

/// `embedded` (SQLite file + in-process store) or `production` (PostgreSQL + Redis).
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum BackendKind {
    Embedded,
    Production,
}

impl BackendKind {
    pub fn name(self) -> &'static str {
        match self {
            BackendKind::Embedded => "embedded",
            BackendKind::Production => "production",
        }
    }

    pub fn description(self) -> &'static str {
        match self {
            BackendKind::Embedded => "SQLite file + in-process key-value store",
            BackendKind::Production => "PostgreSQL + Redis on this machine, plain TCP on loopback",
        }
    }
}
