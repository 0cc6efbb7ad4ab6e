//! Applications (OAuth 2.0 clients) allowed to log users in, and the rules their registration
//! must follow. The same checks apply whether a client comes from the command line or from the
//! declarative clients file.

use crate::oidc::assurance::Loa;
use crate::oidc::keys::{algorithm_name, parse_algorithm};
use base64::Engine as _;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use jsonwebtoken::Algorithm;
use jsonwebtoken::jwk::JwkSet;
use serde::{Deserialize, Serialize};
use url::Url;

/// How a client proves who it is at the token endpoint.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum AuthMethod {
    ClientSecretBasic,
    ClientSecretPost,
    PrivateKeyJwt,
    /// A public client (a single-page or native application): PKCE instead of a secret.
    None,
}

impl AuthMethod {
    pub const ALL: [AuthMethod; 4] = [
        AuthMethod::ClientSecretBasic,
        AuthMethod::ClientSecretPost,
        AuthMethod::PrivateKeyJwt,
        AuthMethod::None,
    ];

    pub fn name(self) -> &'static str {
        match self {
            AuthMethod::ClientSecretBasic => "client_secret_basic",
            AuthMethod::ClientSecretPost => "client_secret_post",
            AuthMethod::PrivateKeyJwt => "private_key_jwt",
            AuthMethod::None => "none",
        }
    }

    pub fn parse(name: &str) -> Option<AuthMethod> {
        AuthMethod::ALL.into_iter().find(|m| m.name() == name)
    }

    pub fn uses_secret(self) -> bool {
        matches!(
            self,
            AuthMethod::ClientSecretBasic | AuthMethod::ClientSecretPost
        )
    }
}

/// The grants a client may use at the token endpoint.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum GrantType {
    AuthorizationCode,
    RefreshToken,
    ClientCredentials,
}

impl GrantType {
    pub const ALL: [GrantType; 3] = [
        GrantType::AuthorizationCode,
        GrantType::RefreshToken,
        GrantType::ClientCredentials,
    ];

    pub fn name(self) -> &'static str {
        match self {
            GrantType::AuthorizationCode => "authorization_code",
            GrantType::RefreshToken => "refresh_token",
            GrantType::ClientCredentials => "client_credentials",
        }
    }

    pub fn parse(name: &str) -> Option<GrantType> {
        GrantType::ALL.into_iter().find(|g| g.name() == name)
    }
}

/// Who manages a client: the command line (the database is the truth) or the clients file (the
/// file is the truth; the command line leaves such clients alone).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ManagedBy {
    Cli,
    File,
}

impl ManagedBy {
    pub fn name(self) -> &'static str {
        match self {
            ManagedBy::Cli => "cli",
            ManagedBy::File => "file",
        }
    }

    pub fn parse(name: &str) -> ManagedBy {
        if name == "file" {
            ManagedBy::File
        } else {
            ManagedBy::Cli
        }
    }
}

/// A registered client, checked.
#[derive(Debug, Clone)]
pub struct Client {
    pub client_id: String,
    pub name: String,
    pub auth_method: AuthMethod,
    /// Keyed hash of the secret (see [`SecretHasher`]); `None` for public and `private_key_jwt`
    /// clients.
    pub secret_hash: Option<String>,
    /// Public keys of a `private_key_jwt` client.
    pub jwks: Option<JwkSet>,
    pub redirect_uris: Vec<String>,
    pub post_logout_redirect_uris: Vec<String>,
    pub grant_types: Vec<GrantType>,
    pub scopes: Vec<String>,
    /// Resource servers the client may ask tokens for (RFC 8707); the first is the default `aud`.
    pub audiences: Vec<String>,
    pub backchannel_logout_uri: Option<String>,
    /// The weakest assurance the application accepts, whatever it asks per request.
    pub minimum_acr: Loa,
    pub id_token_alg: Algorithm,
    pub access_token_alg: Algorithm,
    pub managed_by: ManagedBy,
}

impl Client {
    pub fn is_public(&self) -> bool {
        self.auth_method == AuthMethod::None
    }

