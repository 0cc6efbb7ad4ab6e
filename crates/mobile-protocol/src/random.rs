//! Random values (tokens, challenges, `jti`) from the operating system's CSPRNG, as unpadded
//! base64url, and the check that a received one has the right shape.

use crate::ProtocolError;
use base64::Engine as _;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use ring::rand::{SecureRandom as _, SystemRandom};

/// `bytes` random bytes from the system CSPRNG.
pub(crate) fn random_bytes(bytes: usize) -> Result<Vec<u8>, ProtocolError> {
    let mut out = vec![0u8; bytes];
    SystemRandom::new()
        .fill(&mut out)
        .map_err(|_| ProtocolError::RandomUnavailable)?;
    Ok(out)
}

/// `bytes` random bytes as unpadded base64url.
pub(crate) fn random_base64url(bytes: usize) -> Result<String, ProtocolError> {
    Ok(URL_SAFE_NO_PAD.encode(random_bytes(bytes)?))
}

/// Checks that `value` is the canonical unpadded base64url encoding of exactly `bytes` bytes
/// (the decoder refuses non-zero trailing bits, so each value has one spelling only).
pub(crate) fn check_base64url(
    name: &'static str,
    value: &str,
    bytes: usize,
) -> Result<(), ProtocolError> {
    let chars = (bytes * 8).div_ceil(6);
    let error = ProtocolError::MalformedRandomValue { name, chars, bytes };
    if value.len() != chars {
        return Err(error);
    }
    match URL_SAFE_NO_PAD.decode(value) {
        Ok(decoded) if decoded.len() == bytes => Ok(()),
        _ => Err(error),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn random_values_have_the_announced_length_and_differ() {
        let a = random_base64url(32).unwrap();
        let b = random_base64url(32).unwrap();
        assert_eq!(a.len(), 43);
        assert_ne!(a, b);
        assert_eq!(random_base64url(16).unwrap().len(), 22);
    }

    #[test]
    fn only_canonical_base64url_of_the_right_length_passes() {
        let token = random_base64url(32).unwrap();
        assert!(check_base64url("token", &token, 32).is_ok());
        assert!(check_base64url("token", &token[..42], 32).is_err());
        assert!(check_base64url("token", &format!("{}=", &token[..42]), 32).is_err());
        assert!(check_base64url("token", &token.replace(|_| true, "+"), 32).is_err());
        // 22 characters hold 132 bits: the last 4 must be zero for a 16-byte value.
        assert!(check_base64url("challenge", "AAAAAAAAAAAAAAAAAAAAAA", 16).is_ok());
        assert!(check_base64url("challenge", "AAAAAAAAAAAAAAAAAAAAAB", 16).is_err());
    }
}
