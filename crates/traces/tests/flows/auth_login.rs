//! Logging in to traces through eulogin: the authorization request traces makes, the landing
//! on `return_to` with the person's name, the users row keyed by (issuer, subject), the session
//! cookie, and every refusal: a login below medium, a wrong or replayed `state`, a callback in
//! another browser, an error from eulogin, a `return_to` to another host, a deactivated user.

use crate::on_both_backends;
use crate::support::*;
use infra::Clock as _;
use reqwest::StatusCode;
use url::Url;

/// The first answer of `/auth/login`: the authorization request sent to eulogin.
async fn authorization_request(world: &TestWorld, browser: &TracesBrowser) -> Url {
    let response = browser.get_response("/auth/login?return_to=/account").await;
    assert_eq!(response.status(), StatusCode::SEE_OTHER);
    assert_eq!(response.headers()["cache-control"], "no-store");
    let location = response.headers()["location"].to_str().unwrap().to_owned();
    assert!(
        location.starts_with(&world.eulogin("/oidc/authorize?")),
        "{location}"
    );
    Url::parse(&location).unwrap()
}

on_both_backends!(
    the_authorization_request_asks_for_what_traces_needs,
    |world| {
        let browser = world.browser();
        let request = authorization_request(world, &browser).await;
        assert_eq!(param(&request, "client_id").as_deref(), Some(CLIENT_ID));
        assert_eq!(param(&request, "response_type").as_deref(), Some("code"));
        assert_eq!(
            param(&request, "redirect_uri"),
            Some(world.traces("/auth/callback"))
        );
        let scope = param(&request, "scope").unwrap();
        let mut scopes: Vec<&str> = scope.split(' ').collect();
        scopes.sort_unstable();
        assert_eq!(scopes, ["email", "openid", "profile"]);
        assert_eq!(param(&request, "acr_values"), Some(world.acr("medium")));
        assert_eq!(
            param(&request, "code_challenge_method").as_deref(),
            Some("S256")
        );
        assert_eq!(param(&request, "code_challenge").map(|c| c.len()), Some(43));
        assert!(param(&request, "nonce").is_some_and(|n| n.len() >= 43));
        assert!(param(&request, "state").is_some_and(|s| s.len() >= 43));
        // Another request, other secrets.
        let again = authorization_request(world, &browser).await;
        assert_ne!(param(&again, "state"), param(&request, "state"));
        assert_ne!(param(&again, "nonce"), param(&request, "nonce"));
    }
);

on_both_backends!(
    a_full_login_lands_on_return_to_with_the_name_in_the_header,
    |world| {
        let anna = world.new_person("anna@example.se", "Anna", "Berg").await;
        let browser = world.browser();
        // A page for logged-in people sends the browser to log in, and the login brings it back.
        let first = browser.get_response("/account?tab=profile").await;
        assert_eq!(first.status(), StatusCode::SEE_OTHER);
        assert_eq!(
            first.headers()["location"],
            "/auth/login?return_to=%2Faccount%3Ftab%3Dprofile"
        );
        let start = world.traces(first.headers()["location"].to_str().unwrap());
        let journey = world.drive(&browser, &start, Some(&anna), None).await;
        let Journey::Page(url, status, body) = journey else {
            panic!("{journey:?}");
        };
        assert_eq!(url.as_str(), world.traces("/account?tab=profile"));
        assert_eq!(status, StatusCode::OK, "{body}");
        assert_eq!(text_of(&body, "header .user span"), anna.display_name());
        assert!(text_of(&body, "main").contains("anna@example.se"));
        assert!(text_of(&body, "main").contains("With a second factor"));
        // The home page knows the person too.
        let (_, home) = browser.get("/").await;
        assert_eq!(text_of(&home, "header .user span"), "Anna Berg");

        // The users row: keyed by eulogin's issuer and subject, with the copies from the ID token.
        let user = world.traces_user(&anna).await.expect("a users row");
        assert_eq!(user.issuer, world.issuer());
        assert_eq!(user.subject, anna.subject);
        assert_eq!(user.email, "anna@example.se");
        assert_eq!(
            (user.given_name.as_str(), user.family_name.as_str()),
            ("Anna", "Berg")
        );
        assert_eq!(user.language, "en");
        assert_eq!(user.last_seen_at, world.clock.now());
        // The session remembers what the login proved.
        let session = browser.session(world).await.expect("an open session");
        assert_eq!(session.record.user_id, user.id);
        assert_eq!(session.record.acr, world.acr("medium"));
        assert_eq!(session.record.amr, ["pwd", "otp", "mfa"]);
        assert!(session.record.sid.is_some());
    }
);

