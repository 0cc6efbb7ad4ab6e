//! traces, the resource service modelled on TRACES NT: operators (companies) and their
//! activities, responsible authorities and Border Control Posts, and the authorisation workflows
//! between users, operator administrators and authorities. It trusts eulogin: people log in
//! through OpenID Connect, machines call the JSON API with eulogin's access tokens.
//!
//! Layers: `domain` (pure rules: statuses, identifiers, what an operator may notify,
//! inactivity), `reference` (the versioned reference data files), `store` (diesel, both
//! backends), `auth` (login through eulogin, sessions, bearer tokens), `http` (pages and the
//! JSON API), `cli` (administration commands), `app` (wiring).

pub mod app;
pub mod auth;
pub mod cli;
pub mod config;
pub mod demo_data;
pub mod domain;
pub mod http;
pub mod i18n;
pub mod reference;
pub mod store;
pub mod workflows;

pub use app::{AppState, Application};
pub use config::{Cli, Settings};
