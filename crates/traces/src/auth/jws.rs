//! What every JWT from eulogin must show before and while its signature is checked with
//! `jsonwebtoken`, which checks neither the type nor (unless told) the issuer and audience: an
//! accepted algorithm (RS256 or ES256; never `none` or HMAC), the expected `typ` (explicit
//! typing, RFC 8725 3.11, so that one kind of token is never taken for another), a key id, the
//! key's own algorithm, the exact issuer and our audience. Times are left to the caller, who
//! checks them with traces' clock.

use crate::auth::keys::{ACCEPTED_ALGORITHMS, VerificationKey};
use jsonwebtoken::{Algorithm, Validation};
use serde::de::DeserializeOwned;

/// Why a token is refused before or at its signature. The text is for logs only.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum JwsRefusal {
    #[error("not a JWT: {0}")]
    Malformed(String),
    #[error("algorithm {0} is not accepted")]
    Algorithm(String),
    #[error("type {0:?} is not the one expected")]
    Type(Option<String>),
    #[error("no key id")]
    NoKeyId,
    #[error("unknown key id")]
    UnknownKey,
    #[error("signature or claims refused: {0}")]
    Signature(String),
}

/// A header that passed: the key id and the algorithm to verify with.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CheckedHeader {
    pub kid: String,
    pub algorithm: Algorithm,
}

/// Whether a `typ` header names `expected` (`at+jwt`, `logout+jwt`): compared without regard
/// to case, with or without the `application/` prefix (RFC 7515, 4.1.9).
pub fn type_matches(typ: Option<&str>, expected: &str) -> bool {
    let Some(typ) = typ else {
        return false;
    };
    let bare = match typ.get(..12) {
        Some(prefix) if prefix.eq_ignore_ascii_case("application/") => &typ[12..],
        _ => typ,
    };
    bare.eq_ignore_ascii_case(expected)
}

/// Checks the header of `token`: algorithm, type and key id.
pub fn check_header(token: &str, expected_type: &str) -> Result<CheckedHeader, JwsRefusal> {
    // `alg: none` does not even parse: jsonwebtoken knows no such algorithm.
    let header =
        jsonwebtoken::decode_header(token).map_err(|e| JwsRefusal::Malformed(e.to_string()))?;
    if !ACCEPTED_ALGORITHMS.contains(&header.alg) {
        return Err(JwsRefusal::Algorithm(format!("{:?}", header.alg)));
    }
    if !type_matches(header.typ.as_deref(), expected_type) {
        return Err(JwsRefusal::Type(header.typ));
    }
    let kid = header
        .kid
        .filter(|k| !k.is_empty())
        .ok_or(JwsRefusal::NoKeyId)?;
    Ok(CheckedHeader {
        kid,
        algorithm: header.alg,
    })
}

/// Verifies the signature with `key` and the issuer and audience, and gives the claims. The
/// required claims are present; `exp` and `nbf` are not compared with the system time here.
pub fn verify<T: DeserializeOwned>(
    token: &str,
    header: &CheckedHeader,
    key: &VerificationKey,
    issuer: &str,
    audience: &str,
    required: &[&str],
) -> Result<T, JwsRefusal> {
    if key.algorithm != header.algorithm {
        return Err(JwsRefusal::Algorithm(format!(
            "{:?} with a {:?} key",
            header.algorithm, key.algorithm
        )));
    }
    let mut validation = Validation::new(key.algorithm);
    validation.algorithms = vec![key.algorithm];
    validation.validate_exp = false;
    validation.validate_nbf = false;
    validation.set_issuer(&[issuer]);
    validation.set_audience(&[audience]);
    validation.set_required_spec_claims(required);
    jsonwebtoken::decode::<T>(token, &key.key, &validation)
        .map(|data| data.claims)
        .map_err(|e| JwsRefusal::Signature(e.to_string()))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn types_match_without_case_and_with_or_without_the_media_prefix() {
        assert!(type_matches(Some("at+jwt"), "at+jwt"));
        assert!(type_matches(Some("AT+JWT"), "at+jwt"));
        assert!(type_matches(Some("application/at+jwt"), "at+jwt"));
        assert!(type_matches(Some("Application/At+Jwt"), "at+jwt"));
        assert!(!type_matches(Some("JWT"), "at+jwt"));
        assert!(!type_matches(Some("application/jwt"), "at+jwt"));
        assert!(!type_matches(Some("logout+jwt"), "at+jwt"));
        assert!(!type_matches(None, "at+jwt"));
    }

    fn unsigned(header: &str) -> String {
        use base64::Engine as _;
        let b64 = |s: &str| base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(s);
        format!("{}.{}.", b64(header), b64(r#"{"sub":"x"}"#))
    }

    #[test]
    fn headers_without_an_accepted_algorithm_type_or_key_id_are_refused() {
        assert!(matches!(
            check_header(
                &unsigned(r#"{"alg":"none","typ":"at+jwt","kid":"k"}"#),
                "at+jwt"
            ),
            Err(JwsRefusal::Malformed(_))
        ));
        assert!(matches!(
            check_header(
                &unsigned(r#"{"alg":"HS256","typ":"at+jwt","kid":"k"}"#),
                "at+jwt"
            ),
            Err(JwsRefusal::Algorithm(_))
        ));
        assert!(matches!(
            check_header(
                &unsigned(r#"{"alg":"ES256","typ":"JWT","kid":"k"}"#),
                "at+jwt"
            ),
            Err(JwsRefusal::Type(_))
        ));
        assert_eq!(
            check_header(&unsigned(r#"{"alg":"ES256","typ":"at+jwt"}"#), "at+jwt"),
            Err(JwsRefusal::NoKeyId)
        );
        assert_eq!(
            check_header(
                &unsigned(r#"{"alg":"RS256","typ":"at+jwt","kid":"k"}"#),
                "at+jwt"
            ),
            Ok(CheckedHeader {
                kid: "k".into(),
                algorithm: Algorithm::RS256
            })
        );
    }
}
