//! Authenticating with a registered security key or passkey, as the second factor after the
//! password: the options for the browser, then the checked response, its user verification and
//! its signature counter.

use crate::credential::{Key, encode_id};
use crate::response::{self, signature_counter};
use crate::state::{self, AuthenticationState};
use crate::{KeyKind, StoredCredential, WebAuthnError, WebAuthnPolicy};
use webauthn_rs::prelude::{Passkey, PublicKeyCredential, WebauthnError as CoreError};

/// The first half of an authentication.
#[derive(Debug, Clone)]
pub struct AuthenticationStart {
    /// `{"publicKey": PublicKeyCredentialRequestOptions}` as webauthn-rs writes it, for the
    /// browser's `PublicKeyCredential.parseRequestOptionsFromJSON` (or its polyfill).
    pub options_json: String,
    /// The server-side state to keep (key-value store, at least [`crate::CEREMONY_TIMEOUT`])
    /// and to hand, once, to [`WebAuthnPolicy::finish_authentication`]. Never send it to the
    /// browser: it holds the challenge.
    pub state: String,
}

/// A successful authentication.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Authenticated {
    /// The base64url id of the credential used.
    pub credential_id: String,
    /// Its kind.
    pub kind: KeyKind,
    /// Whether the authenticator verified the user (PIN, biometrics): required for the "high"
    /// assurance level. Always true for a passkey.
    pub user_verified: bool,
    /// The counter to store in [`StoredCredential::counter`] (0 for authenticators without one).
    pub new_counter: u32,
    /// The credential's new `data` when webauthn-rs updated it (counter, backup state); `None`
    /// when it is unchanged.
    pub updated_data: Option<String>,
}

impl WebAuthnPolicy {
    /// Starts an authentication with any of the account's `credentials`.
    ///
    /// With passkeys only, the browser is told that user verification is required. With any
    /// security key among them, the ceremony runs as webauthn-rs' security-key ceremony with
    /// user verification "preferred", over every credential: webauthn-rs still requires user
    /// verification from each passkey (and from each security key registered with it), and so
    /// does [`Self::finish_authentication`].
    ///
    /// # Errors
    ///
    /// [`WebAuthnError::NoCredentials`] for an empty list;
    /// [`WebAuthnError::InvalidStoredCredential`] when a record cannot be read back.
    pub fn start_authentication(
        &self,
        credentials: &[StoredCredential],
    ) -> Result<AuthenticationStart, WebAuthnError> {
        if credentials.is_empty() {
            return Err(WebAuthnError::NoCredentials);
        }
        let keys = credentials
            .iter()
            .map(Key::from_stored)
            .collect::<Result<Vec<_>, _>>()?;
        let passkeys: Vec<Passkey> = keys
            .iter()
            .filter_map(|k| match k {
                Key::Passkey(p) => Some(p.clone()),
                Key::SecurityKey(_) => None,
            })
            .collect();
        let (options, state) = if passkeys.len() == keys.len() {
            let (options, state) = self
                .webauthn
                .start_passkey_authentication(&passkeys)
                .map_err(WebAuthnError::cannot_start)?;
            (
                options,
                AuthenticationState::PasskeyAuthentication { state },
            )
        } else {
            let security_keys: Vec<_> = keys.into_iter().map(Key::into_security_key).collect();
            let (mut options, state) = self
                .webauthn
                .start_securitykey_authentication(&security_keys)
                .map_err(WebAuthnError::cannot_start)?;
            if !passkeys.is_empty() {
                // webauthn-rs hints "security-key", which steers browsers away from the
                // platform authenticator holding the account's passkey.
                options.public_key.hints = None;
            }
            (
                options,
                AuthenticationState::SecurityKeyAuthentication { state },
            )
        };
        Ok(AuthenticationStart {
            options_json: serde_json::to_string(&options)
                .map_err(|e| WebAuthnError::Internal(format!("cannot encode options: {e}")))?,
            state: state::encode(&state)?,
        })
    }

