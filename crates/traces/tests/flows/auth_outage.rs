//! traces while eulogin is down: logged-in people keep their pages, bearer calls with a key
//! already held keep working, and a login or a logout says plainly that EU Login cannot be
//! reached, instead of sending the browser to a server that does not answer.

use crate::on_both_backends;
use crate::support::*;
use reqwest::StatusCode;

on_both_backends!(traces_keeps_serving_while_eulogin_is_down, |world| {
    let anna = world.new_person("anna@example.se", "Anna", "Berg").await;
    let browser = world.browser_logged_in(&anna).await;
    let token = world.access_token(&anna).await;
    let api = |token: String| async move {
        reqwest::Client::new()
            .get(world.traces("/api/v1/me"))
            .bearer_auth(token)
            .send()
            .await
            .unwrap()
            .status()
    };
    assert_eq!(api(token.clone()).await, StatusCode::OK);

    world.stop_eulogin().await;
    assert!(
        reqwest::get(world.eulogin("/healthz")).await.is_err(),
        "eulogin no longer answers"
    );
    let (status, body) = browser.get("/account").await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(text_of(&body, "header .user span"), "Anna Berg");
    assert_eq!(browser.get("/").await.0, StatusCode::OK);
    assert_eq!(api(token).await, StatusCode::OK, "the key is held");

    // Someone else tries to log in: a clear page, not a browser error.
    let stranger = world.browser();
    let (status, body) = stranger.get("/auth/login?return_to=/account").await;
    assert_eq!(status, StatusCode::SERVICE_UNAVAILABLE);
    assert_eq!(text_of(&body, "h1"), "EU Login cannot be reached");
    assert!(text_of(&body, "main").contains("try again in a few minutes"));

    // Logging out ends the session here and says eulogin's may still be open.
    let response = browser.post_form("/auth/logout", &[]).await;
    assert_eq!(response.status(), StatusCode::OK);
    let body = response.text().await.unwrap();
    assert_eq!(text_of(&body, "h1"), "You are logged out");
    assert_eq!(browser.get("/account").await.0, StatusCode::SEE_OTHER);
});

on_both_backends!(
    traces_starts_and_serves_pages_before_eulogin_ever_answered,
    |world| {
        world.stop_eulogin().await;
        let browser = world.browser();
        let (status, body) = browser.get("/").await;
        assert_eq!(status, StatusCode::OK);
        assert!(body.contains("/auth/login"), "the way in is shown");
        assert_eq!(browser.get("/healthz").await.0, StatusCode::OK);
        let (status, _) = browser.get("/auth/login").await;
        assert_eq!(status, StatusCode::SERVICE_UNAVAILABLE);
        // No key was ever fetched: a bearer call cannot be judged, and says so.
        let response = reqwest::Client::new()
            .get(world.traces("/api/v1/me"))
            .bearer_auth("eyJhbGciOiJFUzI1NiIsInR5cCI6ImF0K2p3dCIsImtpZCI6ImsifQ.e30.c2ln")
            .send()
            .await
            .unwrap();
        assert_eq!(response.status(), StatusCode::SERVICE_UNAVAILABLE);
        assert_eq!(response.headers()["retry-after"], "60");
        let problem: serde_json::Value = response.json().await.unwrap();
        assert_eq!(problem["type"], "urn:problem:issuer-unavailable");
        // Another call at once fails at once, without trying eulogin again.
        let attempts = world.traces.auth.key_fetch_count();
        let again = reqwest::Client::new()
            .get(world.traces("/api/v1/me"))
            .bearer_auth("eyJhbGciOiJFUzI1NiIsInR5cCI6ImF0K2p3dCIsImtpZCI6ImsifQ.e30.c2ln")
            .send()
            .await
            .unwrap();
        assert_eq!(again.status(), StatusCode::SERVICE_UNAVAILABLE);
        assert_eq!(world.traces.auth.key_fetch_count(), attempts);
    }
);
