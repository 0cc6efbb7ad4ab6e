//! A deactivated user's request to be let in again: `pending` until someone who may decide
//! either reactivates the user or refuses, with a reason the user reads. A decided request is
//! final; the user may send a new one. What the user writes with the request is optional and
//! bounded.

use super::status::{MAX_REASON_CHARS, TransitionError};

/// The longest message a user may send with a request, in characters.
pub const MAX_MESSAGE_CHARS: usize = 1000;

/// Where a reactivation request stands.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ReactivationStatus {
    /// Waiting for a decision (at most one per user).
    Pending,
    /// The user was reactivated.
    Reactivated,
    /// Refused, with a reason.
    Refused,
}

impl ReactivationStatus {
    pub fn code(self) -> &'static str {
        match self {
            ReactivationStatus::Pending => "pending",
            ReactivationStatus::Reactivated => "reactivated",
            ReactivationStatus::Refused => "refused",
        }
    }

    pub fn parse(code: &str) -> Option<ReactivationStatus> {
        [
            ReactivationStatus::Pending,
            ReactivationStatus::Reactivated,
            ReactivationStatus::Refused,
        ]
        .into_iter()
        .find(|s| s.code() == code)
    }
}

/// What is decided about a request.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ReactivationDecision {
    Reactivate,
    Refuse { reason: String },
}

impl ReactivationDecision {
    /// The decision named by a form's or the API's `action` (`reactivate`, `refuse`), with
    /// its reason; `None` for an unknown action.
    pub fn from_action(action: &str, reason: &str) -> Option<ReactivationDecision> {
        match action {
            "reactivate" => Some(ReactivationDecision::Reactivate),
            "refuse" => Some(ReactivationDecision::Refuse {
                reason: reason.to_owned(),
            }),
            _ => None,
        }
    }
}

/// The request's state after a decision.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Decided {
    pub status: ReactivationStatus,
    /// The refusal's reason, trimmed.
    pub reason: Option<String>,
}

/// Applies `decision` to a request in `current`: only a pending request is decided, and a
/// refusal needs a reason of at most [`MAX_REASON_CHARS`] characters.
pub fn decide(
    current: ReactivationStatus,
    decision: &ReactivationDecision,
) -> Result<Decided, TransitionError> {
    if current != ReactivationStatus::Pending {
        return Err(TransitionError::AlreadyDecided);
    }
    match decision {
        ReactivationDecision::Reactivate => Ok(Decided {
            status: ReactivationStatus::Reactivated,
            reason: None,
        }),
        ReactivationDecision::Refuse { reason } => {
            let reason = reason.trim();
            if reason.is_empty() {
                return Err(TransitionError::ReasonRequired);
            }
            if reason.chars().count() > MAX_REASON_CHARS {
                return Err(TransitionError::ReasonTooLong);
            }
            Ok(Decided {
                status: ReactivationStatus::Refused,
                reason: Some(reason.to_owned()),
            })
        }
    }
}

/// The message is longer than [`MAX_MESSAGE_CHARS`].
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
#[error("the message is too long")]
pub struct MessageTooLong;

/// The user's message, trimmed (blank is an empty message).
pub fn checked_message(raw: &str) -> Result<String, MessageTooLong> {
    let message = raw.trim();
    if message.chars().count() > MAX_MESSAGE_CHARS {
        return Err(MessageTooLong);
    }
    Ok(message.to_owned())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_pending_request_is_reactivated_or_refused_with_a_reason() {
        assert_eq!(
            decide(
                ReactivationStatus::Pending,
                &ReactivationDecision::Reactivate
            ),
            Ok(Decided {
                status: ReactivationStatus::Reactivated,
                reason: None
            })
        );
        let refuse = |reason: &str| ReactivationDecision::Refuse {
            reason: reason.to_owned(),
        };
        assert_eq!(
            decide(ReactivationStatus::Pending, &refuse("  left the company ")),
            Ok(Decided {
                status: ReactivationStatus::Refused,
                reason: Some("left the company".to_owned())
            })
        );
        assert_eq!(
            decide(ReactivationStatus::Pending, &refuse("  ")),
            Err(TransitionError::ReasonRequired)
        );
        assert_eq!(
            decide(ReactivationStatus::Pending, &refuse(&"é".repeat(501))),
            Err(TransitionError::ReasonTooLong)
        );
        assert!(decide(ReactivationStatus::Pending, &refuse(&"é".repeat(500))).is_ok());
    }

    #[test]
    fn a_decided_request_stays_decided() {
        for status in [ReactivationStatus::Reactivated, ReactivationStatus::Refused] {
            assert_eq!(
                decide(status, &ReactivationDecision::Reactivate),
                Err(TransitionError::AlreadyDecided)
            );
        }
    }

    #[test]
    fn actions_and_statuses_have_codes() {
        assert_eq!(
            ReactivationDecision::from_action("refuse", "why"),
            Some(ReactivationDecision::Refuse {
                reason: "why".to_owned()
            })
        );
        assert_eq!(ReactivationDecision::from_action("validate", ""), None);
        for status in [
            ReactivationStatus::Pending,
            ReactivationStatus::Reactivated,
            ReactivationStatus::Refused,
        ] {
            assert_eq!(ReactivationStatus::parse(status.code()), Some(status));
        }
        assert_eq!(ReactivationStatus::parse("valid"), None);
    }

    #[test]
    fn the_message_is_optional_and_bounded() {
        assert_eq!(checked_message("  "), Ok(String::new()));
        assert_eq!(
            checked_message(" back from leave "),
            Ok("back from leave".into())
        );
        assert!(checked_message(&"x".repeat(MAX_MESSAGE_CHARS)).is_ok());
        assert_eq!(
            checked_message(&"x".repeat(MAX_MESSAGE_CHARS + 1)),
            Err(MessageTooLong)
        );
    }
}
