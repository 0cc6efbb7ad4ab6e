//! The negative cases of the OpenID conformance suite, and the rules around them: codes used
//! twice, redirect URIs that are almost right, missing or unsupported parameters, silent
//! requests without a session, max_age, PKCE downgrades, assurance levels.

use crate::oidc_support::*;
use crate::on_both_backends;
use crate::support::*;
use eulogin::oidc::authorization::pkce_s256;
use time::Duration;

const VERIFIER: &str = "dBjftJeZ4CVP-mB92K27uhbUJU1p1r_wW1gFWFOEjXk";

/// Exchanges a code twice: the second use is refused and revokes what the first gave.
async fn reuse_revokes(app: &TestApp, wait: Duration) {
    app.oidc_user().await;
    let client = app.register_client(web_app("reuse-app")).await;
    let code = app.code_for(&client, &[]).await;
    let first = app.exchange(&client, &code, None).await;
    assert_eq!(first.status(), 200);
    let tokens: serde_json::Value = first.json().await.unwrap();
    let access = tokens["access_token"].as_str().unwrap();
    let refresh = tokens["refresh_token"].as_str().unwrap();
    assert_eq!(app.userinfo(access).await.status(), 200);

    app.clock.advance(wait);
    let second = app.exchange(&client, &code, None).await;
    assert_eq!(second.status(), 400);
    let error: serde_json::Value = second.json().await.unwrap();
    assert_eq!(error["error"], "invalid_grant");

    assert_eq!(
        app.userinfo(access).await.status(),
        401,
        "access token revoked"
    );
    let refreshed = app.refresh(&client, refresh).await;
    assert_eq!(refreshed.status(), 400, "refresh token revoked");
    assert!(
        app.audit_events(USER)
            .await
            .contains(&"token_reuse".to_owned())
    );
}

on_both_backends!(a_code_used_twice_at_once_revokes_its_tokens, |app| {
    reuse_revokes(app, Duration::ZERO).await;
});

on_both_backends!(
    a_code_used_again_thirty_seconds_later_revokes_its_tokens,
    |app| {
        reuse_revokes(app, Duration::seconds(30)).await;
    }
);

on_both_backends!(a_code_expires_after_sixty_seconds, |app| {
    app.oidc_user().await;
    let client = app.register_client(web_app("slow-app")).await;
    let code = app.code_for(&client, &[]).await;
    app.clock.advance(Duration::seconds(61));
    let late = app.exchange(&client, &code, None).await;
    assert_eq!(late.status(), 400);
    assert_eq!(
        late.json::<serde_json::Value>().await.unwrap()["error"],
        "invalid_grant"
    );
});

on_both_backends!(a_code_is_bound_to_its_client_and_redirect_uri, |app| {
    app.oidc_user().await;
    let client = app.register_client(web_app("bound-app")).await;
    let mut other_spec = web_app("other-app");
    other_spec
        .redirect_uris
        .push("https://app.example.eu/other".into());
    let other = app.register_client(other_spec).await;
    let code = app.code_for(&client, &[]).await;
    let stolen = app.exchange(&other, &code, None).await;
    assert_eq!(stolen.status(), 400);
    let code = app.code_for(&other, &[]).await;
    let moved = app
        .token_request(
            &other,
            &[
                ("grant_type", "authorization_code"),
                ("code", &code),
                ("redirect_uri", "https://app.example.eu/other"),
            ],
        )
        .await;
    assert_eq!(moved.status(), 400);
});

