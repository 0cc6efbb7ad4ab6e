//! Bearer access tokens on `/api/v1/`: real tokens from eulogin accepted (with or without a
//! traces user behind them), and every kind of forged or foreign token refused with problem
//! JSON and the RFC 6750 / RFC 9470 challenge; eulogin's key set fetched again for an unknown
//! key id at most once a minute.

use crate::on_both_backends;
use crate::support::*;
use base64::Engine as _;
use infra::Clock as _;
use jsonwebtoken::Algorithm;
use reqwest::StatusCode;
use serde_json::Value;

fn b64(bytes: &[u8]) -> String {
    base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(bytes)
}

async fn me(world: &TestWorld, token: Option<&str>) -> reqwest::Response {
    let mut request = reqwest::Client::new().get(world.traces("/api/v1/me"));
    if let Some(token) = token {
        request = request.bearer_auth(token);
    }
    request.send().await.unwrap()
}

/// A refusal: its status, its problem `type` and its `WWW-Authenticate` challenge.
async fn refusal(world: &TestWorld, token: Option<&str>) -> (StatusCode, String, String) {
    let response = me(world, token).await;
    let status = response.status();
    assert_eq!(
        response.headers()["content-type"],
        "application/problem+json"
    );
    assert!(response.headers().get("set-cookie").is_none());
    let challenge = response
        .headers()
        .get("www-authenticate")
        .map(|v| v.to_str().unwrap().to_owned())
        .unwrap_or_default();
    let problem: Value = response.json().await.unwrap();
    assert_eq!(problem["status"], status.as_u16());
    assert!(problem["title"].as_str().is_some_and(|t| !t.is_empty()));
    (
        status,
        problem["type"].as_str().unwrap().to_owned(),
        challenge,
    )
}

async fn assert_invalid(world: &TestWorld, token: &str, case: &str) {
    let (status, kind, challenge) = refusal(world, Some(token)).await;
    assert_eq!(status, StatusCode::UNAUTHORIZED, "{case}");
    assert_eq!(kind, "urn:problem:invalid-token", "{case}");
    assert!(challenge.starts_with("Bearer "), "{case}: {challenge}");
    assert!(
        challenge.contains("error=\"invalid_token\""),
        "{case}: {challenge}"
    );
}

/// `claims` signed with eulogin's own current key for `alg`, with header type `typ`.
fn signed_by_eulogin(world: &TestWorld, alg: Algorithm, typ: &str, claims: &Value) -> String {
    world
        .eulogin
        .oidc
        .keys
        .signer(alg)
        .unwrap()
        .sign(typ, claims)
        .unwrap()
}

on_both_backends!(a_real_access_token_is_accepted, |world| {
    let anna = world.new_person("anna@example.se", "Anna", "Berg").await;
    // Before Anna ever logged in to traces: the caller has no traces user.
    let token = world.access_token(&anna).await;
    let response = me(world, Some(&token)).await;
    assert_eq!(response.status(), StatusCode::OK);
    assert_eq!(response.headers()["cache-control"], "no-store");
    let body: Value = response.json().await.unwrap();
    assert_eq!(body["issuer"], world.issuer());
    assert_eq!(body["subject"], anna.subject.as_str());
    assert_eq!(body["client_id"], CLIENT_ID);
    assert_eq!(body["acr"], world.acr("medium"));
    assert_eq!(body["user"], Value::Null);
    // After her first login, the same kind of token names her user.
    world.browser_logged_in(&anna).await;
    let user = world.traces_user(&anna).await.unwrap();
    world.clock.advance(time::Duration::minutes(10));
    let token = world.access_token(&anna).await;
    let body: Value = me(world, Some(&token)).await.json().await.unwrap();
    assert_eq!(body["user"]["id"], user.id.as_str());
    assert_eq!(body["user"]["email"], "anna@example.se");
    assert_eq!(body["user"]["given_name"], "Anna");
    // API use counts as being seen.
    assert_eq!(
        world.traces_user(&anna).await.unwrap().last_seen_at,
        world.clock.now()
    );
});

