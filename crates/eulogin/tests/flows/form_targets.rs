//! The Content-Security-Policy's `form-action` on the pages of a login for an application:
//! Chromium and Safari check it against the redirects after a form is sent, so the pages whose
//! forms lead back to the application name its origin, and no other page does.

use crate::oidc_support::*;
use crate::on_both_backends;
use crate::support::*;

const APPLICATION: &str = "https://app.example.eu";

fn form_action(response: &reqwest::Response) -> String {
    let policy = response.headers()["content-security-policy"]
        .to_str()
        .unwrap();
    let directive = policy
        .split(';')
        .map(str::trim)
        .find(|d| d.starts_with("form-action"))
        .unwrap_or_else(|| panic!("no form-action in {policy}"));
    assert!(policy.contains("default-src 'none'"), "{policy}");
    directive.to_owned()
}

on_both_backends!(
    the_login_pages_of_an_application_may_send_the_browser_back_to_it,
    |app| {
        app.insert_account(USER, STRONG_PASSWORD).await;
        assert_eq!(app.login(USER, STRONG_PASSWORD).await.status(), 303);
        app.add_authenticator().await;
        app.logout().await;
        let client = app.register_client(web_app("csp-app")).await;

        // Pages outside any application's login: this site only.
        assert_eq!(form_action(&app.get("/login").await), "form-action 'self'");
        let unknown = format!("/login?authorization={}", "A".repeat(43));
        assert_eq!(form_action(&app.get(&unknown).await), "form-action 'self'");

        // The login page of the application's request names the application's origin…
        let asked = app.authorize_asking_level(&client, "medium").await;
        let login_page = asked.headers()["location"].to_str().unwrap().to_owned();
        assert!(
            login_page.starts_with("/login?authorization="),
            "{login_page}"
        );
        let expected = format!("form-action 'self' {APPLICATION}");
        assert_eq!(form_action(&app.get(&login_page).await), expected);
        // …and so does its answer to a wrong password (the form is shown again).
        let pending = login_page.trim_start_matches("/login?authorization=");
        let wrong = app
            .post_form(
                "/login",
                &[
                    ("email", USER),
                    ("password", "not the password"),
                    ("authorization", pending),
                ],
            )
            .await;
        assert_eq!(wrong.status(), 401);
        assert_eq!(form_action(&wrong), expected);

        // The second step's pages, whose last form ends in the redirect to the application.
        let password = app
            .post_form(
                "/login",
                &[
                    ("email", USER),
                    ("password", STRONG_PASSWORD),
                    ("authorization", pending),
                ],
            )
            .await;
        assert_eq!(password.headers()["location"], "/login/verify");
        assert_eq!(form_action(&app.get("/login/verify").await), expected);
        assert_eq!(app.choose_method("totp").await.status(), 303);
        assert_eq!(form_action(&app.get("/login/verify/code").await), expected);
    }
);

on_both_backends!(
    the_logout_question_may_send_the_browser_to_the_application,
    |app| {
        app.oidc_user().await;
        let client = app.register_client(web_app("csp-logout-app")).await;
        app.tokens_for(&client, &[]).await;
        let asked = app
            .browser
            .get(app.url("/oidc/logout"))
            .query(&[
                ("client_id", "csp-logout-app"),
                ("post_logout_redirect_uri", LOGGED_OUT_URI),
            ])
            .send()
            .await
            .unwrap();
        assert_eq!(asked.status(), 200);
        assert_eq!(
            form_action(&asked),
            format!("form-action 'self' {APPLICATION}")
        );
        // Without a registered post-logout address, nothing but this site.
        let plain = app.get("/oidc/logout").await;
        assert_eq!(form_action(&plain), "form-action 'self'");
    }
);
