//! A user grant: what one authorization gave one client about one person, carried by the
//! authorization code and then by the family of refresh tokens that descends from it. Every
//! token issued from it names it (`gid`), so it can be revoked as a whole.

use serde::{Deserialize, Serialize};

/// The `offline_access` scope: refresh tokens that outlive the SSO session.
pub const OFFLINE_ACCESS: &str = "offline_access";

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct UserGrant {
    pub grant_id: String,
    pub client_id: String,
    pub account_id: String,
    /// The `sub` given to applications.
    pub subject: String,
    /// Space-separated granted scopes.
    pub scope: String,
    /// The `aud` of the access tokens.
    pub audience: String,
    /// The SSO session it was made in (`sid`).
    pub sid: String,
    pub acr: String,
    pub amr: Vec<String>,
    /// Unix time of the authentication behind it.
    pub auth_time: i64,
}

impl UserGrant {
    pub fn has_scope(&self, scope: &str) -> bool {
        has_scope(&self.scope, scope)
    }

    pub fn is_offline(&self) -> bool {
        self.has_scope(OFFLINE_ACCESS)
    }
}

/// Whether a space-separated scope string contains `scope`.
pub fn has_scope(scopes: &str, scope: &str) -> bool {
    scopes.split_ascii_whitespace().any(|s| s == scope)
}

/// Key-value keys of the revocation markers checked for every access token.
pub fn revoked_grant_key(grant_id: &str) -> String {
    format!("revoked_grant:{grant_id}")
}

pub fn revoked_token_key(jti: &str) -> String {
    format!("revoked_jti:{jti}")
}

/// Makes every access token of `grant_id` refused from now on (until they would have expired
/// anyway: the marker lives as long as an access token plus a minute).
pub async fn mark_grant_revoked(
    kv: &infra::kv::KeyValue,
    grant_id: &str,
    access_token_ttl: time::Duration,
    why: &str,
) -> Result<(), infra::kv::KvError> {
    let marker_ttl = access_token_ttl + time::Duration::minutes(1);
    kv.set(&revoked_grant_key(grant_id), why, marker_ttl).await
}