on_both_backends!(
    tokens_that_are_not_traces_access_tokens_are_refused,
    |world| {
        let anna = world.new_person("anna@example.se", "Anna", "Berg").await;
        let tokens = world.tokens(&anna).await;
        let token = tokens["access_token"].as_str().unwrap().to_owned();
        let claims = claims_of(&token);
        let with = |name: &str, value: Value| {
            let mut c = claims.clone();
            c[name] = value;
            c
        };
        assert_eq!(me(world, Some(&token)).await.status(), StatusCode::OK);

        // No token at all: a challenge without an error code (RFC 6750, 3.1).
        let (status, kind, challenge) = refusal(world, None).await;
        assert_eq!(status, StatusCode::UNAUTHORIZED);
        assert_eq!(kind, "urn:problem:unauthenticated");
        assert_eq!(challenge, "Bearer realm=\"traces\"");

        let es256 = Algorithm::ES256;
        let wrong_aud = signed_by_eulogin(
            world,
            es256,
            "at+jwt",
            &with("aud", "https://other.example".into()),
        );
        assert_invalid(world, &wrong_aud, "wrong aud").await;
        let wrong_iss = signed_by_eulogin(
            world,
            es256,
            "at+jwt",
            &with("iss", format!("{}/", world.issuer()).into()),
        );
        assert_invalid(world, &wrong_iss, "issuer with a trailing slash").await;
        let as_jwt = signed_by_eulogin(world, es256, "JWT", &claims);
        assert_invalid(world, &as_jwt, "typ JWT").await;
        let id_token = tokens["id_token"].as_str().unwrap();
        assert_invalid(world, id_token, "an ID token").await;
        let rs256 = signed_by_eulogin(world, Algorithm::RS256, "application/at+jwt", &claims);
        assert_eq!(
            me(world, Some(&rs256)).await.status(),
            StatusCode::OK,
            "RS256 and the media-type form of typ are fine"
        );
        let not_yet = signed_by_eulogin(
            world,
            es256,
            "at+jwt",
            &with("nbf", (world.clock.now().unix_timestamp() + 600).into()),
        );
        assert_invalid(world, &not_yet, "nbf in the future").await;

        // alg none: no signature at all.
        let kid = world
            .eulogin
            .oidc
            .keys
            .signer(es256)
            .unwrap()
            .kid()
            .to_owned();
        let body = b64(&serde_json::to_vec(&claims).unwrap());
        let none_header =
            b64(format!(r#"{{"alg":"none","typ":"at+jwt","kid":"{kid}"}}"#).as_bytes());
        assert_invalid(world, &format!("{none_header}.{body}."), "alg none").await;
        // HS256 keyed with the public key anyone can fetch: the algorithm-confusion attack.
        let jwks = reqwest::get(world.eulogin("/oidc/jwks"))
            .await
            .unwrap()
            .text()
            .await
            .unwrap();
        let hs_header =
            b64(format!(r#"{{"alg":"HS256","typ":"at+jwt","kid":"{kid}"}}"#).as_bytes());
        let message = format!("{hs_header}.{body}");
        let public_key = serde_json::from_str::<Value>(&jwks).unwrap()["keys"]
            .as_array()
            .unwrap()
            .iter()
            .find(|k| k["kid"] == kid.as_str())
            .unwrap()
            .to_string();
        let mac = infra::crypto::hmac_b64(public_key.as_bytes(), message.as_bytes());
        assert_invalid(
            world,
            &format!("{message}.{mac}"),
            "HS256 with the public key",
        )
        .await;
        // A signature of another token.
        let (signed, _) = token.rsplit_once('.').unwrap();
        let (_, foreign) = wrong_aud.rsplit_once('.').unwrap();
        assert_invalid(world, &format!("{signed}.{foreign}"), "spliced signature").await;
        assert_invalid(world, "not-a-token", "garbage").await;

        // A login without a second factor: RFC 9470's challenge, naming the levels to reach.
        let low = signed_by_eulogin(
            world,
            es256,
            "at+jwt",
            &with("acr", world.acr("low").into()),
        );
        let (status, kind, challenge) = refusal(world, Some(&low)).await;
        assert_eq!(status, StatusCode::UNAUTHORIZED);
        assert_eq!(kind, "urn:problem:insufficient-user-authentication");
        assert!(
            challenge.contains("error=\"insufficient_user_authentication\""),
            "{challenge}"
        );
        assert!(
            challenge.contains(&format!(
                "acr_values=\"{} {}\"",
                world.acr("medium"),
                world.acr("high")
            )),
            "{challenge}"
        );
        let mut machine = claims.clone();
        machine.as_object_mut().unwrap().remove("acr");
        let machine = signed_by_eulogin(world, es256, "at+jwt", &machine);
        assert_eq!(
            refusal(world, Some(&machine)).await.1,
            "urn:problem:insufficient-user-authentication"
        );

        // Expired: by traces' clock (the token lives five minutes; 30 s of leeway).
        world
            .clock
            .advance(time::Duration::minutes(5) + time::Duration::seconds(31));
        assert_invalid(world, &token, "expired").await;
    }
);

on_both_backends!(
    an_unknown_key_id_fetches_the_keys_again_at_most_once_a_minute,
    |world| {
        let anna = world.new_person("anna@example.se", "Anna", "Berg").await;
        let token = world.access_token(&anna).await;
        assert_eq!(me(world, Some(&token)).await.status(), StatusCode::OK);
        let fetched = world.traces.auth.key_fetch_count();
        assert_eq!(fetched, 1, "the keys were fetched when first needed");
        world.clock.advance(time::Duration::seconds(61));
        let claims = claims_of(&token);
        let stranger = infra::jwt::JwsSigner::new(
            "not-a-key-of-eulogin",
            Algorithm::ES256,
            &infra::jwt::generate_p256_pkcs8(),
        )
        .unwrap();
        let unknown = stranger.sign("at+jwt", &claims).unwrap();
        assert_invalid(world, &unknown, "unknown kid").await;
        assert_eq!(
            world.traces.auth.key_fetch_count(),
            fetched + 1,
            "fetched once"
        );
        assert_invalid(world, &unknown, "unknown kid again").await;
        assert_invalid(world, &unknown, "and again").await;
        assert_eq!(
            world.traces.auth.key_fetch_count(),
            fetched + 1,
            "not again within the minute"
        );
        // Known keys are still served from memory meanwhile.
        assert_eq!(me(world, Some(&token)).await.status(), StatusCode::OK);

        // eulogin rotates its keys: the new key was published in advance, already held.
        let now = world.clock.now();
        world
            .eulogin
            .oidc
            .keys
            .rotate_now(&world.eulogin.db, now)
            .await
            .unwrap();
        let rotated = signed_by_eulogin(world, Algorithm::ES256, "at+jwt", &claims);
        assert_eq!(me(world, Some(&rotated)).await.status(), StatusCode::OK);
        assert_eq!(world.traces.auth.key_fetch_count(), fetched + 1);
        // A second rotation brings a key traces has never seen: fetched once the minute is over.
        world
            .eulogin
            .oidc
            .keys
            .rotate_now(&world.eulogin.db, now)
            .await
            .unwrap();
        let newest = signed_by_eulogin(world, Algorithm::ES256, "at+jwt", &claims);
        assert_invalid(world, &newest, "a new key within the minute").await;
        world.clock.advance(time::Duration::seconds(60));
        assert_eq!(me(world, Some(&newest)).await.status(), StatusCode::OK);
        assert_eq!(world.traces.auth.key_fetch_count(), fetched + 2);
    }
);

on_both_backends!(
    a_token_verified_once_is_still_checked_for_time_at_every_use,
    |world| {
        let anna = world.new_person("anna@example.se", "Anna", "Berg").await;
        let token = world.access_token(&anna).await;
        for _ in 0..3 {
            assert_eq!(me(world, Some(&token)).await.status(), StatusCode::OK);
        }
        assert_eq!(
            world.traces.verified_tokens.len(),
            1,
            "its signature is remembered, once"
        );
        // Past its expiry (and the leeway) by traces' clock, the remembered token is refused.
        let exp = claims_of(&token)["exp"].as_i64().unwrap();
        let past = exp - world.clock.now().unix_timestamp() + 31;
        world.clock.advance(time::Duration::seconds(past));
        assert_invalid(world, &token, "expired, though remembered").await;
    }
);
