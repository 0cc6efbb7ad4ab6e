//! Logging out: at traces (the local session ends, then eulogin's, with `id_token_hint`), at
//! eulogin (its back-channel logout ends traces' sessions of that eulogin session, and only
//! those), and logout tokens that must be refused.

use crate::on_both_backends;
use crate::support::*;
use base64::Engine as _;
use infra::Clock as _;
use jsonwebtoken::Algorithm;
use reqwest::StatusCode;
use url::Url;

fn claims_of(jwt: &str) -> serde_json::Value {
    let payload = jwt.split('.').nth(1).expect("a JWT");
    let bytes = base64::engine::general_purpose::URL_SAFE_NO_PAD
        .decode(payload)
        .expect("base64url");
    serde_json::from_slice(&bytes).expect("JSON claims")
}

async fn is_logged_in(browser: &TracesBrowser) -> bool {
    match browser.get("/account").await.0 {
        StatusCode::OK => true,
        StatusCode::SEE_OTHER => false,
        other => panic!("unexpected {other}"),
    }
}

on_both_backends!(logout_ends_the_session_here_and_at_eulogin, |world| {
    let anna = world.new_person("anna@example.se", "Anna", "Berg").await;
    let browser = world.browser_logged_in(&anna).await;
    let session = browser.session(world).await.unwrap();
    let old_cookie = browser.session_cookie().unwrap();
    // The page with the logout form lets its form lead to eulogin: Chromium and Safari check
    // `form-action` against the redirect a submission leads to.
    let page = browser.get_response("/").await;
    let csp = page.headers()["content-security-policy"].to_str().unwrap();
    assert!(
        csp.contains(&format!("form-action 'self' {};", world.eulogin_url)),
        "{csp}"
    );
    assert!(csp.starts_with("default-src 'none';"), "{csp}");
    // A logout without the browser's CSRF token (a forged cross-site form) is refused.
    let forged = browser
        .client
        .post(browser.url("/auth/logout"))
        .form(&[("csrf_token", "forged")])
        .send()
        .await
        .unwrap();
    assert_eq!(forged.status(), StatusCode::FORBIDDEN);
    assert!(is_logged_in(&browser).await);
    let response = browser.post_form("/auth/logout", &[]).await;
    assert_eq!(response.status(), StatusCode::SEE_OTHER);
    let cleared = response
        .headers()
        .get_all("set-cookie")
        .iter()
        .map(|v| v.to_str().unwrap().to_owned())
        .find(|c| c.starts_with("traces-session="))
        .expect("the session cookie is cleared");
    assert!(cleared.to_lowercase().contains("max-age=0"), "{cleared}");
    let location = Url::parse(response.headers()["location"].to_str().unwrap()).unwrap();
    assert!(
        location
            .as_str()
            .starts_with(&world.eulogin("/oidc/logout?")),
        "{location}"
    );
    let hint = param(&location, "id_token_hint").expect("id_token_hint");
    assert_eq!(hint, session.record.id_token);
    assert_eq!(claims_of(&hint)["aud"], CLIENT_ID);
    assert_eq!(param(&location, "client_id").as_deref(), Some(CLIENT_ID));
    assert_eq!(
        param(&location, "post_logout_redirect_uri"),
        Some(world.traces("/"))
    );
    // The local session is over before the browser even reaches eulogin: on the server, not
    // only in this browser (a copy of the old cookie opens nothing).
    assert!(!is_logged_in(&browser).await);
    let stolen = world.browser();
    stolen.jar.add_cookie_str(
        &format!("traces-session={old_cookie}; Path=/"),
        &url::Url::parse(&world.traces_url).unwrap(),
    );
    assert!(!is_logged_in(&stolen).await);
    assert!(
        traces::auth::session::find(&world.traces.kv, &old_cookie, world.clock.now())
            .await
            .unwrap()
            .is_none()
    );
    // eulogin ends its session at once (the hint proves the request) and sends the browser home.
    let journey = world.drive(&browser, location.as_str(), None, None).await;
    let Journey::Page(url, status, _) = journey else {
        panic!("{journey:?}");
    };
    assert_eq!(
        (url.as_str(), status),
        (world.traces("/").as_str(), StatusCode::OK)
    );
    // Logging in again needs the password again.
    let journey = world
        .drive(&browser, &login_url(&world.traces_url, "/"), None, None)
        .await;
    let Journey::Page(url, _, body) = journey else {
        panic!("{journey:?}");
    };
    assert!(url.as_str().starts_with(&world.eulogin("/login")), "{url}");
    assert!(has(&body, "input[name=\"password\"]"));
});

on_both_backends!(
    logging_out_at_eulogin_ends_that_session_at_traces,
    |world| {
        let anna = world.new_person("anna@example.se", "Anna", "Berg").await;
        let office = world.browser_logged_in(&anna).await;
        let laptop = world.browser_logged_in(&anna).await;
        assert_ne!(
            office.session(world).await.unwrap().record.sid,
            laptop.session(world).await.unwrap().record.sid,
            "two eulogin sessions"
        );
        // Anna logs out of EU Login in the office browser.
        let eulogin_page = office
            .client
            .get(world.eulogin("/account"))
            .send()
            .await
            .unwrap()
            .text()
            .await
            .unwrap();
        let csrf = hidden_input(&eulogin_page, "csrf_token").expect("a form at eulogin");
        let response = office
            .client
            .post(world.eulogin("/logout"))
            .form(&[("csrf_token", csrf.as_str())])
            .send()
            .await
            .unwrap();
        assert_eq!(response.status(), StatusCode::OK);
        world.backchannel_delivered().await;
        // eulogin told traces, which ended the office session and only that one.
        assert!(!is_logged_in(&office).await);
        assert!(office.session(world).await.is_none());
        assert!(is_logged_in(&laptop).await);
    }
);

