//! CSRF, security headers, rate limits and the captcha.

use crate::on_both_backends;
use crate::support::*;

on_both_backends!(a_post_without_the_csrf_token_is_refused, |app| {
    app.create_account("csrf@example.se", STRONG_PASSWORD).await;
    let _ = app.get("/login").await; // the browser has its CSRF cookie
    for path in ["/login", "/register", "/password/forgot", "/logout"] {
        let response = app
            .browser
            .post(app.url(path))
            .form(&[("email", "csrf@example.se"), ("password", STRONG_PASSWORD)])
            .send()
            .await
            .unwrap();
        assert_eq!(response.status(), 403, "{path}");
        assert!(
            response
                .text()
                .await
                .unwrap()
                .contains("This form has expired")
        );
    }
    let forged = app
        .browser
        .post(app.url("/login"))
        .form(&[
            ("csrf_token", "forged"),
            ("email", "csrf@example.se"),
            ("password", STRONG_PASSWORD),
        ])
        .send()
        .await
        .unwrap();
    assert_eq!(forged.status(), 403);
    // A token from another browser does not fit this browser's cookie.
    let other_token = app.other_browser().csrf_token().await;
    let foreign = app
        .browser
        .post(app.url("/login"))
        .form(&[
            ("csrf_token", other_token.as_str()),
            ("email", "csrf@example.se"),
            ("password", STRONG_PASSWORD),
        ])
        .send()
        .await
        .unwrap();
    assert_eq!(foreign.status(), 403);
    // A cross-site POST with a valid token is refused by the browser's own word.
    let token = app.csrf_token().await;
    let cross = app
        .browser
        .post(app.url("/login"))
        .header("Sec-Fetch-Site", "cross-site")
        .header("Origin", "https://evil.example")
        .form(&[
            ("csrf_token", token.as_str()),
            ("email", "csrf@example.se"),
            ("password", STRONG_PASSWORD),
        ])
        .send()
        .await
        .unwrap();
    assert_eq!(cross.status(), 403);
    assert_eq!(
        app.failed_logins("csrf@example.se").await,
        0,
        "refused before any password check"
    );
});

on_both_backends!(every_page_carries_the_security_headers, |app| {
    for path in ["/login", "/register", "/password/forgot", "/no-such-page"] {
        let response = app.get(path).await;
        let headers = response.headers();
        let csp = headers["content-security-policy"].to_str().unwrap();
        assert!(
            csp.contains("frame-ancestors 'none'") && csp.contains("default-src 'none'"),
            "{path}: {csp}"
        );
        assert!(!csp.contains("unsafe-inline"));
        assert_eq!(headers["x-content-type-options"], "nosniff");
        assert_eq!(headers["referrer-policy"], "no-referrer");
        assert_eq!(headers["cache-control"], "no-store");
        assert!(headers.contains_key("x-request-id"));
    }
    let missing = app.get("/no-such-page").await;
    assert_eq!(missing.status(), 404);
    assert!(
        missing
            .text()
            .await
            .unwrap()
            .contains("There is no page at this address.")
    );
});

on_both_backends!(
    malformed_input_gets_a_clear_answer_and_no_internal_text,
    |app| {
        let token = app.csrf_token().await;
        let huge = "a".repeat(20_000);
        let response = app
            .browser
            .post(app.url("/register"))
            .form(&[
                ("csrf_token", token.as_str()),
                ("first_name", huge.as_str()),
            ])
            .send()
            .await
            .unwrap();
        assert_eq!(response.status(), 400);
        let html = response.text().await.unwrap();
        assert!(html.contains("The form could not be read"));
        assert!(
            !html.to_lowercase().contains("urlencoded") && !html.contains("payload"),
            "{html}"
        );
        let garbage = app
            .browser
            .post(app.url("/login"))
            .header("Content-Type", "application/x-www-form-urlencoded")
            .body("%%%&&&=")
            .send()
            .await
            .unwrap();
        assert!(garbage.status() == 400 || garbage.status() == 403);
    }
);

#[actix_web::test]
async fn mail_sending_is_rate_limited_per_address_without_telling_who_exists() {
    for backends in [Backends::Embedded, Backends::Production] {
        let app = TestApp::spawn_with(backends, |s| s.limits.mail_per_address.max = 3).await;
        app.create_account("limit@example.se", STRONG_PASSWORD)
            .await;
        for _ in 0..2 {
            assert_eq!(
                app.post_form("/password/forgot", &[("email", "limit@example.se")])
                    .await
                    .status(),
                200
            );
        }
        let refused = app
            .post_form("/password/forgot", &[("email", "limit@example.se")])
            .await;
        assert_eq!(refused.status(), 429, "{backends:?}");
        assert!(refused.headers().contains_key("retry-after"));
        // Another address is not affected; an unknown one is limited the same way.
        assert_eq!(
            app.post_form("/password/forgot", &[("email", "someone@example.se")])
                .await
                .status(),
            200
        );
        app.cleanup().await;
    }
}

#[actix_web::test]
async fn logins_are_rate_limited_per_client_address() {
    for backends in [Backends::Embedded, Backends::Production] {
        let app = TestApp::spawn_with(backends, |s| s.limits.login_per_ip.max = 3).await;
        for _ in 0..3 {
            assert_eq!(
                app.login("someone@example.se", "wrong password guess")
                    .await
                    .status(),
                401
            );
        }
        assert_eq!(
            app.login("someone@example.se", "wrong password guess")
                .await
                .status(),
            429,
            "{backends:?}"
        );
        app.cleanup().await;
    }
}

