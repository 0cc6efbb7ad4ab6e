//! Test support: a world of a real eulogin and a real traces trusting it, each with its own
//! database (a SQLite file, or a private PostgreSQL schema) and key-value namespace
//! (in-process, or Redis under a random prefix), sharing one manual clock; people with a
//! password and an authenticator app (TOTP) at eulogin; browsers that keep cookies and go
//! through the whole redirect dance (traces → eulogin login → second factor → traces); and real
//! access tokens for traces' audience.
//!
//! Both services listen on `localhost` (eulogin refuses an IP address as public URL). Their
//! cookies share the browser's jar for `localhost` (cookies ignore ports), which is harmless:
//! the names differ (`eulogin_session`, `traces-session`), and the one CSRF id cookie both
//! services set is a random browser id that each keys with its own secret.

use actix_web::dev::ServerHandle;
use clap::Parser;
use eulogin::oidc::clients::{ClientSpec, ManagedBy};
use eulogin::store::factors::{FactorKind, NewFactor};
use infra::db::test_support::PgTestSchema;
use infra::{Clock as _, ManualClock};
use reqwest::StatusCode;
use reqwest::cookie::CookieStore as _;
use std::sync::{Arc, Mutex};
use url::Url;

pub const PASSWORD: &str = "violet tractor harbour 1987 lantern";
/// traces' client id at eulogin in every world.
pub const CLIENT_ID: &str = "traces";

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Backends {
    /// SQLite files + in-process key-value stores: the embedded defaults.
    Embedded,
    /// PostgreSQL + Redis: the production parts.
    Production,
}

/// Where one service's data lives for one test.
struct Storage {
    database_url: String,
    redis_url: Option<String>,
    kv_prefix: String,
    outbox: tempfile::TempDir,
    _sqlite_dir: Option<tempfile::TempDir>,
    _pg_schema: Option<PgTestSchema>,
}

impl Storage {
    fn new(backends: Backends, service: &str) -> Storage {
        let outbox = tempfile::tempdir().expect("outbox dir");
        let kv_prefix = format!("test-{service}-{}", &infra::crypto::random_token()[..16]);
        match backends {
            Backends::Embedded => {
                let dir = tempfile::tempdir().expect("sqlite dir");
                Storage {
                    database_url: dir
                        .path()
                        .join(format!("{service}.db"))
                        .display()
                        .to_string(),
                    redis_url: None,
                    kv_prefix,
                    outbox,
                    _sqlite_dir: Some(dir),
                    _pg_schema: None,
                }
            }
            Backends::Production => {
                let admin = std::env::var("TEST_POSTGRES_URL").unwrap_or_else(|_| {
                    "postgres://postgres@127.0.0.1:5432/eulogin_test".to_owned()
                });
                let redis = std::env::var("TEST_REDIS_URL")
                    .unwrap_or_else(|_| "redis://127.0.0.1:6379/15".to_owned());
                // No skipping: without PostgreSQL the test fails here.
                let schema = PgTestSchema::create(&admin)
                    .expect("PostgreSQL for tests (make check-backends)");
                Storage {
                    database_url: schema.url.clone(),
                    redis_url: Some(redis),
                    kv_prefix,
                    outbox,
                    _sqlite_dir: None,
                    _pg_schema: Some(schema),
                }
            }
        }
    }

    fn common_args(&self) -> Vec<String> {
        let mut args = vec![
            format!("--database-url={}", self.database_url),
            "--database-pool-size=4".to_owned(),
            format!("--outbox-dir={}", self.outbox.path().display()),
        ];
        if let Some(redis) = &self.redis_url {
            args.push(format!("--redis-url={redis}"));
        }
        args
    }
}

/// A person with an EU Login account: a password and an authenticator app.
#[derive(Debug, Clone)]
pub struct Person {
    pub email: String,
    pub given_name: String,
    pub family_name: String,
    pub password: String,
    /// eulogin's account id.
    pub account_id: String,
    /// The `sub` eulogin gives applications.
    pub subject: String,
    /// The authenticator app's seed.
    pub totp_seed: Vec<u8>,
}

impl Person {
    pub fn display_name(&self) -> String {
        format!("{} {}", self.given_name, self.family_name)
    }
}