/// Signs a logout token with eulogin's own key for `alg`.
fn sign(world: &TestWorld, alg: Algorithm, typ: &str, claims: &serde_json::Value) -> String {
    world
        .eulogin
        .oidc
        .keys
        .signer(alg)
        .unwrap()
        .sign(typ, claims)
        .unwrap()
}

async fn post_logout_token(world: &TestWorld, token: &str) -> reqwest::Response {
    reqwest::Client::new()
        .post(world.traces("/auth/backchannel-logout"))
        .form(&[("logout_token", token)])
        .send()
        .await
        .unwrap()
}

async fn assert_refused(world: &TestWorld, token: &str, case: &str) {
    let response = post_logout_token(world, token).await;
    assert_eq!(response.status(), StatusCode::BAD_REQUEST, "{case}");
    assert!(response.headers().get("set-cookie").is_none(), "{case}");
    let body: serde_json::Value = response.json().await.unwrap();
    assert_eq!(body["error"], "invalid_request", "{case}");
}

on_both_backends!(invalid_logout_tokens_are_refused, |world| {
    let anna = world.new_person("anna@example.se", "Anna", "Berg").await;
    let browser = world.browser_logged_in(&anna).await;
    let sid = browser.session(world).await.unwrap().record.sid.unwrap();
    let now = world.clock.now().unix_timestamp();
    let claims = serde_json::json!({
        "iss": world.issuer(), "aud": CLIENT_ID, "iat": now, "exp": now + 120,
        "jti": infra::crypto::random_token(), "sub": anna.subject, "sid": sid,
        "events": { "http://schemas.openid.net/event/backchannel-logout": {} }
    });
    let with = |name: &str, value: serde_json::Value| {
        let mut c = claims.clone();
        c[name] = value;
        c
    };
    let without = |name: &str| {
        let mut c = claims.clone();
        c.as_object_mut().unwrap().remove(name);
        c
    };
    // A key that is not eulogin's, under the id of eulogin's key.
    let kid = world
        .eulogin
        .oidc
        .keys
        .signer(Algorithm::ES256)
        .unwrap()
        .kid()
        .to_owned();
    let impostor =
        infra::jwt::JwsSigner::new(&kid, Algorithm::ES256, &infra::jwt::generate_p256_pkcs8())
            .unwrap();
    let forged = impostor.sign("logout+jwt", &claims).unwrap();
    assert_refused(world, &forged, "bad signature").await;
    for (case, token) in [
        (
            "wrong aud",
            sign(
                world,
                Algorithm::RS256,
                "logout+jwt",
                &with("aud", "other-app".into()),
            ),
        ),
        (
            "wrong iss",
            sign(
                world,
                Algorithm::RS256,
                "logout+jwt",
                &with("iss", "https://evil.example".into()),
            ),
        ),
        (
            "missing events",
            sign(world, Algorithm::RS256, "logout+jwt", &without("events")),
        ),
        (
            "a nonce",
            sign(
                world,
                Algorithm::RS256,
                "logout+jwt",
                &with("nonce", "n".into()),
            ),
        ),
        (
            "neither sid nor sub",
            sign(
                world,
                Algorithm::RS256,
                "logout+jwt",
                &without("sid")
                    .as_object()
                    .map(|m| {
                        let mut m = m.clone();
                        m.remove("sub");
                        serde_json::Value::Object(m)
                    })
                    .unwrap(),
            ),
        ),
        ("an ID token", sign(world, Algorithm::RS256, "JWT", &claims)),
        (
            "too old",
            sign(
                world,
                Algorithm::RS256,
                "logout+jwt",
                &with("iat", (now - 3600).into()),
            ),
        ),
        ("garbage", "not.a.jwt".to_owned()),
        ("nothing", String::new()),
    ] {
        assert_refused(world, &token, case).await;
    }
    assert!(
        is_logged_in(&browser).await,
        "none of them ended the session"
    );

    // A proper one ends the session; the same token again is a replay.
    let token = world
        .eulogin
        .oidc
        .tokens
        .logout_token(
            CLIENT_ID,
            &anna.subject,
            &sid,
            Algorithm::RS256,
            world.clock.now(),
        )
        .unwrap();
    let response = post_logout_token(world, &token).await;
    assert_eq!(response.status(), StatusCode::OK);
    assert!(
        response.headers().get("set-cookie").is_none(),
        "no browser cookie"
    );
    assert!(!is_logged_in(&browser).await);
    assert_refused(world, &token, "replayed jti").await;
});

on_both_backends!(
    a_logout_token_with_only_sub_ends_every_session_of_the_person,
    |world| {
        let anna = world.new_person("anna@example.se", "Anna", "Berg").await;
        let bert = world.new_person("bert@example.se", "Bert", "Holm").await;
        let office = world.browser_logged_in(&anna).await;
        let laptop = world.browser_logged_in(&anna).await;
        let berts = world.browser_logged_in(&bert).await;
        let now = world.clock.now().unix_timestamp();
        let claims = serde_json::json!({
            "iss": world.issuer(), "aud": CLIENT_ID, "iat": now, "exp": now + 120,
            "jti": infra::crypto::random_token(), "sub": anna.subject,
            "events": { "http://schemas.openid.net/event/backchannel-logout": {} }
        });
        let token = sign(world, Algorithm::ES256, "logout+jwt", &claims);
        assert_eq!(
            post_logout_token(world, &token).await.status(),
            StatusCode::OK
        );
        assert!(!is_logged_in(&office).await);
        assert!(!is_logged_in(&laptop).await);
        assert!(is_logged_in(&berts).await);
    }
);
