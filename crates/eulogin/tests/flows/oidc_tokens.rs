//! Discovery, the published keys, access tokens as RFC 9068 JWTs, client authentication,
//! `client_credentials`, introspection and revocation.

use crate::oidc_support::*;
use crate::on_both_backends;
use crate::support::*;
use eulogin::oidc::clients::ClientSpec;
use infra::Clock as _;
use infra::jwt::{JwsSigner, generate_p256_pkcs8};
use jsonwebtoken::jwk::JwkSet;
use jsonwebtoken::{Algorithm, DecodingKey, Validation};
use serde_json::Value;

/// Verifies a token against the published JWKS, as a resource server would.
async fn verify_with_jwks(app: &TestApp, token: &str, audience: &str) -> Value {
    infra::jwt::install_crypto_provider();
    let jwks: JwkSet = reqwest::get(app.url("/oidc/jwks"))
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    let header = jsonwebtoken::decode_header(token).unwrap();
    let jwk = jwks
        .find(header.kid.as_deref().unwrap())
        .expect("the kid is published");
    let mut validation = Validation::new(header.alg);
    validation.set_issuer(&[&app.base]);
    validation.set_audience(&[audience]);
    validation.set_required_spec_claims(&["exp", "iat", "iss", "aud", "sub", "jti", "client_id"]);
    jsonwebtoken::decode::<Value>(token, &DecodingKey::from_jwk(jwk).unwrap(), &validation)
        .expect("a valid token")
        .claims
}

on_both_backends!(discovery_names_every_endpoint_and_feature, |app| {
    let response = reqwest::get(app.url("/.well-known/openid-configuration"))
        .await
        .unwrap();
    assert_eq!(response.status(), 200);
    assert!(
        response.headers()["cache-control"]
            .to_str()
            .unwrap()
            .contains("max-age")
    );
    assert!(response.headers().get("set-cookie").is_none());
    let meta: Value = response.json().await.unwrap();
    assert_eq!(meta["issuer"], app.base);
    for endpoint in [
        "authorization_endpoint",
        "token_endpoint",
        "userinfo_endpoint",
        "jwks_uri",
        "end_session_endpoint",
        "introspection_endpoint",
        "revocation_endpoint",
    ] {
        assert!(
            meta[endpoint].as_str().unwrap().starts_with(&app.base),
            "{endpoint}"
        );
    }
    assert_eq!(
        meta["code_challenge_methods_supported"],
        serde_json::json!(["S256"])
    );
    assert_eq!(
        meta["response_types_supported"],
        serde_json::json!(["code"])
    );
    assert_eq!(meta["authorization_response_iss_parameter_supported"], true);
    assert_eq!(meta["backchannel_logout_supported"], true);
    assert_eq!(meta["backchannel_logout_session_supported"], true);
    let acr: Vec<String> = serde_json::from_value(meta["acr_values_supported"].clone()).unwrap();
    assert_eq!(
        acr,
        ["low", "medium", "high"].map(|l| format!("{}/loa/{l}", app.base))
    );
    let algs = meta["id_token_signing_alg_values_supported"]
        .as_array()
        .unwrap();
    assert!(algs.contains(&"RS256".into()) && algs.contains(&"ES256".into()));
    let methods = meta["token_endpoint_auth_methods_supported"]
        .as_array()
        .unwrap();
    for method in [
        "client_secret_basic",
        "client_secret_post",
        "private_key_jwt",
        "none",
    ] {
        assert!(methods.contains(&method.into()), "{method}");
    }
});

on_both_backends!(
    the_jwks_publishes_current_and_next_keys_without_private_parts,
    |app| {
        let response = reqwest::get(app.url("/oidc/jwks")).await.unwrap();
        assert_eq!(response.status(), 200);
        assert_eq!(
            response.headers()["content-type"],
            "application/jwk-set+json"
        );
        let jwks: Value = response.json().await.unwrap();
        let keys = jwks["keys"].as_array().unwrap();
        assert_eq!(keys.len(), 4, "current and next, for RS256 and ES256");
        for key in keys {
            for private in ["d", "p", "q", "dp", "dq", "qi"] {
                assert!(
                    key.get(private).is_none(),
                    "private member {private} published"
                );
            }
            assert_eq!(key["use"], "sig");
            assert!(key["kid"].as_str().is_some_and(|k| k.len() == 43));
        }
    }
);

