//! The tokens eulogin issues and reads back: ID tokens (OpenID Connect Core), access tokens as
//! RFC 9068 JWTs (`typ: at+jwt`), and logout tokens (`typ: logout+jwt`).

use crate::oidc::grants::{UserGrant, revoked_grant_key, revoked_token_key};
use crate::oidc::keys::{KeyError, Keys};
use base64::Engine as _;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use infra::kv::{KeyValue, KvError};
use jsonwebtoken::{Algorithm, Validation};
use serde::{Deserialize, Serialize};
use std::collections::HashMap;
use time::{Duration, OffsetDateTime};

pub const ACCESS_TOKEN_TYPE: &str = "at+jwt";
pub const ID_TOKEN_TYPE: &str = "JWT";
pub const LOGOUT_TOKEN_TYPE: &str = "logout+jwt";
pub const BACKCHANNEL_LOGOUT_EVENT: &str = "http://schemas.openid.net/event/backchannel-logout";

/// The claims of an RFC 9068 access token.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct AccessTokenClaims {
    pub iss: String,
    pub sub: String,
    pub aud: String,
    pub client_id: String,
    pub iat: i64,
    pub exp: i64,
    pub jti: String,
    pub scope: String,
    #[serde(skip_serializing_if = "Option::is_none", default)]
    pub auth_time: Option<i64>,
    #[serde(skip_serializing_if = "Option::is_none", default)]
    pub acr: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none", default)]
    pub amr: Option<Vec<String>>,
    #[serde(skip_serializing_if = "Option::is_none", default)]
    pub sid: Option<String>,
    /// The grant the token was issued from: revoking the grant revokes the token.
    #[serde(skip_serializing_if = "Option::is_none", default)]
    pub gid: Option<String>,
}

/// Profile and e-mail claims, present according to the granted scopes.
#[derive(Debug, Clone, Default, Serialize, Deserialize, PartialEq)]
pub struct IdentityClaims {
    #[serde(skip_serializing_if = "Option::is_none")]
    pub name: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub given_name: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub family_name: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub locale: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub email: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub email_verified: Option<bool>,
}

/// The identity claims of `account` that the granted `scope` allows.
pub fn identity_claims(account: &crate::store::accounts::Account, scope: &str) -> IdentityClaims {
    use crate::oidc::grants::has_scope;
    let mut claims = IdentityClaims::default();
    if has_scope(scope, "profile") {
        claims.given_name = Some(account.first_name.clone());
        claims.family_name = Some(account.last_name.clone());
        claims.name = Some(format!("{} {}", account.first_name, account.last_name));
        claims.locale = Some(account.language.clone());
    }
    if has_scope(scope, "email") {
        claims.email = Some(account.email.clone());
        claims.email_verified = Some(account.email_verified);
    }
    claims
}

#[derive(Debug, Serialize)]
struct IdTokenClaims<'a> {
    iss: &'a str,
    sub: &'a str,
    aud: &'a str,
    azp: &'a str,
    iat: i64,
    exp: i64,
    auth_time: i64,
    #[serde(skip_serializing_if = "Option::is_none")]
    nonce: Option<&'a str>,
    acr: &'a str,
    amr: &'a [String],
    sid: &'a str,
    #[serde(skip_serializing_if = "Option::is_none")]
    at_hash: Option<String>,
    #[serde(flatten)]
    identity: &'a IdentityClaims,
}

#[derive(Debug, Serialize)]
struct LogoutTokenClaims<'a> {
    iss: &'a str,
    aud: &'a str,
    iat: i64,
    exp: i64,
    jti: String,
    sub: &'a str,
    sid: &'a str,
    events: serde_json::Value,
}

/// Signs tokens with the current keys and the configured lifetimes.
#[derive(Debug, Clone)]
pub struct TokenIssuer {
    pub issuer: String,
    pub keys: Keys,
    pub access_token_ttl: Duration,
    pub id_token_ttl: Duration,
}

/// An issued access token with what the token response tells about it.
#[derive(Debug)]
pub struct IssuedAccessToken {
    pub token: String,
    pub expires_in: i64,
}

/// `at_hash`: the left half of the SHA-256 of the access token, base64url (both RS256 and ES256
/// use SHA-256).
pub fn at_hash(access_token: &str) -> String {
    let digest = ring::digest::digest(&ring::digest::SHA256, access_token.as_bytes());
    URL_SAFE_NO_PAD.encode(&digest.as_ref()[..16])
}

