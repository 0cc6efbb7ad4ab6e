//! The authorization request: its parameters checked against the client's registration, the
//! request kept while the person logs in, and the one-time codes it ends with.
//!
//! Errors are split as OAuth asks: while the client or its redirect URI is not established, the
//! browser gets an error page (never a redirect, or eulogin would be an open redirector); after
//! that, errors go back to the application at its redirect URI.

use crate::oidc::assurance::{Loa, requested_level};
use crate::oidc::clients::{Client, GrantType};
use crate::oidc::grants::UserGrant;
use infra::kv::{KeyValue, KvError, Writes};
use serde::{Deserialize, Serialize};
use std::collections::HashMap;
use time::{Duration, OffsetDateTime};

/// An authorization code works once, within this time.
pub const CODE_LIFETIME: Duration = Duration::seconds(60);
/// A used code is remembered this long, so that a second use can revoke what the first gave.
const USED_CODE_MEMORY: Duration = Duration::minutes(10);
/// How long a person may take to log in before the request must be started again.
pub const PENDING_LIFETIME: Duration = Duration::minutes(30);

/// An error shown to the person, because there is no safe place to send them back to.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum PageError {
    MissingClient,
    UnknownClient,
    MissingRedirectUri,
    UnregisteredRedirectUri,
    DuplicateParameter(String),
}

/// An OAuth error returned to the application at its redirect URI.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RedirectError {
    pub error: &'static str,
    pub description: String,
}

impl RedirectError {
    pub fn new(error: &'static str, description: impl Into<String>) -> RedirectError {
        RedirectError {
            error,
            description: description.into(),
        }
    }
}

/// Where a response for this request is sent.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ReturnTo {
    pub redirect_uri: String,
    pub state: Option<String>,
}

/// A checked request, kept while the person logs in.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct AuthorizationRequest {
    pub client_id: String,
    pub return_to: ReturnTo,
    pub scope: String,
    pub nonce: Option<String>,
    pub code_challenge: Option<String>,
    pub prompt_none: bool,
    pub prompt_login: bool,
    pub max_age: Option<i64>,
    pub required_loa: Loa,
    pub audience: String,
    pub login_hint: Option<String>,
    pub ui_locales: Option<String>,
    /// Unix time the request arrived: a login after it satisfies `prompt=login` and `max_age`.
    pub received_at: i64,
}

/// Turns the raw query (or form) pairs into a map; a parameter given twice is refused (OAuth
/// 2.0, section 3.1), with its name as the error.
pub fn single_valued(pairs: Vec<(String, String)>) -> Result<HashMap<String, String>, String> {
    let mut map = HashMap::with_capacity(pairs.len());
    for (name, value) in pairs {
        if map.contains_key(&name) {
            return Err(name);
        }
        map.insert(name, value);
    }
    Ok(map)
}

/// The first check: who is asking and where the answer goes.
pub fn establish_return(
    params: &HashMap<String, String>,
    client: Option<&Client>,
) -> Result<ReturnTo, PageError> {
    let client_id = params.get("client_id").filter(|c| !c.is_empty());
    if client_id.is_none() {
        return Err(PageError::MissingClient);
    }
    let client = client.ok_or(PageError::UnknownClient)?;
    let redirect_uri = params
        .get("redirect_uri")
        .filter(|r| !r.is_empty())
        .ok_or(PageError::MissingRedirectUri)?;
    if !client.has_redirect_uri(redirect_uri) {
        return Err(PageError::UnregisteredRedirectUri);
    }
    Ok(ReturnTo {
        redirect_uri: redirect_uri.clone(),
        state: params.get("state").cloned(),
    })
}

fn is_pkce_challenge(value: &str) -> bool {
    // S256: base64url of a SHA-256, 43 characters.
    value.len() == 43
        && value
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_')
}

/// The S256 transformation of a PKCE verifier (RFC 7636, 4.2).
pub fn pkce_s256(verifier: &str) -> String {
    use base64::Engine as _;
    let digest = ring::digest::digest(&ring::digest::SHA256, verifier.as_bytes());
    base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(digest.as_ref())
}

