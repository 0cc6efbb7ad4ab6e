//! The HTTP layer both services share: problem+json errors, security headers, CSRF
//! protection, client addresses, health endpoints, the metrics listener, request logging.

pub mod client;
pub mod csrf;
pub mod health;
pub mod metrics_listener;
pub mod problem;
pub mod request_log;
pub mod security_headers;