impl TokenIssuer {
    /// An access token for a person, from a grant.
    pub fn user_access_token(
        &self,
        grant: &UserGrant,
        alg: Algorithm,
        now: OffsetDateTime,
    ) -> Result<IssuedAccessToken, KeyError> {
        let claims = AccessTokenClaims {
            iss: self.issuer.clone(),
            sub: grant.subject.clone(),
            aud: grant.audience.clone(),
            client_id: grant.client_id.clone(),
            iat: now.unix_timestamp(),
            exp: (now + self.access_token_ttl).unix_timestamp(),
            jti: infra::crypto::random_token(),
            scope: grant.scope.clone(),
            auth_time: Some(grant.auth_time),
            acr: Some(grant.acr.clone()),
            amr: Some(grant.amr.clone()),
            sid: Some(grant.sid.clone()),
            gid: Some(grant.grant_id.clone()),
        };
        self.sign_access_token(&claims, alg)
    }

    /// An access token for an application acting on its own behalf (`client_credentials`):
    /// its `sub` is the client id (RFC 9068, section 2.2).
    pub fn client_access_token(
        &self,
        client_id: &str,
        audience: &str,
        scope: &str,
        alg: Algorithm,
        now: OffsetDateTime,
    ) -> Result<IssuedAccessToken, KeyError> {
        let claims = AccessTokenClaims {
            iss: self.issuer.clone(),
            sub: client_id.to_owned(),
            aud: audience.to_owned(),
            client_id: client_id.to_owned(),
            iat: now.unix_timestamp(),
            exp: (now + self.access_token_ttl).unix_timestamp(),
            jti: infra::crypto::random_token(),
            scope: scope.to_owned(),
            auth_time: None,
            acr: None,
            amr: None,
            sid: None,
            gid: None,
        };
        self.sign_access_token(&claims, alg)
    }

    fn sign_access_token(
        &self,
        claims: &AccessTokenClaims,
        alg: Algorithm,
    ) -> Result<IssuedAccessToken, KeyError> {
        let token = self
            .keys
            .signer(alg)?
            .sign(ACCESS_TOKEN_TYPE, claims)
            .map_err(|e| KeyError::Broken("access token".into(), e.to_string()))?;
        Ok(IssuedAccessToken {
            token,
            expires_in: self.access_token_ttl.whole_seconds(),
        })
    }

    /// An ID token for `client_id` (its `aud` and `azp`).
    #[allow(clippy::too_many_arguments)]
    pub fn id_token(
        &self,
        grant: &UserGrant,
        identity: &IdentityClaims,
        nonce: Option<&str>,
        access_token: Option<&str>,
        alg: Algorithm,
        now: OffsetDateTime,
    ) -> Result<String, KeyError> {
        let claims = IdTokenClaims {
            iss: &self.issuer,
            sub: &grant.subject,
            aud: &grant.client_id,
            azp: &grant.client_id,
            iat: now.unix_timestamp(),
            exp: (now + self.id_token_ttl).unix_timestamp(),
            auth_time: grant.auth_time,
            nonce,
            acr: &grant.acr,
            amr: &grant.amr,
            sid: &grant.sid,
            at_hash: access_token.map(at_hash),
            identity,
        };
        self.keys
            .signer(alg)?
            .sign(ID_TOKEN_TYPE, &claims)
            .map_err(|e| KeyError::Broken("ID token".into(), e.to_string()))
    }

    /// A back-channel logout token (OpenID Connect Back-Channel Logout 1.0) for one client.
    pub fn logout_token(
        &self,
        client_id: &str,
        subject: &str,
        sid: &str,
        alg: Algorithm,
        now: OffsetDateTime,
    ) -> Result<String, KeyError> {
        let claims = LogoutTokenClaims {
            iss: &self.issuer,
            aud: client_id,
            iat: now.unix_timestamp(),
            exp: (now + Duration::minutes(2)).unix_timestamp(),
            jti: infra::crypto::random_token(),
            sub: subject,
            sid,
            events: serde_json::json!({ BACKCHANNEL_LOGOUT_EVENT: {} }),
        };
        self.keys
            .signer(alg)?
            .sign(LOGOUT_TOKEN_TYPE, &claims)
            .map_err(|e| KeyError::Broken("logout token".into(), e.to_string()))
    }
}

