//! The authorisation workflows, shared by the pages and the JSON API: requesting access to an
//! operator or creating one, the authorities' decisions on operators and activities, the
//! administrators' decisions on users. Each workflow checks access first, writes everything in
//! one transaction with its audit entries, and e-mails the people concerned after the commit.

pub mod access;
pub mod decisions;
pub mod inactivity;
pub mod members;
pub mod notify;
pub mod reactivation;
pub mod request_key;
pub mod requests;

use access::Refusal;

/// Why a workflow did not happen. Handlers turn it into a page or problem JSON.
#[derive(Debug, thiserror::Error)]
pub enum WorkflowError {
    /// Not visible to this person: answered like a missing record.
    #[error("not found")]
    NotFound,
    /// Visible, but this person's roles do not allow the action.
    #[error("forbidden")]
    Forbidden,
    /// The action does not fit the object's state; the code is translated
    /// (`workflow.<code>`), e.g. `already_decided`, `reason_required`, `last_administrator`.
    #[error("conflict: {0}")]
    Conflict(&'static str),
    #[error(transparent)]
    Storage(#[from] infra::db::DbError),
    #[error("key-value store: {0}")]
    KeyValue(#[from] infra::kv::KvError),
}

impl From<Refusal> for WorkflowError {
    fn from(r: Refusal) -> WorkflowError {
        match r {
            Refusal::NotFound => WorkflowError::NotFound,
            Refusal::Forbidden => WorkflowError::Forbidden,
        }
    }
}

impl From<diesel::result::Error> for WorkflowError {
    fn from(e: diesel::result::Error) -> WorkflowError {
        WorkflowError::Storage(infra::db::DbError::from(e))
    }
}
