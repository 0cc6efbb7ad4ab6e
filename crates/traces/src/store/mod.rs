//! Storage of traces: the diesel schema (the same on SQLite and PostgreSQL) and one module of
//! queries per kind of record. Query functions take a connection, so a handler can run several
//! of them in one transaction.

pub mod schema;
pub mod users;

use diesel_migrations::embed_migrations;
use infra::db::Migrations;

pub static MIGRATIONS: Migrations = Migrations {
    sqlite: embed_migrations!("migrations/sqlite"),
    postgres: embed_migrations!("migrations/postgres"),
};