/// A real eulogin and a real traces trusting it, on one manual clock.
pub struct TestWorld {
    pub backends: Backends,
    pub clock: ManualClock,
    /// `http://localhost:<port>`: eulogin's public URL and issuer.
    pub eulogin_url: String,
    pub eulogin: eulogin::AppState,
    /// `http://localhost:<port>`: traces' public URL and API audience.
    pub traces_url: String,
    /// `http://127.0.0.1:<port>`: traces' metrics listener.
    pub traces_metrics_url: Option<String>,
    pub traces: traces::AppState,
    /// traces' client secret at eulogin.
    pub client_secret: String,
    eulogin_server: Mutex<Option<ServerHandle>>,
    traces_server: ServerHandle,
    _eulogin_storage: Storage,
    _traces_storage: Storage,
}

fn bind() -> (std::net::TcpListener, String) {
    let listener = std::net::TcpListener::bind("127.0.0.1:0").expect("a free port");
    let port = listener.local_addr().expect("bound").port();
    (listener, format!("http://localhost:{port}"))
}

impl TestWorld {
    pub async fn spawn(backends: Backends) -> TestWorld {
        let clock = ManualClock::starting_now();
        let shared: infra::clock::SharedClock = Arc::new(clock.clone());
        let (eulogin_listener, eulogin_url) = bind();
        let (traces_listener, traces_url) = bind();
        let eulogin_storage = Storage::new(backends, "eulogin");
        let traces_storage = Storage::new(backends, "traces");

        let mut args = vec![
            "eulogin".to_owned(),
            format!("--public-url={eulogin_url}"),
            "--secret-key=test-secret-key-of-eulogin-at-least-32-chars".to_owned(),
            "--captcha=off".to_owned(),
            "--password-hash-concurrency=2".to_owned(),
        ];
        args.extend(eulogin_storage.common_args());
        let mut settings = eulogin::Settings::from_cli(eulogin::Cli::parse_from(args))
            .expect("eulogin test settings");
        settings.kv_prefix = eulogin_storage.kv_prefix.clone();
        let eulogin = eulogin::AppState::connect(settings, shared.clone())
            .await
            .expect("eulogin starts");
        let client_secret = infra::crypto::random_token();
        register_traces(&eulogin, &traces_url, &client_secret, clock.now()).await;
        let (_, eulogin, server) = eulogin::Application::serve(eulogin_listener, eulogin)
            .expect("eulogin serves")
            .into_parts();
        let eulogin_server = server.handle();
        tokio::spawn(server);

        let mut args = vec![
            "traces".to_owned(),
            format!("--public-url={traces_url}"),
            format!("--issuer-url={eulogin_url}"),
            format!("--client-id={CLIENT_ID}"),
            format!("--client-secret={client_secret}"),
            "--secret-key=test-secret-key-of-traces-at-least-32-chars".to_owned(),
            "--metrics-listen=127.0.0.1:0".to_owned(),
        ];
        args.extend(traces_storage.common_args());
        let mut settings = traces::Settings::from_cli(traces::Cli::parse_from(args))
            .expect("traces test settings");
        settings.kv_prefix = traces_storage.kv_prefix.clone();
        let traces = traces::AppState::connect(settings, shared)
            .await
            .expect("traces starts");
        let traces = traces::Application::serve(traces_listener, traces).expect("traces serves");
        let traces_metrics_url = traces
            .metrics_port
            .map(|port| format!("http://127.0.0.1:{port}"));
        let (_, traces, server) = traces.into_parts();
        let traces_server = server.handle();
        tokio::spawn(server);

        TestWorld {
            backends,
            clock,
            eulogin_url,
            eulogin,
            traces_url,
            traces_metrics_url,
            traces,
            client_secret,
            eulogin_server: Mutex::new(Some(eulogin_server)),
            traces_server,
            _eulogin_storage: eulogin_storage,
            _traces_storage: traces_storage,
        }
    }

    /// eulogin's issuer (its public URL without trailing slash).
    pub fn issuer(&self) -> &str {
        &self.eulogin_url
    }

    /// The `acr` of a level (`low`, `medium`, `high`).
    pub fn acr(&self, level: &str) -> String {
        format!("{}/loa/{level}", self.eulogin_url)
    }

    pub fn traces(&self, path: &str) -> String {
        format!("{}{path}", self.traces_url)
    }

    pub fn eulogin(&self, path: &str) -> String {
        format!("{}{path}", self.eulogin_url)
    }

