//! Requests made at most once. A form carries a random request key (the API takes an
//! `Idempotency-Key`); the key-value store remembers for a day what the first request with it
//! created, so a double click, a reload or a client's retry returns that instead of creating a
//! second operator or activity. A repeat that arrives while the first is still running is
//! refused (`request_in_progress`) rather than run twice.

use super::WorkflowError;
use crate::app::AppState;
use std::future::Future;

/// How long a request key remembers what it created.
const REQUEST_KEY_TTL: time::Duration = time::Duration::hours(24);

/// What the store holds while the first request runs.
const IN_PROGRESS: &str = "in-progress";

/// What a request with a key gave.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum Once<T> {
    /// It ran now (or there was no key).
    Done(T),
    /// A request with the same key already ran: what it remembered.
    Repeat(String),
}

/// Runs `work` unless a request of `purpose` by `user_id` with `request_key` already did; an
/// empty key always runs. `remember` turns what it created into the text a repeat gets back
/// (never the text `in-progress`). A failed request forgets its key, so it can be tried again.
pub(crate) async fn at_most_once<T>(
    state: &AppState,
    purpose: &str,
    user_id: &str,
    request_key: &str,
    remember: impl FnOnce(&T) -> String,
    work: impl Future<Output = Result<T, WorkflowError>>,
) -> Result<Once<T>, WorkflowError> {
    if request_key.is_empty() {
        return work.await.map(Once::Done);
    }
    let key = format!("{purpose}:{user_id}:{request_key}");
    if let Some(done) = state.kv.get(&key).await?
        && done != IN_PROGRESS
    {
        return Ok(Once::Repeat(done));
    }
    if !state
        .kv
        .set_if_absent(&key, IN_PROGRESS, REQUEST_KEY_TTL)
        .await?
    {
        return Err(WorkflowError::Conflict("request_in_progress"));
    }
    let outcome = work.await;
    match &outcome {
        Ok(done) => state.kv.set(&key, &remember(done), REQUEST_KEY_TTL).await?,
        Err(_) => state.kv.delete(&key).await?,
    }
    outcome.map(Once::Done)
}