    pub fn allows(&self, grant: GrantType) -> bool {
        self.grant_types.contains(&grant)
    }

    pub fn allows_scope(&self, scope: &str) -> bool {
        self.scopes.iter().any(|s| s == scope)
    }

    /// Redirect URIs are compared exactly, character for character (no normalisation).
    pub fn has_redirect_uri(&self, uri: &str) -> bool {
        self.redirect_uris.iter().any(|r| r == uri)
    }

    pub fn has_post_logout_redirect_uri(&self, uri: &str) -> bool {
        self.post_logout_redirect_uris.iter().any(|r| r == uri)
    }

    /// The `aud` of access tokens when no `resource` is asked for.
    pub fn default_audience(&self) -> &str {
        self.audiences
            .first()
            .map(String::as_str)
            .unwrap_or(&self.client_id)
    }
}

/// What an administrator asks for; checked into a [`Client`] by [`ClientSpec::check`].
#[derive(Debug, Clone, Default, Serialize, Deserialize, PartialEq)]
#[serde(deny_unknown_fields)]
pub struct ClientSpec {
    pub client_id: String,
    pub name: String,
    #[serde(default = "default_auth_method")]
    pub auth_method: String,
    #[serde(default)]
    pub jwks: Option<String>,
    #[serde(default)]
    pub redirect_uris: Vec<String>,
    #[serde(default)]
    pub post_logout_redirect_uris: Vec<String>,
    #[serde(default = "default_grants")]
    pub grant_types: Vec<String>,
    #[serde(default = "default_scopes")]
    pub scopes: Vec<String>,
    #[serde(default)]
    pub audiences: Vec<String>,
    #[serde(default)]
    pub backchannel_logout_uri: Option<String>,
    #[serde(default = "default_minimum_acr")]
    pub minimum_acr: String,
    #[serde(default = "default_id_token_alg")]
    pub id_token_alg: String,
    #[serde(default = "default_access_token_alg")]
    pub access_token_alg: String,
}

fn default_auth_method() -> String {
    AuthMethod::ClientSecretBasic.name().to_owned()
}
fn default_grants() -> Vec<String> {
    vec!["authorization_code".into(), "refresh_token".into()]
}
fn default_scopes() -> Vec<String> {
    vec!["openid".into(), "profile".into(), "email".into()]
}
fn default_minimum_acr() -> String {
    "low".into()
}
fn default_id_token_alg() -> String {
    "RS256".into()
}
fn default_access_token_alg() -> String {
    "ES256".into()
}

impl ClientSpec {
    /// A spec with the defaults of a confidential web application.
    pub fn new(client_id: &str, name: &str) -> ClientSpec {
        ClientSpec {
            client_id: client_id.to_owned(),
            name: name.to_owned(),
            auth_method: default_auth_method(),
            grant_types: default_grants(),
            scopes: default_scopes(),
            minimum_acr: default_minimum_acr(),
            id_token_alg: default_id_token_alg(),
            access_token_alg: default_access_token_alg(),
            ..ClientSpec::default()
        }
    }

