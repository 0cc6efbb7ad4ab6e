//! Settings of eulogin, read from the command line or the environment (`EULOGIN_…`, and
//! `…_FILE` for secrets mounted as files). `eulogin --help` lists every one of them.

use clap::Parser;
use secrecy::{ExposeSecret, SecretString};
use std::path::PathBuf;
use url::Url;

/// EU Login: an OpenID Connect identity provider.
#[derive(Debug, Parser)]
#[command(name = "eulogin", version, about, long_about = None)]
pub struct Cli {
    /// Address and port to listen on.
    #[arg(long, env = "EULOGIN_LISTEN", default_value = "127.0.0.1:8080")]
    pub listen: String,
    /// Address and port of the metrics listener, which serves `/metrics` (Prometheus,
    /// OpenMetrics) and nothing else; reach it only from the monitoring system (e.g.
    /// `0.0.0.0:9464` in a pod, `127.0.0.1:9464` on a workstation). Unset: no metrics.
    #[arg(long, env = "EULOGIN_METRICS_LISTEN")]
    pub metrics_listen: Option<String>,
    /// The public URL browsers reach eulogin at; also its OpenID Connect issuer. Every link in
    /// e-mails is built from it, never from the request's Host header.
    #[arg(
        long,
        env = "EULOGIN_PUBLIC_URL",
        default_value = "http://localhost:8080"
    )]
    pub public_url: String,
    /// Database: a SQLite file path (default) or postgres://user:pass@host/db.
    #[arg(
        long,
        env = "EULOGIN_DATABASE_URL",
        default_value = "./var/eulogin.db",
        hide_env_values = true
    )]
    pub database_url: String,
    /// File holding the database URL (takes precedence over EULOGIN_DATABASE_URL).
    #[arg(long, env = "EULOGIN_DATABASE_URL_FILE")]
    pub database_url_file: Option<PathBuf>,
    /// Connections in the database pool.
    #[arg(long, env = "EULOGIN_DATABASE_POOL_SIZE", default_value_t = 8)]
    pub database_pool_size: u32,
    /// Redis URL (redis://host:6379/0); unset keeps short-lived state in this process.
    #[arg(long, env = "EULOGIN_REDIS_URL", hide_env_values = true)]
    pub redis_url: Option<String>,
    /// File holding the Redis URL.
    #[arg(long, env = "EULOGIN_REDIS_URL_FILE")]
    pub redis_url_file: Option<PathBuf>,
    /// Namespace of this deployment's keys in Redis (several deployments may share one Redis).
    #[arg(long, env = "EULOGIN_KEY_PREFIX", default_value = "eulogin")]
    pub key_prefix: String,
    /// SMTP relay (smtp://user:pass@host:587?tls=required or smtps://…); unset writes mail to
    /// the outbox folder.
    #[arg(long, env = "EULOGIN_SMTP_URL", hide_env_values = true)]
    pub smtp_url: Option<String>,
    /// File holding the SMTP URL.
    #[arg(long, env = "EULOGIN_SMTP_URL_FILE")]
    pub smtp_url_file: Option<PathBuf>,
    /// Folder where mail (and SMS) land as files when no gateway is configured.
    #[arg(long, env = "EULOGIN_OUTBOX_DIR", default_value = "./var/outbox")]
    pub outbox_dir: PathBuf,
    /// Sender of every e-mail.
    #[arg(
        long,
        env = "EULOGIN_MAIL_FROM",
        default_value = "EU Login <no-reply@localhost>"
    )]
    pub mail_from: String,
    /// Server key (32 random bytes or more, e.g. `openssl rand -base64 48`): signs CSRF tokens.
    /// Required unless the public URL is local, where one is generated under ./var/.
    #[arg(long, env = "EULOGIN_SECRET_KEY", hide_env_values = true)]
    pub secret_key: Option<String>,
    /// File holding the server key.
    #[arg(long, env = "EULOGIN_SECRET_KEY_FILE")]
    pub secret_key_file: Option<PathBuf>,
    /// The registration captcha: `on`, or `off` for development and tests (refused with a
    /// non-local public URL).
    #[arg(long, env = "EULOGIN_CAPTCHA", default_value = "on", value_parser = ["on", "off"])]
    pub captcha: String,
    /// Believe X-Forwarded-For for the client address (only behind a trusted proxy).
    #[arg(long, env = "EULOGIN_TRUST_FORWARDED", default_value_t = false)]
    pub trust_forwarded: bool,
    /// Minutes without activity after which an SSO session ends.
    #[arg(long, env = "EULOGIN_SESSION_IDLE_MINUTES", default_value_t = 60)]
    pub session_idle_minutes: i64,
    /// Hours after login after which an SSO session ends whatever the activity.
    #[arg(long, env = "EULOGIN_SESSION_MAX_HOURS", default_value_t = 12)]
    pub session_max_hours: i64,
    /// Password hashes computed at once (default: the number of cores).
    #[arg(long, env = "EULOGIN_PASSWORD_HASH_CONCURRENCY")]
    pub password_hash_concurrency: Option<usize>,
    /// Login attempts allowed per client address in 5 minutes (raise it behind a large NAT).
    #[arg(long, env = "EULOGIN_LOGIN_LIMIT_PER_IP", default_value_t = 30)]
    pub login_limit_per_ip: i64,
    /// Login attempts allowed per e-mail address in 15 minutes.
    #[arg(long, env = "EULOGIN_LOGIN_LIMIT_PER_ACCOUNT", default_value_t = 20)]
    pub login_limit_per_account: i64,
    /// Declarative clients file (TOML), applied at every start; see docs/oidc.md.
    #[arg(long, env = "EULOGIN_CLIENTS_FILE")]
    pub clients_file: Option<PathBuf>,
    /// Lifetime of access tokens, in minutes.
    #[arg(long, env = "EULOGIN_ACCESS_TOKEN_MINUTES", default_value_t = 5)]
    pub access_token_minutes: i64,
    /// Lifetime of ID tokens, in minutes.
    #[arg(long, env = "EULOGIN_ID_TOKEN_MINUTES", default_value_t = 10)]
    pub id_token_minutes: i64,
    /// A refresh token not used for this many hours expires.
    #[arg(long, env = "EULOGIN_REFRESH_TOKEN_IDLE_HOURS", default_value_t = 24)]
    pub refresh_token_idle_hours: i64,
    /// Days after the login after which a family of refresh tokens expires whatever its use.
    #[arg(long, env = "EULOGIN_REFRESH_TOKEN_MAX_DAYS", default_value_t = 30)]
    pub refresh_token_max_days: i64,
    /// Days a signing key signs before the next one takes over.
    #[arg(long, env = "EULOGIN_KEY_ROTATION_DAYS", default_value_t = 30)]
    pub key_rotation_days: i64,
    /// Seconds a replica keeps a client's registration in memory.
    #[arg(long, env = "EULOGIN_CLIENT_CACHE_SECONDS", default_value_t = 5)]
    pub client_cache_seconds: u64,
    /// HTTP gateway for text messages (JSON `POST {"to", "text"}`); unset: the outbox folder.
    #[arg(long, env = "EULOGIN_SMS_URL")]
    pub sms_url: Option<String>,
    /// Bearer token for the SMS gateway.
    #[arg(long, env = "EULOGIN_SMS_TOKEN", hide_env_values = true)]
    pub sms_token: Option<String>,
    /// File holding the SMS gateway token (takes precedence over EULOGIN_SMS_TOKEN).
    #[arg(long, env = "EULOGIN_SMS_TOKEN_FILE")]
    pub sms_token_file: Option<PathBuf>,
    /// Serve HTTPS directly with this certificate chain (PEM), instead of behind a proxy that
    /// terminates TLS.
    #[arg(long, env = "EULOGIN_TLS_CERT_FILE", requires = "tls_key_file")]
    pub tls_cert_file: Option<PathBuf>,
    /// The private key (PEM) of EULOGIN_TLS_CERT_FILE.
    #[arg(long, env = "EULOGIN_TLS_KEY_FILE", requires = "tls_cert_file")]
    pub tls_key_file: Option<PathBuf>,
    #[command(subcommand)]
    pub command: Option<crate::cli::Command>,
}

