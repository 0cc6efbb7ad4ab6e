//! Security keys and passkeys as a second factor after the password: eulogin's policy over
//! webauthn-rs, so that web handlers only move JSON strings and stored records around.
//!
//! A ceremony has two halves. `start_*` returns the options JSON for the browser and a state
//! string to keep server-side (key-value store, with a TTL of at least [`CEREMONY_TIMEOUT`]);
//! `finish_*` takes that state and the browser's response JSON. What this crate decides (user
//! verification per [`KeyKind`], signature counters, origins) is explained in its README.

mod authentication;
mod credential;
mod error;
mod registration;
mod relying_party;
mod response;
mod state;

pub use authentication::{Authenticated, AuthenticationStart};
pub use credential::{KeyKind, StoredCredential, UnknownKeyKind};
pub use error::WebAuthnError;
pub use registration::RegistrationStart;
pub use relying_party::{CEREMONY_TIMEOUT, WebAuthnPolicy};
