//! Creating an account: the form, its validation, the e-mailed link, and no enumeration.

use crate::on_both_backends;
use crate::support::*;

on_both_backends!(registration_emails_a_link_that_sets_the_password, |app| {
    let response = app.register("Anna.Berg@Example.se").await;
    assert_eq!(response.status(), 200);
    let page = response.text().await.unwrap();
    assert!(page.contains("Check your e-mail"), "{page}");
    assert!(page.contains("anna.berg@example.se"));

    let mail = app.last_mail_to("anna.berg@example.se").await;
    assert!(
        mail.subject.contains("set your password"),
        "{}",
        mail.subject
    );
    assert!(mail.body.contains("Hello Anna"));
    assert!(mail.body.contains("90 minutes"));
    let link = link_in(&mail);
    assert!(link.starts_with(&app.url("/password/new?token=")), "{link}");

    // The link opens a form for the new password that names the person.
    let form = app.get(&link.replace(&app.base, "")).await;
    assert_eq!(form.status(), 200);
    let html = form.text().await.unwrap();
    assert!(html.contains("Hello Anna"));
    assert!(html.contains(r#"autocomplete="new-password""#));

    assert_eq!(app.set_password(&link, STRONG_PASSWORD).await.status(), 200);
    let login = app.login("anna.berg@example.se", STRONG_PASSWORD).await;
    assert_eq!(login.status(), 303);
    assert_eq!(login.headers()["location"], "/account");
    let events = app.audit_events("anna.berg@example.se").await;
    assert!(
        events.contains(&"registered".to_owned()) && events.contains(&"password_set".to_owned()),
        "{events:?}"
    );
});

on_both_backends!(
    each_field_is_validated_with_a_precise_message_and_the_form_keeps_input,
    |app| {
        let response = app
            .post_form(
                "/register",
                &[
                    ("first_name", "R2D2"),
                    ("last_name", ""),
                    ("email", "anna.berg@example"),
                    ("email_confirm", "other@example.se"),
                    ("language", "xx"),
                ],
            )
            .await;
        assert_eq!(response.status(), 422);
        let html = response.text().await.unwrap();
        assert!(
            text_of(&html, "#first_name-error").contains("letters only"),
            "{html}"
        );
        assert_eq!(
            text_of(&html, "#last_name-error"),
            "This field is required."
        );
        assert!(text_of(&html, "#email-error").contains("not a valid e-mail address"));
        assert!(text_of(&html, "#language-error").contains("Choose one of the languages"));
        assert!(text_of(&html, "#privacy-error").contains("privacy statement"));
        assert_eq!(hidden_or_value(&html, "first_name"), "R2D2");
        assert_eq!(hidden_or_value(&html, "email"), "anna.berg@example");
        assert!(app.mails().await.is_empty());

        let mismatch = app
            .post_form(
                "/register",
                &[
                    ("first_name", "Anna"),
                    ("last_name", "Berg"),
                    ("email", "anna@example.se"),
                    ("email_confirm", "anna2@example.se"),
                    ("language", "en"),
                    ("privacy", "yes"),
                ],
            )
            .await;
        assert_eq!(mismatch.status(), 422);
        assert!(
            text_of(&mismatch.text().await.unwrap(), "#email_confirm-error")
                .contains("not the same")
        );
    }
);

fn hidden_or_value(html: &str, name: &str) -> String {
    hidden_input(html, name).unwrap_or_default()
}

on_both_backends!(a_generic_name_draws_a_warning_until_confirmed, |app| {
    let fields = [
        ("first_name", "Import"),
        ("last_name", "Office"),
        ("email", "import@example.se"),
        ("email_confirm", "import@example.se"),
        ("language", "en"),
        ("privacy", "yes"),
    ];
    let response = app.post_form("/register", &fields).await;
    assert_eq!(response.status(), 422);
    let html = response.text().await.unwrap();
    assert!(html.contains("looks like the name of an organisation or a post"));
    assert!(app.mails().await.is_empty());

    let mut confirmed = fields.to_vec();
    confirmed.push(("confirm_real_person", "yes"));
    assert_eq!(app.post_form("/register", &confirmed).await.status(), 200);
    assert_eq!(app.mails().await.len(), 1);
});

on_both_backends!(
    registering_a_known_address_looks_the_same_and_mails_the_owner,
    |app| {
        app.create_account("known@example.se", STRONG_PASSWORD)
            .await;
        let before = app.mails().await.len();

        let known = app.register("known@example.se").await;
        let known_status = known.status();
        let known_text = text_of(&known.text().await.unwrap(), "main");
        let new = app.register("new@example.se").await;
        let new_status = new.status();
        let new_text = text_of(&new.text().await.unwrap(), "main");
        assert_eq!(known_status, new_status);
        assert_eq!(
            known_text.replace("known@example.se", "X"),
            new_text.replace("new@example.se", "X")
        );

        let mails = app.mails().await;
        assert_eq!(mails.len(), before + 2);
        let to_owner = app.last_mail_to("known@example.se").await;
        assert!(
            to_owner.subject.contains("already exists"),
            "{}",
            to_owner.subject
        );
        assert!(
            !to_owner.body.contains("token="),
            "the owner gets no password link, only the way to one"
        );
        // The existing password still works: nothing changed for the owner.
        assert_eq!(
            app.login("known@example.se", STRONG_PASSWORD)
                .await
                .status(),
            303
        );
    }
);

on_both_backends!(pages_and_emails_follow_the_chosen_language, |app| {
    let page = app.get("/register?lang=fr").await;
    let html = page.text().await.unwrap();
    assert!(html.contains(r#"<html lang="fr">"#));
    // The choice sticks (cookie) for the next page.
    let next = app.get("/login").await.text().await.unwrap();
    assert!(next.contains(r#"<html lang="fr">"#));

    let response = app
        .post_form(
            "/register",
            &[
                ("first_name", "Lena"),
                ("last_name", "Holm"),
                ("email", "lena@example.se"),
                ("email_confirm", "lena@example.se"),
                ("language", "sv"),
                ("privacy", "yes"),
            ],
        )
        .await;
    assert_eq!(response.status(), 200);
    let mail = app.last_mail_to("lena@example.se").await;
    assert!(mail.body.contains("Lena"));
    let english = eulogin::i18n::tr(eulogin::i18n::Lang::En).t("mail.set_password.subject");
    let swedish = eulogin::i18n::tr(eulogin::i18n::Lang::Sv).t("mail.set_password.subject");
    assert_eq!(mail.subject, swedish);
    assert_ne!(swedish, english, "the Swedish catalog is translated");
});