#[actix_web::test]
async fn the_captcha_must_be_solved_and_has_an_audio_alternative() {
    for backends in [Backends::Embedded, Backends::Production] {
        let app = TestApp::spawn_with(backends, |s| s.captcha = true).await;
        let page = app.get("/register").await.text().await.unwrap();
        let id = hidden_input(&page, "captcha_id").expect("captcha on the form");
        let image = app.get(&format!("/captcha/{id}/image")).await;
        assert_eq!(image.headers()["content-type"], "image/png");
        assert_eq!(&image.bytes().await.unwrap()[1..4], b"PNG");
        let audio = app.get(&format!("/captcha/{id}/audio")).await;
        assert_eq!(audio.headers()["content-type"], "audio/wav");
        assert_eq!(&audio.bytes().await.unwrap()[0..4], b"RIFF");

        let fields = |id: String, answer: &'static str| {
            vec![
                ("first_name", "Anna".to_owned()),
                ("last_name", "Berg".to_owned()),
                ("email", "cap@example.se".to_owned()),
                ("email_confirm", "cap@example.se".to_owned()),
                ("language", "en".to_owned()),
                ("privacy", "yes".to_owned()),
                ("captcha_id", id),
                ("captcha_answer", answer.to_owned()),
            ]
        };
        let wrong = submit(&app, fields(id.clone(), "zzzzz")).await;
        assert_eq!(wrong.status(), 422);
        let html = wrong.text().await.unwrap();
        assert!(text_of(&html, "#captcha_answer-error").contains("does not match"));
        assert_eq!(
            hidden_input(&html, "email").as_deref(),
            Some("cap@example.se"),
            "the form keeps what was typed"
        );

        // The right code, read from the store as a person reads the image.
        let id = hidden_input(&html, "captcha_id").unwrap();
        let code = app
            .state
            .kv
            .get(&format!("captcha:{id}"))
            .await
            .unwrap()
            .unwrap();
        let answer: &'static str = Box::leak(code.to_uppercase().into_boxed_str());
        let right = submit(&app, fields(id.clone(), answer)).await;
        assert_eq!(right.status(), 200, "case does not matter");
        // A solved challenge cannot be replayed.
        assert_eq!(submit(&app, fields(id, answer)).await.status(), 422);
        app.cleanup().await;
    }
}

async fn submit(app: &TestApp, fields: Vec<(&str, String)>) -> reqwest::Response {
    let refs: Vec<(&str, &str)> = fields.iter().map(|(k, v)| (*k, v.as_str())).collect();
    app.post_form("/register", &refs).await
}

#[test]
fn development_switches_are_refused_with_a_public_url() {
    use clap::Parser;
    let parse = |args: &[&str]| eulogin::Settings::from_cli(eulogin::Cli::parse_from(args));
    assert!(
        parse(&[
            "eulogin",
            "--public-url=https://login.example.eu",
            "--captcha=off",
            "--secret-key=0123456789abcdef0123456789abcdef"
        ])
        .is_err()
    );
    assert!(
        parse(&["eulogin", "--public-url=https://login.example.eu"]).is_err(),
        "a public deployment needs a secret key"
    );
    assert!(
        parse(&[
            "eulogin",
            "--public-url=http://login.example.eu",
            "--secret-key=0123456789abcdef0123456789abcdef"
        ])
        .is_err(),
        "plain http only on localhost"
    );
    assert!(
        parse(&[
            "eulogin",
            "--public-url=https://login.example.eu",
            "--secret-key=0123456789abcdef0123456789abcdef"
        ])
        .is_ok()
    );
}

#[actix_web::test]
async fn on_https_cookies_are_host_prefixed_and_secure() {
    let app = TestApp::spawn_with(Backends::Embedded, |s| {
        s.public_url = url::Url::parse("https://login.example.eu").unwrap();
    })
    .await;
    app.create_account_without_browser_cookies().await;
    let page = reqwest::Client::new()
        .get(app.url("/login"))
        .send()
        .await
        .unwrap();
    assert!(
        page.headers()["strict-transport-security"]
            .to_str()
            .unwrap()
            .contains("max-age=")
    );
    let csrf_cookie = page.headers()["set-cookie"].to_str().unwrap().to_owned();
    assert!(
        csrf_cookie.starts_with("__Host-csrf=") && csrf_cookie.contains("Secure"),
        "{csrf_cookie}"
    );
    let html = page.text().await.unwrap();
    let token = hidden_input(&html, "csrf_token").unwrap();
    let csrf_pair = csrf_cookie.split(';').next().unwrap().to_owned();
    let login = reqwest::Client::builder()
        .redirect(reqwest::redirect::Policy::none())
        .build()
        .unwrap()
        .post(app.url("/login"))
        .header("Cookie", csrf_pair)
        .form(&[
            ("csrf_token", token.as_str()),
            ("email", "https@example.se"),
            ("password", STRONG_PASSWORD),
        ])
        .send()
        .await
        .unwrap();
    assert_eq!(login.status(), 303);
    let session = login.headers()["set-cookie"].to_str().unwrap();
    assert!(session.starts_with("__Host-eulogin_session="), "{session}");
    for flag in ["Secure", "HttpOnly", "SameSite=Lax", "Path=/"] {
        assert!(session.contains(flag), "{flag} in {session}");
    }
    assert!(!session.contains("Domain="));
}
