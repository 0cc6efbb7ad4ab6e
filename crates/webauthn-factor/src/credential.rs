//! The stored form of a registered security key or passkey, and its reading back into webauthn-rs.

use crate::WebAuthnError;
use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use serde::{Deserialize, Serialize};
use std::fmt;
use std::str::FromStr;
use webauthn_rs::prelude::{Credential, CredentialID, Passkey, SecurityKey};

/// What was registered, which decides whether user verification is demanded.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum KeyKind {
    /// A passkey (platform authenticator, phone, PIN- or biometric-protected key): user
    /// verification is required at registration and at every authentication, so an
    /// authentication with it reaches the "high" assurance level.
    Passkey,
    /// A security key used for presence only: user verification is asked for ("preferred") but
    /// not required, so a plain U2F-style key without PIN works. Once a key has verified the
    /// user at registration, webauthn-rs demands it at every later authentication.
    SecurityKey,
}

impl KeyKind {
    /// The kind as stored in a text column: `passkey` or `security_key`.
    pub fn as_str(self) -> &'static str {
        match self {
            KeyKind::Passkey => "passkey",
            KeyKind::SecurityKey => "security_key",
        }
    }
}

impl fmt::Display for KeyKind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// A stored key kind that is neither `passkey` nor `security_key`.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("unknown key kind {0:?}")]
pub struct UnknownKeyKind(pub String);

impl FromStr for KeyKind {
    type Err = UnknownKeyKind;

    /// Reads back [`KeyKind::as_str`].
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        match s {
            "passkey" => Ok(KeyKind::Passkey),
            "security_key" => Ok(KeyKind::SecurityKey),
            other => Err(UnknownKeyKind(other.to_owned())),
        }
    }
}

/// A registered credential as the caller stores it, one per row, next to the name the person
/// gave it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct StoredCredential {
    /// The credential id, base64url without padding (unique: refuse to register an id that
    /// another account already has).
    pub id: String,
    /// Whether it was registered as a passkey or a security key.
    pub kind: KeyKind,
    /// The webauthn-rs credential (`Passkey` or `SecurityKey`) as JSON: public key, counter,
    /// backup flags, the user-verification policy of its registration.
    pub data: String,
    /// The highest signature counter seen (0 for authenticators without a counter). Replace it
    /// with [`crate::Authenticated::new_counter`] after each authentication.
    pub counter: u32,
}

/// The base64url (no padding) form of a credential id, as browsers and [`StoredCredential::id`]
/// spell it.
pub(crate) fn encode_id(id: &[u8]) -> String {
    URL_SAFE_NO_PAD.encode(id)
}

/// A stored credential read back into the webauthn-rs type of its kind.
#[derive(Debug, Clone)]
pub(crate) enum Key {
    Passkey(Passkey),
    SecurityKey(SecurityKey),
}

impl Key {
    pub(crate) fn from_stored(stored: &StoredCredential) -> Result<Key, WebAuthnError> {
        let invalid = |reason: String| WebAuthnError::InvalidStoredCredential {
            credential_id: stored.id.clone(),
            reason,
        };
        let key = match stored.kind {
            KeyKind::Passkey => serde_json::from_str(&stored.data).map(Key::Passkey),
            KeyKind::SecurityKey => serde_json::from_str(&stored.data).map(Key::SecurityKey),
        }
        .map_err(|e| invalid(e.to_string()))?;
        if encode_id(key.cred_id()) != stored.id {
            return Err(invalid("its id does not match its data".to_owned()));
        }
        Ok(key)
    }

    pub(crate) fn cred_id(&self) -> &CredentialID {
        match self {
            Key::Passkey(k) => k.cred_id(),
            Key::SecurityKey(k) => k.cred_id(),
        }
    }

    /// The webauthn-rs credential inside, to read what the wrappers do not expose.
    pub(crate) fn credential(&self) -> Credential {
        match self {
            Key::Passkey(k) => Credential::from(k.clone()),
            Key::SecurityKey(k) => Credential::from(k.clone()),
        }
    }

    /// The same credential as a webauthn-rs `SecurityKey`, to take part in a ceremony over both
    /// kinds. Nothing is lost: the user-verification policy of its registration travels with
    /// it, and webauthn-rs enforces it per credential.
    pub(crate) fn into_security_key(self) -> SecurityKey {
        match self {
            Key::Passkey(k) => SecurityKey::from(Credential::from(k)),
            Key::SecurityKey(k) => k,
        }
    }

    pub(crate) fn to_json(&self) -> Result<String, WebAuthnError> {
        match self {
            Key::Passkey(k) => serde_json::to_string(k),
            Key::SecurityKey(k) => serde_json::to_string(k),
        }
        .map_err(|e| WebAuthnError::Internal(format!("cannot encode a credential: {e}")))
    }
}
