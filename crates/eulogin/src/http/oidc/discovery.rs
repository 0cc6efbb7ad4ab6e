//! `/.well-known/openid-configuration` (OpenID Connect Discovery 1.0, also served as RFC 8414
//! metadata) and the JWKS. The metadata is built once at start; both may be cached by clients.

use crate::app::AppState;
use crate::oidc::assurance::Loa;
use crate::oidc::clients::{AuthMethod, GrantType};
use crate::oidc::keys::{SIGNING_ALGORITHMS, algorithm_name};
use actix_web::http::header;
use actix_web::{HttpResponse, web};

/// Algorithms accepted in `private_key_jwt` client assertions.
pub const CLIENT_ASSERTION_ALGORITHMS: [&str; 6] =
    ["RS256", "RS384", "RS512", "PS256", "ES256", "ES384"];

/// The metadata document for `issuer`.
pub fn metadata(issuer: &str) -> serde_json::Value {
    let endpoint = |path: &str| format!("{issuer}{path}");
    let signing: Vec<&str> = SIGNING_ALGORITHMS
        .iter()
        .map(|a| algorithm_name(*a))
        .collect();
    let secret_methods: Vec<&str> = AuthMethod::ALL
        .iter()
        .filter(|m| **m != AuthMethod::None)
        .map(|m| m.name())
        .collect();
    serde_json::json!({
        "issuer": issuer,
        "authorization_endpoint": endpoint("/oidc/authorize"),
        "token_endpoint": endpoint("/oidc/token"),
        "userinfo_endpoint": endpoint("/oidc/userinfo"),
        "jwks_uri": endpoint("/oidc/jwks"),
        "end_session_endpoint": endpoint("/oidc/logout"),
        "introspection_endpoint": endpoint("/oidc/introspect"),
        "revocation_endpoint": endpoint("/oidc/revoke"),
        "response_types_supported": ["code"],
        "response_modes_supported": ["query"],
        "grant_types_supported": GrantType::ALL.iter().map(|g| g.name()).collect::<Vec<_>>(),
        "subject_types_supported": ["public"],
        "id_token_signing_alg_values_supported": signing,
        "scopes_supported": ["openid", "profile", "email", "offline_access"],
        "claims_supported": [
            "iss", "sub", "aud", "exp", "iat", "auth_time", "nonce", "acr", "amr", "sid", "azp",
            "at_hash", "name", "given_name", "family_name", "locale", "email", "email_verified"
        ],
        "claim_types_supported": ["normal"],
        "token_endpoint_auth_methods_supported": AuthMethod::ALL.iter().map(|m| m.name()).collect::<Vec<_>>(),
        "token_endpoint_auth_signing_alg_values_supported": CLIENT_ASSERTION_ALGORITHMS,
        "introspection_endpoint_auth_methods_supported": secret_methods,
        "introspection_endpoint_auth_signing_alg_values_supported": CLIENT_ASSERTION_ALGORITHMS,
        "revocation_endpoint_auth_methods_supported": AuthMethod::ALL.iter().map(|m| m.name()).collect::<Vec<_>>(),
        "revocation_endpoint_auth_signing_alg_values_supported": CLIENT_ASSERTION_ALGORITHMS,
        "code_challenge_methods_supported": ["S256"],
        "acr_values_supported": Loa::ALL.iter().map(|l| l.acr(issuer)).collect::<Vec<_>>(),
        "prompt_values_supported": ["none", "login", "consent", "select_account"],
        "ui_locales_supported": crate::i18n::Lang::ALL.iter().map(|l| l.code()).collect::<Vec<_>>(),
        "authorization_response_iss_parameter_supported": true,
        "backchannel_logout_supported": true,
        "backchannel_logout_session_supported": true,
        "frontchannel_logout_supported": false,
        "claims_parameter_supported": false,
        "request_parameter_supported": false,
        "request_uri_parameter_supported": false,
        "require_request_uri_registration": false,
    })
}

pub async fn configuration(state: web::Data<AppState>) -> HttpResponse {
    HttpResponse::Ok()
        .content_type("application/json")
        .insert_header((header::CACHE_CONTROL, "public, max-age=3600"))
        .insert_header((header::ACCESS_CONTROL_ALLOW_ORIGIN, "*"))
        .body(state.oidc.discovery.to_string())
}

pub async fn jwks(state: web::Data<AppState>) -> HttpResponse {
    HttpResponse::Ok()
        .content_type("application/jwk-set+json")
        .insert_header((header::CACHE_CONTROL, "public, max-age=300"))
        .insert_header((header::ACCESS_CONTROL_ALLOW_ORIGIN, "*"))
        .body(state.oidc.keys.jwks().to_string())
}
