//! JSON Web Tokens over `ring`: the crypto backend of `jsonwebtoken` (verification, for every
//! JWT we read) and a signer holding parsed key pairs (for every JWT we issue).
//!
//! `ring` is already our TLS crypto; it is constant-time and several times faster than the
//! pure-Rust backends (ECDSA P-256 and RSA verification especially), which matters at thousands
//! of tokens per second. `jsonwebtoken`'s own signing path re-parses the private key at every
//! call, so issuing goes through [`JwsSigner`], which parses each key once.

use base64::Engine as _;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use jsonwebtoken::crypto::{CryptoProvider, JwtSigner, JwtVerifier, KeyUtils};
use jsonwebtoken::errors::{Error as JwtError, ErrorKind};
use jsonwebtoken::jwk::{EllipticCurve, ThumbprintHash};
use jsonwebtoken::signature;
use jsonwebtoken::{Algorithm, DecodingKey, EncodingKey, Header};
use jsonwebtoken::{AlgorithmFamily, DecodingKeyKind};
use ring::rand::SystemRandom;
use ring::signature::{self as sig, KeyPair as _};
use serde::Serialize;
use std::sync::Once;

/// Makes `ring` the process's `jsonwebtoken` backend. Safe to call any number of times.
pub fn install_crypto_provider() {
    static ONCE: Once = Once::new();
    ONCE.call_once(|| {
        // Fails only if another provider was installed first, which this crate never does.
        let _ = RING_PROVIDER.install_default();
    });
}

static RING_PROVIDER: CryptoProvider = CryptoProvider {
    signer_factory: new_signer,
    verifier_factory: new_verifier,
    key_utils: KeyUtils {
        rsa_pub_components_from_private_key: rsa_components_from_private_key,
        rsa_pub_components_from_public_key: rsa_components_from_public_key,
        ec_pub_components_from_private_key: ec_components_from_private_key,
        ed_pub_components_from_private_key: ed_component_from_private_key,
        compute_digest,
    },
};

fn invalid(kind: ErrorKind) -> JwtError {
    JwtError::from(kind)
}

fn ecdsa_signing(alg: Algorithm) -> Option<&'static sig::EcdsaSigningAlgorithm> {
    match alg {
        Algorithm::ES256 => Some(&sig::ECDSA_P256_SHA256_FIXED_SIGNING),
        Algorithm::ES384 => Some(&sig::ECDSA_P384_SHA384_FIXED_SIGNING),
        _ => None,
    }
}

fn rsa_encoding(alg: Algorithm) -> Option<&'static dyn sig::RsaEncoding> {
    match alg {
        Algorithm::RS256 => Some(&sig::RSA_PKCS1_SHA256),
        Algorithm::RS384 => Some(&sig::RSA_PKCS1_SHA384),
        Algorithm::RS512 => Some(&sig::RSA_PKCS1_SHA512),
        Algorithm::PS256 => Some(&sig::RSA_PSS_SHA256),
        Algorithm::PS384 => Some(&sig::RSA_PSS_SHA384),
        Algorithm::PS512 => Some(&sig::RSA_PSS_SHA512),
        _ => None,
    }
}

fn rsa_verification(alg: Algorithm) -> Option<&'static sig::RsaParameters> {
    match alg {
        Algorithm::RS256 => Some(&sig::RSA_PKCS1_2048_8192_SHA256),
        Algorithm::RS384 => Some(&sig::RSA_PKCS1_2048_8192_SHA384),
        Algorithm::RS512 => Some(&sig::RSA_PKCS1_2048_8192_SHA512),
        Algorithm::PS256 => Some(&sig::RSA_PSS_2048_8192_SHA256),
        Algorithm::PS384 => Some(&sig::RSA_PSS_2048_8192_SHA384),
        Algorithm::PS512 => Some(&sig::RSA_PSS_2048_8192_SHA512),
        _ => None,
    }
}

fn hmac_algorithm(alg: Algorithm) -> Option<ring::hmac::Algorithm> {
    match alg {
        Algorithm::HS256 => Some(ring::hmac::HMAC_SHA256),
        Algorithm::HS384 => Some(ring::hmac::HMAC_SHA384),
        Algorithm::HS512 => Some(ring::hmac::HMAC_SHA512),
        _ => None,
    }
}