    /// Stops eulogin's server: it no longer answers (its state stays readable by the test).
    pub async fn stop_eulogin(&self) {
        let handle = self
            .eulogin_server
            .lock()
            .unwrap_or_else(|p| p.into_inner())
            .take();
        if let Some(handle) = handle {
            handle.stop(false).await;
        }
    }

    /// An EU Login account with a password and an authenticator app, written straight into
    /// eulogin's storage (the pages that do the same are eulogin's own tests' business).
    pub async fn new_person(&self, email: &str, given_name: &str, family_name: &str) -> Person {
        let hash = self.eulogin.hasher.hash(PASSWORD).await.unwrap();
        let now = self.clock.now();
        let seed = eulogin::factors::totp::new_seed();
        let factor_id = eulogin::store::factors::new_id();
        let sealed = self.eulogin.factors.sealer.seal(&factor_id, &seed);
        let new = eulogin::store::accounts::NewAccount {
            email: email.to_owned(),
            first_name: given_name.to_owned(),
            last_name: family_name.to_owned(),
            language: "en".to_owned(),
        };
        let account = self
            .eulogin
            .db
            .run(move |c| {
                let id = eulogin::store::accounts::insert(c, &new, now)?;
                eulogin::store::accounts::set_password(c, &id, &hash, now)?;
                let factor = NewFactor {
                    id: factor_id.clone(),
                    account_id: id.clone(),
                    kind: FactorKind::Totp,
                    name: "Phone app".to_owned(),
                    lookup: factor_id,
                    public_key: String::new(),
                    secret: Some(sealed),
                    verifier: None,
                    counter: 0,
                };
                eulogin::store::factors::insert(c, &factor, now)?;
                Ok(eulogin::store::accounts::find_by_id(c, &id)?)
            })
            .await
            .unwrap()
            .unwrap();
        Person {
            email: email.to_owned(),
            given_name: given_name.to_owned(),
            family_name: family_name.to_owned(),
            password: PASSWORD.to_owned(),
            account_id: account.id,
            subject: account.subject,
            totp_seed: seed,
        }
    }

    /// A code of the person's authenticator app that eulogin will accept now: one of a time
    /// step after the last one used (a code works once), within the one step of drift eulogin
    /// allows; when all three were used, the clock moves on by one step.
    pub async fn totp_code(&self, person: &Person) -> String {
        let account_id = person.account_id.clone();
        let used = self
            .eulogin
            .db
            .run(move |c| {
                Ok(eulogin::store::factors::list_kind(
                    c,
                    &account_id,
                    FactorKind::Totp,
                )?)
            })
            .await
            .unwrap()
            .first()
            .map(|f| f.counter)
            .unwrap_or(0);
        loop {
            let step = self.clock.now().unix_timestamp() / 30;
            if let Some(usable) = [step - 1, step, step + 1].into_iter().find(|s| *s > used) {
                return eulogin::factors::totp::code_at(&person.totp_seed, usable * 30).unwrap();
            }
            self.clock.advance(time::Duration::seconds(30));
        }
    }

    /// A new browser with no cookies.
    pub fn browser(&self) -> TracesBrowser {
        TracesBrowser::new(&self.traces_url)
    }

    /// A browser that logged in to traces as `person` through the whole dance, now on traces'
    /// home page.
    pub async fn browser_logged_in(&self, person: &Person) -> TracesBrowser {
        let browser = self.browser();
        let (url, status, body) = self.log_in(&browser, person, "/").await;
        assert_eq!(status, StatusCode::OK, "{body}");
        assert_eq!(url.as_str(), self.traces("/"), "{body}");
        assert!(browser.session_cookie().is_some(), "a session cookie");
        browser
    }

    /// Starts a login at traces (`/auth/login?return_to=…`) and goes through eulogin as
    /// `person` until traces answers with a page: its URL, status and body.
    pub async fn log_in(
        &self,
        browser: &TracesBrowser,
        person: &Person,
        return_to: &str,
    ) -> (Url, StatusCode, String) {
        let start = login_url(&self.traces_url, return_to);
        match self.drive(browser, &start, Some(person), None).await {
            Journey::Page(url, status, body) => (url, status, body),
            Journey::Stopped(url) => panic!("stopped at {url}"),
        }
    }