    /// Checks every rule and gives the client, or every problem found (one line each).
    pub fn check(&self, managed_by: ManagedBy) -> Result<Client, Vec<String>> {
        let mut problems = Vec::new();
        if !valid_client_id(&self.client_id) {
            problems.push(format!(
                "client_id {:?}: use 3 to 64 letters, digits, '.', '_' or '-'",
                self.client_id
            ));
        }
        let name = self.name.trim();
        if name.is_empty() || name.chars().count() > 100 {
            problems.push("name: give 1 to 100 characters".to_owned());
        }
        let auth_method = AuthMethod::parse(&self.auth_method).unwrap_or_else(|| {
            problems.push(format!(
                "auth_method {:?}: use one of client_secret_basic, client_secret_post, private_key_jwt, none",
                self.auth_method
            ));
            AuthMethod::ClientSecretBasic
        });
        let public = auth_method == AuthMethod::None;
        let mut grant_types = Vec::new();
        for g in &self.grant_types {
            match GrantType::parse(g) {
                Some(grant) if !grant_types.contains(&grant) => grant_types.push(grant),
                Some(_) => {}
                None => problems.push(format!(
                    "grant type {g:?}: use authorization_code, refresh_token or client_credentials"
                )),
            }
        }
        if grant_types.is_empty() {
            problems.push("grant_types: give at least one".to_owned());
        }
        if public && grant_types.contains(&GrantType::ClientCredentials) {
            problems
                .push("a public client (auth_method none) cannot use client_credentials".into());
        }
        if grant_types.contains(&GrantType::RefreshToken)
            && !grant_types.contains(&GrantType::AuthorizationCode)
        {
            problems.push("refresh_token needs authorization_code".into());
        }
        let redirects = grant_types.contains(&GrantType::AuthorizationCode);
        if redirects && self.redirect_uris.is_empty() {
            problems.push("redirect_uris: authorization_code needs at least one".into());
        }
        for uri in &self.redirect_uris {
            if let Err(why) = check_redirect_uri(uri, public) {
                problems.push(format!("redirect URI {uri:?}: {why}"));
            }
        }
        for uri in &self.post_logout_redirect_uris {
            if let Err(why) = check_redirect_uri(uri, public) {
                problems.push(format!("post-logout redirect URI {uri:?}: {why}"));
            }
        }
        if let Some(uri) = &self.backchannel_logout_uri
            && let Err(why) = check_web_uri(uri)
        {
            problems.push(format!("back-channel logout URI {uri:?}: {why}"));
        }
        for scope in &self.scopes {
            if scope.is_empty() || !scope.bytes().all(is_scope_char) {
                problems.push(format!("scope {scope:?}: not a valid scope token"));
            }
        }
        for audience in &self.audiences {
            if audience.is_empty() || audience.chars().any(char::is_whitespace) {
                problems.push(format!(
                    "audience {audience:?}: not a valid resource identifier"
                ));
            }
        }
        let jwks = match (&self.jwks, auth_method) {
            (Some(text), AuthMethod::PrivateKeyJwt) => match serde_json::from_str::<JwkSet>(text) {
                Ok(set) if !set.keys.is_empty() => Some(set),
                Ok(_) => {
                    problems.push("jwks: give at least one public key".into());
                    None
                }
                Err(e) => {
                    problems.push(format!("jwks: not a JSON Web Key Set ({e})"));
                    None
                }
            },
            (None, AuthMethod::PrivateKeyJwt) => {
                problems.push("private_key_jwt needs the client's public keys (jwks)".into());
                None
            }
            (Some(_), _) => {
                problems.push("jwks is only for auth_method private_key_jwt".into());
                None
            }
            (None, _) => None,
        };
        let minimum_acr = Loa::from_name(&self.minimum_acr).unwrap_or_else(|| {
            problems.push(format!(
                "minimum_acr {:?}: use low, medium or high",
                self.minimum_acr
            ));
            Loa::Low
        });
        let mut algorithm = |field: &str, value: &str| {
            parse_algorithm(value).unwrap_or_else(|| {
                problems.push(format!("{field} {value:?}: use RS256 or ES256"));
                Algorithm::RS256
            })
        };
        let id_token_alg = algorithm("id_token_alg", &self.id_token_alg);
        let access_token_alg = algorithm("access_token_alg", &self.access_token_alg);
        if !problems.is_empty() {
            return Err(problems);
        }
        Ok(Client {
            client_id: self.client_id.clone(),
            name: name.to_owned(),
            auth_method,
            secret_hash: None,
            jwks,
            redirect_uris: self.redirect_uris.clone(),
            post_logout_redirect_uris: self.post_logout_redirect_uris.clone(),
            grant_types,
            scopes: dedup(&self.scopes),
            audiences: dedup(&self.audiences),
            backchannel_logout_uri: self.backchannel_logout_uri.clone(),
            minimum_acr,
            id_token_alg,
            access_token_alg,
            managed_by,
        })
    }
}

