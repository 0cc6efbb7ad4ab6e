//! Security keys and passkeys (WebAuthn) as second factors: how a registered credential is kept
//! in a `second_factors` row, how long a ceremony's state lives in the key-value store, what the
//! browser is asked for at each level, and which fixed text a refusal shows. The ceremonies
//! themselves (user verification per kind, counters, origins) are `eulogin-webauthn`'s.

use crate::oidc::assurance::Loa;
use crate::store::factors::{Factor, FactorKind};
use eulogin_webauthn::{CEREMONY_TIMEOUT, KeyKind, StoredCredential, WebAuthnError};
use serde::{Deserialize, Serialize};
use time::Duration;

/// The relying party name browsers and authenticators show.
pub const RELYING_PARTY_NAME: &str = "EU Login";

/// How long a ceremony's state is kept: the time the browser gives the person, and a minute
/// for the answer to arrive.
pub fn ceremony_ttl() -> Duration {
    Duration::try_from(CEREMONY_TIMEOUT).unwrap_or(Duration::minutes(5)) + Duration::minutes(1)
}

/// What the `public_key` column of a `webauthn` row holds: the kind the person registered and
/// webauthn-rs' credential (public key, counter, backup flags, user-verification policy). The
/// credential id is the row's `lookup`, and the highest signature counter seen its `counter`.
#[derive(Debug, Serialize, Deserialize)]
struct CredentialRecord {
    kind: KeyKind,
    credential: serde_json::Value,
}

/// The `public_key` column for a credential of `kind` whose webauthn-rs data is `data`.
///
/// # Errors
///
/// When `data` is not JSON (it always is when it comes from `eulogin-webauthn`).
pub fn record(kind: KeyKind, data: &str) -> Result<String, serde_json::Error> {
    serde_json::to_string(&CredentialRecord {
        kind,
        credential: serde_json::from_str(data)?,
    })
}

/// The kind of a stored security key or passkey, if the row is one and can be read.
pub fn kind_of(factor: &Factor) -> Option<KeyKind> {
    if factor.kind != FactorKind::WebAuthn {
        return None;
    }
    serde_json::from_str::<CredentialRecord>(&factor.public_key)
        .ok()
        .map(|r| r.kind)
}

/// A stored row as `eulogin-webauthn` reads it; `None` for another kind of factor or a record
/// that cannot be read (logged: it cannot be used, but must not block the others).
pub fn stored_credential(factor: &Factor) -> Option<StoredCredential> {
    if factor.kind != FactorKind::WebAuthn {
        return None;
    }
    match serde_json::from_str::<CredentialRecord>(&factor.public_key) {
        Ok(record) => Some(StoredCredential {
            id: factor.lookup.clone(),
            kind: record.kind,
            data: record.credential.to_string(),
            counter: u32::try_from(factor.counter.max(0)).unwrap_or(u32::MAX),
        }),
        Err(e) => {
            tracing::error!(factor = %factor.id, error = %e, "security key record unreadable");
            None
        }
    }
}

/// The credentials among `factors`, as `eulogin-webauthn` reads them.
pub fn credentials(factors: &[Factor]) -> Vec<StoredCredential> {
    factors.iter().filter_map(stored_credential).collect()
}

/// The request options for the browser, for a login step that must reach `required`: for the
/// high level every key is asked to verify its user (PIN, fingerprint, face), whatever its
/// kind. `eulogin-webauthn` asks only "preferred" as soon as one of the account's keys is a
/// security key; the answer's user verification is checked again after the ceremony.
pub fn options_for_level(options_json: &str, required: Loa) -> String {
    if required < Loa::High {
        return options_json.to_owned();
    }
    let Ok(mut options) = serde_json::from_str::<serde_json::Value>(options_json) else {
        return options_json.to_owned();
    };
    if let Some(public_key) = options
        .get_mut("publicKey")
        .and_then(serde_json::Value::as_object_mut)
    {
        public_key.insert("userVerification".to_owned(), "required".into());
    }
    options.to_string()
}

/// Whether a refusal is the person's (or an attacker's) doing, to be answered with a message,
/// rather than a fault of this server (configuration, stored records, webauthn-rs itself).
pub fn is_refusal(e: &WebAuthnError) -> bool {
    !matches!(
        e,
        WebAuthnError::Configuration(_)
            | WebAuthnError::NoCredentials
            | WebAuthnError::InvalidStoredCredential { .. }
            | WebAuthnError::Internal(_)
    )
}

