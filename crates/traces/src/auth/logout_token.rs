//! The logout token of OpenID Connect Back-Channel Logout 1.0 (section 2.6): a `logout+jwt`
//! signed by eulogin, for traces (`aud` = our client id), recent (`iat`, and `exp` when
//! given), carrying the back-channel-logout event, naming a session (`sid`) and/or a person
//! (`sub`), and never a `nonce` (which would make it an ID token in disguise). Replay of its
//! `jti` is refused by the caller, which owns the key-value store.

use crate::auth::jws::{self, CheckedHeader, JwsRefusal};
use crate::auth::keys::VerificationKey;
use serde::Deserialize;
use time::{Duration, OffsetDateTime};

pub const LOGOUT_TOKEN_TYPE: &str = "logout+jwt";
pub const BACKCHANNEL_LOGOUT_EVENT: &str = "http://schemas.openid.net/event/backchannel-logout";

/// How old a logout token may be (eulogin's are valid two minutes).
pub const MAX_AGE: Duration = Duration::minutes(10);
/// Clock difference tolerated between eulogin and traces.
pub const LEEWAY: Duration = Duration::seconds(60);

/// Whose sessions to end.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LogoutOf {
    pub sid: Option<String>,
    pub sub: Option<String>,
    pub jti: String,
}

/// Why a logout token is refused. The text is for logs only.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum LogoutTokenRefusal {
    #[error(transparent)]
    Jws(#[from] JwsRefusal),
    #[error("issued at an unacceptable time")]
    IssuedAt,
    #[error("expired")]
    Expired,
    #[error("no back-channel logout event")]
    Event,
    #[error("neither sid nor sub")]
    NoSubject,
    #[error("a nonce is present")]
    Nonce,
    #[error("no jti")]
    NoJti,
}

#[derive(Debug, Deserialize)]
struct Claims {
    #[serde(default)]
    sub: Option<String>,
    #[serde(default)]
    sid: Option<String>,
    iat: i64,
    #[serde(default)]
    exp: Option<i64>,
    #[serde(default)]
    jti: Option<String>,
    #[serde(default)]
    events: Option<serde_json::Map<String, serde_json::Value>>,
    #[serde(default)]
    nonce: Option<serde_json::Value>,
}

/// Checks everything but the header (already checked into `header`) and the `jti` replay.
pub fn check(
    token: &str,
    header: &CheckedHeader,
    key: &VerificationKey,
    issuer: &str,
    client_id: &str,
    now: OffsetDateTime,
) -> Result<LogoutOf, LogoutTokenRefusal> {
    let claims: Claims = jws::verify(token, header, key, issuer, client_id, &["iss", "aud"])?;
    let now = now.unix_timestamp();
    if claims.iat > now + LEEWAY.whole_seconds() || claims.iat < now - MAX_AGE.whole_seconds() {
        return Err(LogoutTokenRefusal::IssuedAt);
    }
    if claims
        .exp
        .is_some_and(|exp| exp <= now - LEEWAY.whole_seconds())
    {
        return Err(LogoutTokenRefusal::Expired);
    }
    let event_ok = claims
        .events
        .as_ref()
        .and_then(|events| events.get(BACKCHANNEL_LOGOUT_EVENT))
        .is_some_and(serde_json::Value::is_object);
    if !event_ok {
        return Err(LogoutTokenRefusal::Event);
    }
    if claims.nonce.is_some() {
        return Err(LogoutTokenRefusal::Nonce);
    }
    let sid = claims.sid.filter(|s| !s.is_empty());
    let sub = claims.sub.filter(|s| !s.is_empty());
    if sid.is_none() && sub.is_none() {
        return Err(LogoutTokenRefusal::NoSubject);
    }
    let jti = claims
        .jti
        .filter(|j| !j.is_empty())
        .ok_or(LogoutTokenRefusal::NoJti)?;
    Ok(LogoutOf { sid, sub, jti })
}

#[cfg(test)]
mod tests {
    use super::*;
    use jsonwebtoken::Algorithm;

    const ISSUER: &str = "https://login.example.eu";

    struct Fixture {
        signer: infra::jwt::JwsSigner,
        key: VerificationKey,
        now: OffsetDateTime,
    }