on_both_backends!(
    an_almost_registered_redirect_uri_gets_a_page_never_a_redirect,
    |app| {
        let client = app.register_client(web_app("strict-app")).await;
        for altered in [
            "https://app.example.eu/callback/",
            "https://app.example.eu/callback?extra=1",
            "https://APP.example.eu/callback",
            "https://app.example.eu/Callback",
            "https://app.example.eu/callback#fragment",
            "https://evil.example.com/callback",
        ] {
            let response = app
                .authorize(&[
                    ("client_id", client.id.as_str()),
                    ("redirect_uri", altered),
                    ("response_type", "code"),
                    ("scope", "openid"),
                ])
                .await;
            assert_eq!(response.status(), 400, "{altered}");
            assert!(response.headers().get("location").is_none(), "{altered}");
            let html = response.text().await.unwrap();
            assert!(html.contains("not registered"), "{altered}: {html}");
        }
        let unknown = app
            .authorize(&[
                ("client_id", "nobody-knows"),
                ("redirect_uri", REDIRECT_URI),
                ("response_type", "code"),
            ])
            .await;
        assert_eq!(unknown.status(), 400);
        assert!(unknown.headers().get("location").is_none());
        let repeated = app
        .browser
        .get(app.url(&format!(
            "/oidc/authorize?client_id={}&redirect_uri={REDIRECT_URI}&redirect_uri=https://evil.example.com/",
            client.id
        )))
        .send()
        .await
        .unwrap();
        assert_eq!(repeated.status(), 400);
        assert!(repeated.headers().get("location").is_none());
    }
);

on_both_backends!(
    errors_after_the_redirect_uri_is_known_go_back_with_state_and_iss,
    |app| {
        app.register_client(web_app("errors-app")).await;
        let base = |extra: &[(&'static str, &'static str)]| {
            let mut params: Vec<(&str, &str)> = vec![
                ("client_id", "errors-app"),
                ("redirect_uri", REDIRECT_URI),
                ("state", "keep-me"),
                ("scope", "openid"),
            ];
            params.extend_from_slice(extra);
            params
        };
        for (extra, expected) in [
            (vec![], "invalid_request"),
            (
                vec![("response_type", "token")],
                "unsupported_response_type",
            ),
            (
                vec![("response_type", "code"), ("request", "eyJ...")],
                "request_not_supported",
            ),
            (
                vec![("response_type", "code"), ("max_age", "soon")],
                "invalid_request",
            ),
            (
                vec![
                    ("response_type", "code"),
                    ("resource", "https://other.example"),
                ],
                "invalid_target",
            ),
        ] {
            let response = app.authorize(&base(&extra)).await;
            let back = app.follow_to_application(response, None).await;
            assert!(back.as_str().starts_with(REDIRECT_URI));
            assert_eq!(
                param(&back, "error").as_deref(),
                Some(expected),
                "{extra:?}"
            );
            assert_eq!(param(&back, "state").as_deref(), Some("keep-me"));
            assert_eq!(param(&back, "iss").as_deref(), Some(app.base.as_str()));
            assert!(param(&back, "code").is_none());
        }
    }
);

on_both_backends!(
    prompt_none_without_a_session_answers_login_required,
    |app| {
        app.register_client(web_app("silent-app")).await;
        let response = app
            .authorize(&[
                ("client_id", "silent-app"),
                ("redirect_uri", REDIRECT_URI),
                ("response_type", "code"),
                ("scope", "openid"),
                ("prompt", "none"),
                ("state", "s1"),
            ])
            .await;
        let back = app.follow_to_application(response, None).await;
        assert_eq!(param(&back, "error").as_deref(), Some("login_required"));
        assert_eq!(param(&back, "state").as_deref(), Some("s1"));
    }
);

on_both_backends!(a_second_application_logs_in_without_the_password, |app| {
    app.oidc_user().await;
    let first = app.register_client(web_app("first-app")).await;
    let second = app.register_client(web_app("second-app")).await;
    let first_tokens = app.tokens_for(&first, &[]).await;
    // No credentials given: a login page would make follow_to_application panic.
    let response = app
        .authorize(&[
            ("client_id", second.id.as_str()),
            ("redirect_uri", REDIRECT_URI),
            ("response_type", "code"),
            ("scope", "openid email"),
            ("prompt", "none"),
        ])
        .await;
    let back = app.follow_to_application(response, None).await;
    let code = param(&back, "code").expect("a code without any page");
    let second_tokens: serde_json::Value = app
        .exchange(&second, &code, None)
        .await
        .json()
        .await
        .unwrap();
    let (a, b) = (
        claims_of(first_tokens["id_token"].as_str().unwrap()),
        claims_of(second_tokens["id_token"].as_str().unwrap()),
    );
    assert_eq!(a["sub"], b["sub"]);
    assert_eq!(a["sid"], b["sid"]);
    assert_eq!(a["auth_time"], b["auth_time"]);
    assert_eq!(b["aud"], "second-app");
});