/// A key pair parsed once, able to sign with one algorithm.
enum ParsedKey {
    Rsa(sig::RsaKeyPair, &'static dyn sig::RsaEncoding),
    Ecdsa(sig::EcdsaKeyPair),
    Ed25519(sig::Ed25519KeyPair),
    Hmac(ring::hmac::Key),
}

impl ParsedKey {
    /// Parses a private key: PKCS#8 for RSA, ECDSA and Ed25519 (PKCS#1 is accepted for RSA),
    /// raw bytes for HMAC.
    fn parse(alg: Algorithm, der: &[u8]) -> Result<ParsedKey, JwtError> {
        if let Some(encoding) = rsa_encoding(alg) {
            let pair = sig::RsaKeyPair::from_pkcs8(der)
                .or_else(|_| sig::RsaKeyPair::from_der(der))
                .map_err(|e| invalid(ErrorKind::InvalidRsaKey(e.to_string())))?;
            return Ok(ParsedKey::Rsa(pair, encoding));
        }
        if let Some(signing) = ecdsa_signing(alg) {
            let pair = sig::EcdsaKeyPair::from_pkcs8(signing, der, &SystemRandom::new())
                .map_err(|_| invalid(ErrorKind::InvalidEcdsaKey))?;
            return Ok(ParsedKey::Ecdsa(pair));
        }
        if let Some(hmac) = hmac_algorithm(alg) {
            return Ok(ParsedKey::Hmac(ring::hmac::Key::new(hmac, der)));
        }
        let pair = sig::Ed25519KeyPair::from_pkcs8_maybe_unchecked(der)
            .map_err(|_| invalid(ErrorKind::InvalidEddsaKey))?;
        Ok(ParsedKey::Ed25519(pair))
    }

