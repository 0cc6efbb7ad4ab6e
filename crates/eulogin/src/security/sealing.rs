//! Encryption of secrets at rest (signing keys, TOTP seeds, mobile-device secrets): AES-256-GCM
//! under a key derived from `EULOGIN_SECRET_KEY` for one purpose, with the owning row's id as
//! associated data, so that a ciphertext copied to another row or purpose does not open.

use base64::Engine as _;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use ring::aead;
use std::sync::Arc;

/// Seals and opens secrets for one purpose.
#[derive(Clone)]
pub struct Sealer {
    key: Arc<aead::LessSafeKey>,
}

impl std::fmt::Debug for Sealer {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("Sealer(..)")
    }
}

/// Why a sealed value does not open.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum SealError {
    #[error("unknown encryption format")]
    Format,
    #[error("cannot be decrypted: was EULOGIN_SECRET_KEY changed since it was made?")]
    Key,
}

impl Sealer {
    /// The key for `purpose` (e.g. `b"eulogin/factor-secrets/v1"`), derived with HMAC-SHA-256.
    pub fn new(server_key: &[u8], purpose: &[u8]) -> Sealer {
        let derivation = ring::hmac::Key::new(ring::hmac::HMAC_SHA256, server_key);
        let derived = ring::hmac::sign(&derivation, purpose);
        let unbound = aead::UnboundKey::new(&aead::AES_256_GCM, derived.as_ref())
            .expect("a SHA-256 output is a valid AES-256 key");
        Sealer {
            key: Arc::new(aead::LessSafeKey::new(unbound)),
        }
    }

    /// `v1:` followed by base64url(nonce ‖ ciphertext ‖ tag).
    pub fn seal(&self, owner: &str, plaintext: &[u8]) -> String {
        let nonce_bytes = infra::crypto::random_bytes::<12>();
        let mut in_out = plaintext.to_vec();
        self.key
            .seal_in_place_append_tag(
                aead::Nonce::assume_unique_for_key(nonce_bytes),
                aead::Aad::from(owner.as_bytes()),
                &mut in_out,
            )
            .expect("AES-GCM seals any input of a sane size");
        let mut sealed = nonce_bytes.to_vec();
        sealed.extend_from_slice(&in_out);
        format!("v1:{}", URL_SAFE_NO_PAD.encode(sealed))
    }

    pub fn open(&self, owner: &str, sealed: &str) -> Result<Vec<u8>, SealError> {
        let encoded = sealed.strip_prefix("v1:").ok_or(SealError::Format)?;
        let bytes = URL_SAFE_NO_PAD
            .decode(encoded)
            .map_err(|_| SealError::Format)?;
        if bytes.len() < 12 {
            return Err(SealError::Format);
        }
        let (nonce, ciphertext) = bytes.split_at(12);
        let nonce = aead::Nonce::try_assume_unique_for_key(nonce).map_err(|_| SealError::Format)?;
        let mut in_out = ciphertext.to_vec();
        let plain = self
            .key
            .open_in_place(nonce, aead::Aad::from(owner.as_bytes()), &mut in_out)
            .map_err(|_| SealError::Key)?;
        Ok(plain.to_vec())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const KEY: &[u8] = b"0123456789abcdef0123456789abcdef";

    #[test]
    fn a_sealed_secret_opens_only_for_its_owner_purpose_and_key() {
        let sealer = Sealer::new(KEY, b"purpose-a");
        let sealed = sealer.seal("row-1", b"seed");
        assert_ne!(sealed.as_bytes(), b"seed");
        assert_eq!(sealer.open("row-1", &sealed).unwrap(), b"seed");
        assert_eq!(sealer.open("row-2", &sealed), Err(SealError::Key));
        let other_purpose = Sealer::new(KEY, b"purpose-b");
        assert_eq!(other_purpose.open("row-1", &sealed), Err(SealError::Key));
        let other_key = Sealer::new(b"another server key, 32 bytes....", b"purpose-a");
        assert_eq!(other_key.open("row-1", &sealed), Err(SealError::Key));
        assert_eq!(sealer.open("row-1", "v0:abc"), Err(SealError::Format));
    }

    #[test]
    fn the_same_secret_seals_differently_each_time() {
        let sealer = Sealer::new(KEY, b"purpose-a");
        assert_ne!(sealer.seal("row-1", b"seed"), sealer.seal("row-1", b"seed"));
    }
}
