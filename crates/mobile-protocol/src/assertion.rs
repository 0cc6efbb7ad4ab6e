//! Device assertions: every request of the app carries `Authorization: Device <JWS>`, a compact
//! JWS signed ES256 with the device's P-256 key, bound to the exact request URL (`aud`), valid
//! [`ASSERTION_LIFETIME_SECS`] and unique (`jti`), so that a captured header is useless for any
//! other request. The server verifies it with any standard JOSE library.

use crate::ProtocolError;
use crate::random::random_base64url;
use base64::Engine as _;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use ring::rand::SystemRandom;
use ring::signature::{ECDSA_P256_SHA256_FIXED_SIGNING, EcdsaKeyPair, KeyPair as _};
use serde::{Deserialize, Serialize};

/// The `typ` header of a device assertion.
pub const JWT_TYPE: &str = "eulogin-device+jwt";
/// The HTTP authentication scheme: `Authorization: Device <JWS>`.
pub const AUTH_SCHEME: &str = "Device";
/// Seconds between `iat` and `exp`.
pub const ASSERTION_LIFETIME_SECS: i64 = 60;
/// Random bytes in a `jti`.
pub const JTI_BYTES: usize = 16;

/// What the user decided about a pending login.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Decision {
    Approve,
    Deny,
}

impl Decision {
    /// The wire spelling, `approve` or `deny`.
    pub fn as_str(self) -> &'static str {
        match self {
            Decision::Approve => "approve",
            Decision::Deny => "deny",
        }
    }
}

impl std::fmt::Display for Decision {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.as_str())
    }
}

/// The claims of a device assertion.
#[derive(Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct DeviceClaims {
    /// The device id the server gave at enrolment (also the header's `kid`).
    pub iss: String,
    /// The exact URL of the request, as built by [`crate::endpoint_url`] or
    /// [`crate::decision_url`].
    pub aud: String,
    pub iat: i64,
    /// `iat` + [`ASSERTION_LIFETIME_SECS`].
    pub exp: i64,
    /// 16 random bytes as base64url; the server refuses a `jti` it has seen before.
    pub jti: String,
    /// The pending request decided (decisions only).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub request_id: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub decision: Option<Decision>,
    /// The device PIN (approvals; optional for a denial).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub pin: Option<String>,
}

impl std::fmt::Debug for DeviceClaims {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("DeviceClaims")
            .field("iss", &self.iss)
            .field("aud", &self.aud)
            .field("iat", &self.iat)
            .field("exp", &self.exp)
            .field("jti", &self.jti)
            .field("request_id", &self.request_id)
            .field("decision", &self.decision)
            .field("pin", &self.pin.as_ref().map(|_| "***"))
            .finish()
    }
}

impl DeviceClaims {
    /// Claims for a request to `aud` at `now` (Unix seconds), with a fresh `jti`.
    pub fn new(device_id: &str, aud: &str, now: i64) -> Result<DeviceClaims, ProtocolError> {
        Ok(DeviceClaims {
            iss: device_id.to_owned(),
            aud: aud.to_owned(),
            iat: now,
            exp: now.saturating_add(ASSERTION_LIFETIME_SECS),
            jti: random_base64url(JTI_BYTES)?,
            request_id: None,
            decision: None,
            pin: None,
        })
    }

    /// Adds the decision about `request_id`, with the PIN if given.
    pub fn with_decision(
        mut self,
        request_id: &str,
        decision: Decision,
        pin: Option<&str>,
    ) -> DeviceClaims {
        self.request_id = Some(request_id.to_owned());
        self.decision = Some(decision);
        self.pin = pin.map(str::to_owned);
        self
    }
}

#[derive(Serialize)]
struct Header<'a> {
    alg: &'static str,
    typ: &'static str,
    kid: &'a str,
}

/// The public half of a device key as the coordinates of a P-256 JWK (unpadded base64url of 32
/// bytes each).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PublicJwk {
    pub x: String,
    pub y: String,
}

impl PublicJwk {
    const COORDINATE_BYTES: usize = 32;