    fn sign(&self, message: &[u8]) -> Result<Vec<u8>, signature::Error> {
        let rng = SystemRandom::new();
        match self {
            ParsedKey::Rsa(pair, encoding) => {
                let mut out = vec![0u8; pair.public().modulus_len()];
                pair.sign(*encoding, &rng, message, &mut out)
                    .map_err(|_| signature::Error::new())?;
                Ok(out)
            }
            ParsedKey::Ecdsa(pair) => pair
                .sign(&rng, message)
                .map(|s| s.as_ref().to_vec())
                .map_err(|_| signature::Error::new()),
            ParsedKey::Ed25519(pair) => Ok(pair.sign(message).as_ref().to_vec()),
            ParsedKey::Hmac(key) => Ok(ring::hmac::sign(key, message).as_ref().to_vec()),
        }
    }
}

struct RingSigner {
    alg: Algorithm,
    key: ParsedKey,
}

impl signature::Signer<Vec<u8>> for RingSigner {
    fn try_sign(&self, msg: &[u8]) -> Result<Vec<u8>, signature::Error> {
        self.key.sign(msg)
    }
}

impl JwtSigner for RingSigner {
    fn algorithm(&self) -> Algorithm {
        self.alg
    }
}

fn new_signer(alg: &Algorithm, key: &EncodingKey) -> Result<Box<dyn JwtSigner>, JwtError> {
    Ok(Box::new(RingSigner {
        alg: *alg,
        key: ParsedKey::parse(*alg, key.as_bytes())?,
    }))
}

enum PublicKey {
    Unparsed(&'static dyn sig::VerificationAlgorithm, Vec<u8>),
    RsaComponents(&'static sig::RsaParameters, Vec<u8>, Vec<u8>),
    Hmac(ring::hmac::Key),
}

struct RingVerifier {
    alg: Algorithm,
    key: PublicKey,
}

impl signature::Verifier<Vec<u8>> for RingVerifier {
    fn verify(&self, msg: &[u8], signature: &Vec<u8>) -> Result<(), signature::Error> {
        let outcome = match &self.key {
            PublicKey::Unparsed(alg, bytes) => {
                sig::UnparsedPublicKey::new(*alg, bytes).verify(msg, signature)
            }
            PublicKey::RsaComponents(params, n, e) => {
                sig::RsaPublicKeyComponents { n, e }.verify(params, msg, signature)
            }
            PublicKey::Hmac(key) => ring::hmac::verify(key, msg, signature),
        };
        outcome.map_err(|_| signature::Error::new())
    }
}

impl JwtVerifier for RingVerifier {
    fn algorithm(&self) -> Algorithm {
        self.alg
    }
}

fn new_verifier(alg: &Algorithm, key: &DecodingKey) -> Result<Box<dyn JwtVerifier>, JwtError> {
    let alg = *alg;
    if alg.family() != key.family() {
        return Err(invalid(ErrorKind::InvalidKeyFormat));
    }
    let public = match (key.kind(), alg.family()) {
        (DecodingKeyKind::RsaModulusExponent { n, e }, AlgorithmFamily::Rsa) => {
            let params = rsa_verification(alg).ok_or(invalid(ErrorKind::InvalidAlgorithm))?;
            PublicKey::RsaComponents(params, n.clone(), e.clone())
        }
        (DecodingKeyKind::SecretOrDer(der), AlgorithmFamily::Rsa) => {
            let params = rsa_verification(alg).ok_or(invalid(ErrorKind::InvalidAlgorithm))?;
            PublicKey::Unparsed(params, der.clone())
        }
        (DecodingKeyKind::SecretOrDer(point), AlgorithmFamily::Ec) => {
            let verification: &'static dyn sig::VerificationAlgorithm = match alg {
                Algorithm::ES256 => &sig::ECDSA_P256_SHA256_FIXED,
                Algorithm::ES384 => &sig::ECDSA_P384_SHA384_FIXED,
                _ => return Err(invalid(ErrorKind::InvalidAlgorithm)),
            };
            PublicKey::Unparsed(verification, point.clone())
        }
        (DecodingKeyKind::SecretOrDer(bytes), AlgorithmFamily::Ed) => {
            PublicKey::Unparsed(&sig::ED25519, bytes.clone())
        }
        (DecodingKeyKind::SecretOrDer(secret), AlgorithmFamily::Hmac) => {
            let hmac = hmac_algorithm(alg).ok_or(invalid(ErrorKind::InvalidAlgorithm))?;
            PublicKey::Hmac(ring::hmac::Key::new(hmac, secret))
        }
        _ => return Err(invalid(ErrorKind::InvalidKeyFormat)),
    };
    Ok(Box::new(RingVerifier { alg, key: public }))
}

fn rsa_components(public: &ring::rsa::PublicKey) -> (Vec<u8>, Vec<u8>) {
    let components = sig::RsaPublicKeyComponents::<Vec<u8>>::from(public);
    (components.n, components.e)
}

fn rsa_components_from_private_key(der: &[u8]) -> Result<(Vec<u8>, Vec<u8>), JwtError> {
    let pair = sig::RsaKeyPair::from_pkcs8(der)
        .or_else(|_| sig::RsaKeyPair::from_der(der))
        .map_err(|e| invalid(ErrorKind::InvalidRsaKey(e.to_string())))?;
    Ok(rsa_components(pair.public()))
}

fn rsa_components_from_public_key(der: &[u8]) -> Result<(Vec<u8>, Vec<u8>), JwtError> {
    // A PKCS#1 RSAPublicKey is SEQUENCE { modulus INTEGER, publicExponent INTEGER }.
    let (n, rest) = der_sequence(der)
        .and_then(der_integer)
        .ok_or_else(|| invalid(ErrorKind::InvalidRsaKey("not a PKCS#1 public key".into())))?;
    let (e, _) = der_integer(rest)
        .ok_or_else(|| invalid(ErrorKind::InvalidRsaKey("not a PKCS#1 public key".into())))?;
    Ok((n.to_vec(), e.to_vec()))
}

/// The content of a DER SEQUENCE at the start of `der`.
fn der_sequence(der: &[u8]) -> Option<&[u8]> {
    let (tag, content, _) = der_element(der)?;
    (tag == 0x30).then_some(content)
}

/// An unsigned DER INTEGER (leading zero dropped) and what follows it.
fn der_integer(der: &[u8]) -> Option<(&[u8], &[u8])> {
    let (tag, content, rest) = der_element(der)?;
    if tag != 0x02 {
        return None;
    }
    let value = match content {
        [0, tail @ ..] if !tail.is_empty() => tail,
        other => other,
    };
    Some((value, rest))
}

fn der_element(der: &[u8]) -> Option<(u8, &[u8], &[u8])> {
    let (&tag, rest) = der.split_first()?;
    let (&first, rest) = rest.split_first()?;
    let (len, rest) = if first < 0x80 {
        (usize::from(first), rest)
    } else {
        let count = usize::from(first & 0x7f);
        if count == 0 || count > 4 || rest.len() < count {
            return None;
        }
        let len = rest[..count]
            .iter()
            .fold(0usize, |acc, b| (acc << 8) | usize::from(*b));
        (len, &rest[count..])
    };
    (rest.len() >= len).then(|| (tag, &rest[..len], &rest[len..]))
}

fn ec_components_from_private_key(
    der: &[u8],
    alg: Algorithm,
) -> Result<(EllipticCurve, Vec<u8>, Vec<u8>), JwtError> {
    let signing = ecdsa_signing(alg).ok_or(invalid(ErrorKind::InvalidAlgorithm))?;
    let pair = sig::EcdsaKeyPair::from_pkcs8(signing, der, &SystemRandom::new())
        .map_err(|_| invalid(ErrorKind::InvalidEcdsaKey))?;
    let point = pair.public_key().as_ref();
    let half = (point.len() - 1) / 2;
    let curve = if alg == Algorithm::ES256 {
        EllipticCurve::P256
    } else {
        EllipticCurve::P384
    };
    Ok((curve, point[1..=half].to_vec(), point[half + 1..].to_vec()))
}

fn ed_component_from_private_key(der: &[u8], curve: &EllipticCurve) -> Result<Vec<u8>, JwtError> {
    if *curve != EllipticCurve::Ed25519 {
        return Err(invalid(ErrorKind::InvalidAlgorithm));
    }
    let pair = sig::Ed25519KeyPair::from_pkcs8_maybe_unchecked(der)
        .map_err(|_| invalid(ErrorKind::InvalidEddsaKey))?;
    Ok(pair.public_key().as_ref().to_vec())
}

fn compute_digest(data: &[u8], hash: ThumbprintHash) -> Result<Vec<u8>, JwtError> {
    let algorithm = match hash {
        ThumbprintHash::SHA256 => &ring::digest::SHA256,
        ThumbprintHash::SHA384 => &ring::digest::SHA384,
        ThumbprintHash::SHA512 => &ring::digest::SHA512,
        _ => return Err(invalid(ErrorKind::InvalidAlgorithm)),
    };
    Ok(ring::digest::digest(algorithm, data).as_ref().to_vec())
}

/// An error while signing: the key cannot sign or the claims cannot be serialised.
#[derive(Debug, thiserror::Error)]
#[error("cannot sign the token: {0}")]
pub struct SignError(String);

/// A private key parsed once, with its key id, issuing compact JWS tokens.
pub struct JwsSigner {
    kid: String,
    alg: Algorithm,
    key: ParsedKey,
}

impl std::fmt::Debug for JwsSigner {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("JwsSigner")
            .field("kid", &self.kid)
            .field("alg", &self.alg)
            .finish_non_exhaustive()
    }
}

impl JwsSigner {
    /// Parses a PKCS#8 private key (PKCS#1 accepted for RSA) for `alg`.
    pub fn new(kid: &str, alg: Algorithm, private_der: &[u8]) -> Result<JwsSigner, SignError> {
        Ok(JwsSigner {
            kid: kid.to_owned(),
            alg,
            key: ParsedKey::parse(alg, private_der).map_err(|e| SignError(e.to_string()))?,
        })
    }

