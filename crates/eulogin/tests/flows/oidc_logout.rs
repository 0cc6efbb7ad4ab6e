//! Logout: RP-initiated logout with its checks, back-channel logout tokens delivered to every
//! application of the session (retried when an application fails), and what ending a session
//! does to the tokens it gave.

use crate::oidc_support::*;
use crate::on_both_backends;
use crate::support::*;
use base64::Engine as _;
use jsonwebtoken::jwk::JwkSet;
use jsonwebtoken::{DecodingKey, Validation};
use serde_json::Value;
use std::sync::{Arc, Mutex};
use tokio::io::{AsyncReadExt, AsyncWriteExt};

/// An application's back-channel logout endpoint: records each POSTed body, answering 500 to
/// the first `failures` requests and 200 afterwards.
struct LogoutSink {
    uri: String,
    received: Arc<Mutex<Vec<String>>>,
}

impl LogoutSink {
    async fn start(failures: usize) -> LogoutSink {
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
        let uri = format!(
            "http://127.0.0.1:{}/backchannel",
            listener.local_addr().unwrap().port()
        );
        let received = Arc::new(Mutex::new(Vec::new()));
        let seen = received.clone();
        tokio::spawn(async move {
            let mut answered = 0;
            while let Ok((mut stream, _)) = listener.accept().await {
                let mut request = Vec::new();
                let mut buffer = [0u8; 4096];
                let body = loop {
                    let n = stream.read(&mut buffer).await.unwrap_or(0);
                    if n == 0 {
                        break String::new();
                    }
                    request.extend_from_slice(&buffer[..n]);
                    let text = String::from_utf8_lossy(&request).to_string();
                    if let Some((head, body)) = text.split_once("\r\n\r\n") {
                        let length = head
                            .lines()
                            .find_map(|l| {
                                let (name, value) = l.split_once(':')?;
                                name.eq_ignore_ascii_case("content-length")
                                    .then(|| value.trim().parse::<usize>().ok())?
                            })
                            .unwrap_or(0);
                        if body.len() >= length {
                            break body.to_owned();
                        }
                    }
                };
                answered += 1;
                let status = if answered <= failures {
                    "500 Internal Server Error"
                } else {
                    "200 OK"
                };
                if answered > failures {
                    seen.lock().unwrap().push(body);
                }
                let reply =
                    format!("HTTP/1.1 {status}\r\nContent-Length: 0\r\nConnection: close\r\n\r\n");
                let _ = stream.write_all(reply.as_bytes()).await;
            }
        });
        LogoutSink { uri, received }
    }

    /// The logout tokens received, waiting up to `seconds` for `count` of them.
    async fn tokens(&self, count: usize, seconds: u64) -> Vec<String> {
        let deadline = std::time::Instant::now() + std::time::Duration::from_secs(seconds);
        loop {
            let bodies = self.received.lock().unwrap().clone();
            if bodies.len() >= count || std::time::Instant::now() > deadline {
                return bodies
                    .iter()
                    .filter_map(|b| {
                        url::form_urlencoded::parse(b.as_bytes())
                            .find(|(n, _)| n == "logout_token")
                            .map(|(_, v)| v.into_owned())
                    })
                    .collect();
            }
            tokio::time::sleep(std::time::Duration::from_millis(20)).await;
        }
    }
}

/// Checks a logout token the way the OpenID Back-Channel Logout spec tells applications to.
async fn verified_logout_token(app: &TestApp, token: &str, audience: &str) -> Value {
    infra::jwt::install_crypto_provider();
    let header = jsonwebtoken::decode_header(token).unwrap();
    assert_eq!(header.typ.as_deref(), Some("logout+jwt"));
    let jwks: JwkSet = reqwest::get(app.url("/oidc/jwks"))
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    let jwk = jwks.find(header.kid.as_deref().unwrap()).unwrap();
    let mut validation = Validation::new(header.alg);
    validation.set_issuer(&[&app.base]);
    validation.set_audience(&[audience]);
    let claims =
        jsonwebtoken::decode::<Value>(token, &DecodingKey::from_jwk(jwk).unwrap(), &validation)
            .unwrap()
            .claims;
    assert!(claims["events"]["http://schemas.openid.net/event/backchannel-logout"].is_object());
    assert!(
        claims.get("nonce").is_none(),
        "a logout token never carries a nonce"
    );
    assert!(claims["jti"].is_string() && claims["iat"].is_i64());
    claims
}