    /// Like [`TestWorld::log_in`], but stops before the browser goes back to traces: the
    /// callback URL eulogin sent it to.
    pub async fn log_in_until_callback(
        &self,
        browser: &TracesBrowser,
        person: &Person,
        start: &str,
    ) -> Url {
        match self
            .drive(
                browser,
                start,
                Some(person),
                Some(&self.traces("/auth/callback")),
            )
            .await
        {
            Journey::Stopped(url) => url,
            Journey::Page(url, status, body) => panic!("ended at {url} ({status}): {body}"),
        }
    }

    /// Follows redirects from `start` like a browser, filling eulogin's login, method choice
    /// and code pages as `person` would (an authenticator app code), until a page that is not
    /// eulogin's, or until a redirect to a URL starting with `stop_before`.
    pub async fn drive(
        &self,
        browser: &TracesBrowser,
        start: &str,
        person: Option<&Person>,
        stop_before: Option<&str>,
    ) -> Journey {
        let mut url = Url::parse(start).unwrap();
        let mut response = browser.client.get(url.clone()).send().await.unwrap();
        for _ in 0..20 {
            if response.status().is_redirection() {
                let location = response.headers()["location"].to_str().unwrap().to_owned();
                url = url.join(&location).unwrap();
                if stop_before.is_some_and(|prefix| url.as_str().starts_with(prefix)) {
                    return Journey::Stopped(url);
                }
                response = browser.client.get(url.clone()).send().await.unwrap();
                continue;
            }
            let status = response.status();
            let body = response.text().await.unwrap();
            let at_eulogin = url.as_str().starts_with(&self.eulogin_url);
            let Some(person) = person.filter(|_| at_eulogin && status == StatusCode::OK) else {
                return Journey::Page(url, status, body);
            };
            let csrf = hidden_input(&body, "csrf_token");
            let (path, fields): (&str, Vec<(&str, String)>) =
                if let Some(pending) = hidden_input(&body, "authorization") {
                    (
                        "/login",
                        vec![
                            ("authorization", pending),
                            ("email", person.email.clone()),
                            ("password", person.password.clone()),
                        ],
                    )
                } else if has(
                    &body,
                    "form[action=\"/login/verify\"] input[name=\"choice\"]",
                ) {
                    ("/login/verify", vec![("choice", "totp".to_owned())])
                } else if has(&body, "form[action=\"/login/verify/code\"]") {
                    (
                        "/login/verify/code",
                        vec![("code", self.totp_code(person).await)],
                    )
                } else {
                    return Journey::Page(url, status, body);
                };
            let mut form = vec![("csrf_token", csrf.unwrap_or_default())];
            form.extend(fields);
            url = Url::parse(&self.eulogin(path)).unwrap();
            response = browser
                .client
                .post(url.clone())
                .form(&form)
                .send()
                .await
                .unwrap();
        }
        panic!("too many redirects");
    }

    /// A real eulogin access token for traces' audience, at the medium level: a code flow of
    /// traces' client in a browser of its own, the code exchanged with the client secret.
    pub async fn access_token(&self, person: &Person) -> String {
        self.tokens(person).await["access_token"]
            .as_str()
            .unwrap()
            .to_owned()
    }

    /// The whole token response of such a code flow (`access_token`, `id_token`, …).
    pub async fn tokens(&self, person: &Person) -> serde_json::Value {
        let redirect_uri = self.traces("/auth/callback");
        self.tokens_of_client(person, CLIENT_ID, &self.client_secret, &redirect_uri)
            .await
    }

    /// The token response of a code flow of any client of eulogin (its id, secret and
    /// redirect URI), at the medium level, as `person`.
    pub async fn tokens_of_client(
        &self,
        person: &Person,
        client_id: &str,
        secret: &str,
        redirect_uri: &str,
    ) -> serde_json::Value {
        let mut authorize = Url::parse(&self.eulogin("/oidc/authorize")).unwrap();
        authorize
            .query_pairs_mut()
            .append_pair("client_id", client_id)
            .append_pair("redirect_uri", redirect_uri)
            .append_pair("response_type", "code")
            .append_pair("scope", "openid profile email")
            .append_pair("state", "test")
            .append_pair("acr_values", &self.acr("medium"));
        let journey = self
            .drive(
                &self.browser(),
                authorize.as_str(),
                Some(person),
                Some(redirect_uri),
            )
            .await;
        let Journey::Stopped(back) = journey else {
            panic!("the login did not come back to {redirect_uri}: {journey:?}");
        };
        let code = param(&back, "code").unwrap_or_else(|| panic!("no code in {back}"));
        let response = reqwest::Client::new()
            .post(self.eulogin("/oidc/token"))
            .basic_auth(client_id, Some(secret))
            .form(&[
                ("grant_type", "authorization_code"),
                ("code", code.as_str()),
                ("redirect_uri", redirect_uri),
            ])
            .send()
            .await
            .unwrap();
        assert_eq!(response.status(), 200);
        response.json().await.unwrap()
    }