/// OpenID Connect settings: lifetimes and where clients come from.
#[derive(Debug, Clone)]
pub struct OidcSettings {
    pub clients_file: Option<PathBuf>,
    pub access_token_ttl: time::Duration,
    pub id_token_ttl: time::Duration,
    pub refresh_idle: time::Duration,
    pub refresh_max: time::Duration,
    pub key_rotation: time::Duration,
    pub client_cache: std::time::Duration,
}

impl OidcSettings {
    fn from_cli(cli: &Cli) -> OidcSettings {
        OidcSettings {
            clients_file: cli.clients_file.clone(),
            access_token_ttl: time::Duration::minutes(cli.access_token_minutes.clamp(1, 60)),
            id_token_ttl: time::Duration::minutes(cli.id_token_minutes.clamp(1, 24 * 60)),
            refresh_idle: time::Duration::hours(cli.refresh_token_idle_hours.max(1)),
            refresh_max: time::Duration::days(cli.refresh_token_max_days.max(1)),
            key_rotation: time::Duration::days(cli.key_rotation_days.max(1)),
            client_cache: std::time::Duration::from_secs(cli.client_cache_seconds.min(300)),
        }
    }

    /// How long a retired key stays published: the longest lifetime of what it signed, plus a
    /// margin for clocks and caches.
    pub fn key_retention(&self) -> time::Duration {
        self.access_token_ttl.max(self.id_token_ttl) + time::Duration::minutes(10)
    }
}

