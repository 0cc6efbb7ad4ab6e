//! The EU Login mobile app, played from the command line: what a phone does, as a library the
//! server's end-to-end tests call, and as the `eulogin-app` program.
//!
//! - [`Keyring`]: the enrolled devices, kept in a JSON file;
//! - [`Device`]: one enrolled device, able to enrol, list and decide pending logins, and answer
//!   QR login challenges offline;
//! - [`AppError`]: what went wrong, keeping the server's problem for callers to inspect.
//!
//! The wire protocol lives in [`eulogin_mobile_protocol`].

pub mod device;
pub mod error;
pub mod http;
pub mod keyring;

pub use device::Device;
pub use error::AppError;
pub use eulogin_mobile_protocol as protocol;
pub use eulogin_mobile_protocol::{Decision, DecisionResponse, PendingRequest, Problem};
pub use http::http_client;
pub use keyring::{Keyring, StoredDevice};