    pub fn kid(&self) -> &str {
        &self.kid
    }

    pub fn algorithm(&self) -> Algorithm {
        self.alg
    }

    /// `header.claims.signature`, with `typ` (e.g. `JWT`, `at+jwt`, `logout+jwt`) and this key's
    /// `alg` and `kid` in the header.
    pub fn sign(&self, typ: &str, claims: &impl Serialize) -> Result<String, SignError> {
        let mut header = Header::new(self.alg);
        header.typ = Some(typ.to_owned());
        header.kid = Some(self.kid.clone());
        let header = serde_json::to_vec(&header).map_err(|e| SignError(e.to_string()))?;
        let claims = serde_json::to_vec(claims).map_err(|e| SignError(e.to_string()))?;
        let mut token = String::with_capacity((header.len() + claims.len()) * 4 / 3 + 360);
        URL_SAFE_NO_PAD.encode_string(&header, &mut token);
        token.push('.');
        URL_SAFE_NO_PAD.encode_string(&claims, &mut token);
        let signature = self
            .key
            .sign(token.as_bytes())
            .map_err(|e| SignError(e.to_string()))?;
        token.push('.');
        URL_SAFE_NO_PAD.encode_string(&signature, &mut token);
        Ok(token)
    }

    /// The public half as a JWK (`kty`, `use: sig`, `alg`, `kid` and the key parameters).
    pub fn public_jwk(&self) -> serde_json::Value {
        let b64 = |bytes: &[u8]| URL_SAFE_NO_PAD.encode(bytes);
        match &self.key {
            ParsedKey::Rsa(pair, _) => {
                let (n, e) = rsa_components(pair.public());
                serde_json::json!({"kty": "RSA", "use": "sig", "alg": self.alg, "kid": self.kid,
                    "n": b64(&n), "e": b64(&e)})
            }
            ParsedKey::Ecdsa(pair) => {
                let point = pair.public_key().as_ref();
                let half = (point.len() - 1) / 2;
                let crv = if self.alg == Algorithm::ES256 {
                    "P-256"
                } else {
                    "P-384"
                };
                serde_json::json!({"kty": "EC", "use": "sig", "alg": self.alg, "kid": self.kid,
                    "crv": crv, "x": b64(&point[1..=half]), "y": b64(&point[half + 1..])})
            }
            ParsedKey::Ed25519(pair) => {
                serde_json::json!({"kty": "OKP", "use": "sig", "alg": "EdDSA", "kid": self.kid,
                    "crv": "Ed25519", "x": b64(pair.public_key().as_ref())})
            }
            ParsedKey::Hmac(_) => serde_json::json!({}),
        }
    }
}

/// The RFC 7638 thumbprint of a public JWK (members in lexicographic order, no spaces), used as
/// key id: it names the key by its content, so the same key always has the same `kid`.
pub fn jwk_thumbprint(jwk: &serde_json::Value) -> String {
    let field = |name: &str| jwk.get(name).and_then(|v| v.as_str()).unwrap_or_default();
    let canonical = match field("kty") {
        "RSA" => format!(
            r#"{{"e":"{}","kty":"RSA","n":"{}"}}"#,
            field("e"),
            field("n")
        ),
        "EC" => format!(
            r#"{{"crv":"{}","kty":"EC","x":"{}","y":"{}"}}"#,
            field("crv"),
            field("x"),
            field("y")
        ),
        _ => format!(
            r#"{{"crv":"{}","kty":"OKP","x":"{}"}}"#,
            field("crv"),
            field("x")
        ),
    };
    URL_SAFE_NO_PAD.encode(ring::digest::digest(
        &ring::digest::SHA256,
        canonical.as_bytes(),
    ))
}

/// A fresh P-256 private key, PKCS#8 DER.
pub fn generate_p256_pkcs8() -> Vec<u8> {
    sig::EcdsaKeyPair::generate_pkcs8(&sig::ECDSA_P256_SHA256_FIXED_SIGNING, &SystemRandom::new())
        // Fails only when the OS random generator does.
        .expect("the operating system's random generator failed")
        .as_ref()
        .to_vec()
}

#[cfg(test)]
mod tests {
    use super::*;
    use jsonwebtoken::{Validation, decode};

