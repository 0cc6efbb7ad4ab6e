//! What the OpenID Connect tests share: registering clients, a browser that follows eulogin's
//! redirects (logging in when asked) until it is sent back to the application, raw token
//! requests, and the HTTP adapter that lets the openidconnect crate talk through reqwest 0.13.

use crate::support::{STRONG_PASSWORD, TestApp, hidden_input};
use base64::Engine as _;
use eulogin::oidc::clients::{ClientSpec, ManagedBy, SecretHasher};
use infra::Clock as _;
use serde_json::Value;

pub const REDIRECT_URI: &str = "https://app.example.eu/callback";
pub const LOGGED_OUT_URI: &str = "https://app.example.eu/logged-out";
pub const USER: &str = "oidc.user@example.se";

/// A client as the tests know it: its id and, for confidential ones, its secret.
#[derive(Debug, Clone)]
pub struct TestClient {
    pub id: String,
    pub secret: Option<String>,
}

/// A confidential web application with the usual registration.
pub fn web_app(id: &str) -> ClientSpec {
    let mut spec = ClientSpec::new(id, &format!("Application {id}"));
    spec.redirect_uris = vec![REDIRECT_URI.to_owned()];
    spec.post_logout_redirect_uris = vec![LOGGED_OUT_URI.to_owned()];
    spec.scopes = ["openid", "profile", "email", "offline_access"]
        .map(str::to_owned)
        .to_vec();
    spec
}

/// A public (browser or native) application: no secret, PKCE.
pub fn public_app(id: &str) -> ClientSpec {
    let mut spec = web_app(id);
    spec.auth_method = "none".to_owned();
    spec
}

/// An application acting on its own behalf (`client_credentials`).
pub fn service(id: &str) -> ClientSpec {
    let mut spec = ClientSpec::new(id, &format!("Service {id}"));
    spec.grant_types = vec!["client_credentials".to_owned()];
    spec.scopes = vec!["operators:read".to_owned(), "operators:write".to_owned()];
    spec.audiences = vec!["https://traces.example.eu".to_owned()];
    spec
}

impl TestApp {
    /// Registers a client directly in storage, as `eulogin clients add` does.
    pub async fn register_client(&self, spec: ClientSpec) -> TestClient {
        let mut client = spec.check(ManagedBy::Cli).expect("a valid registration");
        let secret = client
            .auth_method
            .uses_secret()
            .then(SecretHasher::generate);
        client.secret_hash = secret.as_deref().map(|s| self.state.oidc.secrets.hash(s));
        let now = self.clock.now();
        let id = client.client_id.clone();
        self.state
            .db
            .run(move |c| Ok(eulogin::store::clients::save(c, &client, now)?))
            .await
            .expect("client saved");
        self.state.oidc.clients.forget(&id);
        TestClient { id, secret }
    }

    /// An account to log in with.
    pub async fn oidc_user(&self) {
        self.create_account(USER, STRONG_PASSWORD).await;
    }

    /// `GET /oidc/authorize` with `params`.
    pub async fn authorize(&self, params: &[(&str, &str)]) -> reqwest::Response {
        self.browser
            .get(self.url("/oidc/authorize"))
            .query(params)
            .send()
            .await
            .expect("authorize")
    }

    /// Follows eulogin's redirects from `response` like a browser, logging in with
    /// `credentials` when the login page appears, until eulogin sends the browser elsewhere.
    /// Returns that foreign URL, or panics with what the browser saw instead.
    pub async fn follow_to_application(
        &self,
        mut response: reqwest::Response,
        credentials: Option<(&str, &str)>,
    ) -> url::Url {
        for _ in 0..10 {
            let status = response.status();
            if status.is_redirection() {
                let location = response.headers()["location"].to_str().unwrap().to_owned();
                let next = url::Url::parse(&self.base)
                    .unwrap()
                    .join(&location)
                    .unwrap();
                if !next.as_str().starts_with(&self.base) {
                    return next;
                }
                response = self.browser.get(next).send().await.unwrap();
                continue;
            }
            let html = response.text().await.unwrap();
            let pending = hidden_input(&html, "authorization");
            let Some((email, password)) = credentials.filter(|_| pending.is_some()) else {
                panic!("the browser stopped at a page ({status}): {html}");
            };
            let csrf = hidden_input(&html, "csrf_token").unwrap();
            let pending = pending.unwrap();
            response = self
                .browser
                .post(self.url("/login"))
                .form(&[
                    ("csrf_token", csrf.as_str()),
                    ("authorization", pending.as_str()),
                    ("email", email),
                    ("password", password),
                ])
                .send()
                .await
                .unwrap();
        }
        panic!("too many redirects");
    }

    /// `GET /oidc/authorize` for `client`'s first redirect URI, asking for the level `level`
    /// (`low`, `medium`, `high`) with `acr_values`; eulogin's first answer.
    pub async fn authorize_asking_level(
        &self,
        client: &TestClient,
        level: &str,
    ) -> reqwest::Response {
        let acr = format!("{}/loa/{level}", self.base);
        self.authorize(&[
            ("client_id", client.id.as_str()),
            ("redirect_uri", REDIRECT_URI),
            ("response_type", "code"),
            ("scope", "openid"),
            ("acr_values", acr.as_str()),
        ])
        .await
    }

