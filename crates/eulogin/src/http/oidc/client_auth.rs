//! Client authentication at the token, introspection and revocation endpoints. A client must use
//! exactly the method it is registered with: `client_secret_basic`, `client_secret_post`,
//! `private_key_jwt` (RFC 7523 assertion, single use) or `none` (public clients). Secrets are
//! checked against their keyed hash in constant time.

use crate::app::AppState;
use crate::http::oidc::discovery::CLIENT_ASSERTION_ALGORITHMS;
use crate::http::oidc::oauth_error;
use crate::oidc::clients::{AuthMethod, Client};
use actix_web::http::{StatusCode, header};
use actix_web::{HttpRequest, HttpResponse};
use base64::Engine as _;
use base64::engine::general_purpose::STANDARD;
use jsonwebtoken::{Algorithm, DecodingKey, Validation};
use serde::Deserialize;
use std::collections::HashMap;
use std::sync::Arc;
use time::Duration;

const ASSERTION_TYPE: &str = "urn:ietf:params:oauth:client-assertion-type:jwt-bearer";
/// Assertions valid for longer than this are refused (they are meant to be made per request).
const MAX_ASSERTION_LIFETIME: Duration = Duration::minutes(10);

/// The credentials a request carries.
enum Presented {
    Basic {
        client_id: String,
        secret: String,
    },
    Post {
        client_id: String,
        secret: String,
    },
    Assertion {
        client_id: String,
        assertion: String,
    },
    IdOnly {
        client_id: String,
    },
}

fn form_decode(value: &str) -> Option<String> {
    url::form_urlencoded::parse(format!("x={value}").as_bytes())
        .next()
        .map(|(_, v)| v.into_owned())
}

/// `Authorization: Basic` credentials, form-decoded as RFC 6749 (2.3.1) asks.
fn basic_credentials(req: &HttpRequest) -> Option<Result<(String, String), ()>> {
    let value = req.headers().get(header::AUTHORIZATION)?.to_str().ok()?;
    let (scheme, encoded) = value.split_once(' ')?;
    if !scheme.eq_ignore_ascii_case("basic") {
        return None;
    }
    let decoded = STANDARD
        .decode(encoded.trim())
        .ok()
        .and_then(|b| String::from_utf8(b).ok());
    let Some((id, secret)) = decoded.as_deref().and_then(|d| d.split_once(':')) else {
        return Some(Err(()));
    };
    match (form_decode(id), form_decode(secret)) {
        (Some(id), Some(secret)) => Some(Ok((id, secret))),
        _ => Some(Err(())),
    }
}

fn invalid_client(basic: bool, description: &str) -> HttpResponse {
    let mut response = oauth_error(StatusCode::UNAUTHORIZED, "invalid_client", description);
    if basic {
        response.headers_mut().insert(
            header::WWW_AUTHENTICATE,
            header::HeaderValue::from_static("Basic realm=\"eulogin\""),
        );
    }
    response
}

fn invalid_request(description: &str) -> HttpResponse {
    oauth_error(StatusCode::BAD_REQUEST, "invalid_request", description)
}

#[derive(Deserialize)]
struct AssertionClaims {
    #[serde(default)]
    iss: String,
    exp: i64,
    #[serde(default)]
    jti: String,
}

fn presented(
    req: &HttpRequest,
    params: &HashMap<String, String>,
) -> Result<Presented, Box<HttpResponse>> {
    let basic = basic_credentials(req);
    let secret = params.get("client_secret");
    let assertion = params.get("client_assertion");
    let form_id = params.get("client_id").filter(|id| !id.is_empty()).cloned();
    let used = usize::from(basic.is_some())
        + usize::from(secret.is_some())
        + usize::from(assertion.is_some());
    if used > 1 {
        return Err(Box::new(invalid_request(
            "use exactly one client authentication method",
        )));
    }
    if let Some(basic) = basic {
        let Ok((client_id, secret)) = basic else {
            return Err(Box::new(invalid_client(
                true,
                "malformed Basic credentials",
            )));
        };
        if form_id.as_ref().is_some_and(|id| *id != client_id) {
            return Err(Box::new(invalid_client(
                true,
                "client_id does not match the credentials",
            )));
        }
        return Ok(Presented::Basic { client_id, secret });
    }
    if let Some(secret) = secret {
        let client_id =
            form_id.ok_or_else(|| Box::new(invalid_client(false, "client_id is missing")))?;
        return Ok(Presented::Post {
            client_id,
            secret: secret.clone(),
        });
    }
    if let Some(assertion) = assertion {
        if params.get("client_assertion_type").map(String::as_str) != Some(ASSERTION_TYPE) {
            return Err(Box::new(invalid_request(
                "client_assertion_type must be jwt-bearer",
            )));
        }
        let claimed = jsonwebtoken::dangerous::insecure_decode::<AssertionClaims>(assertion)
            .map(|d| d.claims.iss)
            .unwrap_or_default();
        let client_id = form_id.unwrap_or(claimed);
        return Ok(Presented::Assertion {
            client_id,
            assertion: assertion.clone(),
        });
    }
    match form_id {
        Some(client_id) => Ok(Presented::IdOnly { client_id }),
        None => Err(Box::new(invalid_client(
            false,
            "client authentication is missing",
        ))),
    }
}