    #[derive(Serialize, serde::Deserialize)]
    struct Claims {
        sub: String,
        exp: u64,
    }

    fn claims() -> Claims {
        Claims {
            sub: "someone".into(),
            exp: jsonwebtoken::get_current_timestamp() + 60,
        }
    }

    #[test]
    fn a_token_signed_here_verifies_with_its_published_jwk_and_nothing_else() {
        install_crypto_provider();
        let der = generate_p256_pkcs8();
        let signer = JwsSigner::new("k1", Algorithm::ES256, &der).unwrap();
        let token = signer.sign("at+jwt", &claims()).unwrap();
        let jwk: jsonwebtoken::jwk::Jwk = serde_json::from_value(signer.public_jwk()).unwrap();
        let key = DecodingKey::from_jwk(&jwk).unwrap();
        let mut validation = Validation::new(Algorithm::ES256);
        validation.validate_aud = false;
        let data = decode::<Claims>(&token, &key, &validation).unwrap();
        assert_eq!(data.claims.sub, "someone");
        assert_eq!(data.header.typ.as_deref(), Some("at+jwt"));
        assert_eq!(data.header.kid.as_deref(), Some("k1"));

        let other = JwsSigner::new("k2", Algorithm::ES256, &generate_p256_pkcs8()).unwrap();
        let forged = other.sign("at+jwt", &claims()).unwrap();
        assert!(decode::<Claims>(&forged, &key, &validation).is_err());

        // Same header and claims, signature of another token: refused.
        let (body, _) = token.rsplit_once('.').unwrap();
        let (_, foreign_signature) = forged.rsplit_once('.').unwrap();
        let spliced = format!("{body}.{foreign_signature}");
        assert!(decode::<Claims>(&spliced, &key, &validation).is_err());
    }

