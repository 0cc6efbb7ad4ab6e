//! Storage of traces: the diesel schema (the same on SQLite and PostgreSQL) and one module of
//! queries per kind of record. Query functions take a connection, so a handler can run several
//! of them in one transaction.

pub mod activities;
pub mod audit;
pub mod environment;
pub mod inactivity;
pub mod memberships;
pub mod operator_documents;
pub mod operator_facets;
pub mod operator_search;
pub mod operators;
pub mod reactivations;
pub mod reference;
pub mod schema;
pub mod users;

#[cfg(test)]
pub(crate) mod test_db;

use diesel_migrations::embed_migrations;
use infra::db::Migrations;

pub static MIGRATIONS: Migrations = Migrations {
    sqlite: embed_migrations!("migrations/sqlite"),
    postgres: embed_migrations!("migrations/postgres"),
};