on_both_backends!(max_age_forces_a_new_login_and_prompt_login_too, |app| {
    app.oidc_user().await;
    let client = app.register_client(web_app("fresh-app")).await;
    let first = claims_of(
        app.tokens_for(&client, &[]).await["id_token"]
            .as_str()
            .unwrap(),
    );
    app.clock.advance(Duration::seconds(5));
    for extra in [("max_age", "1"), ("prompt", "login")] {
        let response = app
            .authorize(&[
                ("client_id", client.id.as_str()),
                ("redirect_uri", REDIRECT_URI),
                ("response_type", "code"),
                ("scope", "openid"),
                extra,
            ])
            .await;
        let location = response.headers()["location"].to_str().unwrap().to_owned();
        assert!(
            location.starts_with("/login?authorization="),
            "{extra:?} asks for a login, got {location}"
        );
        let back = app
            .follow_to_application(response, Some((USER, STRONG_PASSWORD)))
            .await;
        let code = param(&back, "code").unwrap();
        let tokens = app.tokens_of_code(&client, &code).await;
        let claims = claims_of(tokens["id_token"].as_str().unwrap());
        assert!(
            claims["auth_time"].as_i64() > first["auth_time"].as_i64(),
            "{extra:?}"
        );
        app.clock.advance(Duration::seconds(5));
    }
});

on_both_backends!(
    unknown_parameters_are_ignored_and_nonce_is_optional,
    |app| {
        app.oidc_user().await;
        let client = app.register_client(web_app("lenient-app")).await;
        let tokens = app
            .tokens_for(&client, &[("unheard_of", "x"), ("claims_locales", "sv")])
            .await;
        let claims = claims_of(tokens["id_token"].as_str().unwrap());
        assert!(claims.get("nonce").is_none());
        let with_nonce = app.tokens_for(&client, &[("nonce", "n-0S6_WzA2Mj")]).await;
        assert_eq!(
            claims_of(with_nonce["id_token"].as_str().unwrap())["nonce"],
            "n-0S6_WzA2Mj"
        );
    }
);

on_both_backends!(pkce_cannot_be_downgraded, |app| {
    app.oidc_user().await;
    let confidential = app.register_client(web_app("pkce-app")).await;
    let public = app.register_client(public_app("spa-app")).await;
    let challenge = pkce_s256(VERIFIER);

    // A challenge was sent: the verifier is required and must match.
    let code = app
        .code_for(
            &confidential,
            &[
                ("code_challenge", &challenge),
                ("code_challenge_method", "S256"),
            ],
        )
        .await;
    assert_eq!(app.exchange(&confidential, &code, None).await.status(), 400);
    let code = app
        .code_for(
            &confidential,
            &[
                ("code_challenge", &challenge),
                ("code_challenge_method", "S256"),
            ],
        )
        .await;
    let wrong = "A".repeat(43);
    assert_eq!(
        app.exchange(&confidential, &code, Some(&wrong))
            .await
            .status(),
        400
    );
    let code = app
        .code_for(
            &confidential,
            &[
                ("code_challenge", &challenge),
                ("code_challenge_method", "S256"),
            ],
        )
        .await;
    assert_eq!(
        app.exchange(&confidential, &code, Some(VERIFIER))
            .await
            .status(),
        200
    );

    // No challenge was sent: a verifier is suspicious and refused.
    let code = app.code_for(&confidential, &[]).await;
    assert_eq!(
        app.exchange(&confidential, &code, Some(VERIFIER))
            .await
            .status(),
        400
    );

    // plain, or no method, is refused; public clients must use PKCE.
    for extra in [
        vec![
            ("code_challenge", VERIFIER),
            ("code_challenge_method", "plain"),
        ],
        vec![("code_challenge", challenge.as_str())],
        vec![],
    ] {
        let back = app.authorization_response(&public, &extra).await;
        assert_eq!(
            param(&back, "error").as_deref(),
            Some("invalid_request"),
            "{extra:?}"
        );
    }
    let code = app
        .code_for(
            &public,
            &[
                ("code_challenge", &challenge),
                ("code_challenge_method", "S256"),
            ],
        )
        .await;
    let tokens = app.exchange(&public, &code, Some(VERIFIER)).await;
    assert_eq!(tokens.status(), 200);
});

