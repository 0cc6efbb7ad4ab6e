//! The 90-minute, single-use, superseding links, and "Forgot your password".

use crate::on_both_backends;
use crate::support::*;
use time::Duration;

async fn registration_link(app: &TestApp, email: &str) -> String {
    assert_eq!(app.register(email).await.status(), 200);
    link_in(&app.last_mail_to(email).await)
}

on_both_backends!(a_link_works_at_89_59_and_not_at_90_01, |app| {
    let early = registration_link(app, "early@example.se").await;
    app.clock
        .advance(Duration::minutes(89) + Duration::seconds(59));
    assert_eq!(app.get(&early.replace(&app.base, "")).await.status(), 200);
    assert_eq!(
        app.set_password(&early, STRONG_PASSWORD).await.status(),
        200
    );

    let late = registration_link(app, "late@example.se").await;
    app.clock
        .advance(Duration::minutes(90) + Duration::seconds(1));
    let opened = app.get(&late.replace(&app.base, "")).await;
    assert_eq!(opened.status(), 410);
    assert!(opened.text().await.unwrap().contains("no longer works"));
    let submitted = app.set_password(&late, STRONG_PASSWORD).await;
    assert_eq!(submitted.status(), 410);
    assert_eq!(
        app.login("late@example.se", STRONG_PASSWORD).await.status(),
        401
    );
});

on_both_backends!(a_used_link_cannot_be_used_again, |app| {
    let link = registration_link(app, "once@example.se").await;
    assert_eq!(app.set_password(&link, STRONG_PASSWORD).await.status(), 200);
    let again = app.set_password(&link, OTHER_STRONG_PASSWORD).await;
    assert_eq!(again.status(), 410);
    assert_eq!(
        app.login("once@example.se", STRONG_PASSWORD).await.status(),
        303
    );
    assert_eq!(
        app.login("once@example.se", OTHER_STRONG_PASSWORD)
            .await
            .status(),
        401
    );
});

on_both_backends!(a_newer_link_voids_the_older_one, |app| {
    let first = registration_link(app, "twice@example.se").await;
    let second = registration_link(app, "twice@example.se").await;
    assert_ne!(first, second);
    assert_eq!(
        app.set_password(&first, STRONG_PASSWORD).await.status(),
        410
    );
    assert_eq!(
        app.set_password(&second, STRONG_PASSWORD).await.status(),
        200
    );
});

on_both_backends!(links_are_stored_only_as_hashes, |app| {
    let link = registration_link(app, "hash@example.se").await;
    let token = token_of(&link);
    let stored: Vec<String> = app
        .state
        .db
        .run(|c| {
            use diesel::prelude::*;
            use eulogin::store::schema::account_links::dsl::*;
            Ok(account_links.select(token_hash).load::<String>(c)?)
        })
        .await
        .unwrap();
    assert_eq!(stored, vec![infra::crypto::sha256_hex(token.as_bytes())]);
    assert!(!stored.contains(&token));
});

on_both_backends!(
    a_weak_password_is_refused_with_its_reason_and_the_link_still_works,
    |app| {
        let link = registration_link(app, "weak@example.se").await;
        let cases = [
            ("short", "is too short"),
            ("password1234", "too common"),
            ("abcdefghijklmnop", "pattern"),
            ("AnnaBerg2026!", "your name or e-mail"),
        ];
        for (password, reason) in cases {
            let response = app.set_password(&link, password).await;
            assert_eq!(response.status(), 422, "{password}");
            let html = response.text().await.unwrap();
            assert!(
                text_of(&html, "#password-error").contains(reason),
                "{password}: {}",
                text_of(&html, "#password-error")
            );
        }
        let mismatch = app
            .post_form(
                "/password/new",
                &[
                    ("token", &token_of(&link)),
                    ("password", STRONG_PASSWORD),
                    ("password_confirm", OTHER_STRONG_PASSWORD),
                ],
            )
            .await;
        assert_eq!(mismatch.status(), 422);
        let long = "granite owl whispers beneath a crooked lighthouse while seventeen copper kettles hum old sea shanties to the patient tide at dawn, twice";
        assert!(long.chars().count() >= 128);
        assert_eq!(
            app.set_password(&link, long).await.status(),
            200,
            "128+ characters are accepted"
        );
    }
);

on_both_backends!(
    forgot_password_answers_the_same_for_unknown_addresses,
    |app| {
        app.create_account("real@example.se", STRONG_PASSWORD).await;
        let before = app.mails().await.len();
        let known = app
            .post_form("/password/forgot", &[("email", "real@example.se")])
            .await;
        let unknown = app
            .post_form("/password/forgot", &[("email", "ghost@example.se")])
            .await;
        assert_eq!(known.status(), unknown.status());
        let known_text =
            text_of(&known.text().await.unwrap(), "main").replace("real@example.se", "X");
        let unknown_text =
            text_of(&unknown.text().await.unwrap(), "main").replace("ghost@example.se", "X");
        assert_eq!(known_text, unknown_text);
        let mails = app.mails().await;
        assert_eq!(mails.len(), before + 1, "only the real account gets a mail");
        assert!(mails.last().unwrap().to.contains("real@example.se"));
    }
);

on_both_backends!(
    links_are_built_from_the_public_url_not_the_host_header,
    |app| {
        app.create_account("host@example.se", STRONG_PASSWORD).await;
        let token = app.csrf_token().await;
        let response = app
            .browser
            .post(app.url("/password/forgot"))
            .header("Host", "evil.example.com")
            .header("X-Forwarded-Host", "evil.example.com")
            .form(&[("csrf_token", token.as_str()), ("email", "host@example.se")])
            .send()
            .await
            .unwrap();
        assert_eq!(response.status(), 200);
        let mail = app.last_mail_to("host@example.se").await;
        let link = link_in(&mail);
        assert!(link.starts_with(&app.url("/password/new?token=")), "{link}");
        assert!(!mail.body.contains("evil.example.com"));
    }
);