    /// The traces user of `person`, if they ever logged in.
    pub async fn traces_user(&self, person: &Person) -> Option<traces::store::users::User> {
        let (issuer, subject) = (self.issuer().to_owned(), person.subject.clone());
        self.traces
            .db
            .run(move |c| Ok(traces::store::users::find_by_subject(c, &issuer, &subject)?))
            .await
            .unwrap()
    }

    /// Waits until eulogin delivered every back-channel logout it queued (deliveries run in
    /// the background, on real time).
    pub async fn backchannel_delivered(&self) {
        for _ in 0..500 {
            if self.eulogin.oidc.backchannel.pending() == 0 {
                return;
            }
            tokio::time::sleep(std::time::Duration::from_millis(10)).await;
        }
        panic!("back-channel logout not delivered within 5 s");
    }

    pub async fn cleanup(self) {
        self.traces_server.stop(false).await;
        self.stop_eulogin().await;
        if self.backends == Backends::Production {
            let _ = self.traces.kv.clear_namespace().await;
            let _ = self.eulogin.kv.clear_namespace().await;
        }
    }
}

/// Registers traces as a confidential client of eulogin, as `eulogin clients add` would.
/// Its `minimum_acr` is eulogin's default (`low`) on purpose: traces must refuse a login
/// below medium on its own, whatever eulogin's registration says.
async fn register_traces(
    eulogin: &eulogin::AppState,
    traces_url: &str,
    secret: &str,
    now: time::OffsetDateTime,
) {
    let mut spec = ClientSpec::new(CLIENT_ID, "TRACES NT");
    spec.redirect_uris = vec![format!("{traces_url}/auth/callback")];
    spec.post_logout_redirect_uris = vec![format!("{traces_url}/")];
    spec.backchannel_logout_uri = Some(format!("{traces_url}/auth/backchannel-logout"));
    spec.audiences = vec![traces_url.to_owned()];
    let mut client = spec.check(ManagedBy::Cli).expect("a valid registration");
    client.secret_hash = Some(eulogin.oidc.secrets.hash(secret));
    eulogin
        .db
        .run(move |c| Ok(eulogin::store::clients::save(c, &client, now)?))
        .await
        .expect("client saved");
    eulogin.oidc.clients.forget(CLIENT_ID);
}

/// Where a browser's journey ended.
#[derive(Debug)]
pub enum Journey {
    /// A page (not a redirect, not one of eulogin's login pages): its URL, status and body.
    Page(Url, StatusCode, String),
    /// The redirect target the journey was told to stop before.
    Stopped(Url),
}

/// `/auth/login?return_to=…` of traces at `base`.
pub fn login_url(base: &str, return_to: &str) -> String {
    let mut url = Url::parse(&format!("{base}/auth/login")).unwrap();
    url.query_pairs_mut().append_pair("return_to", return_to);
    url.to_string()
}

/// A browser: it keeps cookies (for every host, as browsers do), follows no redirect by
/// itself, and reads CSRF tokens from pages.
pub struct TracesBrowser {
    pub client: reqwest::Client,
    pub jar: Arc<reqwest::cookie::Jar>,
    base: String,
}

impl TracesBrowser {
    fn new(base: &str) -> TracesBrowser {
        let jar = Arc::new(reqwest::cookie::Jar::default());
        let client = reqwest::Client::builder()
            .cookie_provider(jar.clone())
            .redirect(reqwest::redirect::Policy::none())
            .build()
            .expect("http client");
        TracesBrowser {
            client,
            jar,
            base: base.to_owned(),
        }
    }

    pub fn url(&self, path: &str) -> String {
        format!("{}{path}", self.base)
    }

    /// GETs a traces path: the status and the body.
    pub async fn get(&self, path: &str) -> (StatusCode, String) {
        let response = self.get_response(path).await;
        let status = response.status();
        (status, response.text().await.unwrap())
    }

