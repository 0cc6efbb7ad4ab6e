//! Storage of accounts, links, the audit log, OpenID Connect clients, signing keys and refresh
//! tokens through diesel, on SQLite or PostgreSQL. Every
//! function takes a connection, so callers compose several of them into one transaction.

pub mod accounts;
pub mod audit;
pub mod clients;
pub mod factors;
pub mod links;
pub mod login_attempts;
pub mod refresh_tokens;
pub mod schema;
pub mod signing_keys;

use diesel_migrations::embed_migrations;
use infra::db::Migrations;

/// The migrations of eulogin, per backend, embedded in the binary and applied at start.
pub static MIGRATIONS: Migrations = Migrations {
    sqlite: embed_migrations!("migrations/sqlite"),
    postgres: embed_migrations!("migrations/postgres"),
};