on_both_backends!(
    each_login_refreshes_the_copies_and_never_matches_by_email,
    |world| {
        let anna = world.new_person("anna@example.se", "Anna", "Berg").await;
        world.browser_logged_in(&anna).await;
        let first = world.traces_user(&anna).await.unwrap();
        // Anna changes her name and language at EU Login; a day later she logs in again.
        let (id, now) = (anna.account_id.clone(), world.clock.now());
        world
            .eulogin
            .db
            .run(move |c| {
                Ok(eulogin::store::accounts::update_profile(
                    c,
                    &id,
                    "Anna-Karin",
                    "Lind",
                    "sv",
                    now,
                )?)
            })
            .await
            .unwrap();
        world.clock.advance(time::Duration::days(1));
        let browser = world.browser_logged_in(&anna).await;
        let again = world.traces_user(&anna).await.unwrap();
        assert_eq!(again.id, first.id, "the same row");
        assert_eq!(again.given_name, "Anna-Karin");
        assert_eq!(again.family_name, "Lind");
        assert_eq!(again.language, "sv");
        assert_eq!(again.last_seen_at, world.clock.now());
        assert_eq!(again.created_at, first.created_at);
        let (_, home) = browser.get("/").await;
        assert_eq!(text_of(&home, "header .user span"), "Anna-Karin Lind");
        // Another person who takes over Anna's old address is another user.
        let other = world
            .new_person("anna.other@example.se", "Anna", "Berg")
            .await;
        world.browser_logged_in(&other).await;
        assert_ne!(world.traces_user(&other).await.unwrap().id, first.id);
    }
);

on_both_backends!(the_session_cookie_is_opaque_http_only_and_lax, |world| {
    let anna = world.new_person("anna@example.se", "Anna", "Berg").await;
    let browser = world.browser();
    let callback = world
        .log_in_until_callback(&browser, &anna, &login_url(&world.traces_url, "/"))
        .await;
    let response = browser.client.get(callback).send().await.unwrap();
    assert_eq!(response.status(), StatusCode::SEE_OTHER);
    let set_cookies: Vec<String> = response
        .headers()
        .get_all("set-cookie")
        .iter()
        .map(|v| v.to_str().unwrap().to_owned())
        .collect();
    let session = set_cookies
        .iter()
        .find(|c| c.starts_with("traces-session="))
        .expect("a session cookie");
    let attributes: Vec<String> = session.split("; ").map(str::to_lowercase).collect();
    assert!(attributes.contains(&"httponly".to_owned()), "{session}");
    assert!(attributes.contains(&"samesite=lax".to_owned()), "{session}");
    assert!(attributes.contains(&"path=/".to_owned()), "{session}");
    assert!(
        !attributes.contains(&"secure".to_owned()),
        "http on localhost: {session}"
    );
    // Opaque: 256 random bits, nothing about the person or the tokens.
    let value = session
        .split(';')
        .next()
        .unwrap()
        .trim_start_matches("traces-session=");
    assert_eq!(value.len(), 43);
    assert!(!value.contains('.'), "not a JWT");
    let user = world.traces_user(&anna).await.unwrap();
    assert!(!value.contains(&user.id) && !value.contains(&anna.subject));
    // No cookie carries a token.
    for cookie in &set_cookies {
        assert!(cookie.len() < 200, "{cookie}");
    }
    // A new login gives a new session id (no fixation), and the old one no longer works.
    let old = browser.session_cookie().unwrap();
    let (url, _, _) = world.log_in(&browser, &anna, "/").await;
    assert_eq!(url.as_str(), world.traces("/"));
    let new = browser.session_cookie().unwrap();
    assert_ne!(old, new);
    assert!(
        traces::auth::session::find(&world.traces.kv, &old, world.clock.now())
            .await
            .unwrap()
            .is_none()
    );
});