/// The translation key of the text shown for a refusal, chosen by its code, never its message.
pub fn message_key(e: &WebAuthnError, registering: bool) -> &'static str {
    match e {
        WebAuthnError::InvalidState | WebAuthnError::ChallengeMismatch => {
            "factors.key_ceremony_expired"
        }
        WebAuthnError::InvalidResponse(_) => "factors.key_invalid_response",
        WebAuthnError::WrongOrigin { .. } => "factors.key_wrong_origin",
        WebAuthnError::UnknownCredential => "factors.key_unknown",
        WebAuthnError::AlreadyRegistered { .. } => "factors.key_already_yours",
        WebAuthnError::UserVerificationMissing if registering => "factors.key_passkey_without_uv",
        WebAuthnError::UserVerificationMissing => "factors.key_uv_missing",
        WebAuthnError::CounterRegression { .. } => "factors.key_counter_regression",
        WebAuthnError::Rejected(_)
        | WebAuthnError::Configuration(_)
        | WebAuthnError::NoCredentials
        | WebAuthnError::InvalidStoredCredential { .. }
        | WebAuthnError::Internal(_) => "factors.key_refused",
    }
}

/// The translation key of a kind's name, as listed on the security page.
pub fn kind_label_key(kind: KeyKind) -> &'static str {
    match kind {
        KeyKind::Passkey => "factors.key_kind_passkey",
        KeyKind::SecurityKey => "factors.key_kind_security_key",
    }
}

/// The user handle of an account for WebAuthn: its id (a UUID), stable and opaque, never the
/// e-mail address. An id that is not a UUID gets one derived from its hash.
pub fn user_handle(account_id: &str) -> uuid::Uuid {
    use sha2::Digest;
    uuid::Uuid::parse_str(account_id).unwrap_or_else(|_| {
        let digest = sha2::Sha256::digest(account_id.as_bytes());
        let mut bytes = [0u8; 16];
        bytes.copy_from_slice(&digest[..16]);
        uuid::Builder::from_random_bytes(bytes).into_uuid()
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use time::OffsetDateTime;

    fn row(public_key: &str, counter: i64) -> Factor {
        Factor {
            id: "f".into(),
            account_id: "a".into(),
            kind: FactorKind::WebAuthn,
            name: "Blue key".into(),
            lookup: "Y3JlZA".into(),
            public_key: public_key.into(),
            secret: None,
            verifier: None,
            counter,
            failures: 0,
            disabled_at: None,
            created_at: OffsetDateTime::UNIX_EPOCH,
            last_used_at: None,
        }
    }

    #[test]
    fn a_row_reads_back_with_its_id_and_counter_from_the_columns() {
        let public_key = record(KeyKind::Passkey, r#"{"cred":{"counter":3}}"#).unwrap();
        let stored = stored_credential(&row(&public_key, 7)).unwrap();
        assert_eq!(stored.id, "Y3JlZA");
        assert_eq!(stored.kind, KeyKind::Passkey);
        assert_eq!(stored.counter, 7);
        assert_eq!(stored.data, r#"{"cred":{"counter":3}}"#);
        assert_eq!(kind_of(&row(&public_key, 0)), Some(KeyKind::Passkey));

        assert!(stored_credential(&row("not json", 0)).is_none());
        assert!(record(KeyKind::SecurityKey, "not json").is_err());
        let mut phone = row(&public_key, 0);
        phone.kind = FactorKind::Sms;
        assert!(stored_credential(&phone).is_none());
        assert_eq!(kind_of(&phone), None);
    }

    #[test]
    fn the_high_level_asks_every_key_to_verify_its_user() {
        let options = r#"{"publicKey":{"challenge":"abc","userVerification":"preferred"}}"#;
        assert_eq!(options_for_level(options, Loa::Medium), options);
        let high: serde_json::Value =
            serde_json::from_str(&options_for_level(options, Loa::High)).unwrap();
        assert_eq!(high["publicKey"]["userVerification"], "required");
        assert_eq!(high["publicKey"]["challenge"], "abc");
        assert_eq!(options_for_level("junk", Loa::High), "junk");
    }

    #[test]
    fn the_ceremony_state_outlives_the_time_the_browser_gives() {
        assert!(
            ceremony_ttl().whole_seconds() > i64::try_from(CEREMONY_TIMEOUT.as_secs()).unwrap()
        );
    }

    #[test]
    fn refusals_are_told_apart_from_faults() {
        assert!(is_refusal(&WebAuthnError::WrongOrigin {
            origin: "https://evil.example".into()
        }));
        assert!(!is_refusal(&WebAuthnError::Internal("x".into())));
        assert_eq!(
            message_key(&WebAuthnError::UserVerificationMissing, true),
            "factors.key_passkey_without_uv"
        );
        assert_eq!(
            message_key(&WebAuthnError::UserVerificationMissing, false),
            "factors.key_uv_missing"
        );
    }

    #[test]
    fn the_user_handle_is_the_account_id() {
        let id = uuid::Uuid::now_v7();
        assert_eq!(user_handle(&id.to_string()), id);
        assert_eq!(user_handle("legacy-id"), user_handle("legacy-id"));
    }
}