fn logout_params<'a>(id_token: &'a str, client: &'a str) -> Vec<(&'static str, &'a str)> {
    vec![
        ("id_token_hint", id_token),
        ("client_id", client),
        ("post_logout_redirect_uri", LOGGED_OUT_URI),
        ("state", "after-logout"),
    ]
}

on_both_backends!(logout_notifies_every_application_of_the_session, |app| {
    app.oidc_user().await;
    let sink_a = LogoutSink::start(0).await;
    let sink_b = LogoutSink::start(1).await;
    let mut a = web_app("portal-a");
    a.backchannel_logout_uri = Some(sink_a.uri.clone());
    let mut b = web_app("portal-b");
    b.backchannel_logout_uri = Some(sink_b.uri.clone());
    b.id_token_alg = "ES256".into();
    let (a, b) = (app.register_client(a).await, app.register_client(b).await);
    let tokens_a = app.tokens_for(&a, &[]).await;
    let tokens_b = app.tokens_for(&b, &[]).await;
    let id_token = tokens_a["id_token"].as_str().unwrap();
    let id_claims = claims_of(id_token);

    let response = app
        .browser
        .get(app.url("/oidc/logout"))
        .query(&logout_params(id_token, "portal-a"))
        .send()
        .await
        .unwrap();
    assert_eq!(
        response.status(),
        303,
        "a valid hint for this session logs out at once"
    );
    assert_eq!(
        response.headers()["location"],
        format!("{LOGGED_OUT_URI}?state=after-logout")
    );

    let to_a = sink_a.tokens(1, 5).await;
    assert_eq!(to_a.len(), 1);
    let claims = verified_logout_token(app, &to_a[0], "portal-a").await;
    assert_eq!(claims["sid"], id_claims["sid"]);
    assert_eq!(claims["sub"], id_claims["sub"]);
    // portal-b's endpoint failed once: the token arrives on the retry.
    let to_b = sink_b.tokens(1, 10).await;
    assert_eq!(to_b.len(), 1, "delivered after a retry");
    assert_eq!(header_of(&to_b[0])["alg"], "ES256");
    verified_logout_token(app, &to_b[0], "portal-b").await;

    for (client, tokens) in [(&a, &tokens_a), (&b, &tokens_b)] {
        assert_eq!(
            app.userinfo(tokens["access_token"].as_str().unwrap())
                .await
                .status(),
            401
        );
        let refreshed = app
            .refresh(client, tokens["refresh_token"].as_str().unwrap())
            .await;
        assert_eq!(refreshed.status(), 400);
    }
});

on_both_backends!(the_account_page_logout_notifies_applications_too, |app| {
    app.oidc_user().await;
    let sink = LogoutSink::start(0).await;
    let mut spec = web_app("portal-c");
    spec.backchannel_logout_uri = Some(sink.uri.clone());
    let client = app.register_client(spec).await;
    let tokens = app.tokens_for(&client, &[]).await;
    let offline = app
        .tokens_for(&client, &[("scope", "openid offline_access")])
        .await;
    let response = app.post_form("/logout", &[]).await;
    assert_eq!(response.status(), 200);
    assert_eq!(sink.tokens(1, 5).await.len(), 1);
    assert_eq!(
        app.refresh(&client, tokens["refresh_token"].as_str().unwrap())
            .await
            .status(),
        400
    );
    assert_eq!(
        app.refresh(&client, offline["refresh_token"].as_str().unwrap())
            .await
            .status(),
        200,
        "offline_access outlives the session"
    );
});

