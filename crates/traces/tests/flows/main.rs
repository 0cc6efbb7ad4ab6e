//! HTTP-level tests of traces with a real eulogin in the same process, each run twice: on the
//! embedded defaults (SQLite + in-process store) and on the production parts (PostgreSQL +
//! Redis). One test binary links fastest.

#![expect(
    clippy::unwrap_used,
    reason = "a test fails loudly at the first surprise"
)]

mod support;

mod auth_bearer;
mod auth_browser;
mod auth_login;
mod auth_logout;
mod auth_outage;
mod environments;
mod workflow_journey;