/// Why a token presented to eulogin is not accepted. The text is for logs only.
#[derive(Debug, thiserror::Error)]
pub enum TokenRejected {
    #[error("not a token signed by one of our keys: {0}")]
    Signature(String),
    #[error("wrong token type {0:?}")]
    Type(Option<String>),
    #[error("wrong issuer")]
    Issuer,
    #[error("expired")]
    Expired,
    #[error("revoked")]
    Revoked,
    #[error(transparent)]
    Store(#[from] KvError),
}

/// Verifies a JWT signed by one of our published keys, with the algorithm that key is for.
/// Expiry is left to the caller (it follows the injected clock, not the system's).
pub fn verify_signed<T: serde::de::DeserializeOwned>(
    keys: &Keys,
    token: &str,
) -> Result<(jsonwebtoken::Header, T), TokenRejected> {
    let header =
        jsonwebtoken::decode_header(token).map_err(|e| TokenRejected::Signature(e.to_string()))?;
    let kid = header
        .kid
        .as_deref()
        .ok_or_else(|| TokenRejected::Signature("no kid".into()))?;
    let (alg, key) = keys
        .verification_key(kid)
        .ok_or_else(|| TokenRejected::Signature(format!("unknown kid {kid}")))?;
    let mut validation = Validation::new(alg);
    validation.validate_exp = false;
    validation.validate_aud = false;
    validation.required_spec_claims.clear();
    let data = jsonwebtoken::decode::<T>(token, &key, &validation)
        .map_err(|e| TokenRejected::Signature(e.to_string()))?;
    Ok((data.header, data.claims))
}

/// Access tokens whose signature, type and issuer this replica has already checked, by SHA-256
/// of the token: a token presented again (userinfo is called with the same token many times)
/// skips the signature check. Expiry and revocation are still checked at every use. Bounded:
/// when full, expired entries are dropped, and if that is not enough, all of them.
#[derive(Debug, Clone, Default)]
pub struct VerifiedTokens {
    inner: std::sync::Arc<std::sync::Mutex<HashMap<[u8; 32], std::sync::Arc<AccessTokenClaims>>>>,
}

const MAX_VERIFIED_TOKENS: usize = 50_000;

impl VerifiedTokens {
    fn get(&self, key: &[u8; 32]) -> Option<std::sync::Arc<AccessTokenClaims>> {
        self.inner.lock().ok()?.get(key).cloned()
    }

    fn put(&self, key: [u8; 32], claims: std::sync::Arc<AccessTokenClaims>, now: i64) {
        if let Ok(mut map) = self.inner.lock() {
            if map.len() >= MAX_VERIFIED_TOKENS {
                map.retain(|_, c| c.exp > now);
                if map.len() >= MAX_VERIFIED_TOKENS {
                    map.clear();
                }
            }
            map.insert(key, claims);
        }
    }
}

fn token_fingerprint(token: &str) -> [u8; 32] {
    let digest = ring::digest::digest(&ring::digest::SHA256, token.as_bytes());
    let mut key = [0u8; 32];
    key.copy_from_slice(digest.as_ref());
    key
}

/// Checks an access token presented back to eulogin (userinfo, introspection, revocation):
/// our signature, `typ: at+jwt`, our issuer, not expired by our clock, not revoked.
pub async fn verify_access_token(
    keys: &Keys,
    verified: &VerifiedTokens,
    kv: &KeyValue,
    issuer: &str,
    token: &str,
    now: OffsetDateTime,
) -> Result<std::sync::Arc<AccessTokenClaims>, TokenRejected> {
    let fingerprint = token_fingerprint(token);
    let claims = match verified.get(&fingerprint) {
        Some(claims) => claims,
        None => {
            let (header, claims) = verify_signed::<AccessTokenClaims>(keys, token)?;
            if header.typ.as_deref() != Some(ACCESS_TOKEN_TYPE) {
                return Err(TokenRejected::Type(header.typ));
            }
            if claims.iss != issuer {
                return Err(TokenRejected::Issuer);
            }
            let claims = std::sync::Arc::new(claims);
            verified.put(fingerprint, claims.clone(), now.unix_timestamp());
            claims
        }
    };
    if claims.exp <= now.unix_timestamp() {
        return Err(TokenRejected::Expired);
    }
    let token_key = revoked_token_key(&claims.jti);
    let grant_key = claims.gid.as_deref().map(revoked_grant_key);
    let mut markers = vec![token_key.as_str()];
    if let Some(grant_key) = &grant_key {
        markers.push(grant_key);
    }
    if kv.any_exists(&markers).await? {
        return Err(TokenRejected::Revoked);
    }
    Ok(claims)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn at_hash_matches_the_openid_connect_example() {
        // OpenID Connect Core, appendix A.3 (RS256 example): access token and its at_hash.
        assert_eq!(
            at_hash("jHkWEdUXMU1BwAsC4vtUsZwnNvTIxEl0z9K3vx5KF0Y"),
            "77QmUPtjPfzWtF2AnpK9RQ"
        );
    }
}