on_both_backends!(access_tokens_are_rfc_9068_jwts, |app| {
    app.oidc_user().await;
    let mut spec = web_app("api-app");
    spec.audiences = vec![
        "https://traces.example.eu".into(),
        "https://other.example.eu".into(),
    ];
    let client = app.register_client(spec).await;
    let tokens = app.tokens_for(&client, &[]).await;
    let access = tokens["access_token"].as_str().unwrap();
    assert_eq!(header_of(access)["typ"], "at+jwt");
    assert_eq!(header_of(access)["alg"], "ES256");
    assert_eq!(tokens["token_type"], "Bearer");
    assert_eq!(tokens["expires_in"], 300);
    let claims = verify_with_jwks(app, access, "https://traces.example.eu").await;
    assert_eq!(claims["client_id"], "api-app");
    assert_eq!(claims["scope"], "openid profile email");
    assert_eq!(claims["acr"], format!("{}/loa/low", app.base));
    assert_eq!(claims["amr"], serde_json::json!(["pwd"]));
    assert!(claims["auth_time"].is_i64());
    assert_eq!(
        claims["exp"].as_i64().unwrap() - claims["iat"].as_i64().unwrap(),
        300
    );

    // RFC 8707: the resource parameter picks the audience among the client's own.
    let tokens = app
        .tokens_for(&client, &[("resource", "https://other.example.eu")])
        .await;
    verify_with_jwks(
        app,
        tokens["access_token"].as_str().unwrap(),
        "https://other.example.eu",
    )
    .await;
});

on_both_backends!(
    client_credentials_issue_tokens_for_the_application_itself,
    |app| {
        let client = app.register_client(service("batch-job")).await;
        let response = app
            .token_request(
                &client,
                &[
                    ("grant_type", "client_credentials"),
                    ("scope", "operators:read"),
                ],
            )
            .await;
        assert_eq!(response.status(), 200);
        assert_eq!(response.headers()["cache-control"], "no-store");
        let tokens: Value = response.json().await.unwrap();
        assert!(tokens.get("refresh_token").is_none() && tokens.get("id_token").is_none());
        let claims = verify_with_jwks(
            app,
            tokens["access_token"].as_str().unwrap(),
            "https://traces.example.eu",
        )
        .await;
        assert_eq!(claims["sub"], "batch-job");
        assert_eq!(claims["scope"], "operators:read");

        for (fields, error) in [
            (
                vec![("grant_type", "client_credentials"), ("scope", "openid")],
                "invalid_scope",
            ),
            (
                vec![("grant_type", "client_credentials"), ("scope", "admin")],
                "invalid_scope",
            ),
            (
                vec![
                    ("grant_type", "client_credentials"),
                    ("resource", "https://elsewhere.example"),
                ],
                "invalid_target",
            ),
            (
                vec![
                    ("grant_type", "authorization_code"),
                    ("code", "x"),
                    ("redirect_uri", REDIRECT_URI),
                ],
                "unauthorized_client",
            ),
            (vec![("grant_type", "password")], "unsupported_grant_type"),
            (vec![], "invalid_request"),
        ] {
            let refused = app.token_request(&client, &fields).await;
            assert_eq!(refused.status(), 400, "{fields:?}");
            assert_eq!(
                refused.json::<Value>().await.unwrap()["error"],
                error,
                "{fields:?}"
            );
        }
    }
);

on_both_backends!(
    a_client_must_prove_itself_with_its_registered_method,
    |app| {
        let client = app.register_client(service("basic-svc")).await;
        let secret = client.secret.clone().unwrap();
        let http = reqwest::Client::new();
        let token_url = app.url("/oidc/token");
        let wrong = http
            .post(&token_url)
            .basic_auth("basic-svc", Some("not-the-secret"))
            .form(&[("grant_type", "client_credentials")])
            .send()
            .await
            .unwrap();
        assert_eq!(wrong.status(), 401);
        assert!(
            wrong.headers()["www-authenticate"]
                .to_str()
                .unwrap()
                .starts_with("Basic")
        );
        assert_eq!(
            wrong.json::<Value>().await.unwrap()["error"],
            "invalid_client"
        );
        let unknown = http
            .post(&token_url)
            .basic_auth("nobody", Some(&secret))
            .form(&[("grant_type", "client_credentials")])
            .send()
            .await
            .unwrap();
        assert_eq!(unknown.status(), 401);
        // Registered for Basic: the same secret in the form is refused.
        let posted = http
            .post(&token_url)
            .form(&[
                ("grant_type", "client_credentials"),
                ("client_id", "basic-svc"),
                ("client_secret", secret.as_str()),
            ])
            .send()
            .await
            .unwrap();
        assert_eq!(posted.status(), 401);
        // Two methods at once are refused.
        let both = http
            .post(&token_url)
            .basic_auth("basic-svc", Some(&secret))
            .form(&[
                ("grant_type", "client_credentials"),
                ("client_secret", secret.as_str()),
            ])
            .send()
            .await
            .unwrap();
        assert_eq!(both.status(), 400);
        // Only the client id, for a confidential client: refused.
        let bare = http
            .post(&token_url)
            .form(&[
                ("grant_type", "client_credentials"),
                ("client_id", "basic-svc"),
            ])
            .send()
            .await
            .unwrap();
        assert_eq!(bare.status(), 401);

        let mut post_spec = service("post-svc");
        post_spec.auth_method = "client_secret_post".into();
        let post = app.register_client(post_spec).await;
        let ok = http
            .post(&token_url)
            .form(&[
                ("grant_type", "client_credentials"),
                ("client_id", "post-svc"),
                ("client_secret", post.secret.as_deref().unwrap()),
            ])
            .send()
            .await
            .unwrap();
        assert_eq!(ok.status(), 200);
    }
);

