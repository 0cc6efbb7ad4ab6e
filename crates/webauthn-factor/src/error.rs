//! The one error type of the crate, with a stable code per refusal for the audit log and support.

/// Why a WebAuthn ceremony could not start or was refused.
///
/// The messages are for logs, not for people: they may quote what the browser sent (an origin).
/// Show people a fixed, translated text chosen by [`WebAuthnError::code`].
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum WebAuthnError {
    /// The public URL or relying party name cannot be used for WebAuthn.
    #[error("WebAuthn cannot be configured: {0}")]
    Configuration(String),
    /// An authentication was asked for an account without security keys or passkeys.
    #[error("the account has no security key or passkey to authenticate with")]
    NoCredentials,
    /// The ceremony state is not one this crate wrote, or belongs to the other kind of ceremony
    /// (a registration state given to an authentication, or the reverse).
    #[error("the ceremony state is malformed or belongs to another kind of ceremony")]
    InvalidState,
    /// The browser's response is not a WebAuthn response (malformed JSON, base64 or CBOR, or a
    /// response of the wrong ceremony type).
    #[error("the browser's response is malformed: {0}")]
    InvalidResponse(String),
    /// The response answers the challenge of another ceremony.
    #[error("the response answers the challenge of another ceremony")]
    ChallengeMismatch,
    /// The response was made for another origin than the server's public URL (a phishing site,
    /// a sibling subdomain, another port, or a cross-origin frame).
    #[error("the response was made for another origin: {origin}")]
    WrongOrigin {
        /// The origin the browser reported (as sent, for the audit log).
        origin: String,
    },
    /// The response comes from a credential that is not (or no longer) registered to the account.
    #[error("the response comes from a credential not registered to this account")]
    UnknownCredential,
    /// The authenticator created a credential that the account already has (it ignored the
    /// exclusion list).
    #[error("the credential {credential_id} is already registered to this account")]
    AlreadyRegistered {
        /// The base64url id of the credential.
        credential_id: String,
    },
    /// A passkey answered without user verification (PIN, biometrics), or a security key that
    /// verified the user at registration answered without it.
    #[error("the authenticator did not verify the user")]
    UserVerificationMissing,
    /// The signature counter did not go up: the key may have been cloned. Record it in the
    /// audit log.
    #[error(
        "the signature counter of credential {credential_id} did not increase \
         (stored {stored}, received {received}): the key may have been cloned"
    )]
    CounterRegression {
        /// The base64url id of the credential.
        credential_id: String,
        /// The highest counter on record for the credential.
        stored: u32,
        /// The counter in the authenticator's (correctly signed) response.
        received: u32,
    },
    /// Any other refusal by webauthn-rs: a bad signature, the user not present, an attestation
    /// that does not verify, an authenticator signing for another relying party id.
    #[error("the response was refused: {0}")]
    Rejected(String),
    /// A stored credential record cannot be read back.
    #[error("the stored credential {credential_id} cannot be read: {reason}")]
    InvalidStoredCredential {
        /// The id of the record as stored.
        credential_id: String,
        /// What is wrong with it.
        reason: String,
    },
    /// webauthn-rs refused to start a ceremony, or its state could not be encoded.
    #[error("WebAuthn failed unexpectedly: {0}")]
    Internal(String),
}

impl WebAuthnError {
    /// webauthn-rs refused to start a ceremony (an empty user name, say).
    pub(crate) fn cannot_start(e: webauthn_rs::prelude::WebauthnError) -> WebAuthnError {
        WebAuthnError::Internal(format!("webauthn-rs cannot start the ceremony: {e}"))
    }

    /// A stable code for logs, support and the translated message shown to the person.
    pub fn code(&self) -> &'static str {
        match self {
            WebAuthnError::Configuration(_) => "EUL-500-WEBAUTHN-CONFIG",
            WebAuthnError::NoCredentials => "EUL-409-WEBAUTHN-NONE",
            WebAuthnError::InvalidState => "EUL-400-WEBAUTHN-STATE",
            WebAuthnError::InvalidResponse(_) => "EUL-400-WEBAUTHN-RESPONSE",
            WebAuthnError::ChallengeMismatch => "EUL-401-WEBAUTHN-CHALLENGE",
            WebAuthnError::WrongOrigin { .. } => "EUL-401-WEBAUTHN-ORIGIN",
            WebAuthnError::UnknownCredential => "EUL-401-WEBAUTHN-UNKNOWN",
            WebAuthnError::AlreadyRegistered { .. } => "EUL-409-WEBAUTHN-DUPLICATE",
            WebAuthnError::UserVerificationMissing => "EUL-401-WEBAUTHN-UV",
            WebAuthnError::CounterRegression { .. } => "EUL-401-WEBAUTHN-COUNTER",
            WebAuthnError::Rejected(_) => "EUL-401-WEBAUTHN-REJECTED",
            WebAuthnError::InvalidStoredCredential { .. } => "EUL-500-WEBAUTHN-STORED",
            WebAuthnError::Internal(_) => "EUL-500-WEBAUTHN",
        }
    }
}