/// A verifier as RFC 7636 defines it: 43 to 128 unreserved characters.
pub fn is_pkce_verifier(value: &str) -> bool {
    (43..=128).contains(&value.len())
        && value
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || matches!(b, b'-' | b'.' | b'_' | b'~'))
}

/// The second check: everything else, against the client's registration. `resource` (RFC 8707)
/// must name one of the client's audiences.
pub fn check_request(
    params: &HashMap<String, String>,
    client: &Client,
    return_to: ReturnTo,
    issuer: &str,
    now: OffsetDateTime,
) -> Result<AuthorizationRequest, RedirectError> {
    let get = |name: &str| {
        params
            .get(name)
            .map(String::as_str)
            .filter(|v| !v.is_empty())
    };
    if get("request").is_some() {
        return Err(RedirectError::new(
            "request_not_supported",
            "request objects are not supported",
        ));
    }
    if get("request_uri").is_some() {
        return Err(RedirectError::new(
            "request_uri_not_supported",
            "request_uri is not supported",
        ));
    }
    match get("response_type") {
        None => {
            return Err(RedirectError::new(
                "invalid_request",
                "response_type is missing",
            ));
        }
        Some("code") => {}
        Some(_) => {
            return Err(RedirectError::new(
                "unsupported_response_type",
                "only response_type=code is supported",
            ));
        }
    }
    if !matches!(get("response_mode"), None | Some("query")) {
        return Err(RedirectError::new(
            "invalid_request",
            "only response_mode=query is supported",
        ));
    }
    if !client.allows(GrantType::AuthorizationCode) {
        return Err(RedirectError::new(
            "unauthorized_client",
            "this client may not use the authorization code flow",
        ));
    }
    let scope: Vec<&str> = get("scope")
        .unwrap_or_default()
        .split_ascii_whitespace()
        .filter(|s| client.allows_scope(s))
        .fold(Vec::new(), |mut kept, s| {
            if !kept.contains(&s) {
                kept.push(s);
            }
            kept
        });
    let code_challenge = match (get("code_challenge"), get("code_challenge_method")) {
        (None, None) if client.is_public() => {
            return Err(RedirectError::new(
                "invalid_request",
                "public clients must use PKCE (code_challenge with S256)",
            ));
        }
        (None, None) => None,
        (None, Some(_)) => {
            return Err(RedirectError::new(
                "invalid_request",
                "code_challenge_method without code_challenge",
            ));
        }
        (Some(challenge), Some("S256")) if is_pkce_challenge(challenge) => {
            Some(challenge.to_owned())
        }
        (Some(_), Some("S256")) => {
            return Err(RedirectError::new(
                "invalid_request",
                "code_challenge is not a S256 challenge",
            ));
        }
        (Some(_), _) => {
            return Err(RedirectError::new(
                "invalid_request",
                "code_challenge_method must be S256",
            ));
        }
    };
    let prompts: Vec<&str> = get("prompt")
        .unwrap_or_default()
        .split_ascii_whitespace()
        .collect();
    let prompt_none = prompts.contains(&"none");
    if prompt_none && prompts.len() > 1 {
        return Err(RedirectError::new(
            "invalid_request",
            "prompt=none cannot be combined with other values",
        ));
    }
    let max_age = match get("max_age") {
        None => None,
        Some(text) => match text.parse::<i64>() {
            Ok(seconds) if seconds >= 0 => Some(seconds),
            _ => {
                return Err(RedirectError::new(
                    "invalid_request",
                    "max_age must be a number of seconds",
                ));
            }
        },
    };
    let audience = match get("resource") {
        None => client.default_audience().to_owned(),
        Some(resource) if client.audiences.iter().any(|a| a == resource) => resource.to_owned(),
        Some(_) => {
            return Err(RedirectError::new(
                "invalid_target",
                "this client may not ask for that resource",
            ));
        }
    };
    let asked = requested_level(issuer, get("acr_values"));
    let required_loa = asked.unwrap_or(Loa::Low).max(client.minimum_acr);
    Ok(AuthorizationRequest {
        client_id: client.client_id.clone(),
        return_to,
        scope: scope.join(" "),
        nonce: get("nonce").map(str::to_owned),
        code_challenge,
        prompt_none,
        prompt_login: prompts.contains(&"login") || prompts.contains(&"select_account"),
        max_age,
        required_loa,
        audience,
        login_hint: get("login_hint").map(str::to_owned),
        ui_locales: get("ui_locales").map(str::to_owned),
        received_at: now.unix_timestamp(),
    })
}

