//! Plumbing shared by the eulogin and traces services: settings, telemetry, clock, crypto
//! helpers, the database (SQLite | PostgreSQL), the key-value store (Redis | in-process),
//! outbound mail (SMTP | outbox folder) and the HTTP security layer.

pub mod clock;
pub mod crypto;
pub mod db;
pub mod delivery;
pub mod http;
pub mod i18n;
pub mod jwt;
pub mod kv;
pub mod mail;
pub mod metrics;
pub mod settings;
pub mod telemetry;

pub use clock::{Clock, ManualClock, SystemClock};
