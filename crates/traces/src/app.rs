//! Building the application: connecting storage, the key-value store, mail and the trust in
//! eulogin from the settings, and serving the routes with the middleware every response
//! passes through.

use crate::config::{Environment, Settings};
use crate::http;
use crate::store::environment::Claim;
use actix_web::dev::Server;
use actix_web::http::header;
use actix_web::middleware::{Compress, DefaultHeaders, from_fn};
use actix_web::{App, HttpServer, web};
use infra::clock::SharedClock;
use infra::db::Database;
use infra::http::csrf::Csrf;
use infra::http::metrics_listener;
use infra::kv::KeyValue;
use infra::mail::{Mailer, Postman};
use infra::metrics::Metrics;
use secrecy::ExposeSecret;
use std::net::TcpListener;
use std::sync::Arc;
use time::OffsetDateTime;

/// Everything a request handler may use; one per application instance, shared by its workers.
#[derive(Clone, Debug)]
pub struct AppState {
    pub settings: Arc<Settings>,
    pub db: Database,
    pub kv: KeyValue,
    pub clock: SharedClock,
    pub csrf: Csrf,
    pub metrics: Metrics,
    pub postman: Postman,
    /// eulogin, trusted: its metadata and keys, fetched when first needed.
    pub auth: crate::auth::EuLogin,
    /// API access tokens whose signature was verified (`auth::verified_tokens`).
    pub verified_tokens: crate::auth::verified_tokens::VerifiedTokens,
}

/// Paths that machines call: no browser cookie is set on them. The back-channel logout is
/// called by eulogin's server, with neither cookie nor CSRF token (its signed logout token is
/// the proof); `Csrf` only checks the handlers that ask it to, and this one does not.
const NO_BROWSER_COOKIE_PATHS: [&str; 4] = [
    "/api/",
    "/healthz",
    "/readyz",
    crate::auth::BACKCHANNEL_LOGOUT_PATH,
];

impl AppState {
    /// Connects to everything the settings name. Fails fast when a backend is unreachable or
    /// the database belongs to the other environment.
    pub async fn connect(settings: Settings, clock: SharedClock) -> anyhow::Result<AppState> {
        install_crypto();
        let db = open_database(&settings, clock.now()).await?;
        let kv = match &settings.redis_url {
            Some(url) => KeyValue::redis(url.expose_secret(), &settings.kv_prefix)
                .await
                .map_err(|e| anyhow::anyhow!("Redis cannot be reached: {e}"))?,
            None => KeyValue::in_process(&settings.kv_prefix, clock.clone()),
        };
        let mailer = Mailer::new(
            settings.smtp_url.as_ref().map(|u| u.expose_secret()),
            settings.outbox_dir.clone(),
            &settings.mail_from,
        )?;
        let csrf = Csrf::new(
            settings.secret_key.expose_secret().as_bytes(),
            settings.public_url.origin().ascii_serialization(),
            settings.https(),
        )
        .without_cookie_on(&NO_BROWSER_COOKIE_PATHS);
        let auth = crate::auth::EuLogin::new(&settings, clock.clone())?;
        Ok(AppState {
            settings: Arc::new(settings),
            db,
            kv,
            clock,
            csrf,
            metrics: Metrics::new("traces"),
            postman: Postman::new(mailer),
            auth,
            verified_tokens: Default::default(),
        })
    }
}

/// How much of an SQLite database traces reads through a memory map (see
/// `infra::db::Database::connect_mapped`): 1 GiB, ten times the demo data's 100,000 operators.
pub const SQLITE_MMAP_BYTES: u64 = 1 << 30;

/// Connects to the database of `settings` (migrating it), refuses one that belongs to the
/// other environment and loads the shipped reference data: what serving and every
/// administration command start with.
pub async fn open_database(settings: &Settings, now: OffsetDateTime) -> anyhow::Result<Database> {
    let database_url = settings.database_url.expose_secret().to_owned();
    let pool_size = settings.database_pool_size;
    let db = tokio::task::spawn_blocking(move || {
        Database::connect_mapped(
            &database_url,
            pool_size,
            &crate::store::MIGRATIONS,
            SQLITE_MMAP_BYTES,
        )
    })
    .await??;
    refuse_other_environment(&db, settings.environment).await?;
    // Before serving: a database without its reference data (or with data the files
    // cannot become) is not one to serve from.
    crate::reference::load_shipped(&db, now).await?;
    Ok(db)
}

/// Claims an empty database for `environment`; fails, naming both, when the database belongs
/// to the other environment (an acceptance deployment pointed at production's database, or
/// the reverse).
pub async fn refuse_other_environment(
    db: &Database,
    environment: Environment,
) -> anyhow::Result<()> {
    let code = environment.code();
    let claim = db
        .write(move |c| Ok(crate::store::environment::claim(c, code)?))
        .await?;
    match claim {
        Claim::Claimed => {
            tracing::info!(
                environment = code,
                "the database now belongs to this environment"
            );
            Ok(())
        }
        Claim::Same => Ok(()),
        Claim::Other(other) => anyhow::bail!(
            "this database belongs to the {other} environment and TRACES_ENVIRONMENT is {code}: \
             traces refuses to use it (each environment has a database of its own; check \
             TRACES_DATABASE_URL and TRACES_ENVIRONMENT)"
        ),
    }
}

