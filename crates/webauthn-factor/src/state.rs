//! The ceremony state kept between the two requests of a ceremony, as one JSON string.
//!
//! Registration and authentication states are tagged differently, so the state of one kind of
//! ceremony is refused by the other.

use crate::WebAuthnError;
use serde::de::DeserializeOwned;
use serde::{Deserialize, Serialize};
use webauthn_rs::prelude::{
    PasskeyAuthentication, PasskeyRegistration, SecurityKeyAuthentication, SecurityKeyRegistration,
};

/// A registration in progress.
#[derive(Debug, Serialize, Deserialize)]
#[serde(tag = "ceremony", rename_all = "snake_case")]
pub(crate) enum RegistrationState {
    PasskeyRegistration {
        /// Ids (base64url) of the account's credentials, which the new one must not repeat.
        excluded: Vec<String>,
        state: PasskeyRegistration,
    },
    SecurityKeyRegistration {
        excluded: Vec<String>,
        state: SecurityKeyRegistration,
    },
}

/// An authentication in progress. A ceremony over passkeys only asks for user verification;
/// one with any security key runs as a security-key ceremony (see `start_authentication`).
#[derive(Debug, Serialize, Deserialize)]
#[serde(tag = "ceremony", rename_all = "snake_case")]
pub(crate) enum AuthenticationState {
    PasskeyAuthentication { state: PasskeyAuthentication },
    SecurityKeyAuthentication { state: SecurityKeyAuthentication },
}

pub(crate) fn encode<T: Serialize>(state: &T) -> Result<String, WebAuthnError> {
    serde_json::to_string(state)
        .map_err(|e| WebAuthnError::Internal(format!("cannot encode the ceremony state: {e}")))
}

pub(crate) fn decode<T: DeserializeOwned>(state: &str) -> Result<T, WebAuthnError> {
    serde_json::from_str(state).map_err(|_| WebAuthnError::InvalidState)
}
