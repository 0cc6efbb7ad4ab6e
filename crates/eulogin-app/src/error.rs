//! [`AppError`]: every way an app operation fails, with the server's RFC 9457 problem kept
//! intact so that callers (and tests) can tell a wrong PIN from an expired request.

use eulogin_mobile_protocol::{Problem, ProtocolError};
use std::path::PathBuf;

#[derive(Debug, thiserror::Error)]
pub enum AppError {
    /// A QR payload, key or message broke the protocol.
    #[error(transparent)]
    Protocol(#[from] ProtocolError),
    /// The server could not be reached or the connection failed. The message names the root
    /// cause only (`Connection refused`, a certificate error…), not reqwest's wrapping layers.
    #[error("could not reach {url}: {}", root_cause(error))]
    Unreachable { url: String, error: reqwest::Error },
    /// The server refused the request; `problem` is its RFC 9457 body, or one made from the HTTP
    /// status when the body was not a problem.
    #[error("the server refused the request (HTTP {status}): {problem}")]
    Server { status: u16, problem: Problem },
    /// The server answered success with a body this app cannot read.
    #[error("unexpected answer from {url} (HTTP {status}): {reason}")]
    UnexpectedResponse {
        url: String,
        status: u16,
        reason: String,
    },
    /// A QR login code names another server than the one the device is enrolled with.
    #[error(
        "this QR code comes from {payload_server}, but the device is enrolled with {device_server}"
    )]
    WrongServer {
        payload_server: String,
        device_server: String,
    },
    /// No device is enrolled (with the server asked for, if any).
    #[error("{0}")]
    NoDevice(String),
    /// Several devices are enrolled and none was chosen.
    #[error(
        "several devices are enrolled; choose one with --server: {}",
        servers.join(", ")
    )]
    AmbiguousDevice { servers: Vec<String> },
    /// A device in the state file cannot be used.
    #[error("stored device {device_id} is damaged: {reason}")]
    InvalidStoredDevice { device_id: String, reason: String },
    /// The state file could not be read or written.
    #[error("state file {}: {error}", path.display())]
    StateIo {
        path: PathBuf,
        error: std::io::Error,
    },
    /// The state file is not what this app writes.
    #[error("state file {} is damaged: {reason}", path.display())]
    StateFormat { path: PathBuf, reason: String },
    /// Neither `--state`, `$EULOGIN_APP_STATE` nor `$HOME` says where the state file is.
    #[error("no state file: pass --state or set EULOGIN_APP_STATE or HOME")]
    NoStatePath,
    /// The HTTP client could not be built.
    #[error("could not set up HTTPS: {}", root_cause(.0))]
    HttpSetup(reqwest::Error),
}

/// The innermost error of a chain, which says what actually failed. Messages are self-contained
/// (no `#[source]`), so that printing an error with its context never repeats a cause.
fn root_cause(error: &(dyn std::error::Error + 'static)) -> String {
    let mut current = error;
    while let Some(next) = current.source() {
        current = next;
    }
    current.to_string()
}

impl AppError {
    /// The server's problem, when the server refused the request.
    pub fn problem(&self) -> Option<&Problem> {
        match self {
            AppError::Server { problem, .. } => Some(problem),
            _ => None,
        }
    }

    /// The HTTP status of a refusal by the server.
    pub fn status(&self) -> Option<u16> {
        match self {
            AppError::Server { status, .. } => Some(*status),
            _ => None,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use eulogin_mobile_protocol::messages::problem_type;

    #[test]
    fn a_refusal_reads_as_the_server_put_it_and_keeps_its_problem() {
        let error = AppError::Server {
            status: 403,
            problem: Problem::new(403, problem_type::WRONG_PIN, "Wrong PIN")
                .with_detail("The PIN is not correct.")
                .with_remaining_attempts(7),
        };
        assert_eq!(
            error.to_string(),
            "the server refused the request (HTTP 403): Wrong PIN: The PIN is not correct. (7 attempts left)"
        );
        assert_eq!(error.status(), Some(403));
        assert_eq!(error.problem().and_then(|p| p.remaining_attempts), Some(7));
        assert!(AppError::NoStatePath.problem().is_none());
    }

    #[test]
    fn the_root_cause_names_what_failed() {
        let io = std::io::Error::new(std::io::ErrorKind::ConnectionRefused, "Connection refused");
        assert_eq!(root_cause(&io), "Connection refused");
        let error = AppError::StateIo {
            path: PathBuf::from("/tmp/s.json"),
            error: io,
        };
        assert_eq!(
            error.to_string(),
            "state file /tmp/s.json: Connection refused"
        );
        assert!(std::error::Error::source(&error).is_none());
    }

    #[test]
    fn ambiguity_lists_the_servers() {
        let error = AppError::AmbiguousDevice {
            servers: vec!["https://a.eu/".into(), "https://b.eu/".into()],
        };
        assert_eq!(
            error.to_string(),
            "several devices are enrolled; choose one with --server: https://a.eu/, https://b.eu/"
        );
    }
}