    fn fixture() -> Fixture {
        infra::jwt::install_crypto_provider();
        let der = infra::jwt::generate_p256_pkcs8();
        let signer = infra::jwt::JwsSigner::new("k1", Algorithm::ES256, &der).expect("signer");
        let jwk: jsonwebtoken::jwk::Jwk =
            serde_json::from_value(signer.public_jwk()).expect("a JWK");
        let key = VerificationKey {
            algorithm: Algorithm::ES256,
            key: jsonwebtoken::DecodingKey::from_jwk(&jwk).expect("a key"),
        };
        Fixture {
            signer,
            key,
            now: OffsetDateTime::now_utc(),
        }
    }

    impl Fixture {
        fn claims(&self) -> serde_json::Value {
            serde_json::json!({
                "iss": ISSUER, "aud": "traces", "iat": self.now.unix_timestamp(),
                "exp": self.now.unix_timestamp() + 120, "jti": "j1", "sid": "s1", "sub": "u1",
                "events": { BACKCHANNEL_LOGOUT_EVENT: {} }
            })
        }

        fn check(&self, claims: &serde_json::Value) -> Result<LogoutOf, LogoutTokenRefusal> {
            let token = self.signer.sign(LOGOUT_TOKEN_TYPE, claims).expect("signed");
            let header = jws::check_header(&token, LOGOUT_TOKEN_TYPE)?;
            check(&token, &header, &self.key, ISSUER, "traces", self.now)
        }
    }

    fn without(mut claims: serde_json::Value, name: &str) -> serde_json::Value {
        if let Some(map) = claims.as_object_mut() {
            map.remove(name);
        }
        claims
    }

    fn with(
        mut claims: serde_json::Value,
        name: &str,
        value: serde_json::Value,
    ) -> serde_json::Value {
        if let Some(map) = claims.as_object_mut() {
            map.insert(name.to_owned(), value);
        }
        claims
    }

    #[test]
    fn a_proper_token_names_the_session_and_the_person() {
        let f = fixture();
        assert_eq!(
            f.check(&f.claims()),
            Ok(LogoutOf {
                sid: Some("s1".into()),
                sub: Some("u1".into()),
                jti: "j1".into()
            })
        );
        assert!(f.check(&without(f.claims(), "sid")).is_ok(), "sub alone");
        assert!(f.check(&without(f.claims(), "sub")).is_ok(), "sid alone");
    }

    #[test]
    fn every_rule_of_section_2_6_refuses_its_token() {
        let f = fixture();
        let now = f.now.unix_timestamp();
        let refused = |claims: serde_json::Value| f.check(&claims).err();
        assert!(refused(with(f.claims(), "aud", "other".into())).is_some());
        assert!(refused(with(f.claims(), "iss", "https://evil.example".into())).is_some());
        assert_eq!(
            refused(without(f.claims(), "events")),
            Some(LogoutTokenRefusal::Event)
        );
        assert_eq!(
            refused(with(f.claims(), "events", serde_json::json!({"other": {}}))),
            Some(LogoutTokenRefusal::Event)
        );
        assert_eq!(
            refused(with(f.claims(), "nonce", "n".into())),
            Some(LogoutTokenRefusal::Nonce)
        );
        assert_eq!(
            refused(without(without(f.claims(), "sid"), "sub")),
            Some(LogoutTokenRefusal::NoSubject)
        );
        assert_eq!(
            refused(without(f.claims(), "jti")),
            Some(LogoutTokenRefusal::NoJti)
        );
        assert_eq!(
            refused(with(f.claims(), "iat", (now - 3600).into())),
            Some(LogoutTokenRefusal::IssuedAt)
        );
        assert_eq!(
            refused(with(f.claims(), "iat", (now + 3600).into())),
            Some(LogoutTokenRefusal::IssuedAt)
        );
        assert_eq!(
            refused(with(f.claims(), "exp", (now - 3600).into())),
            Some(LogoutTokenRefusal::Expired)
        );
        assert!(refused(without(f.claims(), "iat")).is_some());
        // An ID token (typ JWT) is not a logout token.
        let token = f.signer.sign("JWT", &f.claims()).expect("signed");
        assert!(jws::check_header(&token, LOGOUT_TOKEN_TYPE).is_err());
    }
}