/// A client assertion (RFC 7523) signed by `signer`.
fn assertion(signer: &JwsSigner, client_id: &str, audience: &str, jti: &str, exp: i64) -> String {
    signer
        .sign(
            "JWT",
            &serde_json::json!({
                "iss": client_id, "sub": client_id, "aud": audience,
                "jti": jti, "exp": exp, "iat": exp - 60,
            }),
        )
        .unwrap()
}

on_both_backends!(private_key_jwt_clients_sign_single_use_assertions, |app| {
    infra::jwt::install_crypto_provider();
    let key = JwsSigner::new("client-key-1", Algorithm::ES256, &generate_p256_pkcs8()).unwrap();
    let mut spec: ClientSpec = service("signed-svc");
    spec.auth_method = "private_key_jwt".into();
    spec.jwks = Some(serde_json::json!({ "keys": [key.public_jwk()] }).to_string());
    let client = app.register_client(spec).await;
    assert!(client.secret.is_none());
    let token_url = app.url("/oidc/token");
    let exp = app.clock.now().unix_timestamp() + 60;
    let send = |assertion: String| {
        let url = token_url.clone();
        async move {
            reqwest::Client::new()
                .post(url)
                .form(&[
                    ("grant_type", "client_credentials"),
                    (
                        "client_assertion_type",
                        "urn:ietf:params:oauth:client-assertion-type:jwt-bearer",
                    ),
                    ("client_assertion", assertion.as_str()),
                ])
                .send()
                .await
                .unwrap()
                .status()
        }
    };
    let good = assertion(&key, "signed-svc", &token_url, "jti-1", exp);
    assert_eq!(send(good.clone()).await, 200);
    assert_eq!(send(good).await, 401, "an assertion works once");
    let impostor =
        JwsSigner::new("client-key-1", Algorithm::ES256, &generate_p256_pkcs8()).unwrap();
    assert_eq!(
        send(assertion(&impostor, "signed-svc", &token_url, "jti-2", exp)).await,
        401
    );
    assert_eq!(
        send(assertion(
            &key,
            "signed-svc",
            "https://elsewhere.example/token",
            "jti-3",
            exp
        ))
        .await,
        401
    );
    let expired = app.clock.now().unix_timestamp() - 1;
    assert_eq!(
        send(assertion(&key, "signed-svc", &token_url, "jti-4", expired)).await,
        401
    );
    let too_long = app.clock.now().unix_timestamp() + 3600;
    assert_eq!(
        send(assertion(&key, "signed-svc", &token_url, "jti-5", too_long)).await,
        401
    );
    assert_eq!(
        send(assertion(&key, "signed-svc", &app.base, "jti-6", exp)).await,
        200,
        "the issuer is a valid audience"
    );
});

