//! Bearer access tokens of the JSON API: eulogin's RFC 9068 JWTs, validated here without
//! asking eulogin (so the API keeps working while eulogin is down, for keys already held):
//! the header (RS256 or ES256, `typ` `at+jwt`, a known `kid`), the signature, exactly our
//! issuer, our audience among `aud`, `exp` and `nbf` by traces' clock with a small leeway, and
//! a person's login at the medium level or above (`acr`).

use crate::app::AppState;
use crate::auth::assurance::Level;
use crate::auth::jws::{self, CheckedHeader, JwsRefusal};
use crate::auth::keys::VerificationKey;
use crate::auth::verified_tokens::{self, Verified};
use serde::Deserialize;
use time::{Duration, OffsetDateTime};

pub const ACCESS_TOKEN_TYPE: &str = "at+jwt";
/// Clock difference tolerated between eulogin and traces.
pub const LEEWAY: Duration = Duration::seconds(30);

/// The claims traces reads from an access token.
#[derive(Debug, Clone, Deserialize)]
pub struct AccessClaims {
    pub iss: String,
    pub sub: String,
    pub client_id: String,
    pub exp: i64,
    #[serde(default)]
    pub nbf: Option<i64>,
    #[serde(default)]
    pub scope: String,
    #[serde(default)]
    pub acr: Option<String>,
}

impl AccessClaims {
    pub fn scopes(&self) -> Vec<String> {
        self.scope
            .split_ascii_whitespace()
            .map(str::to_owned)
            .collect()
    }
}

/// Why a bearer token is not accepted.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum BearerRefusal {
    /// No `Authorization: Bearer` at all.
    #[error("no bearer token")]
    Missing,
    /// `invalid_token` (RFC 6750); the text is for logs only.
    #[error("invalid token: {0}")]
    Invalid(String),
    /// A valid token of a login below the medium level (RFC 9470).
    #[error("the login is below the medium level")]
    InsufficientLevel,
    /// No key set could ever be fetched from eulogin.
    #[error("eulogin's keys cannot be fetched: {0}")]
    Unavailable(String),
}

impl From<JwsRefusal> for BearerRefusal {
    fn from(e: JwsRefusal) -> Self {
        BearerRefusal::Invalid(e.to_string())
    }
}

/// Everything but the header (already checked into `header`) and the key lookup.
pub fn check(
    token: &str,
    header: &CheckedHeader,
    key: &VerificationKey,
    issuer: &str,
    audience: &str,
    now: OffsetDateTime,
) -> Result<AccessClaims, BearerRefusal> {
    let claims: AccessClaims = jws::verify(
        token,
        header,
        key,
        issuer,
        audience,
        &["iss", "aud", "sub", "exp"],
    )?;
    still_valid(claims, issuer, now)
}

/// What is checked at every use of a token, even one whose signature was verified before:
/// the times by traces' clock and the login level.
fn still_valid(
    claims: AccessClaims,
    issuer: &str,
    now: OffsetDateTime,
) -> Result<AccessClaims, BearerRefusal> {
    let now = now.unix_timestamp();
    if claims.exp <= now - LEEWAY.whole_seconds() {
        return Err(BearerRefusal::Invalid("expired".into()));
    }
    if claims
        .nbf
        .is_some_and(|nbf| nbf > now + LEEWAY.whole_seconds())
    {
        return Err(BearerRefusal::Invalid("not valid yet".into()));
    }
    if !Level::is_enough(issuer, claims.acr.as_deref()) {
        return Err(BearerRefusal::InsufficientLevel);
    }
    Ok(claims)
}

/// Validates `token` against eulogin's keys (fetched again at most once a minute when its
/// `kid` is not among them). A token seen before skips its signature (`verified_tokens`), as
/// long as its key is still eulogin's.
pub async fn validate(state: &AppState, token: &str) -> Result<AccessClaims, BearerRefusal> {
    let fingerprint = verified_tokens::fingerprint(token);
    if let Some(known) = state.verified_tokens.get(&fingerprint) {
        return match state.auth.key(&known.kid).await {
            Ok(Some(_)) => {
                still_valid(known.claims.clone(), state.auth.issuer(), state.clock.now())
            }
            Ok(None) => Err(JwsRefusal::UnknownKey.into()),
            Err(e) => Err(BearerRefusal::Unavailable(e.to_string())),
        };
    }
    let header = jws::check_header(token, ACCESS_TOKEN_TYPE)?;
    let key = match state.auth.key(&header.kid).await {
        Ok(Some(key)) => key,
        Ok(None) => return Err(JwsRefusal::UnknownKey.into()),
        Err(e) => return Err(BearerRefusal::Unavailable(e.to_string())),
    };
    let now = state.clock.now();
    let claims = check(
        token,
        &header,
        &key,
        state.auth.issuer(),
        &state.settings.audience,
        now,
    )?;
    state.verified_tokens.put(
        fingerprint,
        Verified {
            kid: header.kid,
            claims: claims.clone(),
        },
        now.unix_timestamp(),
    );
    Ok(claims)
}