    pub async fn get_response(&self, path: &str) -> reqwest::Response {
        self.client.get(self.url(path)).send().await.unwrap()
    }

    /// The CSRF token of the forms on `page` (the token is the browser's, the same on every
    /// page; the home page has one when someone is logged in).
    pub async fn csrf_token(&self, page: &str) -> Option<String> {
        let (_, body) = self.get(page).await;
        hidden_input(&body, "csrf_token")
    }

    /// Submits a form to `path` as a browser does: with the CSRF token of the page that shows
    /// the form (`path` itself when it can be shown, else the home page).
    pub async fn post_form(&self, path: &str, fields: &[(&str, &str)]) -> reqwest::Response {
        let token = match self.csrf_token(path).await {
            Some(token) => token,
            None => self.csrf_token("/").await.unwrap_or_default(),
        };
        let mut all: Vec<(&str, &str)> = vec![("csrf_token", token.as_str())];
        all.extend_from_slice(fields);
        self.client
            .post(self.url(path))
            .form(&all)
            .send()
            .await
            .unwrap()
    }

    /// The value of traces' session cookie in the jar, if any.
    pub fn session_cookie(&self) -> Option<String> {
        let url = Url::parse(&self.base).unwrap();
        let header = self.jar.cookies(&url)?;
        header
            .to_str()
            .ok()?
            .split("; ")
            .find_map(|pair| pair.strip_prefix("traces-session="))
            .filter(|v| !v.is_empty())
            .map(str::to_owned)
    }

    /// traces' server-side session of this browser, if it is open.
    pub async fn session(&self, world: &TestWorld) -> Option<traces::auth::session::Session> {
        let cookie = self.session_cookie()?;
        traces::auth::session::find(&world.traces.kv, &cookie, world.clock.now())
            .await
            .unwrap()
    }
}

/// A query parameter of a URL.
pub fn param(url: &Url, name: &str) -> Option<String> {
    url.query_pairs()
        .find(|(n, _)| n == name)
        .map(|(_, v)| v.into_owned())
}

/// The value of a hidden input in a page.
pub fn hidden_input(html: &str, name: &str) -> Option<String> {
    let doc = scraper::Html::parse_document(html);
    let selector = scraper::Selector::parse(&format!("input[name=\"{name}\"]")).ok()?;
    doc.select(&selector)
        .next()?
        .value()
        .attr("value")
        .map(str::to_owned)
}

/// Whether the page has an element matching `css`.
pub fn has(html: &str, css: &str) -> bool {
    let doc = scraper::Html::parse_document(html);
    let selector = scraper::Selector::parse(css).expect("selector");
    doc.select(&selector).next().is_some()
}

/// The text of the elements matching `css`, joined.
pub fn text_of(html: &str, css: &str) -> String {
    let doc = scraper::Html::parse_document(html);
    let selector = scraper::Selector::parse(css).expect("selector");
    doc.select(&selector)
        .map(|e| e.text().collect::<String>())
        .collect::<Vec<_>>()
        .join(" ")
        .trim()
        .to_owned()
}

/// Runs one async test body on both backend sets: `name::embedded` and `name::production`.
#[macro_export]
macro_rules! on_both_backends {
    ($name:ident, |$world:ident| $body:block) => {
        mod $name {
            #[allow(unused_imports)]
            use super::*;
            async fn body($world: &$crate::support::TestWorld) $body

            #[actix_web::test]
            async fn embedded() {
                let world =
                    $crate::support::TestWorld::spawn($crate::support::Backends::Embedded).await;
                body(&world).await;
                world.cleanup().await;
            }

            #[actix_web::test]
            async fn production() {
                let world =
                    $crate::support::TestWorld::spawn($crate::support::Backends::Production)
                        .await;
                body(&world).await;
                world.cleanup().await;
            }
        }
    };
}

/// The claims of a JWT, read without checking it (tests look at what a token says).
pub fn claims_of(jwt: &str) -> serde_json::Value {
    use base64::Engine as _;
    let payload = jwt.split('.').nth(1).expect("a JWT");
    let bytes = base64::engine::general_purpose::URL_SAFE_NO_PAD
        .decode(payload)
        .expect("base64url");
    serde_json::from_slice(&bytes).expect("JSON claims")
}
