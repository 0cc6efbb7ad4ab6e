//! Building the application: connecting storage, the key-value store and mail from the
//! settings, and serving the routes with the middleware every response passes through.

use crate::config::Settings;
use crate::factors::Factors;
use crate::factors::login_step::LoginSteps;
use crate::factors::mobile::MobileApp;
use crate::factors::security_keys::RELYING_PARTY_NAME;
use crate::factors::sms::SmsSender;
use crate::http;
use crate::http::page::PageContext;
use crate::i18n::Lang;
use crate::oidc::Oidc;
use crate::oidc::backchannel::{self, BackChannel};
use crate::oidc::client_file;
use crate::oidc::client_registry::ClientRegistry;
use crate::oidc::clients::SecretHasher;
use crate::oidc::keys::{Keys, RotationPolicy};
use crate::oidc::tokens::TokenIssuer;
use crate::security::password_hasher::PasswordHasher;
use crate::security::rate_limit::{self, Verdict};
use crate::security::sessions::Sessions;
use crate::store::audit::Actor;
use actix_web::dev::Server;
use actix_web::http::StatusCode;
use actix_web::middleware::{Compress, from_fn};
use actix_web::{App, HttpRequest, HttpResponse, HttpServer, web};
use eulogin_webauthn::WebAuthnPolicy;
use infra::clock::SharedClock;
use infra::db::Database;
use infra::http::csrf::Csrf;
use infra::http::metrics_listener;
use infra::kv::{KeyValue, KvError};
use infra::mail::{Mailer, OutgoingMail, Postman};
use infra::metrics::Metrics;
use secrecy::ExposeSecret;
use std::net::TcpListener;
use std::sync::Arc;

/// Everything a request handler may use; one per application instance, shared by its workers.
#[derive(Clone, Debug)]
pub struct AppState {
    pub settings: Arc<Settings>,
    pub db: Database,
    pub kv: KeyValue,
    pub clock: SharedClock,
    pub hasher: PasswordHasher,
    pub sessions: Sessions,
    pub csrf: Csrf,
    pub metrics: Metrics,
    pub postman: Postman,
    pub oidc: Oidc,
    pub factors: Factors,
    pub login_steps: LoginSteps,
    pub mobile: MobileApp,
    /// Security keys and passkeys: the relying party of the public URL.
    pub webauthn: WebAuthnPolicy,
}

impl AppState {
    /// Connects to everything the settings name. Fails fast when a backend is unreachable.
    pub async fn connect(settings: Settings, clock: SharedClock) -> anyhow::Result<AppState> {
        // First, so that a public URL WebAuthn cannot use stops the start before anything else.
        let webauthn = WebAuthnPolicy::new(&settings.public_url, RELYING_PARTY_NAME)
            .map_err(|e| anyhow::anyhow!("EULOGIN_PUBLIC_URL: {e}"))?;
        let database_url = settings.database_url.expose_secret().to_owned();
        let pool_size = settings.database_pool_size;
        let db = tokio::task::spawn_blocking(move || {
            Database::connect(&database_url, pool_size, &crate::store::MIGRATIONS)
        })
        .await??;
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
        let hasher = PasswordHasher::new(settings.password_hash_concurrency)?;
        let sessions = Sessions::new(
            kv.clone(),
            clock.clone(),
            settings.session_idle,
            settings.session_max,
        );
        let origin = settings.public_url.origin().ascii_serialization();
        let csrf = Csrf::new(
            settings.secret_key.expose_secret().as_bytes(),
            origin,
            settings.https(),
        )
        .without_cookie_on(&NO_BROWSER_COOKIE_PATHS);
        let metrics = Metrics::new("eulogin");
        let oidc = connect_oidc(&settings, &db, &clock, &metrics).await?;
        let sms = SmsSender::new(
            settings.sms_url.as_ref().map(url::Url::as_str),
            settings.sms_token.as_ref().map(|t| t.expose_secret()),
            settings.outbox_dir.clone(),
        )?;
        let factors = Factors::new(settings.secret_key.expose_secret().as_bytes(), sms);
        let login_steps = LoginSteps::new(kv.clone(), clock.clone());
        let mobile = MobileApp::new(kv.clone(), clock.clone());
        Ok(AppState {
            settings: Arc::new(settings),
            db,
            kv,
            clock,
            hasher,
            sessions,
            csrf,
            metrics,
            postman: Postman::new(mailer),
            oidc,
            factors,
            login_steps,
            mobile,
            webauthn,
        })
    }

    /// Who is making this request, for the audit log and rate limits.
    pub fn actor(&self, req: &HttpRequest) -> Actor {
        Actor {
            ip: infra::http::client::client_ip(req, self.settings.trust_forwarded),
            user_agent: infra::http::client::user_agent(req),
        }
    }