    /// Reads and checks a JWK received at enrolment: `kty` `EC`, `crv` `P-256`, and `x` and `y`
    /// of 32 bytes each. Whether the point lies on the curve is checked by the first signature
    /// verification.
    pub fn from_value(jwk: &serde_json::Value) -> Result<PublicJwk, ProtocolError> {
        let field = |name: &str| jwk.get(name).and_then(serde_json::Value::as_str);
        if field("kty") != Some("EC") {
            return Err(ProtocolError::InvalidPublicKey("`kty` must be `EC`"));
        }
        if field("crv") != Some("P-256") {
            return Err(ProtocolError::InvalidPublicKey("`crv` must be `P-256`"));
        }
        if jwk.get("d").is_some() {
            return Err(ProtocolError::InvalidPublicKey(
                "it contains the private key `d`",
            ));
        }
        let coordinate = |name: &str, missing: &'static str| {
            let value = field(name).ok_or(ProtocolError::InvalidPublicKey(missing))?;
            match URL_SAFE_NO_PAD.decode(value) {
                Ok(bytes) if bytes.len() == Self::COORDINATE_BYTES => Ok(value.to_owned()),
                _ => Err(ProtocolError::InvalidPublicKey(
                    "`x` and `y` must be 32 bytes in unpadded base64url",
                )),
            }
        };
        Ok(PublicJwk {
            x: coordinate("x", "`x` is missing")?,
            y: coordinate("y", "`y` is missing")?,
        })
    }

    /// `{"kty":"EC","crv":"P-256","x":…,"y":…}`.
    pub fn to_value(&self) -> serde_json::Value {
        serde_json::json!({"kty": "EC", "crv": "P-256", "x": self.x, "y": self.y})
    }

    /// The SEC 1 uncompressed point `0x04 || x || y`, as `ring` verifies with.
    pub fn uncompressed_point(&self) -> Result<Vec<u8>, ProtocolError> {
        let decode = |value: &str| {
            URL_SAFE_NO_PAD
                .decode(value)
                .map_err(|_| ProtocolError::InvalidPublicKey("`x` or `y` is not base64url"))
        };
        let mut point = vec![0x04];
        point.extend(decode(&self.x)?);
        point.extend(decode(&self.y)?);
        Ok(point)
    }
}

/// The device's P-256 signing key.
pub struct DeviceKey {
    pair: EcdsaKeyPair,
    rng: SystemRandom,
}

impl std::fmt::Debug for DeviceKey {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("DeviceKey")
            .field("public", &self.public_key())
            .finish_non_exhaustive()
    }
}

impl DeviceKey {
    /// A new key pair, and its PKCS#8 encoding for the app to store.
    pub fn generate() -> Result<(DeviceKey, Vec<u8>), ProtocolError> {
        let rng = SystemRandom::new();
        let pkcs8 = EcdsaKeyPair::generate_pkcs8(&ECDSA_P256_SHA256_FIXED_SIGNING, &rng)
            .map_err(|_| ProtocolError::RandomUnavailable)?;
        let key = DeviceKey::from_pkcs8(pkcs8.as_ref())?;
        Ok((key, pkcs8.as_ref().to_vec()))
    }

    /// Loads a stored key.
    pub fn from_pkcs8(pkcs8: &[u8]) -> Result<DeviceKey, ProtocolError> {
        let rng = SystemRandom::new();
        let pair = EcdsaKeyPair::from_pkcs8(&ECDSA_P256_SHA256_FIXED_SIGNING, pkcs8, &rng)
            .map_err(|_| ProtocolError::InvalidPrivateKey)?;
        Ok(DeviceKey { pair, rng })
    }

    /// The public key's coordinates.
    pub fn public_key(&self) -> PublicJwk {
        // ring gives the uncompressed point 0x04 || x || y.
        let point = self.pair.public_key().as_ref();
        let coordinates = point.split_first().map_or(&[][..], |(_, rest)| rest);
        let (x, y) = coordinates.split_at(coordinates.len() / 2);
        PublicJwk {
            x: URL_SAFE_NO_PAD.encode(x),
            y: URL_SAFE_NO_PAD.encode(y),
        }
    }

    /// The public key as the JWK sent at enrolment: `{"kty":"EC","crv":"P-256","x":…,"y":…}`.
    pub fn public_jwk(&self) -> serde_json::Value {
        self.public_key().to_value()
    }

    /// The compact JWS `header.claims.signature` of `claims`, with header
    /// `{"alg":"ES256","typ":"eulogin-device+jwt","kid":<device_id>}` and the 64-byte `r || s`
    /// signature of JWS (RFC 7518 §3.4).
    pub fn sign(&self, device_id: &str, claims: &DeviceClaims) -> Result<String, ProtocolError> {
        let header = Header {
            alg: "ES256",
            typ: JWT_TYPE,
            kid: device_id,
        };
        let mut token = URL_SAFE_NO_PAD.encode(to_json(&header)?);
        token.push('.');
        URL_SAFE_NO_PAD.encode_string(to_json(claims)?, &mut token);
        let signature = self
            .pair
            .sign(&self.rng, token.as_bytes())
            .map_err(|_| ProtocolError::SigningFailed)?;
        token.push('.');
        URL_SAFE_NO_PAD.encode_string(signature.as_ref(), &mut token);
        Ok(token)
    }
}

fn to_json(value: &impl Serialize) -> Result<Vec<u8>, ProtocolError> {
    serde_json::to_vec(value).map_err(|e| ProtocolError::Json(e.to_string()))
}

#[cfg(test)]
mod tests {
    use super::*;
    use ring::signature::{ECDSA_P256_SHA256_FIXED, UnparsedPublicKey};