/// The shared Content-Security-Policy, with eulogin's origin allowed as a form target: the
/// logout form posts to traces, which answers with a redirect to eulogin's end-session
/// endpoint, and Chromium and Safari check `form-action` against every redirect a form
/// submission leads to (w3c/webappsec-csp#8), so `'self'` alone would stop the logout there.
fn content_security_policy(settings: &Settings) -> String {
    let eulogin = settings.issuer_url.origin().ascii_serialization();
    infra::http::security_headers::allowing_form_targets([eulogin.as_str()])
}

/// The crypto providers of rustls (outgoing HTTPS to eulogin) and jsonwebtoken.
pub fn install_crypto() {
    infra::jwt::install_crypto_provider();
    let _ = rustls::crypto::ring::default_provider().install_default();
}

/// Builds the operators' API documents that are missing (after the migration that introduced
/// them, or reference data that changed their names); the API assembles those operators from
/// their tables meanwhile.
async fn build_operator_documents(db: Database) {
    match crate::store::operator_documents::build_all_missing(&db).await {
        Ok(0) => {}
        Ok(built) => tracing::info!(built, "operator API documents built"),
        Err(e) => tracing::error!(error = %e, "operator API documents not built"),
    }
}

pub struct Application {
    pub port: u16,
    pub state: AppState,
    /// The port of the metrics listener, when `TRACES_METRICS_LISTEN` names one.
    pub metrics_port: Option<u16>,
    server: Server,
    /// The inactivity job running every `TRACES_INACTIVITY_INTERVAL_MINUTES`, if enabled.
    inactivity_job: Option<tokio::task::JoinHandle<()>>,
}

impl Application {
    /// Binds the listener (port 0 picks a free port, as tests do) and prepares the server.
    pub async fn build(settings: Settings, clock: SharedClock) -> anyhow::Result<Application> {
        let listener = TcpListener::bind(&settings.listen)
            .map_err(|e| anyhow::anyhow!("cannot listen on {}: {e}", settings.listen))?;
        let state = AppState::connect(settings, clock).await?;
        Self::serve(listener, state)
    }

    pub fn serve(listener: TcpListener, state: AppState) -> anyhow::Result<Application> {
        let port = listener.local_addr()?.port();
        let metrics_listener = metrics_listener::bind(state.settings.metrics_listen.as_deref())?;
        let metrics_port = metrics_listener::port_of(metrics_listener.as_ref())?;
        let data = web::Data::new(state.clone());
        let https = state.settings.https();
        let csp = content_security_policy(&state.settings);
        let server = HttpServer::new(move || {
            let csrf = data.csrf.clone();
            let metrics = data.metrics.clone();
            let scraped = data.metrics.clone();
            App::new()
                .app_data(data.clone())
                .app_data(web::FormConfig::default().limit(64 * 1024))
                .app_data(
                    web::JsonConfig::default()
                        .limit(64 * 1024)
                        .error_handler(http::api::problems::json_error),
                )
                .app_data(
                    web::QueryConfig::default().error_handler(http::api::problems::query_error),
                )
                .configure(http::routes)
                .default_service(web::to(http::ops::not_found))
                .wrap(from_fn(move |req, next| {
                    Csrf::ensure_cookie(csrf.clone(), req, next)
                }))
                // Set before the shared headers, which then leave this one as it is.
                .wrap(DefaultHeaders::new().add((header::CONTENT_SECURITY_POLICY, csp.clone())))
                .wrap(infra::http::security_headers::middleware(https))
                .wrap(Compress::default())
                .wrap(from_fn(move |req, next| {
                    infra::http::request_log::log_and_measure(metrics.clone(), req, next)
                }))
                .wrap(from_fn(move |req, next| {
                    metrics_listener::serve_on(metrics_port, scraped.clone(), req, next)
                }))
        })
        .shutdown_timeout(10)
        .listen(listener)?;
        let server = match metrics_listener {
            Some(metrics_listener) => server.listen(metrics_listener)?,
            None => server,
        }
        .run();
        let inactivity_job = crate::workflows::inactivity::start_periodic(state.clone());
        tokio::spawn(build_operator_documents(state.db.clone()));
        Ok(Application {
            port,
            metrics_port,
            state,
            server,
            inactivity_job,
        })
    }

    pub async fn run_until_stopped(self) -> std::io::Result<()> {
        let stopped = self.server.await;
        if let Some(job) = self.inactivity_job {
            job.abort();
        }
        stopped
    }

    pub fn into_parts(self) -> (u16, AppState, Server) {
        (self.port, self.state, self.server)
    }
}