    /// A complete authorization (logging in if needed) up to the code; returns the URL the
    /// browser was sent back to.
    pub async fn authorization_response(
        &self,
        client: &TestClient,
        extra: &[(&str, &str)],
    ) -> url::Url {
        let response = self.authorize(&authorization_params(client, extra)).await;
        self.follow_to_application(response, Some((USER, STRONG_PASSWORD)))
            .await
    }

    /// The code of a complete authorization.
    pub async fn code_for(&self, client: &TestClient, extra: &[(&str, &str)]) -> String {
        let back = self.authorization_response(client, extra).await;
        param(&back, "code").unwrap_or_else(|| panic!("no code in {back}"))
    }

    /// `POST /oidc/token` authenticated with the client's secret (Basic) when it has one.
    pub async fn token_request(
        &self,
        client: &TestClient,
        fields: &[(&str, &str)],
    ) -> reqwest::Response {
        let mut fields: Vec<(&str, &str)> = fields.to_vec();
        let mut request = reqwest::Client::new().post(self.url("/oidc/token"));
        match &client.secret {
            Some(secret) => request = request.basic_auth(&client.id, Some(secret)),
            None => fields.push(("client_id", client.id.as_str())),
        }
        request.form(&fields).send().await.expect("token request")
    }

    /// Exchanges a code; `verifier` is the PKCE verifier, if one was used.
    pub async fn exchange(
        &self,
        client: &TestClient,
        code: &str,
        verifier: Option<&str>,
    ) -> reqwest::Response {
        let mut fields = vec![
            ("grant_type", "authorization_code"),
            ("code", code),
            ("redirect_uri", REDIRECT_URI),
        ];
        if let Some(v) = verifier {
            fields.push(("code_verifier", v));
        }
        self.token_request(client, &fields).await
    }

    /// Tokens of a complete login of `USER` through `client`.
    pub async fn tokens_for(&self, client: &TestClient, extra: &[(&str, &str)]) -> Value {
        let code = self.code_for(client, extra).await;
        self.tokens_of_code(client, &code).await
    }

    /// The tokens `code` is exchanged for (without PKCE), checking that the exchange succeeds.
    pub async fn tokens_of_code(&self, client: &TestClient, code: &str) -> Value {
        let response = self.exchange(client, code, None).await;
        assert_eq!(response.status(), 200);
        response.json().await.unwrap()
    }

    pub async fn userinfo(&self, access_token: &str) -> reqwest::Response {
        reqwest::Client::new()
            .get(self.url("/oidc/userinfo"))
            .bearer_auth(access_token)
            .send()
            .await
            .unwrap()
    }

    pub async fn refresh(&self, client: &TestClient, refresh_token: &str) -> reqwest::Response {
        self.token_request(
            client,
            &[
                ("grant_type", "refresh_token"),
                ("refresh_token", refresh_token),
            ],
        )
        .await
    }
}

/// A query parameter of a URL.
/// The parameters of a code request of `client` (`openid profile email`, `state=state-123`),
/// with `extra` added or replacing the parameter of the same name.
pub fn authorization_params<'a>(
    client: &'a TestClient,
    extra: &[(&'a str, &'a str)],
) -> Vec<(&'a str, &'a str)> {
    let mut params = vec![
        ("client_id", client.id.as_str()),
        ("redirect_uri", REDIRECT_URI),
        ("response_type", "code"),
        ("scope", "openid profile email"),
        ("state", "state-123"),
    ];
    for (name, value) in extra {
        params.retain(|(n, _)| n != name);
        params.push((name, value));
    }
    params
}

pub fn param(url: &url::Url, name: &str) -> Option<String> {
    url.query_pairs()
        .find(|(n, _)| n == name)
        .map(|(_, v)| v.into_owned())
}

/// The claims of a JWT, unverified (tests verify signatures where it matters).
pub fn claims_of(jwt: &str) -> Value {
    let payload = jwt.split('.').nth(1).expect("a JWT");
    let bytes = base64::engine::general_purpose::URL_SAFE_NO_PAD
        .decode(payload)
        .expect("base64url");
    serde_json::from_slice(&bytes).expect("JSON claims")
}

/// The header of a JWT.
pub fn header_of(jwt: &str) -> Value {
    let header = jwt.split('.').next().expect("a JWT");
    let bytes = base64::engine::general_purpose::URL_SAFE_NO_PAD
        .decode(header)
        .expect("base64url");
    serde_json::from_slice(&bytes).expect("JSON header")
}

/// The openidconnect crate's HTTP calls, made with reqwest 0.13 (no redirects followed, as the
/// crate requires).
pub async fn oidc_http(
    request: openidconnect::HttpRequest,
) -> Result<openidconnect::HttpResponse, reqwest::Error> {
    let client = reqwest::Client::builder()
        .redirect(reqwest::redirect::Policy::none())
        .build()?;
    let response = client
        .request(request.method().clone(), request.uri().to_string())
        .headers(request.headers().clone())
        .body(request.body().clone())
        .send()
        .await?;
    let mut built = openidconnect::http::Response::builder().status(response.status());
    for (name, value) in response.headers() {
        built = built.header(name, value);
    }
    let body = response.bytes().await?.to_vec();
    Ok(built.body(body).expect("a valid response"))
}