impl From<&Client> for ClientSpec {
    fn from(c: &Client) -> ClientSpec {
        ClientSpec {
            client_id: c.client_id.clone(),
            name: c.name.clone(),
            auth_method: c.auth_method.name().to_owned(),
            jwks: c.jwks.as_ref().and_then(|j| serde_json::to_string(j).ok()),
            redirect_uris: c.redirect_uris.clone(),
            post_logout_redirect_uris: c.post_logout_redirect_uris.clone(),
            grant_types: c.grant_types.iter().map(|g| g.name().to_owned()).collect(),
            scopes: c.scopes.clone(),
            audiences: c.audiences.clone(),
            backchannel_logout_uri: c.backchannel_logout_uri.clone(),
            minimum_acr: c.minimum_acr.name().to_owned(),
            id_token_alg: algorithm_name(c.id_token_alg).to_owned(),
            access_token_alg: algorithm_name(c.access_token_alg).to_owned(),
        }
    }
}

fn dedup(values: &[String]) -> Vec<String> {
    let mut out: Vec<String> = Vec::with_capacity(values.len());
    for v in values {
        if !out.contains(v) {
            out.push(v.clone());
        }
    }
    out
}

fn valid_client_id(id: &str) -> bool {
    (3..=64).contains(&id.len())
        && id
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || matches!(b, b'.' | b'_' | b'-'))
}

/// RFC 6749 scope-token characters: printable ASCII except space, `"` and `\`.
fn is_scope_char(b: u8) -> bool {
    b == 0x21 || (0x23..=0x5b).contains(&b) || (0x5d..=0x7e).contains(&b)
}

fn is_loopback(url: &Url) -> bool {
    matches!(url.host_str(), Some("localhost" | "127.0.0.1" | "[::1]"))
}

/// An absolute `https` URL without fragment (`http` only on the loopback interface).
fn check_web_uri(uri: &str) -> Result<Url, String> {
    let url = Url::parse(uri).map_err(|e| format!("not an absolute URL ({e})"))?;
    if url.fragment().is_some() {
        return Err("must not have a fragment".into());
    }
    match url.scheme() {
        "https" => Ok(url),
        "http" if is_loopback(&url) => Ok(url),
        "http" => Err("must use https (http only on localhost)".into()),
        other => Err(format!("scheme {other} is not a web scheme")),
    }
}

/// Web URLs for everyone; private-use schemes (`com.example.app:/callback`, RFC 8252) for
/// public (native) clients.
fn check_redirect_uri(uri: &str, public: bool) -> Result<(), String> {
    match check_web_uri(uri) {
        Ok(_) => Ok(()),
        Err(why) => {
            let url = Url::parse(uri).map_err(|_| why.clone())?;
            let private_use = url.scheme().contains('.') && url.fragment().is_none();
            if public && private_use {
                Ok(())
            } else {
                Err(why)
            }
        }
    }
}

/// Client secrets are long random values (256 bits), so a keyed fast hash (HMAC-SHA-256 under a
/// key derived from the server key) protects them as well as a password hash would, at a
/// microsecond per check instead of tens of milliseconds. A database dump alone reveals nothing.
#[derive(Clone)]
pub struct SecretHasher {
    key: ring::hmac::Key,
}

impl std::fmt::Debug for SecretHasher {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("SecretHasher(..)")
    }
}

const SECRET_HASH_PREFIX: &str = "hmac-sha256:";

impl SecretHasher {
    pub fn new(server_key: &[u8]) -> SecretHasher {
        let derivation = ring::hmac::Key::new(ring::hmac::HMAC_SHA256, server_key);
        let derived = ring::hmac::sign(&derivation, b"eulogin/client-secret-hash/v1");
        SecretHasher {
            key: ring::hmac::Key::new(ring::hmac::HMAC_SHA256, derived.as_ref()),
        }
    }

    /// A new secret: 256 random bits, URL-safe.
    pub fn generate() -> String {
        infra::crypto::random_token()
    }