    /// Writes one security event to the audit log.
    pub async fn audit(
        &self,
        event: crate::store::audit::AuditEvent,
        account_id: Option<&str>,
        actor: &Actor,
        detail: &str,
    ) -> Result<(), infra::db::DbError> {
        let (account_id, actor, detail, now) = (
            account_id.map(str::to_owned),
            actor.clone(),
            detail.to_owned(),
            self.clock.now(),
        );
        self.db
            .write(move |c| {
                Ok(crate::store::audit::record(
                    c,
                    event,
                    account_id.as_deref(),
                    &actor,
                    &detail,
                    now,
                )?)
            })
            .await
    }

    /// Counts one outgoing mail against the sender's address and the recipient's address.
    pub async fn mail_rate_limit(
        &self,
        ip_bucket: &str,
        address_bucket: &str,
    ) -> Result<Verdict, KvError> {
        let limits = self.settings.limits;
        rate_limit::check_each(
            &self.kv,
            &[
                (ip_bucket, limits.mail_per_ip),
                (address_bucket, limits.mail_per_address),
            ],
        )
        .await
    }

    /// The 429 page, with `Retry-After`.
    pub fn too_many_requests(&self, ctx: &PageContext, retry_after_secs: i64) -> HttpResponse {
        self.metrics.event("rate_limited");
        let minutes = ((retry_after_secs + 59) / 60).to_string();
        let message = ctx.t.fill("error.too_many", &[("minutes", &minutes)]);
        let mut response = http::errors::message_page(
            ctx,
            StatusCode::TOO_MANY_REQUESTS,
            "error.too_many_title",
            &message,
        );
        if let Ok(value) = retry_after_secs.to_string().parse() {
            response
                .headers_mut()
                .insert(actix_web::http::header::RETRY_AFTER, value);
        }
        response
    }

    /// E-mails `link` to `to` in `lang`, with the texts under `key` (`key.subject`, `key.body`).
    pub fn send_link_mail(&self, to: &str, lang: Lang, key: &str, name: &str, link: &str) {
        let minutes = crate::domain::links::LINK_VALIDITY
            .whole_minutes()
            .to_string();
        let values = [
            ("name", name),
            ("link", link),
            ("minutes", minutes.as_str()),
            ("email", to),
        ];
        self.send_mail(to, lang, key, &values);
        if self.postman.is_outbox() {
            // Development convenience: the outbox is not a real mailbox, so say where to click.
            tracing::info!(%to, %link, "link e-mailed (outbox)");
        }
    }

    /// E-mails the texts under `key` with `values` filled in.
    pub fn send_mail(&self, to: &str, lang: Lang, key: &str, values: &[(&str, &str)]) {
        let tr = crate::i18n::tr(lang);
        let text = format!(
            "{}\n\n-- \n{}\n",
            tr.fill(&format!("{key}.body"), values),
            tr.t("mail.signature")
        );
        self.postman.post(OutgoingMail {
            to: to.to_owned(),
            subject: tr.fill(&format!("{key}.subject"), values),
            text,
            html: None,
        });
        self.metrics.event("mail_sent");
    }
}

/// Paths called by programs: they get no CSRF cookie.
const NO_BROWSER_COOKIE_PATHS: [&str; 9] = [
    http::app_api::APP_API_PREFIX,
    "/healthz",
    "/readyz",
    http::oidc::MACHINE_PATHS[0],
    http::oidc::MACHINE_PATHS[1],
    http::oidc::MACHINE_PATHS[2],
    http::oidc::MACHINE_PATHS[3],
    http::oidc::MACHINE_PATHS[4],
    http::oidc::MACHINE_PATHS[5],
];

/// How often signing keys are checked for rotation and expired refresh tokens forgotten.
const MAINTENANCE_EVERY: std::time::Duration = std::time::Duration::from_secs(600);

/// Installs `ring` as the crypto of `jsonwebtoken` and of outgoing TLS. Idempotent.
pub fn install_crypto() {
    infra::jwt::install_crypto_provider();
    let _ = rustls::crypto::ring::default_provider().install_default();
}

/// Keys (made or rotated as needed), the clients file, and the token machinery.
async fn connect_oidc(
    settings: &Settings,
    db: &Database,
    clock: &SharedClock,
    metrics: &Metrics,
) -> anyhow::Result<Oidc> {
    install_crypto();
    let server_key = settings.secret_key.expose_secret().as_bytes();
    let oidc_settings = &settings.oidc;
    let keys = Keys::new(
        server_key,
        RotationPolicy {
            rotate_after: oidc_settings.key_rotation,
            keep_retired_for: oidc_settings.key_retention(),
        },
    );
    keys.maintain(db, clock.now()).await?;
    let secrets = SecretHasher::new(server_key);
    if let Some(path) = &oidc_settings.clients_file {
        let wanted = client_file::read(path, &secrets)?;
        let applied = client_file::apply(db, wanted, clock.now()).await?;
        tracing::info!(
            file = %path.display(),
            saved = ?applied.saved,
            removed = ?applied.removed,
            "clients file applied"
        );
    }
    let issuer = settings.issuer();
    spawn_maintenance(keys.clone(), db.clone(), clock.clone());
    Ok(Oidc {
        tokens: TokenIssuer {
            issuer: issuer.clone(),
            keys: keys.clone(),
            access_token_ttl: oidc_settings.access_token_ttl,
            id_token_ttl: oidc_settings.id_token_ttl,
        },
        keys,
        clients: ClientRegistry::new(db.clone(), oidc_settings.client_cache),
        secrets,
        backchannel: BackChannel::start(backchannel::http_client()?, metrics.clone()),
        discovery: Arc::from(http::oidc::discovery::metadata(&issuer).to_string()),
        verified_tokens: Default::default(),
        profiles: Default::default(),
    })
}

