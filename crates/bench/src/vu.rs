//! A virtual user: one connection and its recorder. Every request goes through [`Vu::step`],
//! which times it, demands the expected status, lets the caller read the answer, and counts the
//! request as a success only when all of that held.

use crate::client::{Call, Connection, Response};
use crate::stats::Recorder;
use hyper::StatusCode;
use std::net::SocketAddr;
use std::time::Instant;

/// Why a request or flow did not go as expected: `kind` groups alike failures in the report,
/// `detail` shows one of them.
#[derive(Debug)]
pub struct Failure {
    pub kind: String,
    pub detail: String,
}

impl Failure {
    pub fn new(kind: impl Into<String>, detail: impl Into<String>) -> Failure {
        Failure {
            kind: kind.into(),
            detail: detail.into(),
        }
    }
}

#[derive(Debug)]
pub struct Vu {
    pub conn: Connection,
    pub rec: Recorder,
}

impl Vu {
    pub fn new(addr: SocketAddr) -> Vu {
        Vu {
            conn: Connection::new(addr),
            rec: Recorder::default(),
        }
    }

    /// Sends `call`, expects `status`, and gives what `read` takes from the answer. The request
    /// counts as a success only if both the status and `read` are satisfied.
    pub async fn step<T>(
        &mut self,
        call: &Call,
        status: StatusCode,
        read: impl FnOnce(&Response) -> Result<T, String>,
    ) -> Result<T, Failure> {
        let started = Instant::now();
        let response = self
            .conn
            .send(call)
            .await
            .map_err(|broken| Failure::new(format!("{}: no answer", call.label()), broken.0))?;
        let finished = Instant::now();
        if response.status != status {
            return Err(Failure::new(
                format!(
                    "{}: expected {}, got {}",
                    call.label(),
                    status.as_u16(),
                    response.status.as_u16()
                ),
                response.snippet(),
            ));
        }
        let value = read(&response)
            .map_err(|why| Failure::new(format!("{}: {why}", call.label()), response.snippet()))?;
        self.rec.success(started, finished);
        Ok(value)
    }
}
