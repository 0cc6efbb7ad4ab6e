//! Administration: clients managed with the eulogin binary's commands and with the declarative
//! clients file, and signing keys rotated on schedule or on command.

use crate::oidc_support::*;
use crate::on_both_backends;
use crate::support::*;
use infra::Clock as _;
use serde_json::Value;
use std::process::Command;
use time::Duration;

const SECRET_KEY: &str = "test-secret-key-of-at-least-32-characters";

/// Runs `eulogin <args>` on the test's database; returns (success, stdout, stderr).
fn eulogin(app: &TestApp, args: &[&str]) -> (bool, String, String) {
    let output = Command::new(env!("CARGO_BIN_EXE_eulogin"))
        .env_clear()
        .env("EULOGIN_DATABASE_URL", &app.data.database_url)
        .env("EULOGIN_SECRET_KEY", SECRET_KEY)
        .env("EULOGIN_OUTBOX_DIR", app.data.outbox.path())
        .args(args)
        .output()
        .expect("the eulogin binary runs");
    let stderr = String::from_utf8_lossy(&output.stderr).into_owned();
    if !output.status.success() {
        eprintln!("eulogin {args:?} failed: {stderr}");
    }
    (
        output.status.success(),
        String::from_utf8_lossy(&output.stdout).into_owned(),
        stderr,
    )
}

fn secret_in(stdout: &str) -> String {
    stdout
        .lines()
        .find_map(|l| l.strip_prefix("client_secret"))
        .map(|s| s.trim().to_owned())
        .unwrap_or_else(|| panic!("no secret printed: {stdout}"))
}

async fn client_credentials_status(app: &TestApp, id: &str, secret: &str) -> u16 {
    app.state.oidc.clients.forget_all();
    reqwest::Client::new()
        .post(app.url("/oidc/token"))
        .basic_auth(id, Some(secret))
        .form(&[("grant_type", "client_credentials")])
        .send()
        .await
        .unwrap()
        .status()
        .as_u16()
}

on_both_backends!(
    the_command_line_adds_shows_updates_rotates_and_removes_clients,
    |app| {
        let (ok, out, err) = eulogin(
            app,
            &[
                "clients",
                "add",
                "cli-service",
                "--name",
                "Batch import",
                "--grant-type",
                "client_credentials",
                "--scope",
                "operators:read",
                "--audience",
                "https://traces.example.eu",
            ],
        );
        assert!(ok, "{err}");
        assert!(out.contains("Keep the secret now"));
        let secret = secret_in(&out);
        assert_eq!(
            client_credentials_status(app, "cli-service", &secret).await,
            200
        );

        let (ok, out, err) = eulogin(app, &["clients", "list"]);
        assert!(
            ok && out.contains("cli-service") && out.contains("Batch import"),
            "{out}\n{err}"
        );
        let (ok, out, _) = eulogin(app, &["clients", "show", "cli-service", "--json"]);
        assert!(ok);
        let shown: Value = serde_json::from_str(&out).unwrap();
        assert_eq!(
            shown["audiences"],
            serde_json::json!(["https://traces.example.eu"])
        );
        assert!(!out.contains(&secret), "the secret is never shown again");

        let (ok, _, err) = eulogin(
            app,
            &[
                "clients",
                "update",
                "cli-service",
                "--scope",
                "operators:write",
            ],
        );
        assert!(ok, "{err}");
        let (_, out, _) = eulogin(app, &["clients", "show", "cli-service", "--json"]);
        assert_eq!(
            serde_json::from_str::<Value>(&out).unwrap()["scopes"],
            serde_json::json!(["operators:write"])
        );
        assert_eq!(
            client_credentials_status(app, "cli-service", &secret).await,
            200,
            "update keeps the secret"
        );

        let (ok, out, _) = eulogin(app, &["clients", "rotate-secret", "cli-service"]);
        assert!(ok);
        let new_secret = secret_in(&out);
        assert_eq!(
            client_credentials_status(app, "cli-service", &secret).await,
            401
        );
        assert_eq!(
            client_credentials_status(app, "cli-service", &new_secret).await,
            200
        );

        let (ok, _, _) = eulogin(app, &["clients", "remove", "cli-service"]);
        assert!(ok);
        assert_eq!(
            client_credentials_status(app, "cli-service", &new_secret).await,
            401
        );

        let (ok, _, err) = eulogin(
            app,
            &[
                "clients",
                "add",
                "bad-app",
                "--redirect-uri",
                "http://app.example.eu/cb",
                "--minimum-acr",
                "gold",
            ],
        );
        assert!(!ok);
        assert!(
            err.contains("https") && err.contains("gold"),
            "every problem is listed: {err}"
        );
        let (ok, _, err) = eulogin(app, &["clients", "show", "nobody"]);
        assert!(!ok && err.contains("no client nobody"));
    }
);