/// What a session must satisfy for this request, given when it last authenticated.
#[derive(Debug, PartialEq, Eq)]
pub enum SessionFit {
    Fits,
    /// The person must log in (again).
    NeedsLogin,
    /// The session is fresh but not strong enough.
    NeedsStepUp,
}

pub fn session_fit(
    request: &AuthorizationRequest,
    authenticated_at: OffsetDateTime,
    session_loa: Loa,
    now: OffsetDateTime,
) -> SessionFit {
    let auth_time = authenticated_at.unix_timestamp();
    let logged_in_for_this_request = auth_time >= request.received_at;
    if request.prompt_login && !logged_in_for_this_request {
        return SessionFit::NeedsLogin;
    }
    if let Some(max_age) = request.max_age
        && now.unix_timestamp() - auth_time > max_age
        && !logged_in_for_this_request
    {
        return SessionFit::NeedsLogin;
    }
    if session_loa < request.required_loa {
        return SessionFit::NeedsStepUp;
    }
    SessionFit::Fits
}

fn pending_key(id: &str) -> String {
    format!("authorization:{id}")
}

/// Keeps a request while the person logs in; returns its id (carried by the login page).
pub async fn keep_pending(
    kv: &KeyValue,
    request: &AuthorizationRequest,
) -> Result<String, KvError> {
    let id = infra::crypto::random_token();
    let json = serde_json::to_string(request).map_err(|e| KvError::other(e.to_string()))?;
    kv.set(&pending_key(&id), &json, PENDING_LIFETIME).await?;
    Ok(id)
}

/// The pending request `id`, while it lives: the service's clock decides, as for codes and
/// sessions (the store's TTL only clears it away later).
pub async fn find_pending(
    kv: &KeyValue,
    id: &str,
    now: OffsetDateTime,
) -> Result<Option<AuthorizationRequest>, KvError> {
    if id.len() != 43 {
        return Ok(None);
    }
    let expires_at = |r: &AuthorizationRequest| r.received_at + PENDING_LIFETIME.whole_seconds();
    Ok(kv
        .get(&pending_key(id))
        .await?
        .and_then(|json| serde_json::from_str::<AuthorizationRequest>(&json).ok())
        .filter(|r| now.unix_timestamp() < expires_at(r)))
}

pub async fn forget_pending(kv: &KeyValue, id: &str) -> Result<(), KvError> {
    kv.delete(&pending_key(id)).await
}

/// `writes` with the pending request `id` forgotten.
pub fn forgetting_pending(writes: Writes, id: &str) -> Writes {
    writes.delete(&pending_key(id))
}

/// What an authorization code stands for until it is exchanged.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct CodeRecord {
    pub grant: UserGrant,
    /// The person's claims for the ID token, read when the code was issued.
    pub identity: crate::oidc::tokens::IdentityClaims,
    pub redirect_uri: String,
    pub nonce: Option<String>,
    pub code_challenge: Option<String>,
    /// Unix time after which the code is refused, whatever the store's own expiry.
    pub expires_at: i64,
}

fn code_key(code: &str) -> String {
    format!("code:{}", infra::crypto::sha256_hex(code.as_bytes()))
}

fn used_code_key(code: &str) -> String {
    format!("used_code:{}", infra::crypto::sha256_hex(code.as_bytes()))
}

/// A new authorization code (43 URL-safe characters, 256 random bits).
pub fn new_code() -> String {
    infra::crypto::random_token()
}

/// The id of the grant an authorization code gives: derived from the code (one way), so a
/// second use of the code names the grant to revoke without the store keeping it.
pub fn grant_id_of(code: &str) -> String {
    infra::crypto::hmac_b64(b"eulogin grant of an authorization code", code.as_bytes())
}