/// Authenticates the calling client, or gives the error response to send.
pub async fn authenticate(
    req: &HttpRequest,
    state: &AppState,
    params: &HashMap<String, String>,
    endpoint: &str,
) -> Result<Arc<Client>, HttpResponse> {
    let presented = presented(req, params).map_err(|refusal| *refusal)?;
    let (client_id, basic) = match &presented {
        Presented::Basic { client_id, .. } => (client_id, true),
        Presented::Post { client_id, .. }
        | Presented::Assertion { client_id, .. }
        | Presented::IdOnly { client_id } => (client_id, false),
    };
    let client = match state.oidc.clients.get(client_id).await {
        Ok(Some(client)) => client,
        Ok(None) => return Err(invalid_client(basic, "unknown client or wrong credentials")),
        Err(e) => {
            tracing::error!(error = %e, "client lookup failed");
            return Err(oauth_error(
                StatusCode::SERVICE_UNAVAILABLE,
                "temporarily_unavailable",
                "try again shortly",
            ));
        }
    };
    let accepted = match (&presented, client.auth_method) {
        (Presented::Basic { secret, .. }, AuthMethod::ClientSecretBasic)
        | (Presented::Post { secret, .. }, AuthMethod::ClientSecretPost) => client
            .secret_hash
            .as_deref()
            .is_some_and(|stored| state.oidc.secrets.verify(secret, stored)),
        (Presented::Assertion { assertion, .. }, AuthMethod::PrivateKeyJwt) => {
            verify_assertion(state, &client, assertion, endpoint).await
        }
        (Presented::IdOnly { .. }, AuthMethod::None) => true,
        _ => false,
    };
    if accepted {
        Ok(client)
    } else {
        state.metrics.event("client_authentication_failed");
        Err(invalid_client(basic, "unknown client or wrong credentials"))
    }
}

/// Checks a `private_key_jwt` assertion: signed by one of the client's keys with an allowed
/// algorithm, `iss` = `sub` = client id, `aud` = this endpoint or the issuer, not expired, not
/// too long-lived, and never seen before (its `jti` is remembered until it expires).
async fn verify_assertion(
    state: &AppState,
    client: &Client,
    assertion: &str,
    endpoint: &str,
) -> bool {
    let Some(jwks) = &client.jwks else {
        return false;
    };
    let Ok(header) = jsonwebtoken::decode_header(assertion) else {
        return false;
    };
    let alg_name = serde_json::to_value(header.alg)
        .ok()
        .and_then(|v| v.as_str().map(str::to_owned))
        .unwrap_or_default();
    if !CLIENT_ASSERTION_ALGORITHMS.contains(&alg_name.as_str()) {
        return false;
    }
    let jwk = match &header.kid {
        Some(kid) => jwks.find(kid),
        None if jwks.keys.len() == 1 => jwks.keys.first(),
        None => None,
    };
    let Some(key) = jwk.and_then(|j| DecodingKey::from_jwk(j).ok()) else {
        return false;
    };
    let mut validation = Validation::new(header.alg);
    validation.validate_exp = false;
    validation.set_issuer(&[&client.client_id]);
    validation.sub = Some(client.client_id.clone());
    let issuer = &state.oidc.tokens.issuer;
    validation.set_audience(&[endpoint, issuer.as_str(), &format!("{issuer}/oidc/token")]);
    validation.set_required_spec_claims(&["exp", "iss", "sub", "aud"]);
    let Ok(data) = jsonwebtoken::decode::<AssertionClaims>(assertion, &key, &validation) else {
        return false;
    };
    if header.alg == Algorithm::HS256 {
        return false;
    }
    let now = state.clock.now().unix_timestamp();
    let claims = data.claims;
    if claims.exp <= now
        || claims.exp - now > MAX_ASSERTION_LIFETIME.whole_seconds()
        || claims.jti.is_empty()
    {
        return false;
    }
    let replay_key = format!(
        "assertion:{}:{}",
        client.client_id,
        infra::crypto::sha256_hex(claims.jti.as_bytes())
    );
    let ttl = Duration::seconds(claims.exp - now + 60);
    matches!(
        state.kv.set_if_absent(&replay_key, "1", ttl).await,
        Ok(true)
    )
}

/// A client's form request to a machine endpoint (`path`, e.g. `/oidc/token`): no parameter
/// given twice, and the client authenticated. Gives the parameters and the client, or the
/// error response to send.
pub async fn authenticated_form(
    req: &HttpRequest,
    state: &AppState,
    pairs: Vec<(String, String)>,
    path: &str,
) -> Result<(HashMap<String, String>, Arc<Client>), HttpResponse> {
    let params = crate::oidc::authorization::single_valued(pairs)
        .map_err(|name| invalid_request(&format!("{name} is repeated")))?;
    let endpoint = format!("{}{path}", state.oidc.tokens.issuer);
    let client = authenticate(req, state, &params, &endpoint).await?;
    Ok((params, client))
}

/// An introspection or revocation request: an authenticated client and the `token` it asks
/// about (required).
pub async fn authenticated_token_form(
    req: &HttpRequest,
    state: &AppState,
    pairs: Vec<(String, String)>,
    path: &str,
) -> Result<(String, Arc<Client>), HttpResponse> {
    let (mut params, client) = authenticated_form(req, state, pairs, path).await?;
    match params.remove("token").filter(|t| !t.is_empty()) {
        Some(token) => Ok((token, client)),
        None => Err(invalid_request("token is missing")),
    }
}