on_both_backends!(a_login_below_the_medium_level_is_refused, |world| {
    let anna = world.new_person("anna@example.se", "Anna", "Berg").await;
    let browser = world.browser();
    // Someone edits the authorization request to drop `acr_values`: eulogin, whose
    // registration of traces accepts any level, is then content with the password alone.
    let mut request = authorization_request(world, &browser).await;
    let kept: Vec<(String, String)> = request
        .query_pairs()
        .filter(|(name, _)| name != "acr_values")
        .map(|(n, v)| (n.into_owned(), v.into_owned()))
        .collect();
    request.query_pairs_mut().clear().extend_pairs(kept);
    let callback = world
        .log_in_until_callback(&browser, &anna, request.as_str())
        .await;
    let response = browser.client.get(callback).send().await.unwrap();
    assert_eq!(response.status(), StatusCode::FORBIDDEN);
    assert!(
        response
            .headers()
            .get_all("set-cookie")
            .iter()
            .all(|c| !c.to_str().unwrap().starts_with("traces-session=")),
        "no session"
    );
    let body = response.text().await.unwrap();
    assert_eq!(text_of(&body, "h1"), "A second factor is needed");
    assert!(browser.session_cookie().is_none());
    let (status, _) = browser.get("/account").await;
    assert_eq!(status, StatusCode::SEE_OTHER);
    assert!(
        world.traces_user(&anna).await.is_none(),
        "nobody was let in"
    );
});

on_both_backends!(a_wrong_or_replayed_state_is_refused, |world| {
    let anna = world.new_person("anna@example.se", "Anna", "Berg").await;
    let browser = world.browser();
    let callback = world
        .log_in_until_callback(&browser, &anna, &login_url(&world.traces_url, "/account"))
        .await;
    // A state traces never gave.
    let mut forged = callback.clone();
    let pairs: Vec<(String, String)> = callback
        .query_pairs()
        .map(|(n, v)| {
            let v = if n == "state" {
                format!("{v}x")
            } else {
                v.into_owned()
            };
            (n.into_owned(), v)
        })
        .collect();
    forged.query_pairs_mut().clear().extend_pairs(pairs);
    let refused = browser.client.get(forged).send().await.unwrap();
    assert_eq!(refused.status(), StatusCode::BAD_REQUEST);
    let body = refused.text().await.unwrap();
    assert_eq!(text_of(&body, "h1"), "The login did not succeed");
    assert!(text_of(&body, "main").contains("took too long or was already completed"));
    // The real one works once…
    let done = browser.client.get(callback.clone()).send().await.unwrap();
    assert_eq!(done.status(), StatusCode::SEE_OTHER);
    assert_eq!(done.headers()["location"], "/account");
    // …and only once.
    let replayed = browser.client.get(callback).send().await.unwrap();
    assert_eq!(replayed.status(), StatusCode::BAD_REQUEST);
    // No state at all.
    let (status, _) = browser.get("/auth/callback?code=abc").await;
    assert_eq!(status, StatusCode::BAD_REQUEST);
});

on_both_backends!(a_callback_in_another_browser_is_refused, |world| {
    // Mallory starts a login with her own account and sends Anna the callback link: Anna's
    // browser must not end up logged in as Mallory.
    let mallory = world
        .new_person("mallory@example.se", "Mallory", "Evil")
        .await;
    let hers = world.browser();
    let callback = world
        .log_in_until_callback(&hers, &mallory, &login_url(&world.traces_url, "/"))
        .await;
    let annas = world.browser();
    let (status, body) = annas
        .get(&callback.as_str()[world.traces_url.len()..])
        .await;
    assert_eq!(status, StatusCode::BAD_REQUEST);
    assert!(text_of(&body, "main").contains("started in another browser"));
    assert!(annas.session_cookie().is_none());
});

