//! Drives ceremonies as a browser would, with webauthn-authenticator-rs' software authenticators
//! and a hand-built synced passkey whose signature counter stays at zero.

pub mod synced_passkey;

use eulogin_webauthn::{Authenticated, KeyKind, StoredCredential, WebAuthnError, WebAuthnPolicy};
use url::Url;
use uuid::Uuid;
use webauthn_authenticator_rs::AuthenticatorBackend;
use webauthn_authenticator_rs::prelude::WebauthnAuthenticator;
use webauthn_rs_proto::{CreationChallengeResponse, RequestChallengeResponse};

/// The account every test registers its keys to.
pub const ACCOUNT: Uuid = Uuid::from_u128(0x0190_7a5e_2c41_7d3b_9f00_aaaa_bbbb_cccc);

/// A policy for `public_url`, and the origin a browser on it reports.
pub fn site(public_url: &str) -> (WebAuthnPolicy, Url) {
    let url = Url::parse(public_url).expect("a URL");
    let policy = WebAuthnPolicy::new(&url, "EU Login").expect("a valid policy");
    (policy, url)
}

/// The options of a registration, as the browser parses them.
pub fn creation_options(options_json: &str) -> CreationChallengeResponse {
    serde_json::from_str(options_json).expect("creation options webauthn-authenticator-rs reads")
}

/// The options of an authentication, as the browser parses them.
pub fn request_options(options_json: &str) -> RequestChallengeResponse {
    serde_json::from_str(options_json).expect("request options webauthn-authenticator-rs reads")
}

/// Registers a credential of `kind` made by `authenticator` on a page of `origin`.
pub fn register(
    policy: &WebAuthnPolicy,
    origin: &Url,
    authenticator: &mut impl WebauthnAuthenticator,
    kind: KeyKind,
    existing: &[StoredCredential],
) -> Result<StoredCredential, WebAuthnError> {
    let start =
        policy.start_registration(kind, ACCOUNT, "claire@example.eu", "Claire", existing)?;
    let response = authenticator
        .do_registration(origin.clone(), creation_options(&start.options_json))
        .expect("the authenticator registers");
    let response = serde_json::to_string(&response).expect("JSON");
    policy.finish_registration(&start.state, &response)
}

/// The response of `authenticator` on a page of `origin`, through the client's own checks.
pub fn answer(
    authenticator: &mut impl WebauthnAuthenticator,
    origin: &Url,
    options_json: &str,
) -> String {
    let response = authenticator
        .do_authentication(origin.clone(), request_options(options_json))
        .expect("the authenticator answers");
    serde_json::to_string(&response).expect("JSON")
}

/// The response of `authenticator` for `origin` without the client's checks, as a client that
/// lies or a relay would produce it.
pub fn answer_unchecked(
    authenticator: &mut impl AuthenticatorBackend,
    origin: &Url,
    options_json: &str,
) -> String {
    let options = request_options(options_json).public_key;
    let response =
        AuthenticatorBackend::perform_auth(authenticator, origin.clone(), options, 60_000)
            .expect("the authenticator answers");
    serde_json::to_string(&response).expect("JSON")
}

/// A whole authentication with `authenticator` against the account's `credentials`.
pub fn authenticate(
    policy: &WebAuthnPolicy,
    origin: &Url,
    authenticator: &mut impl WebauthnAuthenticator,
    credentials: &[StoredCredential],
) -> Result<Authenticated, WebAuthnError> {
    let start = policy.start_authentication(credentials)?;
    let response = answer(authenticator, origin, &start.options_json);
    policy.finish_authentication(&start.state, &response, credentials)
}

/// Stores the outcome of an authentication as the caller does.
pub fn record(credentials: &mut [StoredCredential], outcome: &Authenticated) {
    let stored = credentials
        .iter_mut()
        .find(|c| c.id == outcome.credential_id)
        .expect("the credential used is stored");
    stored.counter = outcome.new_counter;
    if let Some(data) = &outcome.updated_data {
        stored.data = data.clone();
    }
}