    /// Checks the browser's response (`PublicKeyCredential.toJSON()` of
    /// `navigator.credentials.get`) against the `state` of [`Self::start_authentication`] and
    /// the account's `credentials` as stored now.
    ///
    /// Refused, besides what webauthn-rs refuses: a passkey that did not verify the user, and a
    /// signature counter that did not go up (see the README). On success, store
    /// [`Authenticated::new_counter`] and [`Authenticated::updated_data`], and delete the state
    /// so that it is used only once.
    ///
    /// # Errors
    ///
    /// [`WebAuthnError::InvalidState`], [`WebAuthnError::InvalidResponse`],
    /// [`WebAuthnError::UnknownCredential`] (not in `credentials`, or not offered in the
    /// ceremony), [`WebAuthnError::ChallengeMismatch`], [`WebAuthnError::WrongOrigin`],
    /// [`WebAuthnError::UserVerificationMissing`], [`WebAuthnError::CounterRegression`] (to
    /// record in the audit log), [`WebAuthnError::InvalidStoredCredential`], and
    /// [`WebAuthnError::Rejected`] for anything else webauthn-rs refuses (a bad signature).
    pub fn finish_authentication(
        &self,
        state: &str,
        response_json: &str,
        credentials: &[StoredCredential],
    ) -> Result<Authenticated, WebAuthnError> {
        let state: AuthenticationState = state::decode(state)?;
        let response: PublicKeyCredential = serde_json::from_str(response_json)
            .map_err(|e| WebAuthnError::InvalidResponse(e.to_string()))?;
        let credential_id = encode_id(&response.raw_id);
        let stored = credentials
            .iter()
            .find(|c| c.id == credential_id)
            .ok_or(WebAuthnError::UnknownCredential)?;
        let mut key = Key::from_stored(stored)?;
        let on_record = stored.counter.max(key.credential().counter);
        let result = match &state {
            AuthenticationState::PasskeyAuthentication { state } => self
                .webauthn
                .finish_passkey_authentication(&response, state),
            AuthenticationState::SecurityKeyAuthentication { state } => self
                .webauthn
                .finish_securitykey_authentication(&response, state),
        }
        .map_err(|e| match e {
            // webauthn-rs checked the signature before the counter, so the counter is genuine.
            CoreError::CredentialPossibleCompromise => WebAuthnError::CounterRegression {
                credential_id: credential_id.clone(),
                stored: on_record,
                received: signature_counter(&response.response.authenticator_data).unwrap_or(0),
            },
            e => response::refusal(e, &response.response.client_data_json),
        })?;
        if stored.kind == KeyKind::Passkey && !result.user_verified() {
            return Err(WebAuthnError::UserVerificationMissing);
        }
        // webauthn-rs compared with the counter in the state, as it was when the ceremony
        // started; compare again with the records as they are now, which a concurrent
        // authentication may have moved on.
        check_counter(&credential_id, on_record, result.counter())?;
        let changed = match &mut key {
            Key::Passkey(k) => k.update_credential(&result),
            Key::SecurityKey(k) => k.update_credential(&result),
        };
        let updated_data = match changed {
            Some(true) => Some(key.to_json()?),
            _ => None,
        };
        Ok(Authenticated {
            credential_id,
            kind: stored.kind,
            user_verified: result.user_verified(),
            new_counter: result.counter(),
            updated_data,
        })
    }
}

/// The signature counter rule: a counter must go up, except that an authenticator without a
/// counter (synced passkeys) sends 0 every time, which is accepted while nothing higher was
/// ever seen. A counter that goes back, stays equal while non-zero, or falls to 0 is refused:
/// two copies of the key may exist. webauthn-rs applies the same rule against the counter it
/// kept in the ceremony state; this is the rule against the records as they are now.
///
/// # Errors
///
/// [`WebAuthnError::CounterRegression`] when the counter did not go up.
pub(crate) fn check_counter(
    credential_id: &str,
    stored: u32,
    received: u32,
) -> Result<(), WebAuthnError> {
    if received > stored || (stored == 0 && received == 0) {
        Ok(())
    } else {
        Err(WebAuthnError::CounterRegression {
            credential_id: credential_id.to_owned(),
            stored,
            received,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_counter_must_go_up() {
        assert!(check_counter("k", 0, 1).is_ok());
        assert!(check_counter("k", 41, 42).is_ok());
        assert!(check_counter("k", 41, u32::MAX).is_ok());
        for (stored, received) in [(42, 41), (42, 42), (1, 1), (42, 0), (u32::MAX, u32::MAX)] {
            assert_eq!(
                check_counter("k", stored, received),
                Err(WebAuthnError::CounterRegression {
                    credential_id: "k".to_owned(),
                    stored,
                    received,
                }),
                "stored {stored}, received {received}"
            );
        }
    }

    #[test]
    fn a_counter_that_stays_at_zero_is_accepted() {
        assert!(check_counter("k", 0, 0).is_ok());
    }
}