on_both_backends!(an_error_from_eulogin_is_explained, |world| {
    let browser = world.browser();
    for (error, status, text) in [
        (
            "access_denied",
            StatusCode::UNAUTHORIZED,
            "cancelled at EU Login",
        ),
        ("login_required", StatusCode::UNAUTHORIZED, "log in again"),
        (
            "temporarily_unavailable",
            StatusCode::SERVICE_UNAVAILABLE,
            "try again in a few minutes",
        ),
        (
            "invalid_scope",
            StatusCode::BAD_REQUEST,
            "could not confirm who you are",
        ),
    ] {
        let request = authorization_request(world, &browser).await;
        let state = param(&request, "state").unwrap();
        let mut callback = Url::parse(&world.traces("/auth/callback")).unwrap();
        callback
            .query_pairs_mut()
            .append_pair("error", error)
            .append_pair("error_description", "<script>alert(1)</script>")
            .append_pair("state", &state)
            .append_pair("iss", world.issuer());
        let response = browser.client.get(callback).send().await.unwrap();
        assert_eq!(response.status(), status, "{error}");
        let body = response.text().await.unwrap();
        assert!(text_of(&body, "main").contains(text), "{error}: {body}");
        assert!(
            !body.contains("<script>alert"),
            "eulogin's text is not shown"
        );
    }
});

on_both_backends!(an_answer_naming_another_issuer_is_refused, |world| {
    let anna = world.new_person("anna@example.se", "Anna", "Berg").await;
    let browser = world.browser();
    let callback = world
        .log_in_until_callback(&browser, &anna, &login_url(&world.traces_url, "/"))
        .await;
    let pairs: Vec<(String, String)> = callback
        .query_pairs()
        .map(|(n, v)| {
            let v = if n == "iss" {
                "https://evil.example".to_owned()
            } else {
                v.into_owned()
            };
            (n.into_owned(), v)
        })
        .collect();
    let mut mixed_up = callback.clone();
    mixed_up.query_pairs_mut().clear().extend_pairs(pairs);
    let response = browser.client.get(mixed_up).send().await.unwrap();
    assert_eq!(response.status(), StatusCode::BAD_REQUEST);
    assert!(browser.session_cookie().is_none());
});

on_both_backends!(
    return_to_another_host_falls_back_to_the_home_page,
    |world| {
        let anna = world.new_person("anna@example.se", "Anna", "Berg").await;
        for evil in [
            "//evil.example/x",
            "https://evil.example/",
            "/\\evil.example",
            "/auth/login",
        ] {
            let browser = world.browser();
            let (url, status, _) = world.log_in(&browser, &anna, evil).await;
            assert_eq!(status, StatusCode::OK, "{evil}");
            assert_eq!(url.as_str(), world.traces("/"), "{evil}");
        }
    }
);

on_both_backends!(
    a_deactivated_user_is_sent_to_the_deactivated_page,
    |world| {
        let anna = world.new_person("anna@example.se", "Anna", "Berg").await;
        let browser = world.browser_logged_in(&anna).await;
        let user = world.traces_user(&anna).await.unwrap();
        let now = infra::db::to_db_time(world.clock.now());
        world
            .traces
            .db
            .write(move |c| {
                use diesel::prelude::*;
                use traces::store::schema::users;
                diesel::update(users::table.filter(users::id.eq(&user.id)))
                    .set(users::deactivated_at.eq(Some(now)))
                    .execute(c)?;
                Ok(())
            })
            .await
            .unwrap();
        let response = browser.get_response("/account").await;
        assert_eq!(response.status(), StatusCode::SEE_OTHER);
        assert_eq!(response.headers()["location"], "/deactivated");
    }
);

on_both_backends!(
    last_seen_is_recorded_by_pages_at_most_every_few_minutes,
    |world| {
        let anna = world.new_person("anna@example.se", "Anna", "Berg").await;
        let browser = world.browser_logged_in(&anna).await;
        let login = world.traces_user(&anna).await.unwrap().last_seen_at;
        world.clock.advance(time::Duration::minutes(1));
        assert_eq!(browser.get("/account").await.0, StatusCode::OK);
        assert_eq!(world.traces_user(&anna).await.unwrap().last_seen_at, login);
        world.clock.advance(time::Duration::minutes(10));
        assert_eq!(browser.get("/account").await.0, StatusCode::OK);
        assert_eq!(
            world.traces_user(&anna).await.unwrap().last_seen_at,
            world.clock.now()
        );
    }
);