on_both_backends!(
    introspection_tells_a_client_about_its_own_tokens_only,
    |app| {
        app.oidc_user().await;
        let client = app.register_client(web_app("inspecting-app")).await;
        let stranger = app.register_client(web_app("stranger-app")).await;
        let tokens = app.tokens_for(&client, &[]).await;
        let introspect = |who: &TestClient, token: &str| {
            let (url, who, token) = (app.url("/oidc/introspect"), who.clone(), token.to_owned());
            async move {
                let response = reqwest::Client::new()
                    .post(url)
                    .basic_auth(&who.id, who.secret.as_deref())
                    .form(&[("token", token.as_str())])
                    .send()
                    .await
                    .unwrap();
                assert_eq!(response.status(), 200);
                response.json::<Value>().await.unwrap()
            }
        };
        let access = tokens["access_token"].as_str().unwrap();
        let refresh = tokens["refresh_token"].as_str().unwrap();
        let seen = introspect(&client, access).await;
        assert_eq!(seen["active"], true);
        assert_eq!(seen["client_id"], "inspecting-app");
        assert_eq!(seen["sub"], claims_of(access)["sub"]);
        assert_eq!(introspect(&client, refresh).await["active"], true);
        assert_eq!(
            introspect(&stranger, access).await,
            serde_json::json!({"active": false})
        );
        assert_eq!(
            introspect(&stranger, refresh).await,
            serde_json::json!({"active": false})
        );
        assert_eq!(
            introspect(&client, "garbage").await,
            serde_json::json!({"active": false})
        );
        let unauthenticated = reqwest::Client::new()
            .post(app.url("/oidc/introspect"))
            .form(&[("token", access)])
            .send()
            .await
            .unwrap();
        assert_eq!(unauthenticated.status(), 401);
        app.clock.advance(time::Duration::minutes(6));
        assert_eq!(
            introspect(&client, access).await["active"],
            false,
            "expired"
        );
    }
);

on_both_backends!(revocation_ends_tokens_and_their_grant, |app| {
    app.oidc_user().await;
    let client = app.register_client(web_app("revoking-app")).await;
    let stranger = app.register_client(web_app("other-revoker")).await;
    let revoke = |who: &TestClient, token: &str| {
        let (url, who, token) = (app.url("/oidc/revoke"), who.clone(), token.to_owned());
        async move {
            reqwest::Client::new()
                .post(url)
                .basic_auth(&who.id, who.secret.as_deref())
                .form(&[("token", token.as_str())])
                .send()
                .await
                .unwrap()
                .status()
        }
    };
    let tokens = app.tokens_for(&client, &[]).await;
    let access = tokens["access_token"].as_str().unwrap();
    let refresh = tokens["refresh_token"].as_str().unwrap();
    assert_eq!(
        revoke(&stranger, refresh).await,
        200,
        "no information for strangers"
    );
    assert_eq!(
        app.userinfo(access).await.status(),
        200,
        "a stranger revokes nothing"
    );
    assert_eq!(revoke(&client, refresh).await, 200);
    assert_eq!(app.refresh(&client, refresh).await.status(), 400);
    assert_eq!(
        app.userinfo(access).await.status(),
        401,
        "the grant's access tokens too"
    );

    let tokens = app.tokens_for(&client, &[]).await;
    let access = tokens["access_token"].as_str().unwrap();
    assert_eq!(revoke(&client, access).await, 200);
    assert_eq!(app.userinfo(access).await.status(), 401);
    assert_eq!(revoke(&client, "unknown-token").await, 200);
});

on_both_backends!(userinfo_takes_bearer_tokens_by_header_or_form, |app| {
    app.oidc_user().await;
    let client = app.register_client(web_app("reader-app")).await;
    let tokens = app.tokens_for(&client, &[]).await;
    let access = tokens["access_token"].as_str().unwrap();
    let http = reqwest::Client::new();
    let by_post = http
        .post(app.url("/oidc/userinfo"))
        .form(&[("access_token", access)])
        .send()
        .await
        .unwrap();
    assert_eq!(by_post.status(), 200);
    let info: Value = by_post.json().await.unwrap();
    assert_eq!(info["email"], USER);
    assert_eq!(info["family_name"], "Berg");
    let none = http.get(app.url("/oidc/userinfo")).send().await.unwrap();
    assert_eq!(none.status(), 401);
    assert_eq!(
        none.headers()["www-authenticate"],
        "Bearer realm=\"eulogin\""
    );
    let forged = format!("{}x", &access[..access.len() - 1]);
    let refused = app.userinfo(&forged).await;
    assert_eq!(refused.status(), 401);
    assert!(
        refused.headers()["www-authenticate"]
            .to_str()
            .unwrap()
            .contains("invalid_token")
    );
    let service_client = app.register_client(service("no-person")).await;
    let service_tokens: Value = app
        .token_request(&service_client, &[("grant_type", "client_credentials")])
        .await
        .json()
        .await
        .unwrap();
    let forbidden = app
        .userinfo(service_tokens["access_token"].as_str().unwrap())
        .await;
    assert_eq!(forbidden.status(), 403);
    app.clock.advance(time::Duration::minutes(6));
    assert_eq!(
        app.userinfo(access).await.status(),
        401,
        "expired after 5 minutes"
    );
});