on_both_backends!(more_than_the_low_level_is_never_downgraded, |app| {
    app.oidc_user().await;
    let client = app.register_client(web_app("careful-app")).await;
    let medium = format!("{}/loa/medium", app.base);
    // A person without a second factor is sent to add one; the application gets no code.
    let asked = app.authorize_asking_level(&client, "medium").await;
    let login = app.follow_to_application_or_page(asked).await;
    assert!(
        login.contains("/account/security?authorization="),
        "{login}"
    );
    assert!(login.ends_with("&needs=medium"), "{login}");
    let low = format!("{}/loa/low {medium}", app.base);
    let tokens = app.tokens_for(&client, &[("acr_values", &low)]).await;
    assert_eq!(
        claims_of(tokens["id_token"].as_str().unwrap())["acr"],
        format!("{}/loa/low", app.base)
    );
    let mut strict = web_app("strict-level-app");
    strict.minimum_acr = "medium".into();
    let strict = app.register_client(strict).await;
    let silent = app
        .authorization_response(&strict, &[("prompt", "none")])
        .await;
    assert_eq!(
        param(&silent, "error").as_deref(),
        Some("interaction_required")
    );
});

on_both_backends!(a_refresh_token_used_twice_revokes_its_family, |app| {
    app.oidc_user().await;
    let client = app.register_client(web_app("rotating-app")).await;
    let tokens = app.tokens_for(&client, &[]).await;
    let first = tokens["refresh_token"].as_str().unwrap();
    let rotated: serde_json::Value = app.refresh(&client, first).await.json().await.unwrap();
    let second = rotated["refresh_token"].as_str().unwrap();
    let access = rotated["access_token"].as_str().unwrap();
    assert_ne!(first, second);
    assert_eq!(app.userinfo(access).await.status(), 200);

    let replayed = app.refresh(&client, first).await;
    assert_eq!(replayed.status(), 400);
    assert_eq!(
        replayed.json::<serde_json::Value>().await.unwrap()["error"],
        "invalid_grant"
    );
    assert_eq!(
        app.refresh(&client, second).await.status(),
        400,
        "the family is revoked"
    );
    assert_eq!(app.userinfo(access).await.status(), 401);
});

on_both_backends!(
    refresh_tokens_expire_when_idle_and_at_their_absolute_limit,
    |app| {
        app.oidc_user().await;
        let client = app.register_client(web_app("idle-app")).await;
        let idle = app.state.settings.oidc.refresh_idle;
        let tokens = app.tokens_for(&client, &[]).await;
        app.clock.advance(idle + Duration::seconds(1));
        let expired = app
            .refresh(&client, tokens["refresh_token"].as_str().unwrap())
            .await;
        assert_eq!(expired.status(), 400);

        let mut token = app.tokens_for(&client, &[]).await["refresh_token"]
            .as_str()
            .unwrap()
            .to_owned();
        let max = app.state.settings.oidc.refresh_max;
        let mut used = Duration::ZERO;
        while used + idle / 2 < max {
            app.clock.advance(idle / 2);
            used += idle / 2;
            let response = app.refresh(&client, &token).await;
            assert_eq!(response.status(), 200, "still within the absolute lifetime");
            token = response.json::<serde_json::Value>().await.unwrap()["refresh_token"]
                .as_str()
                .unwrap()
                .to_owned();
        }
        app.clock.advance(idle / 2);
        assert_eq!(
            app.refresh(&client, &token).await.status(),
            400,
            "past the absolute lifetime"
        );
    }
);
