//! A login made for an application: the login form's answer (or its second step's) is the
//! application's answer (the code, `state` and `iss`), with the new session's cookie; a
//! request that expired meanwhile is said to have expired, and the person stays logged in.

use crate::oidc_support::*;
use crate::on_both_backends;
use crate::support::*;
use eulogin::oidc::authorization::PENDING_LIFETIME;
use time::Duration;

/// Starts an authorization for `client` without a session (with a nonce and `extra`
/// parameters); gives the pending request's id from the login page eulogin sends the browser
/// to.
async fn login_page_for(app: &TestApp, client: &TestClient, extra: &[(&str, &str)]) -> String {
    let mut params = authorization_params(client, &[("nonce", "nonce-456")]);
    params.extend_from_slice(extra);
    let first = app.authorize(&params).await;
    assert_eq!(first.status(), 303);
    let login = first.headers()["location"].to_str().unwrap().to_owned();
    assert!(login.starts_with("/login?authorization="), "{login}");
    let html = app.get(&login).await.text().await.unwrap();
    hidden_input(&html, "authorization").expect("the login form carries the request")
}

async fn submit_login(app: &TestApp, pending: &str) -> reqwest::Response {
    app.post_form(
        "/login",
        &[
            ("authorization", pending),
            ("email", USER),
            ("password", STRONG_PASSWORD),
        ],
    )
    .await
}

on_both_backends!(
    the_login_form_answers_the_application_with_the_code_at_once,
    |app| {
        app.oidc_user().await;
        let client = app.register_client(web_app("direct-app")).await;
        let pending = login_page_for(app, &client, &[]).await;

        let answer = submit_login(app, &pending).await;
        assert_eq!(answer.status(), 303);
        let session = session_set_cookie(&answer);
        let back = url::Url::parse(answer.headers()["location"].to_str().unwrap()).unwrap();
        assert!(back.as_str().starts_with(REDIRECT_URI), "{back}");
        assert_eq!(param(&back, "state").as_deref(), Some("state-123"));
        assert_eq!(param(&back, "iss").as_deref(), Some(app.base.as_str()));
        let code = param(&back, "code").expect("a code in the login's answer");

        // The code is a normal one: it gives the ID token of this request and this person.
        let tokens = app.tokens_of_code(&client, &code).await;
        let claims = claims_of(tokens["id_token"].as_str().unwrap());
        assert_eq!(claims["nonce"], "nonce-456");
        assert_eq!(claims["email"], USER);
        assert!(session.contains("HttpOnly"), "{session}");
        let events = app.audit_events(USER).await;
        assert_eq!(
            events[..2],
            ["application_login", "login_succeeded"],
            "newest first"
        );

        // The request is answered: it cannot be answered a second time.
        let again = app
            .get(&format!("/oidc/authorize/continue?authorization={pending}"))
            .await;
        assert_eq!(again.status(), 400);

        // And the session is the browser's SSO session: the next request needs no page.
        let next = app
            .authorize(&authorization_params(&client, &[("scope", "openid")]))
            .await;
        assert_eq!(next.status(), 303);
        let location = next.headers()["location"].to_str().unwrap();
        assert!(location.starts_with(REDIRECT_URI), "{location}");
    }
);

on_both_backends!(
    a_login_whose_request_expired_meanwhile_says_so_and_keeps_the_session,
    |app| {
        app.oidc_user().await;
        let client = app.register_client(web_app("slow-login-app")).await;
        let pending = login_page_for(app, &client, &[]).await;
        app.clock.advance(PENDING_LIFETIME + Duration::seconds(1));

        let answer = submit_login(app, &pending).await;
        assert_eq!(answer.status(), 303);
        session_set_cookie(&answer);
        let location = answer.headers()["location"].to_str().unwrap().to_owned();
        assert_eq!(
            location,
            format!("/oidc/authorize/continue?authorization={pending}")
        );
        let page = app.get(&location).await;
        assert_eq!(page.status(), 400);
        assert!(
            page.text()
                .await
                .unwrap()
                .contains("This login request has expired or was already completed."),
        );
        assert_eq!(
            app.get("/account").await.status(),
            200,
            "the person is logged in all the same"
        );
    }
);

on_both_backends!(
    a_logins_second_step_answers_the_application_with_the_code_at_once,
    |app| {
        app.insert_account(USER, STRONG_PASSWORD).await;
        assert_eq!(app.login(USER, STRONG_PASSWORD).await.status(), 303);
        let seed = app.add_authenticator().await;
        app.logout().await;
        let client = app.register_client(web_app("two-step-app")).await;
        let medium = format!("{}/loa/medium", app.base);
        let pending = login_page_for(app, &client, &[("acr_values", medium.as_str())]).await;

        let password = submit_login(app, &pending).await;
        assert_eq!(password.status(), 303);
        assert_eq!(password.headers()["location"], "/login/verify");
        app.choose_method("totp").await;
        app.clock.advance(Duration::seconds(30));
        let answer = app.type_code(&app.authenticator_code(&seed, 0)).await;
        assert_eq!(answer.status(), 303);
        session_set_cookie(&answer);
        let back = url::Url::parse(answer.headers()["location"].to_str().unwrap()).unwrap();
        assert!(back.as_str().starts_with(REDIRECT_URI), "{back}");
        assert_eq!(param(&back, "state").as_deref(), Some("state-123"));
        let code = param(&back, "code").expect("a code in the second step's answer");
        let tokens = app.tokens_of_code(&client, &code).await;
        assert_eq!(
            claims_of(tokens["id_token"].as_str().unwrap())["acr"],
            medium
        );
    }
);
