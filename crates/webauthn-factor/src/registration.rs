//! Registering a security key or passkey: the options for the browser, then the checked response.

use crate::credential::{Key, encode_id};
use crate::state::{self, RegistrationState};
use crate::{KeyKind, StoredCredential, WebAuthnError, WebAuthnPolicy, response};
use uuid::Uuid;
use webauthn_rs::prelude::{
    CreationChallengeResponse, RegisterPublicKeyCredential, WebauthnError as CoreError,
};
use webauthn_rs_proto::{CredentialProtectionPolicy, UserVerificationPolicy};

/// The first half of a registration.
#[derive(Debug, Clone)]
pub struct RegistrationStart {
    /// `{"publicKey": PublicKeyCredentialCreationOptions}` as webauthn-rs writes it, for the
    /// browser's `PublicKeyCredential.parseCreationOptionsFromJSON` (or its polyfill).
    pub options_json: String,
    /// The server-side state to keep (key-value store, at least [`crate::CEREMONY_TIMEOUT`])
    /// and to hand, once, to [`WebAuthnPolicy::finish_registration`]. Never send it to the
    /// browser: it holds the challenge.
    pub state: String,
}

impl WebAuthnPolicy {
    /// Starts registering a credential of `kind` for the account `user_handle` (a stable,
    /// opaque id: never the e-mail address), excluding the credentials it already has.
    ///
    /// `user_name` and `display_name` may be shown by the authenticator; they must not be empty.
    ///
    /// # Errors
    ///
    /// [`WebAuthnError::InvalidStoredCredential`] when an existing record cannot be read back;
    /// [`WebAuthnError::Internal`] when webauthn-rs refuses to start (an empty name).
    pub fn start_registration(
        &self,
        kind: KeyKind,
        user_handle: Uuid,
        user_name: &str,
        display_name: &str,
        existing: &[StoredCredential],
    ) -> Result<RegistrationStart, WebAuthnError> {
        let keys = existing
            .iter()
            .map(Key::from_stored)
            .collect::<Result<Vec<_>, _>>()?;
        let excluded_ids: Vec<_> = keys.iter().map(|k| k.cred_id().clone()).collect();
        let excluded: Vec<String> = excluded_ids.iter().map(|id| encode_id(id)).collect();
        let exclude = (!excluded_ids.is_empty()).then_some(excluded_ids);
        let (options, state) = match kind {
            KeyKind::Passkey => {
                let (options, state) = self
                    .webauthn
                    .start_passkey_registration(user_handle, user_name, display_name, exclude)
                    .map_err(WebAuthnError::cannot_start)?;
                (
                    options,
                    RegistrationState::PasskeyRegistration { excluded, state },
                )
            }
            KeyKind::SecurityKey => {
                // No attestation CA list (any maker's key is welcome) and no attachment hint
                // (USB, NFC and Bluetooth keys alike).
                let (mut options, state) = self
                    .webauthn
                    .start_securitykey_registration(
                        user_handle,
                        user_name,
                        display_name,
                        exclude,
                        None,
                        None,
                    )
                    .map_err(WebAuthnError::cannot_start)?;
                browser_consistent_cred_protect(&mut options);
                (
                    options,
                    RegistrationState::SecurityKeyRegistration { excluded, state },
                )
            }
        };
        Ok(RegistrationStart {
            options_json: serde_json::to_string(&options)
                .map_err(|e| WebAuthnError::Internal(format!("cannot encode options: {e}")))?,
            state: state::encode(&state)?,
        })
    }

    /// Checks the browser's response (`PublicKeyCredential.toJSON()` of
    /// `navigator.credentials.create`) against the `state` of [`Self::start_registration`] and
    /// returns the credential to store.
    ///
    /// The caller must still refuse an id that another account already has, and delete the
    /// state so that it is used only once.
    ///
    /// # Errors
    ///
    /// [`WebAuthnError::InvalidState`], [`WebAuthnError::InvalidResponse`],
    /// [`WebAuthnError::ChallengeMismatch`], [`WebAuthnError::WrongOrigin`],
    /// [`WebAuthnError::AlreadyRegistered`], [`WebAuthnError::UserVerificationMissing`] (a
    /// passkey), and [`WebAuthnError::Rejected`] for anything else webauthn-rs refuses.
    pub fn finish_registration(
        &self,
        state: &str,
        response_json: &str,
    ) -> Result<StoredCredential, WebAuthnError> {
        let state: RegistrationState = state::decode(state)?;
        let response: RegisterPublicKeyCredential = serde_json::from_str(response_json)
            .map_err(|e| WebAuthnError::InvalidResponse(e.to_string()))?;
        let (kind, excluded, finished) = match &state {
            RegistrationState::PasskeyRegistration { excluded, state } => (
                KeyKind::Passkey,
                excluded,
                self.webauthn
                    .finish_passkey_registration(&response, state)
                    .map(Key::Passkey),
            ),
            RegistrationState::SecurityKeyRegistration { excluded, state } => (
                KeyKind::SecurityKey,
                excluded,
                self.webauthn
                    .finish_securitykey_registration(&response, state)
                    .map(Key::SecurityKey),
            ),
        };
        let key = finished.map_err(|e| {
            let claimed_id = encode_id(&response.raw_id);
            match e {
                // webauthn-rs reports an excluded credential as an altered algorithm.
                CoreError::CredentialAlteredAlgFromRequest
                | CoreError::CredentialExcludedFromRequest
                    if excluded.contains(&claimed_id) =>
                {
                    WebAuthnError::AlreadyRegistered {
                        credential_id: claimed_id,
                    }
                }
                e => response::refusal(e, &response.response.client_data_json),
            }
        })?;
        let credential = key.credential();
        let id = encode_id(&credential.cred_id);
        if excluded.contains(&id) {
            return Err(WebAuthnError::AlreadyRegistered { credential_id: id });
        }
        // webauthn-rs already requires it for passkeys; a passkey without it would pass for the
        // "high" assurance level, so say it here too.
        if kind == KeyKind::Passkey && !credential.user_verified {
            return Err(WebAuthnError::UserVerificationMissing);
        }
        Ok(StoredCredential {
            id,
            kind,
            data: key.to_json()?,
            counter: credential.counter,
        })
    }
}

/// webauthn-rs asks security keys for the credProtect level "user verification required" while
/// it asks for user verification itself only as "preferred". Chromium-based browsers refuse
/// such a request outright (`NotSupportedError`: the protection policy is inconsistent with the
/// other parameters), before any key is touched, so no security key could be registered there.
/// The level asked for becomes "user verification optional with the credential id list", which
/// a ceremony without required verification can honour (a key without PIN still works, and a
/// discoverable credential it may create is not listed without verification). webauthn-rs only
/// records the level the key reports; which keys must verify their user is decided by the
/// registration's own verification, as before.
fn browser_consistent_cred_protect(options: &mut CreationChallengeResponse) {
    let verification_required = options
        .public_key
        .authenticator_selection
        .as_ref()
        .is_some_and(|s| s.user_verification == UserVerificationPolicy::Required);
    if let Some(cred_protect) = options
        .public_key
        .extensions
        .as_mut()
        .and_then(|e| e.cred_protect.as_mut())
        && !verification_required
        && cred_protect.credential_protection_policy
            == CredentialProtectionPolicy::UserVerificationRequired
    {
        cred_protect.credential_protection_policy =
            CredentialProtectionPolicy::UserVerificationOptionalWithCredentialIDList;
    }
}
