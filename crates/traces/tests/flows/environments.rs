//! Acceptance and production share nothing: a database belongs to the environment that first
//! started on it, and the other one refuses to start on it; a token eulogin minted for the
//! other environment's client (its audience) is refused by the API.

use crate::on_both_backends;
use crate::support::*;
use eulogin::oidc::clients::{ClientSpec, ManagedBy};
use infra::Clock as _;
use reqwest::StatusCode;
use serde_json::Value;
use traces::config::Environment;

/// Production's registration at the same eulogin: its own client and audience.
const PRODUCTION_CLIENT: &str = "traces-production";
const PRODUCTION_URL: &str = "https://traces.example.eu";

on_both_backends!(a_database_serves_only_its_own_environment, |world| {
    // The world's traces started in acceptance: the database is acceptance's now.
    assert_eq!(world.traces.settings.environment, Environment::Acceptance);
    let mut production = (*world.traces.settings).clone();
    production.environment = Environment::Production;
    let refused = traces::AppState::connect(production, std::sync::Arc::new(world.clock.clone()))
        .await
        .expect_err("production refuses acceptance's database");
    let message = refused.to_string();
    assert!(
        message.contains("belongs to the acceptance environment")
            && message.contains("TRACES_ENVIRONMENT is production"),
        "{message}"
    );
    // Acceptance itself starts again on it (a restart, a second replica).
    let again = (*world.traces.settings).clone();
    traces::app::open_database(&again, world.clock.now())
        .await
        .expect("acceptance starts again");
});

on_both_backends!(a_token_of_the_other_environment_is_refused, |world| {
    let anna = world.new_person("anna@example.se", "Anna", "Berg").await;
    let secret = register_production(world).await;
    let token = production_access_token(world, &anna, &secret).await;
    let claims = claims_of(&token);
    assert_eq!(claims["aud"], PRODUCTION_URL, "a genuine production token");
    assert_eq!(claims["client_id"], PRODUCTION_CLIENT);
    assert_eq!(claims["iss"], world.issuer(), "signed by the same eulogin");

    let refused = reqwest::Client::new()
        .get(world.traces("/api/v1/me"))
        .bearer_auth(&token)
        .send()
        .await
        .unwrap();
    assert_eq!(refused.status(), StatusCode::UNAUTHORIZED);
    let challenge = refused.headers()["www-authenticate"]
        .to_str()
        .unwrap()
        .to_owned();
    assert!(challenge.contains("error=\"invalid_token\""), "{challenge}");
    let problem: Value = refused.json().await.unwrap();
    assert_eq!(problem["type"], "urn:problem:invalid-token");

    // The same person's token for acceptance's own client is accepted.
    let own = world.access_token(&anna).await;
    let accepted = reqwest::Client::new()
        .get(world.traces("/api/v1/me"))
        .bearer_auth(&own)
        .send()
        .await
        .unwrap();
    assert_eq!(accepted.status(), StatusCode::OK);
});

/// Registers production's client at the world's eulogin, as `eulogin clients add` would;
/// returns its secret.
async fn register_production(world: &TestWorld) -> String {
    let secret = infra::crypto::random_token();
    let mut spec = ClientSpec::new(PRODUCTION_CLIENT, "TRACES NT");
    spec.redirect_uris = vec![format!("{PRODUCTION_URL}/auth/callback")];
    spec.audiences = vec![PRODUCTION_URL.to_owned()];
    let mut client = spec.check(ManagedBy::Cli).expect("a valid registration");
    client.secret_hash = Some(world.eulogin.oidc.secrets.hash(&secret));
    let now = world.clock.now();
    world
        .eulogin
        .db
        .run(move |c| Ok(eulogin::store::clients::save(c, &client, now)?))
        .await
        .unwrap();
    secret
}

/// A real access token of production's client: the code flow up to its callback, then the
/// code exchanged with its secret.
async fn production_access_token(world: &TestWorld, person: &Person, secret: &str) -> String {
    let redirect_uri = format!("{PRODUCTION_URL}/auth/callback");
    let tokens = world
        .tokens_of_client(person, PRODUCTION_CLIENT, secret, &redirect_uri)
        .await;
    tokens["access_token"].as_str().unwrap().to_owned()
}
