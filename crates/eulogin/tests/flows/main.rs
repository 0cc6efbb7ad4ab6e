//! HTTP-level tests of eulogin, each run twice: on the embedded defaults (SQLite + in-process
//! store) and on the production parts (PostgreSQL + Redis). One test binary links fastest.

#![expect(
    clippy::unwrap_used,
    reason = "a test fails loudly at the first surprise"
)]

mod factor_support;
mod oidc_support;
mod support;
mod webauthn_support;

mod account;
mod factors_app;
mod factors_sms;
mod factors_totp;
mod factors_webauthn;
mod form_targets;
mod interop_node;
mod links;
mod lockout;
mod login;
mod mail_delivery;
mod oidc_admin;
mod oidc_conformance;
mod oidc_interop;
mod oidc_login;
mod oidc_logout;
mod oidc_tokens;
mod operations;
mod processes;
mod registration;
mod security;