    #[test]
    fn alg_none_and_algorithm_confusion_are_refused() {
        install_crypto_provider();
        let signer = JwsSigner::new("k1", Algorithm::ES256, &generate_p256_pkcs8()).unwrap();
        let jwk: jsonwebtoken::jwk::Jwk = serde_json::from_value(signer.public_jwk()).unwrap();
        let key = DecodingKey::from_jwk(&jwk).unwrap();
        let validation = Validation::new(Algorithm::ES256);
        let body = URL_SAFE_NO_PAD.encode(serde_json::to_vec(&claims()).unwrap());
        let none_header = URL_SAFE_NO_PAD.encode(br#"{"alg":"none","typ":"JWT"}"#);
        let unsigned = format!("{none_header}.{body}.");
        assert!(decode::<Claims>(&unsigned, &key, &validation).is_err());
        // HS256 keyed with the public key bytes: the classic confusion attack.
        let hs_header = URL_SAFE_NO_PAD.encode(br#"{"alg":"HS256","typ":"JWT"}"#);
        let message = format!("{hs_header}.{body}");
        let public_bytes = key.try_get_as_bytes().unwrap();
        let mac = ring::hmac::sign(
            &ring::hmac::Key::new(ring::hmac::HMAC_SHA256, public_bytes),
            message.as_bytes(),
        );
        let confused = format!("{message}.{}", URL_SAFE_NO_PAD.encode(mac.as_ref()));
        assert!(decode::<Claims>(&confused, &key, &validation).is_err());
    }

    #[test]
    fn the_thumbprint_matches_rfc_7638_example() {
        // The example key of RFC 7638, section 3.1.
        let jwk = serde_json::json!({
            "kty": "RSA",
            "n": "0vx7agoebGcQSuuPiLJXZptN9nndrQmbXEps2aiAFbWhM78LhWx4cbbfAAtVT86zwu1RK7aPFFxuhDR1L6tSoc_BJECPebWKRXjBZCiFV4n3oknjhMstn64tZ_2W-5JsGY4Hc5n9yBXArwl93lqt7_RN5w6Cf0h4QyQ5v-65YGjQR0_FDW2QvzqY368QQMicAtaSqzs8KJZgnYb9c7d0zgdAZHzu6qMQvRL5hajrn1n91CbOpbISD08qNLyrdkt-bFTWhAI4vMQFh6WeZu0fM4lFd2NcRwr3XPksINHaQ-G_xBniIqbw0Ls1jF44-csFCur-kEgU8awapJzKnqDKgw",
            "e": "AQAB",
            "alg": "RS256",
            "kid": "2011-04-29"
        });
        assert_eq!(
            jwk_thumbprint(&jwk),
            "NzbLsXh8uDCcd-6MNwXF4W_7noWXFZAfHkxZsRGC9Xs"
        );
    }

    #[test]
    fn a_pkcs1_public_key_gives_its_modulus_and_exponent() {
        // SEQUENCE { INTEGER 0x00c5, INTEGER 0x010001 }
        let der = [
            0x30, 0x09, 0x02, 0x02, 0x00, 0xc5, 0x02, 0x03, 0x01, 0x00, 0x01,
        ];
        let (n, e) = rsa_components_from_public_key(&der).unwrap();
        assert_eq!(n, vec![0xc5]);
        assert_eq!(e, vec![0x01, 0x00, 0x01]);
        assert!(rsa_components_from_public_key(&[0x30, 0x05, 0x02]).is_err());
    }
}