/// Reloads the keys every minute (rotations made elsewhere), rotates them when due and forgets
/// expired refresh tokens every ten minutes.
fn spawn_maintenance(keys: Keys, db: Database, clock: SharedClock) {
    tokio::spawn(async move {
        let mut last_maintenance = std::time::Instant::now();
        loop {
            tokio::time::sleep(crate::oidc::keys::RELOAD_EVERY).await;
            let now = clock.now();
            let outcome = if last_maintenance.elapsed() >= MAINTENANCE_EVERY {
                last_maintenance = std::time::Instant::now();
                let cleaned = db
                    .write(move |c| Ok(crate::store::refresh_tokens::delete_expired(c, now)?))
                    .await;
                if let Err(e) = cleaned {
                    tracing::warn!(error = %e, "expired refresh tokens not cleaned");
                }
                keys.maintain(&db, now).await
            } else {
                keys.reload(&db, now).await
            };
            if let Err(e) = outcome {
                tracing::error!(error = %e, "signing keys not refreshed");
            }
        }
    });
}

/// The TLS configuration of a server that terminates HTTPS itself.
fn tls_config(
    cert: &std::path::Path,
    key: &std::path::Path,
) -> anyhow::Result<rustls::ServerConfig> {
    use rustls_pki_types::pem::PemObject as _;
    use rustls_pki_types::{CertificateDer, PrivateKeyDer};
    install_crypto();
    let chain = CertificateDer::pem_file_iter(cert)
        .and_then(|certs| certs.collect::<Result<Vec<_>, _>>())
        .map_err(|e| anyhow::anyhow!("EULOGIN_TLS_CERT_FILE {}: {e}", cert.display()))?;
    let key = PrivateKeyDer::from_pem_file(key)
        .map_err(|e| anyhow::anyhow!("EULOGIN_TLS_KEY_FILE {}: {e}", key.display()))?;
    let mut config = rustls::ServerConfig::builder()
        .with_no_client_auth()
        .with_single_cert(chain, key)?;
    config.alpn_protocols = vec![b"h2".to_vec(), b"http/1.1".to_vec()];
    Ok(config)
}

/// A running application: where it listens and the server to await.
pub struct Application {
    pub port: u16,
    /// The port of the metrics listener, when `EULOGIN_METRICS_LISTEN` names one.
    pub metrics_port: Option<u16>,
    pub state: AppState,
    server: Server,
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
        let server = HttpServer::new(move || {
            let csrf = data.csrf.clone();
            let metrics = data.metrics.clone();
            let scraped = data.metrics.clone();
            App::new()
                .app_data(data.clone())
                .app_data(
                    web::FormConfig::default()
                        .limit(16 * 1024)
                        .error_handler(http::forms::form_error_handler),
                )
                .app_data(web::QueryConfig::default().error_handler(|err, _req| {
                    actix_web::error::InternalError::from_response(
                        err,
                        HttpResponse::BadRequest().finish(),
                    )
                    .into()
                }))
                .configure(http::routes)
                .default_service(web::to(http::ops::not_found))
                .wrap(from_fn(move |req, next| {
                    Csrf::ensure_cookie(csrf.clone(), req, next)
                }))
                .wrap(infra::http::security_headers::middleware(https))
                .wrap(Compress::default())
                .wrap(from_fn(move |req, next| {
                    infra::http::request_log::log_and_measure(metrics.clone(), req, next)
                }))
                .wrap(from_fn(move |req, next| {
                    metrics_listener::serve_on(metrics_port, scraped.clone(), req, next)
                }))
        })
        .shutdown_timeout(10);
        let server = match &state.settings.tls {
            Some((cert, key)) => server.listen_rustls_0_23(listener, tls_config(cert, key)?)?,
            None => server.listen(listener)?,
        };
        // Plain HTTP: the metrics listener is reached inside the cluster or the machine only.
        let server = match metrics_listener {
            Some(metrics_listener) => server.listen(metrics_listener)?,
            None => server,
        }
        .run();
        Ok(Application {
            port,
            metrics_port,
            state,
            server,
        })
    }

    pub async fn run_until_stopped(self) -> std::io::Result<()> {
        self.server.await
    }

    pub fn into_parts(self) -> (u16, AppState, Server) {
        (self.port, self.state, self.server)
    }
}
