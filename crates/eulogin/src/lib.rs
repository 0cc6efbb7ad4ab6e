//! eulogin, an OpenID Connect identity provider modelled on the European Commission's EU Login:
//! self-registration with an e-mailed link to set the password, lockout after five wrong
//! passwords, second factors, SSO sessions, "My account", and OpenID Connect for the
//! applications.
//!
//! Layers: `domain` (pure rules), `oidc` (the protocol's rules), `factors` (second factors), `store` (diesel, both
//! backends), `security` (hashing, sessions, rate limits, captcha), `http` (pages and
//! endpoints), `cli` (administration commands), `app` (wiring).

pub mod app;
pub mod cli;
pub mod cli_accounts;
pub mod config;
pub mod domain;
pub mod factors;
pub mod http;
pub mod i18n;
pub mod oidc;
pub mod security;
pub mod store;

pub use app::{AppState, Application};
pub use config::{Cli, Settings};