    fn decode_part(part: &str) -> serde_json::Value {
        serde_json::from_slice(&URL_SAFE_NO_PAD.decode(part).unwrap()).unwrap()
    }

    fn claims() -> DeviceClaims {
        DeviceClaims::new(
            "dev-1",
            "https://ecas.example.eu/app/v1/requests/r-9",
            1_700_000_000,
        )
        .unwrap()
        .with_decision("r-9", Decision::Approve, Some("1234"))
    }

    #[test]
    fn an_assertion_is_a_standard_es256_jws_over_its_header_and_claims() {
        let (key, _) = DeviceKey::generate().unwrap();
        let claims = claims();
        let token = key.sign("dev-1", &claims).unwrap();
        let parts: Vec<&str> = token.split('.').collect();
        assert_eq!(parts.len(), 3);
        assert_eq!(
            decode_part(parts[0]),
            serde_json::json!({"alg": "ES256", "typ": "eulogin-device+jwt", "kid": "dev-1"})
        );
        let decoded: DeviceClaims = serde_json::from_value(decode_part(parts[1])).unwrap();
        assert_eq!(decoded, claims);
        assert_eq!(decoded.exp - decoded.iat, ASSERTION_LIFETIME_SECS);
        assert_eq!(decoded.jti.len(), 22);

        let signature = URL_SAFE_NO_PAD.decode(parts[2]).unwrap();
        assert_eq!(signature.len(), 64);
        let point = PublicJwk::from_value(&key.public_jwk())
            .unwrap()
            .uncompressed_point()
            .unwrap();
        let public = UnparsedPublicKey::new(&ECDSA_P256_SHA256_FIXED, &point);
        let signed = format!("{}.{}", parts[0], parts[1]);
        assert!(public.verify(signed.as_bytes(), &signature).is_ok());

        let tampered = format!("{}.{}x", parts[0], parts[1]);
        assert!(public.verify(tampered.as_bytes(), &signature).is_err());
        let (other, _) = DeviceKey::generate().unwrap();
        let other_point = other.public_key().uncompressed_point().unwrap();
        let other_public = UnparsedPublicKey::new(&ECDSA_P256_SHA256_FIXED, &other_point);
        assert!(other_public.verify(signed.as_bytes(), &signature).is_err());
    }

    #[test]
    fn claims_without_a_decision_omit_its_fields_and_decisions_are_lowercase() {
        let plain = DeviceClaims::new("dev-1", "https://e.eu/app/v1/requests", 10).unwrap();
        let json = serde_json::to_value(&plain).unwrap();
        let mut keys: Vec<&str> = json
            .as_object()
            .unwrap()
            .keys()
            .map(|k| k.as_str())
            .collect();
        keys.sort_unstable();
        assert_eq!(keys, ["aud", "exp", "iat", "iss", "jti"]);
        assert_eq!(json["exp"], 70);

        let json = serde_json::to_value(claims()).unwrap();
        assert_eq!(json["decision"], "approve");
        assert_eq!(json["request_id"], "r-9");
        assert_eq!(
            serde_json::to_value(Decision::Deny).unwrap(),
            serde_json::json!("deny")
        );
        assert!(!format!("{:?}", claims()).contains("1234"));
        assert_ne!(claims().jti, claims().jti);
    }

    #[test]
    fn a_stored_key_reloads_to_the_same_public_key() {
        let (key, pkcs8) = DeviceKey::generate().unwrap();
        let reloaded = DeviceKey::from_pkcs8(&pkcs8).unwrap();
        assert_eq!(key.public_jwk(), reloaded.public_jwk());
        let jwk = key.public_jwk();
        assert_eq!(jwk["kty"], "EC");
        assert_eq!(jwk["crv"], "P-256");
        assert_eq!(jwk["x"].as_str().unwrap().len(), 43);
        assert_eq!(jwk["y"].as_str().unwrap().len(), 43);
        assert_eq!(
            DeviceKey::from_pkcs8(b"not a key").unwrap_err(),
            ProtocolError::InvalidPrivateKey
        );
    }

    #[test]
    fn received_jwks_are_checked() {
        let (key, _) = DeviceKey::generate().unwrap();
        let good = key.public_jwk();
        assert_eq!(PublicJwk::from_value(&good).unwrap(), key.public_key());
        let with = |name: &str, value: serde_json::Value| {
            let mut jwk = good.clone();
            jwk[name] = value;
            PublicJwk::from_value(&jwk)
        };
        assert!(with("kty", "RSA".into()).is_err());
        assert!(with("crv", "P-384".into()).is_err());
        assert!(with("x", "AAAA".into()).is_err());
        assert!(with("y", 5.into()).is_err());
        assert!(with("d", "secret".into()).is_err());
        assert!(PublicJwk::from_value(&serde_json::json!("EC")).is_err());
    }
}