    pub fn hash(&self, secret: &str) -> String {
        let tag = ring::hmac::sign(&self.key, secret.as_bytes());
        format!(
            "{SECRET_HASH_PREFIX}{}",
            URL_SAFE_NO_PAD.encode(tag.as_ref())
        )
    }

    /// Whether `secret` is the one behind `stored`, compared in constant time.
    pub fn verify(&self, secret: &str, stored: &str) -> bool {
        let Some(encoded) = stored.strip_prefix(SECRET_HASH_PREFIX) else {
            return false;
        };
        let Ok(expected) = URL_SAFE_NO_PAD.decode(encoded) else {
            return false;
        };
        ring::hmac::verify(&self.key, secret.as_bytes(), &expected).is_ok()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn web_app() -> ClientSpec {
        let mut spec = ClientSpec::new("traces", "TRACES");
        spec.redirect_uris = vec!["https://traces.example.eu/auth/callback".into()];
        spec
    }

    #[test]
    fn a_web_application_with_defaults_is_accepted() {
        let client = web_app().check(ManagedBy::Cli).unwrap();
        assert_eq!(client.auth_method, AuthMethod::ClientSecretBasic);
        assert!(client.allows(GrantType::AuthorizationCode));
        assert_eq!(client.id_token_alg, Algorithm::RS256);
        assert_eq!(client.access_token_alg, Algorithm::ES256);
        assert_eq!(client.default_audience(), "traces");
    }

    #[test]
    fn redirect_uris_must_be_https_without_fragment_except_on_loopback() {
        for (uri, ok) in [
            ("https://app.example.eu/cb", true),
            ("http://localhost:8081/cb", true),
            ("http://127.0.0.1/cb", true),
            ("http://app.example.eu/cb", false),
            ("https://app.example.eu/cb#frag", false),
            ("/relative", false),
            ("com.example.app:/cb", false),
        ] {
            let mut spec = web_app();
            spec.redirect_uris = vec![uri.into()];
            assert_eq!(spec.check(ManagedBy::Cli).is_ok(), ok, "{uri}");
        }
        let mut native = web_app();
        native.auth_method = "none".into();
        native.redirect_uris = vec!["com.example.app:/cb".into()];
        assert!(native.check(ManagedBy::Cli).is_ok());
    }

    #[test]
    fn every_problem_is_reported_at_once() {
        let spec = ClientSpec {
            client_id: "x".into(),
            auth_method: "none".into(),
            grant_types: vec!["client_credentials".into(), "password".into()],
            minimum_acr: "extreme".into(),
            id_token_alg: "HS256".into(),
            ..ClientSpec::default()
        };
        let problems = spec.check(ManagedBy::Cli).unwrap_err();
        assert!(problems.len() >= 5, "{problems:?}");
        assert!(problems.iter().any(|p| p.contains("password")));
        assert!(problems.iter().any(|p| p.contains("HS256")));
    }

    #[test]
    fn private_key_jwt_needs_keys() {
        let mut spec = web_app();
        spec.auth_method = "private_key_jwt".into();
        assert!(spec.check(ManagedBy::Cli).is_err());
        spec.jwks = Some(r#"{"keys":[{"kty":"EC","crv":"P-256","x":"f83OJ3D2xF1Bg8vub9tLe1gHMzV76e8Tus9uPHvRVEU","y":"x_FEzRu9m36HLN_tue659LNpXW6pCyStikYjKIWI5a0","use":"sig","alg":"ES256","kid":"k"}]}"#.into());
        assert!(spec.check(ManagedBy::Cli).is_ok());
    }

    #[test]
    fn a_secret_verifies_only_against_its_own_hash() {
        let hasher = SecretHasher::new(b"0123456789abcdef0123456789abcdef");
        let secret = SecretHasher::generate();
        let stored = hasher.hash(&secret);
        assert!(!stored.contains(&secret));
        assert!(hasher.verify(&secret, &stored));
        assert!(!hasher.verify("wrong", &stored));
        assert!(!hasher.verify(&secret, "plain-text-secret"));
        let other = SecretHasher::new(b"another server key of 32 bytes..");
        assert!(!other.verify(&secret, &stored));
    }
}
