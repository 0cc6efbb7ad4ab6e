//! Test support: a real eulogin on a free port with its own database (a SQLite file, or a
//! private PostgreSQL schema), its own key-value namespace (in-process, or Redis), its own
//! outbox folder and a manual clock; and a browser-like client that keeps cookies and reads
//! the CSRF token from the pages, as a person's browser would.

use clap::Parser;
use eulogin::{AppState, Application, Cli, Settings};
use infra::db::test_support::PgTestSchema;
use infra::{Clock, ManualClock};
use std::sync::Arc;

pub const STRONG_PASSWORD: &str = "violet tractor harbour 1987 lantern";
pub const OTHER_STRONG_PASSWORD: &str = "copper meadow saxophone quietly 42";

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Backends {
    /// SQLite file + in-process key-value store: the embedded defaults.
    Embedded,
    /// PostgreSQL + Redis: the production parts.
    Production,
}

/// Where a test's data lives; shared by every instance started on it.
pub struct TestData {
    pub backends: Backends,
    pub database_url: String,
    pub redis_url: Option<String>,
    pub kv_prefix: String,
    pub outbox: tempfile::TempDir,
    _sqlite_dir: Option<tempfile::TempDir>,
    _pg_schema: Option<PgTestSchema>,
}

impl TestData {
    pub fn new(backends: Backends) -> TestData {
        let outbox = tempfile::tempdir().expect("outbox dir");
        let kv_prefix = format!("test-{}", &infra::crypto::random_token()[..16]);
        match backends {
            Backends::Embedded => {
                let dir = tempfile::tempdir().expect("sqlite dir");
                let database_url = dir.path().join("eulogin.db").display().to_string();
                TestData {
                    backends,
                    database_url,
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
                TestData {
                    backends,
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

    pub fn settings(&self) -> Settings {
        let mut args = vec![
            "eulogin".to_owned(),
            "--listen=127.0.0.1:0".to_owned(),
            "--metrics-listen=127.0.0.1:0".to_owned(),
            "--public-url=http://localhost:8080".to_owned(),
            format!("--database-url={}", self.database_url),
            "--database-pool-size=4".to_owned(),
            format!("--outbox-dir={}", self.outbox.path().display()),
            "--secret-key=test-secret-key-of-at-least-32-characters".to_owned(),
            "--captcha=off".to_owned(),
            "--password-hash-concurrency=2".to_owned(),
        ];
        if let Some(redis) = &self.redis_url {
            args.push(format!("--redis-url={redis}"));
        }
        let mut settings = Settings::from_cli(Cli::parse_from(args)).expect("test settings");
        settings.kv_prefix = self.kv_prefix.clone();
        // Generous limits by default; the rate-limit tests set their own.
        let mut limits = settings.limits;
        limits.login_per_ip.max = 10_000;
        limits.login_per_account.max = 10_000;
        limits.mail_per_ip.max = 10_000;
        limits.mail_per_address.max = 10_000;
        settings.limits = limits;
        settings
    }
}

/// One running eulogin and a browser talking to it.
pub struct TestApp {
    pub base: String,
    /// The metrics listener (`http://127.0.0.1:{port}`), when the settings name one.
    pub metrics_base: Option<String>,
    pub state: AppState,
    pub clock: ManualClock,
    pub browser: reqwest::Client,
    pub data: Arc<TestData>,
}

pub fn browser() -> reqwest::Client {
    reqwest::Client::builder()
        .cookie_store(true)
        .redirect(reqwest::redirect::Policy::none())
        .build()
        .expect("http client")
}

impl TestApp {
    pub async fn spawn(backends: Backends) -> TestApp {
        Self::spawn_with(backends, |_| {}).await
    }

    pub async fn spawn_with(backends: Backends, adjust: impl FnOnce(&mut Settings)) -> TestApp {
        let data = Arc::new(TestData::new(backends));
        let mut settings = data.settings();
        adjust(&mut settings);
        Self::start(data, settings, ManualClock::starting_now()).await
    }

    /// The same instance seen from another browser (another device of the same person).
    pub fn other_browser(&self) -> TestApp {
        TestApp {
            base: self.base.clone(),
            metrics_base: self.metrics_base.clone(),
            state: self.state.clone(),
            clock: self.clock.clone(),
            browser: browser(),
            data: Arc::clone(&self.data),
        }
    }

    /// Another instance (another "replica") on the same database and key-value store.
    pub async fn replica(&self) -> TestApp {
        Self::start(
            Arc::clone(&self.data),
            self.data.settings(),
            self.clock.clone(),
        )
        .await
    }

    /// Starts an instance at its own address, which is also its public URL and issuer, so
    /// that links, discovery and redirects all point at it. The host is `localhost`, not
    /// `127.0.0.1`: security keys and passkeys need a domain name (eulogin refuses to start
    /// with an IP address for a public URL).
    async fn start(data: Arc<TestData>, settings: Settings, clock: ManualClock) -> TestApp {
        Self::start_at(data, settings, clock, "http://localhost").await
    }

    /// An instance serving HTTPS itself with `cert` and `key` (PEM files), at
    /// `https://localhost:{port}`. Its `browser` does not trust the certificate: drive it with a
    /// client that does.
    pub async fn spawn_tls(
        backends: Backends,
        cert: std::path::PathBuf,
        key: std::path::PathBuf,
    ) -> TestApp {
        let data = Arc::new(TestData::new(backends));
        let mut settings = data.settings();
        settings.tls = Some((cert, key));
        Self::start_at(
            data,
            settings,
            ManualClock::starting_now(),
            "https://localhost",
        )
        .await
    }

    async fn start_at(
        data: Arc<TestData>,
        mut settings: Settings,
        clock: ManualClock,
        scheme_and_host: &str,
    ) -> TestApp {
        let listener = std::net::TcpListener::bind("127.0.0.1:0").expect("a free port");
        let port = listener.local_addr().expect("bound").port();
        let base = format!("{scheme_and_host}:{port}");
        // A test that chose its own public URL (an HTTPS one, say) keeps it.
        if settings.public_url.as_str() == "http://localhost:8080/" || settings.tls.is_some() {
            settings.public_url = url::Url::parse(&base).expect("url");
        }
        let state = eulogin::AppState::connect(settings, Arc::new(clock.clone()))
            .await
            .expect("application starts");
        let app = Application::serve(listener, state).expect("application serves");
        let metrics_base = app.metrics_port.map(|p| format!("http://127.0.0.1:{p}"));
        let (_, state, server) = app.into_parts();
        tokio::spawn(server);
        TestApp {
            base,
            metrics_base,
            state,
            clock,
            browser: browser(),
            data,
        }
    }

    pub fn url(&self, path: &str) -> String {
        format!("{}{path}", self.base)
    }

    pub async fn get(&self, path: &str) -> reqwest::Response {
        self.browser.get(self.url(path)).send().await.expect("GET")
    }

    /// The CSRF token of the forms this browser is shown.
    pub async fn csrf_token(&self) -> String {
        let html = self.get("/login").await.text().await.expect("login page");
        hidden_input(&html, "csrf_token").expect("csrf token on the login page")
    }

    /// Submits a form the way a browser does: with the page's CSRF token.
    pub async fn post_form(&self, path: &str, fields: &[(&str, &str)]) -> reqwest::Response {
        let token = self.csrf_token().await;
        let mut all: Vec<(&str, &str)> = vec![("csrf_token", token.as_str())];
        all.extend_from_slice(fields);
        self.browser
            .post(self.url(path))
            .form(&all)
            .send()
            .await
            .expect("POST")
    }

    /// Every mail delivered so far, oldest first.
    pub async fn mails(&self) -> Vec<Mail> {
        self.state.postman.idle().await;
        read_outbox(self.data.outbox.path())
    }

    /// The newest mail to `to`.
    pub async fn last_mail_to(&self, to: &str) -> Mail {
        self.mails()
            .await
            .into_iter()
            .rev()
            .find(|m| m.to.contains(to))
            .unwrap_or_else(|| panic!("no mail to {to}"))
    }

    pub async fn register(&self, email: &str) -> reqwest::Response {
        self.post_form(
            "/register",
            &[
                ("first_name", "Anna"),
                ("last_name", "Berg"),
                ("email", email),
                ("email_confirm", email),
                ("language", "en"),
                ("privacy", "yes"),
            ],
        )
        .await
    }

    /// Registers `email` and sets `password` through the e-mailed link.
    pub async fn create_account(&self, email: &str, password: &str) {
        assert_eq!(self.register(email).await.status(), 200);
        let link = link_in(&self.last_mail_to(email).await);
        let response = self.set_password(&link, password).await;
        assert_eq!(
            response.status(),
            200,
            "{}",
            response.text().await.unwrap_or_default()
        );
    }

    /// Opens a password link and submits a new password, as the person would.
    pub async fn set_password(&self, link: &str, password: &str) -> reqwest::Response {
        let token = token_of(link);
        self.post_form(
            "/password/new",
            &[
                ("token", &token),
                ("password", password),
                ("password_confirm", password),
            ],
        )
        .await
    }

    pub async fn login(&self, email: &str, password: &str) -> reqwest::Response {
        self.post_form("/login", &[("email", email), ("password", password)])
            .await
    }

    /// Creates `https@example.se` directly in storage (for apps whose secure cookies a plain
    /// http test client cannot carry through the registration pages).
    pub async fn create_account_without_browser_cookies(&self) {
        self.insert_account("https@example.se", STRONG_PASSWORD)
            .await;
    }

    /// Creates an account with a password directly in storage, without any page.
    pub async fn insert_account(&self, email: &str, password: &str) {
        let hash = self.state.hasher.hash(password).await.unwrap();
        let now = self.clock.now();
        let email = email.to_owned();
        self.state
            .db
            .run(move |c| {
                let new = eulogin::store::accounts::NewAccount {
                    email,
                    first_name: "Anna".to_owned(),
                    last_name: "Berg".to_owned(),
                    language: "en".to_owned(),
                };
                let id = eulogin::store::accounts::insert(c, &new, now)?;
                eulogin::store::accounts::set_password(c, &id, &hash, now)?;
                Ok(())
            })
            .await
            .unwrap();
    }

    /// `times` logins with a wrong password, each refused.
    pub async fn fail_logins(&self, email: &str, times: usize) {
        for _ in 0..times {
            assert_eq!(
                self.login(email, "wrong password guess").await.status(),
                401
            );
        }
    }

    /// A GET with only the given cookie, as a client replaying a stolen or stale cookie would.
    pub async fn get_with_cookie(&self, path: &str, cookie: &str) -> reqwest::Response {
        browser()
            .get(self.url(path))
            .header("Cookie", cookie)
            .send()
            .await
            .expect("GET")
    }

    /// The account at `email`, as stored.
    pub async fn account(&self, email: &str) -> eulogin::store::accounts::Account {
        let email = email.to_owned();
        self.state
            .db
            .run(move |c| Ok(eulogin::store::accounts::find_by_email(c, &email)?))
            .await
            .expect("query")
            .expect("account exists")
    }

    pub async fn failed_logins(&self, email: &str) -> i32 {
        self.account(email).await.failed_logins
    }

    /// The account's audit events as stored, newest first.
    pub async fn audit_records(&self, email: &str) -> Vec<eulogin::store::audit::AuditRecord> {
        let id = self.account(email).await.id;
        self.state
            .db
            .run(move |c| Ok(eulogin::store::audit::for_account(c, &id, 100)?))
            .await
            .expect("query")
    }

    /// The names of the account's audit events, newest first.
    pub async fn audit_events(&self, email: &str) -> Vec<String> {
        self.audit_records(email)
            .await
            .into_iter()
            .map(|e| e.event)
            .collect()
    }

    pub async fn cleanup(self) {
        if self.data.backends == Backends::Production {
            let _ = self.state.kv.clear_namespace().await;
        }
    }
}

/// A delivered e-mail, decoded.
#[derive(Debug, Clone)]
pub struct Mail {
    pub to: String,
    pub subject: String,
    pub body: String,
}

fn read_outbox(dir: &std::path::Path) -> Vec<Mail> {
    let mut paths: Vec<_> = std::fs::read_dir(dir)
        .expect("outbox")
        .filter_map(|e| e.ok().map(|e| e.path()))
        .filter(|p| p.extension().is_some_and(|x| x == "eml"))
        .collect();
    paths.sort();
    paths
        .into_iter()
        .map(|p| {
            let raw = std::fs::read(&p).expect("mail file");
            let message = mail_parser::MessageParser::default()
                .parse(&raw)
                .expect("RFC 5322 message");
            Mail {
                to: message
                    .to()
                    .and_then(|a| a.first())
                    .and_then(|a| a.address())
                    .unwrap_or_default()
                    .to_owned(),
                subject: message.subject().unwrap_or_default().to_owned(),
                body: message
                    .body_text(0)
                    .map(|b| b.into_owned())
                    .unwrap_or_default(),
            }
        })
        .collect()
}

/// The full `Set-Cookie` value of the session cookie a response sets.
pub fn session_set_cookie(response: &reqwest::Response) -> String {
    response
        .headers()
        .get_all("set-cookie")
        .iter()
        .filter_map(|v| v.to_str().ok())
        .find(|c| c.starts_with("eulogin_session="))
        .expect("a session cookie")
        .to_owned()
}

/// `name=value` of the session cookie a response sets, ready for a `Cookie` header.
pub fn session_cookie_of(response: &reqwest::Response) -> String {
    session_set_cookie(response)
        .split(';')
        .next()
        .unwrap_or_default()
        .to_owned()
}

/// The first link in a mail.
pub fn link_in(mail: &Mail) -> String {
    mail.body
        .split_whitespace()
        .find(|w| w.starts_with("http://") || w.starts_with("https://"))
        .unwrap_or_else(|| panic!("no link in {mail:?}"))
        .to_owned()
}

pub fn token_of(link: &str) -> String {
    link.split("token=").nth(1).unwrap_or_default().to_owned()
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
    ($name:ident, |$app:ident| $body:block) => {
        mod $name {
            #[allow(unused_imports)]
            use super::*;
            async fn body($app: &$crate::support::TestApp) $body

            #[actix_web::test]
            async fn embedded() {
                let app = $crate::support::TestApp::spawn($crate::support::Backends::Embedded).await;
                body(&app).await;
                app.cleanup().await;
            }

            #[actix_web::test]
            async fn production() {
                let app = $crate::support::TestApp::spawn($crate::support::Backends::Production).await;
                body(&app).await;
                app.cleanup().await;
            }
        }
    };
}