/// Stores `code` (only its hash is a key) with what it stands for, together with `writes`
/// (one round trip to the store).
pub async fn store_code(
    kv: &KeyValue,
    code: &str,
    record: &CodeRecord,
    writes: Writes,
) -> Result<(), KvError> {
    let json = serde_json::to_string(record).map_err(|e| KvError::other(e.to_string()))?;
    kv.apply(writes.set(&code_key(code), &json, CODE_LIFETIME + Duration::seconds(5)))
        .await
}

/// What presenting a code led to.
#[derive(Debug)]
pub enum Redemption {
    /// First use: the code is gone now.
    Redeemed(Box<CodeRecord>),
    /// The code was used before: the grant it gave must be revoked.
    Reused {
        grant_id: String,
    },
    Unknown,
}

/// Takes a code, leaving a mark that it was used, in one atomic step: of two concurrent uses
/// only one gets it; the other is seen as a reuse.
pub async fn redeem_code(
    kv: &KeyValue,
    code: &str,
    now: OffsetDateTime,
) -> Result<Redemption, KvError> {
    if code.len() != 43 {
        return Ok(Redemption::Unknown);
    }
    let taken = kv
        .take_marking(&code_key(code), &used_code_key(code), USED_CODE_MEMORY)
        .await?;
    let Some(json) = taken else {
        return Ok(match kv.get(&used_code_key(code)).await? {
            Some(_) => Redemption::Reused {
                grant_id: grant_id_of(code),
            },
            None => Redemption::Unknown,
        });
    };
    let record: CodeRecord =
        serde_json::from_str(&json).map_err(|e| KvError::other(e.to_string()))?;
    if now.unix_timestamp() >= record.expires_at {
        return Ok(Redemption::Unknown);
    }
    Ok(Redemption::Redeemed(Box::new(record)))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::oidc::clients::{ClientSpec, ManagedBy};

    const ISSUER: &str = "https://login.example.eu";

    fn client(public: bool) -> Client {
        let mut spec = ClientSpec::new("app", "App");
        spec.redirect_uris = vec!["https://app.example.eu/cb".into()];
        spec.scopes = vec!["openid".into(), "email".into()];
        spec.audiences = vec!["https://api.example.eu".into()];
        if public {
            spec.auth_method = "none".into();
        }
        spec.check(ManagedBy::Cli).unwrap()
    }

    fn params(pairs: &[(&str, &str)]) -> HashMap<String, String> {
        pairs
            .iter()
            .map(|(k, v)| (k.to_string(), v.to_string()))
            .collect()
    }

    fn base() -> Vec<(&'static str, &'static str)> {
        vec![
            ("client_id", "app"),
            ("redirect_uri", "https://app.example.eu/cb"),
            ("response_type", "code"),
            ("scope", "openid email phone"),
            ("state", "s"),
        ]
    }

    fn check(
        pairs: &[(&str, &str)],
        client: &Client,
    ) -> Result<AuthorizationRequest, RedirectError> {
        let p = params(pairs);
        let back = establish_return(&p, Some(client)).unwrap();
        check_request(&p, client, back, ISSUER, OffsetDateTime::now_utc())
    }

    #[test]
    fn redirect_uris_match_exactly_or_the_page_says_so() {
        let c = client(false);
        for altered in [
            "https://app.example.eu/cb/",
            "https://app.example.eu/cb?x=1",
            "https://APP.example.eu/cb",
            "https://app.example.eu/CB",
            "https://app.example.eu/cb#f",
            "http://app.example.eu/cb",
        ] {
            let p = params(&[("client_id", "app"), ("redirect_uri", altered)]);
            assert_eq!(
                establish_return(&p, Some(&c)),
                Err(PageError::UnregisteredRedirectUri),
                "{altered}"
            );
        }
        let p = params(&[
            ("client_id", "nobody"),
            ("redirect_uri", "https://app.example.eu/cb"),
        ]);
        assert_eq!(establish_return(&p, None), Err(PageError::UnknownClient));
    }

    #[test]
    fn repeated_parameters_are_refused() {
        let pairs = vec![
            ("state".to_string(), "a".to_string()),
            ("state".into(), "b".into()),
        ];
        assert_eq!(single_valued(pairs), Err("state".to_owned()));
    }

    #[test]
    fn unknown_scopes_are_dropped_and_unknown_parameters_ignored() {
        let mut pairs = base();
        pairs.push(("unheard_of", "x"));
        let request = check(&pairs, &client(false)).unwrap();
        assert_eq!(request.scope, "openid email");
        assert_eq!(request.audience, "https://api.example.eu");
        assert_eq!(request.nonce, None);
    }

    #[test]
    fn response_type_must_be_code() {
        let c = client(false);
        let mut missing = base();
        missing.retain(|(k, _)| *k != "response_type");
        assert_eq!(check(&missing, &c).unwrap_err().error, "invalid_request");
        let mut token = base();
        token[2] = ("response_type", "token");
        assert_eq!(
            check(&token, &c).unwrap_err().error,
            "unsupported_response_type"
        );
    }

    #[test]
    fn pkce_is_s256_only_and_mandatory_for_public_clients() {
        let challenge = pkce_s256("dBjftJeZ4CVP-mB92K27uhbUJU1p1r_wW1gFWFOEjXk");
        assert_eq!(challenge, "E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM");
        assert_eq!(
            check(&base(), &client(true)).unwrap_err().error,
            "invalid_request"
        );
        let mut plain = base();
        plain.extend([
            ("code_challenge", challenge.as_str()),
            ("code_challenge_method", "plain"),
        ]);
        assert_eq!(
            check(&plain, &client(true)).unwrap_err().error,
            "invalid_request"
        );
        let mut implicit_plain = base();
        implicit_plain.push(("code_challenge", challenge.as_str()));
        assert_eq!(
            check(&implicit_plain, &client(false)).unwrap_err().error,
            "invalid_request"
        );
        let mut s256 = base();
        s256.extend([
            ("code_challenge", challenge.as_str()),
            ("code_challenge_method", "S256"),
        ]);
        assert_eq!(
            check(&s256, &client(true))
                .unwrap()
                .code_challenge
                .as_deref(),
            Some(challenge.as_str())
        );
    }

    #[test]
    fn prompt_login_and_max_age_need_a_login_after_the_request() {
        let now = OffsetDateTime::now_utc();
        let mut pairs = base();
        pairs.push(("max_age", "1"));
        let request = check(&pairs, &client(false)).unwrap();
        let earlier = now - Duration::seconds(30);
        assert_eq!(
            session_fit(&request, earlier, Loa::Low, now),
            SessionFit::NeedsLogin
        );
        let after = OffsetDateTime::from_unix_timestamp(request.received_at).unwrap();
        assert_eq!(
            session_fit(&request, after, Loa::Low, now + Duration::seconds(5)),
            SessionFit::Fits
        );
        let mut login = base();
        login.push(("prompt", "login"));
        let request = check(&login, &client(false)).unwrap();
        assert_eq!(
            session_fit(&request, earlier, Loa::Low, now),
            SessionFit::NeedsLogin
        );
        let mut both = base();
        both.push(("prompt", "none login"));
        assert_eq!(
            check(&both, &client(false)).unwrap_err().error,
            "invalid_request"
        );
    }

    #[test]
    fn the_client_minimum_and_acr_values_set_the_required_level() {
        let mut pairs = base();
        let medium = Loa::Medium.acr(ISSUER);
        pairs.push(("acr_values", medium.as_str()));
        let request = check(&pairs, &client(false)).unwrap();
        assert_eq!(request.required_loa, Loa::Medium);
        let now = OffsetDateTime::now_utc();
        assert_eq!(
            session_fit(&request, now, Loa::Low, now),
            SessionFit::NeedsStepUp
        );
        let mut strict = client(false);
        strict.minimum_acr = Loa::High;
        assert_eq!(check(&base(), &strict).unwrap().required_loa, Loa::High);
    }

    #[test]
    fn resources_must_be_the_clients_audiences() {
        let mut pairs = base();
        pairs.push(("resource", "https://other.example.eu"));
        assert_eq!(
            check(&pairs, &client(false)).unwrap_err().error,
            "invalid_target"
        );
    }
}