on_both_backends!(
    the_clients_file_is_the_truth_for_the_clients_it_names,
    |app| {
        let dir = tempfile::tempdir().unwrap();
        let secret_file = dir.path().join("portal.secret");
        std::fs::write(&secret_file, "portal-secret-portal-secret-portal-secret\n").unwrap();
        let file = dir.path().join("clients.toml");
        std::fs::write(
            &file,
            r#"
        [[clients]]
        client_id = "gitops-portal"
        name = "GitOps portal"
        secret_file = "portal.secret"
        grant_types = ["client_credentials"]
        scopes = ["operators:read"]
        "#,
        )
        .unwrap();
        let with_file = |path: std::path::PathBuf| {
            let data = app.data.clone();
            async move {
                let mut settings = data.settings();
                settings.oidc.clients_file = Some(path);
                eulogin::AppState::connect(settings, std::sync::Arc::new(app.clock.clone())).await
            }
        };
        let replica = with_file(file.clone()).await.expect("starts with the file");
        drop(replica);
        assert_eq!(
            client_credentials_status(
                app,
                "gitops-portal",
                "portal-secret-portal-secret-portal-secret"
            )
            .await,
            200
        );
        let (ok, _, err) = eulogin(app, &["clients", "rotate-secret", "gitops-portal"]);
        assert!(!ok && err.contains("clients file"), "{err}");
        let (ok, out, _) = eulogin(app, &["clients", "list"]);
        assert!(ok && out.contains("file"));

        // A broken file refuses the start and changes nothing.
        std::fs::write(
            &file,
            r#"
        [[clients]]
        client_id = "gitops-portal"
        name = "GitOps portal"
        redirect_uri = ["https://typo.example.eu"]
        "#,
        )
        .unwrap();
        let refused = with_file(file.clone()).await;
        let message = format!(
            "{:#}",
            refused.expect_err("a broken file refuses the start")
        );
        assert!(message.contains("redirect_uri"), "{message}");
        assert_eq!(
            client_credentials_status(
                app,
                "gitops-portal",
                "portal-secret-portal-secret-portal-secret"
            )
            .await,
            200
        );

        // A client dropped from the file is removed at the next start; command-line ones stay.
        let kept = app.register_client(service("cli-made")).await;
        std::fs::write(&file, "clients = []\n").unwrap();
        with_file(file).await.expect("starts");
        assert_eq!(
            client_credentials_status(
                app,
                "gitops-portal",
                "portal-secret-portal-secret-portal-secret"
            )
            .await,
            401
        );
        assert_eq!(
            client_credentials_status(app, "cli-made", kept.secret.as_deref().unwrap()).await,
            200
        );
    }
);

async fn published_kids(app: &TestApp) -> Vec<String> {
    let jwks: Value = reqwest::get(app.url("/oidc/jwks"))
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    jwks["keys"]
        .as_array()
        .unwrap()
        .iter()
        .map(|k| k["kid"].as_str().unwrap().to_owned())
        .collect()
}

on_both_backends!(
    rotation_publishes_the_next_key_first_and_keeps_the_previous_one,
    |app| {
        app.oidc_user().await;
        let client = app.register_client(web_app("rotation-app")).await;
        let before = published_kids(app).await;
        let tokens = app.tokens_for(&client, &[]).await;
        let old_access = tokens["access_token"].as_str().unwrap().to_owned();
        let old_kid = header_of(&old_access)["kid"].as_str().unwrap().to_owned();

        let (ok, out, err) = eulogin(app, &["keys", "rotate"]);
        assert!(ok, "{err}");
        assert!(out.contains("signing keys rotated"));
        app.state
            .oidc
            .keys
            .reload(&app.state.db, app.clock.now())
            .await
            .unwrap();
        let after = published_kids(app).await;
        assert_eq!(
            after.len(),
            6,
            "previous, current and next for each algorithm"
        );
        assert!(
            before.iter().all(|k| after.contains(k)),
            "nothing published was withdrawn"
        );

        let new_tokens = app.tokens_for(&client, &[]).await;
        let new_kid = header_of(new_tokens["access_token"].as_str().unwrap())["kid"]
            .as_str()
            .unwrap()
            .to_owned();
        assert_ne!(new_kid, old_kid);
        assert!(
            before.contains(&new_kid),
            "the new signing key was published before it signed"
        );
        assert_eq!(
            app.userinfo(&old_access).await.status(),
            200,
            "tokens of the previous key still verify"
        );

        // Once every token of the previous key has expired, it is withdrawn.
        // The command line retired the key by the real clock, a moment after this test's
        // manual clock started: a minute of margin covers the difference.
        app.clock
            .advance(app.state.settings.oidc.key_retention() + Duration::minutes(1));
        app.state
            .oidc
            .keys
            .maintain(&app.state.db, app.clock.now())
            .await
            .unwrap();
        let later = published_kids(app).await;
        assert_eq!(later.len(), 4);
        assert!(!later.contains(&old_kid));
    }
);

on_both_backends!(keys_rotate_by_themselves_when_their_time_is_up, |app| {
    let current = |app: &TestApp| {
        app.state
            .oidc
            .keys
            .signer(jsonwebtoken::Algorithm::RS256)
            .unwrap()
            .kid()
            .to_owned()
    };
    let first = current(app);
    app.clock.advance(Duration::days(29));
    app.state
        .oidc
        .keys
        .maintain(&app.state.db, app.clock.now())
        .await
        .unwrap();
    assert_eq!(current(app), first);
    app.clock.advance(Duration::days(1));
    app.state
        .oidc
        .keys
        .maintain(&app.state.db, app.clock.now())
        .await
        .unwrap();
    assert_ne!(current(app), first);
    // A replica maintaining at the same moment changes nothing more.
    let second = current(app);
    let replica = app.replica().await;
    assert_eq!(current(&replica), second);
    let (ok, out, _) = eulogin(app, &["keys", "list"]);
    assert!(ok && out.contains("previous") && out.contains("current") && out.contains("next"));
});
