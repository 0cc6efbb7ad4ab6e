//! The HTTP layer both services share: problem+json errors, security headers, CSRF
//! protection, client addresses, health and metrics endpoints, request logging.

pub mod client;
pub mod csrf;
pub mod health;
pub mod problem;
pub mod request_log;
pub mod security_headers;
