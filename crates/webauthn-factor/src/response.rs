//! Reading a browser's response where webauthn-rs does not say enough: which origin it was made
//! for, which counter it carries, and which of our errors a webauthn-rs refusal is.

use crate::WebAuthnError;
use serde::Deserialize;
use webauthn_rs::prelude::WebauthnError as CoreError;

/// The length of the relying party id hash and flags that open the authenticator data.
const COUNTER_OFFSET: usize = 32 + 1;

/// The signature counter in authenticator data (big-endian, after the relying party id hash and
/// the flags), if the data is long enough to hold one.
pub(crate) fn signature_counter(authenticator_data: &[u8]) -> Option<u32> {
    let bytes = authenticator_data.get(COUNTER_OFFSET..COUNTER_OFFSET + 4)?;
    Some(u32::from_be_bytes(bytes.try_into().ok()?))
}

/// The origin the browser wrote in the client data, for the audit log.
pub(crate) fn claimed_origin(client_data_json: &[u8]) -> String {
    #[derive(Deserialize)]
    struct ClientData {
        origin: String,
    }
    serde_json::from_slice::<ClientData>(client_data_json)
        .map(|c| c.origin)
        .unwrap_or_else(|_| "(unreadable)".to_owned())
}

/// Our error for a webauthn-rs refusal of a response. A counter refusal is handled by the
/// caller, which knows the credential.
pub(crate) fn refusal(e: CoreError, client_data_json: &[u8]) -> WebAuthnError {
    match e {
        CoreError::MismatchedChallenge => WebAuthnError::ChallengeMismatch,
        CoreError::InvalidRPOrigin | CoreError::CredentialCrossOrigin => {
            WebAuthnError::WrongOrigin {
                origin: claimed_origin(client_data_json),
            }
        }
        CoreError::CredentialNotFound => WebAuthnError::UnknownCredential,
        CoreError::UserNotVerified => WebAuthnError::UserVerificationMissing,
        CoreError::InvalidClientDataType
        | CoreError::ParseBase64Failure(_)
        | CoreError::ParseCBORFailure(_)
        | CoreError::ParseJSONFailure(_)
        | CoreError::ParseNOMFailure
        | CoreError::ParseInsufficientBytesAvailable
        | CoreError::MissingAttestationCredentialData
        | CoreError::COSEKeyInvalidCBORValue
        | CoreError::COSEKeyInvalidType => WebAuthnError::InvalidResponse(e.to_string()),
        e => WebAuthnError::Rejected(e.to_string()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_counter_follows_the_id_hash_and_flags() {
        let mut data = vec![0u8; 32];
        data.push(0b0000_0101);
        data.extend_from_slice(&258u32.to_be_bytes());
        assert_eq!(signature_counter(&data), Some(258));
        assert_eq!(signature_counter(&data[..36]), None);
        assert_eq!(signature_counter(&[]), None);
    }

    #[test]
    fn the_claimed_origin_is_read_from_client_data() {
        let json = br#"{"type":"webauthn.get","challenge":"x","origin":"https://evil.example"}"#;
        assert_eq!(claimed_origin(json), "https://evil.example");
        assert_eq!(claimed_origin(b"not json"), "(unreadable)");
    }
}