on_both_backends!(
    a_logout_request_without_proof_asks_the_person_first,
    |app| {
        app.oidc_user().await;
        let client = app.register_client(web_app("polite-app")).await;
        let tokens = app.tokens_for(&client, &[]).await;
        let page = app
            .browser
            .get(app.url("/oidc/logout"))
            .query(&[
                ("client_id", "polite-app"),
                ("post_logout_redirect_uri", LOGGED_OUT_URI),
                ("state", "s"),
            ])
            .send()
            .await
            .unwrap();
        assert_eq!(page.status(), 200);
        let html = page.text().await.unwrap();
        assert!(html.contains("Application polite-app"), "{html}");
        assert_eq!(
            app.userinfo(tokens["access_token"].as_str().unwrap())
                .await
                .status(),
            200,
            "nothing ended yet"
        );
        // A cross-site POST of the confirmation is refused.
        let forged = app
            .browser
            .post(app.url("/oidc/logout/confirm"))
            .form(&[("client_id", "polite-app")])
            .send()
            .await
            .unwrap();
        assert_eq!(forged.status(), 403);
        let csrf = hidden_input(&html, "csrf_token").unwrap();
        let confirmed = app
            .browser
            .post(app.url("/oidc/logout/confirm"))
            .form(&[
                ("csrf_token", csrf.as_str()),
                ("client_id", "polite-app"),
                ("post_logout_redirect_uri", LOGGED_OUT_URI),
                ("state", "s"),
            ])
            .send()
            .await
            .unwrap();
        assert_eq!(confirmed.status(), 303);
        assert_eq!(
            confirmed.headers()["location"],
            format!("{LOGGED_OUT_URI}?state=s")
        );
        assert_eq!(
            app.userinfo(tokens["access_token"].as_str().unwrap())
                .await
                .status(),
            401
        );
    }
);

on_both_backends!(
    forged_or_unsigned_id_token_hints_and_foreign_redirects_are_refused,
    |app| {
        app.oidc_user().await;
        let client = app.register_client(web_app("hinted-app")).await;
        let tokens = app.tokens_for(&client, &[]).await;
        let id_token = tokens["id_token"].as_str().unwrap();
        let (header, rest) = id_token.split_once('.').unwrap();
        let payload = rest.split('.').next().unwrap();
        let none_header = base64::engine::general_purpose::URL_SAFE_NO_PAD
            .encode(br#"{"alg":"none","typ":"JWT"}"#);
        let unsigned = format!("{none_header}.{payload}.");
        let other_key = infra::jwt::JwsSigner::new(
            "attacker",
            jsonwebtoken::Algorithm::ES256,
            &infra::jwt::generate_p256_pkcs8(),
        )
        .unwrap();
        let forged = other_key.sign("JWT", &claims_of(id_token)).unwrap();
        let tampered_claims = {
            let mut claims = claims_of(id_token);
            claims["sub"] = "someone-else".into();
            base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(claims.to_string())
        };
        let signature = id_token.rsplit('.').next().unwrap();
        let tampered = format!("{header}.{tampered_claims}.{signature}");
        for hint in [
            unsigned.as_str(),
            forged.as_str(),
            tampered.as_str(),
            "not-a-jwt",
        ] {
            let response = app
                .browser
                .get(app.url("/oidc/logout"))
                .query(&logout_params(hint, "hinted-app"))
                .send()
                .await
                .unwrap();
            assert_eq!(response.status(), 400, "{hint}");
            assert!(response.headers().get("location").is_none());
        }
        let elsewhere = app
            .browser
            .get(app.url("/oidc/logout"))
            .query(&[
                ("id_token_hint", id_token),
                ("post_logout_redirect_uri", "https://evil.example.com/"),
            ])
            .send()
            .await
            .unwrap();
        assert_eq!(elsewhere.status(), 400);
        let trailing = app
            .browser
            .get(app.url("/oidc/logout"))
            .query(&[
                ("id_token_hint", id_token),
                ("post_logout_redirect_uri", &format!("{LOGGED_OUT_URI}/")),
            ])
            .send()
            .await
            .unwrap();
        assert_eq!(trailing.status(), 400);
        assert_eq!(
            app.userinfo(tokens["access_token"].as_str().unwrap())
                .await
                .status(),
            200,
            "the session survived every refused request"
        );
    }
);