/// The token of an `Authorization: Bearer …` header (RFC 6750, 2.1), if there is exactly one.
pub fn token_of(req: &actix_web::HttpRequest) -> Result<String, BearerRefusal> {
    let mut values = req
        .headers()
        .get_all(actix_web::http::header::AUTHORIZATION);
    let Some(value) = values.next() else {
        return Err(BearerRefusal::Missing);
    };
    if values.next().is_some() {
        return Err(BearerRefusal::Invalid(
            "several Authorization headers".into(),
        ));
    }
    let value = value
        .to_str()
        .map_err(|_| BearerRefusal::Invalid("not ASCII".into()))?;
    let Some((scheme, token)) = value.split_once(' ') else {
        return Err(BearerRefusal::Missing);
    };
    if !scheme.eq_ignore_ascii_case("bearer") {
        return Err(BearerRefusal::Missing);
    }
    let token = token.trim();
    if token.is_empty() {
        return Err(BearerRefusal::Invalid("empty token".into()));
    }
    Ok(token.to_owned())
}

#[cfg(test)]
mod tests {
    use super::*;
    use jsonwebtoken::Algorithm;

    const ISSUER: &str = "https://login.example.eu";
    const AUDIENCE: &str = "https://traces.example.eu";

    fn sign_and_check(
        claims: serde_json::Value,
        now: OffsetDateTime,
    ) -> Result<AccessClaims, BearerRefusal> {
        infra::jwt::install_crypto_provider();
        let der = infra::jwt::generate_p256_pkcs8();
        let signer = infra::jwt::JwsSigner::new("k1", Algorithm::ES256, &der).expect("signer");
        let jwk: jsonwebtoken::jwk::Jwk =
            serde_json::from_value(signer.public_jwk()).expect("a JWK");
        let key = VerificationKey {
            algorithm: Algorithm::ES256,
            key: jsonwebtoken::DecodingKey::from_jwk(&jwk).expect("a key"),
        };
        let token = signer.sign(ACCESS_TOKEN_TYPE, &claims).expect("signed");
        let header = jws::check_header(&token, ACCESS_TOKEN_TYPE)?;
        check(&token, &header, &key, ISSUER, AUDIENCE, now)
    }

    fn claims(now: OffsetDateTime, acr: &str) -> serde_json::Value {
        serde_json::json!({
            "iss": ISSUER, "sub": "u1", "aud": AUDIENCE, "client_id": "app",
            "iat": now.unix_timestamp(), "exp": now.unix_timestamp() + 300, "jti": "j",
            "scope": "operators:read openid", "acr": format!("{ISSUER}/loa/{acr}")
        })
    }

    #[test]
    fn times_follow_the_given_clock_with_a_small_leeway() {
        let now = OffsetDateTime::now_utc();
        let ok = sign_and_check(claims(now, "medium"), now).expect("valid");
        assert_eq!(ok.scopes(), ["operators:read", "openid"]);
        assert!(sign_and_check(claims(now, "medium"), now + Duration::seconds(320)).is_ok());
        assert_eq!(
            sign_and_check(claims(now, "medium"), now + Duration::seconds(331)).err(),
            Some(BearerRefusal::Invalid("expired".into()))
        );
        let mut later = claims(now, "high");
        later["nbf"] = (now.unix_timestamp() + 120).into();
        assert!(sign_and_check(later, now).is_err());
    }

    #[test]
    fn a_login_without_a_second_factor_is_not_enough() {
        let now = OffsetDateTime::now_utc();
        assert_eq!(
            sign_and_check(claims(now, "low"), now).err(),
            Some(BearerRefusal::InsufficientLevel)
        );
        let mut machine = claims(now, "medium");
        if let Some(map) = machine.as_object_mut() {
            map.remove("acr");
        }
        assert_eq!(
            sign_and_check(machine, now).err(),
            Some(BearerRefusal::InsufficientLevel)
        );
    }
}
