//! The one-time password the app shows for a QR login challenge, for the user to type into the
//! browser: HOTP's dynamic truncation (RFC 4226 §5.3) applied to HMAC-SHA-256 over a
//! domain-separated challenge, 8 digits.

use ring::hmac;

/// Prefixed to the challenge before the HMAC, so that the device secret's MAC of a QR challenge
/// cannot be mistaken for its MAC of anything else.
pub const OTP_DOMAIN: &[u8] = b"eulogin-qr-otp/v1|";
/// Digits in a QR one-time password.
pub const OTP_DIGITS: usize = 8;
const OTP_MODULUS: u32 = 100_000_000;

/// The 8-digit one-time password answering `challenge` (as it appears in the QR code) with the
/// device secret received at enrolment.
pub fn qr_otp(device_secret: &[u8], challenge: &str) -> String {
    let key = hmac::Key::new(hmac::HMAC_SHA256, device_secret);
    let mut context = hmac::Context::with_key(&key);
    context.update(OTP_DOMAIN);
    context.update(challenge.as_bytes());
    let tag = context.sign();
    format!(
        "{:0width$}",
        dynamic_truncation(tag.as_ref()) % OTP_MODULUS,
        width = OTP_DIGITS
    )
}

/// RFC 4226 §5.3: the 31-bit big-endian number at the offset named by the low nibble of the last
/// byte. The offset is at most 15, so the 4 bytes always lie inside a 32-byte tag.
fn dynamic_truncation(tag: &[u8]) -> u32 {
    let offset = tag.last().map_or(0, |last| usize::from(last & 0x0f));
    let mut word = [0u8; 4];
    if let Some(bytes) = tag.get(offset..offset + 4) {
        word.copy_from_slice(bytes);
    }
    u32::from_be_bytes(word) & 0x7fff_ffff
}

/// Whether `typed` is the one-time password for `challenge`, ignoring the spaces (and other
/// whitespace) a user may type to group digits; compared in constant time.
pub fn qr_otp_matches(device_secret: &[u8], challenge: &str, typed: &str) -> bool {
    let typed: String = typed.chars().filter(|c| !c.is_whitespace()).collect();
    let expected = qr_otp(device_secret, challenge);
    constant_time_eq(expected.as_bytes(), typed.as_bytes())
}

/// Equality in constant time, through `ring::hmac::verify`: ring's supported constant-time
/// comparison (`ring::constant_time::verify_slices_are_equal` is deprecated and promises nothing
/// about side channels). Equal MACs under one key mean equal inputs.
fn constant_time_eq(a: &[u8], b: &[u8]) -> bool {
    let key = hmac::Key::new(hmac::HMAC_SHA256, b"eulogin-qr-otp/compare");
    let tag = hmac::sign(&key, a);
    hmac::verify(&key, b, tag.as_ref()).is_ok()
}

#[cfg(test)]
mod tests {
    use super::*;

    // Pinned vectors, computed once with an independent implementation (Python's `hmac`):
    // a change to the domain, the truncation or the formatting makes these fail.
    const SECRET_A: &[u8] = b"12345678901234567890123456789012";
    const CHALLENGE_A: &str = "AAAAAAAAAAAAAAAAAAAAAA";
    const OTP_A: &str = "49803204"; // HMAC ends in 0xf0: offset 0

    const CHALLENGE_B: &str = "3q2-7wEjRWeJq83vASNFZw";
    const OTP_B: &str = "69768535"; // secret 0x00..=0x1f, HMAC ends in 0x9e: offset 14

    fn secret_b() -> Vec<u8> {
        (0u8..32).collect()
    }

    #[test]
    fn pinned_test_vectors() {
        assert_eq!(qr_otp(SECRET_A, CHALLENGE_A), OTP_A);
        assert_eq!(qr_otp(&secret_b(), CHALLENGE_B), OTP_B);
    }

    #[test]
    fn truncation_follows_rfc_4226() {
        // RFC 4226 §5.4's example HMAC-SHA-1 value: offset 10, result 0x50ef7f19.
        let tag = [
            0x1f, 0x86, 0x98, 0x69, 0x0e, 0x02, 0xca, 0x16, 0x61, 0x85, 0x50, 0xef, 0x7f, 0x19,
            0xda, 0x8e, 0x94, 0x5b, 0x55, 0x5a,
        ];
        assert_eq!(dynamic_truncation(&tag), 0x50ef_7f19);
        assert_eq!(dynamic_truncation(&[0xff; 32]), 0x7fff_ffff);
    }

    #[test]
    fn otps_depend_on_secret_and_challenge_and_keep_leading_zeros() {
        assert_ne!(qr_otp(SECRET_A, CHALLENGE_B), OTP_A);
        assert_ne!(qr_otp(&secret_b(), CHALLENGE_A), OTP_B);
        for i in 0u8..50 {
            let otp = qr_otp(&[i; 32], CHALLENGE_A);
            assert_eq!(otp.len(), 8);
            assert!(otp.bytes().all(|b| b.is_ascii_digit()));
        }
    }

    #[test]
    fn constant_time_equality_is_equality() {
        assert!(constant_time_eq(b"12345678", b"12345678"));
        assert!(constant_time_eq(b"", b""));
        assert!(!constant_time_eq(b"12345678", b"12345679"));
        assert!(!constant_time_eq(b"1234", b"12345678"));
    }

    #[test]
    fn typed_otps_match_with_spaces_only() {
        assert!(qr_otp_matches(SECRET_A, CHALLENGE_A, OTP_A));
        assert!(qr_otp_matches(SECRET_A, CHALLENGE_A, "4980 3204"));
        assert!(qr_otp_matches(SECRET_A, CHALLENGE_A, " 49 80 32 04 "));
        assert!(!qr_otp_matches(SECRET_A, CHALLENGE_A, "49803205"));
        assert!(!qr_otp_matches(SECRET_A, CHALLENGE_A, "4980320"));
        assert!(!qr_otp_matches(SECRET_A, CHALLENGE_A, "498032044"));
        assert!(!qr_otp_matches(SECRET_A, CHALLENGE_A, ""));
        assert!(!qr_otp_matches(SECRET_A, CHALLENGE_B, OTP_A));
    }
}