/// Settings resolved and checked, ready to build the application.
#[derive(Debug, Clone)]
pub struct Settings {
    pub listen: String,
    pub metrics_listen: Option<String>,
    pub public_url: Url,
    pub database_url: SecretString,
    pub database_pool_size: u32,
    pub redis_url: Option<SecretString>,
    pub smtp_url: Option<SecretString>,
    pub outbox_dir: PathBuf,
    pub mail_from: String,
    pub secret_key: SecretString,
    pub captcha: bool,
    pub trust_forwarded: bool,
    pub session_idle: time::Duration,
    pub session_max: time::Duration,
    pub password_hash_concurrency: usize,
    pub limits: crate::security::rate_limit::Limits,
    /// Namespace of this instance's keys in a shared key-value store.
    pub kv_prefix: String,
    pub oidc: OidcSettings,
    /// Certificate chain and key files when eulogin serves HTTPS itself.
    pub tls: Option<(PathBuf, PathBuf)>,
    /// The SMS gateway, if any, and its token.
    pub sms_url: Option<Url>,
    pub sms_token: Option<SecretString>,
}

impl Settings {
    /// Resolves files, parses URLs and refuses development switches on a public deployment.
    pub fn from_cli(cli: Cli) -> anyhow::Result<Settings> {
        let oidc = OidcSettings::from_cli(&cli);
        use infra::settings::{is_local_url, parse_public_url, secret_from};
        let public_url = parse_public_url(&cli.public_url)?;
        let local = is_local_url(&public_url);
        let captcha = cli.captcha == "on";
        if !captcha && !local {
            anyhow::bail!(
                "EULOGIN_CAPTCHA=off is for development only and refused with the public URL {public_url}"
            );
        }
        let database_url = secret_from(Some(cli.database_url), cli.database_url_file.as_deref())?
            .ok_or_else(|| anyhow::anyhow!("EULOGIN_DATABASE_URL is empty"))?;
        let secret_key = match secret_from(cli.secret_key, cli.secret_key_file.as_deref())? {
            Some(key) if key.expose_secret().len() >= 32 => key,
            Some(_) => anyhow::bail!("EULOGIN_SECRET_KEY must be at least 32 characters"),
            None if local => infra::settings::development_key(&cli.outbox_dir, "eulogin")?,
            None => anyhow::bail!(
                "EULOGIN_SECRET_KEY (or EULOGIN_SECRET_KEY_FILE) is required with the public URL {public_url}"
            ),
        };
        let cores = std::thread::available_parallelism()
            .map(usize::from)
            .unwrap_or(2);
        Ok(Settings {
            listen: cli.listen,
            metrics_listen: cli.metrics_listen.filter(|a| !a.trim().is_empty()),
            public_url,
            database_url,
            database_pool_size: cli.database_pool_size.max(1),
            redis_url: secret_from(cli.redis_url, cli.redis_url_file.as_deref())?,
            smtp_url: secret_from(cli.smtp_url, cli.smtp_url_file.as_deref())?,
            outbox_dir: cli.outbox_dir,
            mail_from: cli.mail_from,
            secret_key,
            captcha,
            trust_forwarded: cli.trust_forwarded,
            session_idle: time::Duration::minutes(cli.session_idle_minutes.max(1)),
            session_max: time::Duration::hours(cli.session_max_hours.max(1)),
            password_hash_concurrency: cli.password_hash_concurrency.unwrap_or(cores).max(1),
            limits: {
                let mut limits = crate::security::rate_limit::Limits::default();
                limits.login_per_ip.max = cli.login_limit_per_ip.max(1);
                limits.login_per_account.max = cli.login_limit_per_account.max(1);
                limits
            },
            kv_prefix: cli.key_prefix,
            oidc,
            tls: cli.tls_cert_file.zip(cli.tls_key_file),
            sms_url: cli
                .sms_url
                .filter(|u| !u.trim().is_empty())
                .map(|u| {
                    Url::parse(u.trim()).map_err(|e| anyhow::anyhow!("EULOGIN_SMS_URL {u:?}: {e}"))
                })
                .transpose()?,
            sms_token: secret_from(cli.sms_token, cli.sms_token_file.as_deref())?,
        })
    }

    /// The public URL as a string without trailing slash: the base of every link.
    pub fn public_base(&self) -> String {
        infra::settings::url_without_trailing_slash(&self.public_url)
    }

    /// The OpenID Connect issuer: the public URL without trailing slash.
    pub fn issuer(&self) -> String {
        self.public_base()
    }

    pub fn https(&self) -> bool {
        self.public_url.scheme() == "https"
    }
}
