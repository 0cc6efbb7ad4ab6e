//! HTTP-level tests of traces with a real eulogin in the same process, each run twice: on the
//! embedded defaults (SQLite + in-process store) and on the production parts (PostgreSQL +
//! Redis). One test binary links fastest.

#![expect(
    clippy::unwrap_used,
    reason = "a test fails loudly at the first surprise"
)]

mod support;

mod access_matrix;
mod access_world;
mod add_activity;
mod api_flows;
mod auth_bearer;
mod auth_browser;
mod auth_login;
mod auth_logout;
mod auth_outage;
mod environments;
mod inactivity;
mod openapi_routes;
mod operations;
mod workflow_journey;
