//! Settings of traces, read from the command line or the environment (`TRACES_…`, and `…_FILE`
//! for secrets mounted as files). `traces --help` lists every one of them; the contract is in
//! docs/configuration.md.

use clap::Parser;
use secrecy::{ExposeSecret, SecretString};
use std::path::PathBuf;
use url::Url;

/// TRACES: operators, activities, authorities and the authorisation workflows.
#[derive(Debug, Parser)]
#[command(name = "traces", version, about, long_about = None)]
pub struct Cli {
    #[command(subcommand)]
    pub command: Option<crate::cli::Command>,
    /// Address and port to listen on.
    #[arg(long, env = "TRACES_LISTEN", default_value = "127.0.0.1:8081")]
    pub listen: String,
    /// Address and port of the metrics listener, which serves `/metrics` (Prometheus,
    /// OpenMetrics) and nothing else; reach it only from the monitoring system (e.g.
    /// `0.0.0.0:9465` in a pod, `127.0.0.1:9465` on a workstation). Unset: no metrics.
    #[arg(long, env = "TRACES_METRICS_LISTEN")]
    pub metrics_listen: Option<String>,
    /// The public URL browsers reach traces at; links in e-mails are built from it.
    #[arg(
        long,
        env = "TRACES_PUBLIC_URL",
        default_value = "http://localhost:8081"
    )]
    pub public_url: String,
    /// eulogin's issuer URL (its discovery document is at `<issuer>/.well-known/openid-configuration`).
    #[arg(
        long,
        env = "TRACES_ISSUER_URL",
        default_value = "http://localhost:8080"
    )]
    pub issuer_url: String,
    /// traces' client id at eulogin (one per environment).
    #[arg(long, env = "TRACES_CLIENT_ID", default_value = "traces")]
    pub client_id: String,
    /// traces' client secret at eulogin.
    #[arg(long, env = "TRACES_CLIENT_SECRET", hide_env_values = true)]
    pub client_secret: Option<String>,
    /// File holding the client secret.
    #[arg(long, env = "TRACES_CLIENT_SECRET_FILE")]
    pub client_secret_file: Option<PathBuf>,
    /// The `aud` an access token must carry to be accepted by the API (default: the public URL).
    #[arg(long, env = "TRACES_AUDIENCE")]
    pub audience: Option<String>,
    /// Database: a SQLite file path (default) or postgres://user:pass@host/db.
    #[arg(
        long,
        env = "TRACES_DATABASE_URL",
        default_value = "./var/traces.db",
        hide_env_values = true
    )]
    pub database_url: String,
    /// File holding the database URL.
    #[arg(long, env = "TRACES_DATABASE_URL_FILE")]
    pub database_url_file: Option<PathBuf>,
    /// Connections in the database pool.
    #[arg(long, env = "TRACES_DATABASE_POOL_SIZE", default_value_t = 8)]
    pub database_pool_size: u32,
    /// Redis URL; unset keeps short-lived state (sessions) in this process.
    #[arg(long, env = "TRACES_REDIS_URL", hide_env_values = true)]
    pub redis_url: Option<String>,
    /// File holding the Redis URL.
    #[arg(long, env = "TRACES_REDIS_URL_FILE")]
    pub redis_url_file: Option<PathBuf>,
    /// Namespace of this deployment's keys in Redis.
    #[arg(long, env = "TRACES_KEY_PREFIX", default_value = "traces")]
    pub key_prefix: String,
    /// SMTP relay (smtp://user:pass@host:587?tls=required or smtps://…); unset writes mail to
    /// the outbox folder.
    #[arg(long, env = "TRACES_SMTP_URL", hide_env_values = true)]
    pub smtp_url: Option<String>,
    /// File holding the SMTP URL.
    #[arg(long, env = "TRACES_SMTP_URL_FILE")]
    pub smtp_url_file: Option<PathBuf>,
    /// Folder where mail lands as files when no SMTP relay is configured.
    #[arg(long, env = "TRACES_OUTBOX_DIR", default_value = "./var/outbox")]
    pub outbox_dir: PathBuf,
    /// Sender of every e-mail.
    #[arg(
        long,
        env = "TRACES_MAIL_FROM",
        default_value = "TRACES <no-reply@traces.localhost>"
    )]
    pub mail_from: String,
    /// `acceptance` or `production`, shown on every page; a database belongs to one only.
    #[arg(long, env = "TRACES_ENVIRONMENT", default_value = "acceptance", value_parser = ["acceptance", "production"])]
    pub environment: String,
    /// Key for session ids and CSRF tokens (32+ characters); made and kept under ./var in
    /// development.
    #[arg(long, env = "TRACES_SECRET_KEY", hide_env_values = true)]
    pub secret_key: Option<String>,
    /// File holding the secret key.
    #[arg(long, env = "TRACES_SECRET_KEY_FILE")]
    pub secret_key_file: Option<PathBuf>,
    /// Trust the first address of `X-Forwarded-For` (behind a reverse proxy only).
    #[arg(long, env = "TRACES_TRUST_FORWARDED", default_value_t = false)]
    pub trust_forwarded: bool,
    /// Days without use after which a user is deactivated (123: never less than four calendar
    /// months).
    #[arg(long, env = "TRACES_INACTIVITY_DAYS", default_value_t = 123)]
    pub inactivity_days: i64,
    /// Days before deactivation at which the warning e-mail is sent.
    #[arg(long, env = "TRACES_INACTIVITY_WARNING_DAYS", default_value_t = 14)]
    pub inactivity_warning_days: i64,
    /// Minutes between two runs of the inactivity job inside `traces serve` (0: never; run
    /// `traces inactivity run` from a scheduler instead).
    #[arg(long, env = "TRACES_INACTIVITY_INTERVAL_MINUTES", default_value_t = 60)]
    pub inactivity_interval_minutes: u64,
    /// Hours a browser session lasts at most (it also ends with the eulogin session).
    #[arg(long, env = "TRACES_SESSION_HOURS", default_value_t = 12)]
    pub session_hours: i64,
}

/// Settings resolved and checked, ready to build the application.
#[derive(Debug, Clone)]
pub struct Settings {
    pub listen: String,
    pub metrics_listen: Option<String>,
    pub public_url: Url,
    pub issuer_url: Url,
    pub client_id: String,
    pub client_secret: SecretString,
    pub audience: String,
    pub database_url: SecretString,
    pub database_pool_size: u32,
    pub redis_url: Option<SecretString>,
    pub kv_prefix: String,
    pub smtp_url: Option<SecretString>,
    pub outbox_dir: PathBuf,
    pub mail_from: String,
    pub environment: Environment,
    pub secret_key: SecretString,
    pub trust_forwarded: bool,
    pub inactivity: time::Duration,
    pub inactivity_warning: time::Duration,
    /// How often `serve` runs the inactivity job; `None`: never.
    pub inactivity_interval: Option<std::time::Duration>,
    pub session_max: time::Duration,
}

/// The two TRACES environments: no data and no access is shared between them.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Environment {
    Acceptance,
    Production,
}

impl Environment {
    pub fn code(self) -> &'static str {
        match self {
            Environment::Acceptance => "acceptance",
            Environment::Production => "production",
        }
    }
}

impl Settings {
    /// Resolves files, parses URLs and refuses development defaults on a public deployment.
    pub fn from_cli(cli: Cli) -> anyhow::Result<Settings> {
        use infra::settings::{is_local_url, parse_public_url, secret_from};
        let public_url = parse_public_url(&cli.public_url)?;
        let issuer_url = parse_public_url(&cli.issuer_url)
            .map_err(|e| anyhow::anyhow!("TRACES_ISSUER_URL: {e}"))?;
        let local = is_local_url(&public_url);
        let environment = match cli.environment.as_str() {
            "production" => Environment::Production,
            _ => Environment::Acceptance,
        };
        let database_url = secret_from(Some(cli.database_url), cli.database_url_file.as_deref())?
            .ok_or_else(|| anyhow::anyhow!("TRACES_DATABASE_URL is empty"))?;
        let client_secret = match secret_from(cli.client_secret, cli.client_secret_file.as_deref())?
        {
            Some(secret) => secret,
            None if local => SecretString::from(DEVELOPMENT_CLIENT_SECRET.to_owned()),
            None => anyhow::bail!(
                "TRACES_CLIENT_SECRET (or TRACES_CLIENT_SECRET_FILE) is required with the public URL {public_url}"
            ),
        };
        if !local && client_secret.expose_secret() == DEVELOPMENT_CLIENT_SECRET {
            anyhow::bail!(
                "the development client secret is refused with the public URL {public_url}"
            );
        }
        let secret_key = match secret_from(cli.secret_key, cli.secret_key_file.as_deref())? {
            Some(key) if key.expose_secret().len() >= 32 => key,
            Some(_) => anyhow::bail!("TRACES_SECRET_KEY must be at least 32 characters"),
            None if local => infra::settings::development_key(&cli.outbox_dir, "traces")?,
            None => anyhow::bail!(
                "TRACES_SECRET_KEY (or TRACES_SECRET_KEY_FILE) is required with the public URL {public_url}"
            ),
        };
        let audience = cli
            .audience
            .filter(|a| !a.trim().is_empty())
            .unwrap_or_else(|| infra::settings::url_without_trailing_slash(&public_url));
        // A hundred years bounds the days (and keeps the durations far from overflowing).
        let days = |d: i64| time::Duration::days(d.clamp(-1, 36_500));
        let inactivity = crate::domain::inactivity::InactivityPolicy::new(
            days(cli.inactivity_days),
            days(cli.inactivity_warning_days),
        )
        .map_err(|e| {
            anyhow::anyhow!("TRACES_INACTIVITY_DAYS and TRACES_INACTIVITY_WARNING_DAYS: {e}")
        })?;
        Ok(Settings {
            listen: cli.listen,
            metrics_listen: cli.metrics_listen.filter(|a| !a.trim().is_empty()),
            public_url,
            issuer_url,
            client_id: cli.client_id,
            client_secret,
            audience,
            database_url,
            database_pool_size: cli.database_pool_size.max(1),
            redis_url: secret_from(cli.redis_url, cli.redis_url_file.as_deref())?,
            kv_prefix: cli.key_prefix,
            smtp_url: secret_from(cli.smtp_url, cli.smtp_url_file.as_deref())?,
            outbox_dir: cli.outbox_dir,
            mail_from: cli.mail_from,
            environment,
            secret_key,
            trust_forwarded: cli.trust_forwarded,
            inactivity: inactivity.deactivate_after,
            inactivity_warning: inactivity.warn_before,
            inactivity_interval: (cli.inactivity_interval_minutes > 0).then(|| {
                std::time::Duration::from_secs(cli.inactivity_interval_minutes.saturating_mul(60))
            }),
            session_max: time::Duration::hours(cli.session_hours.clamp(1, 24 * 7)),
        })
    }

    /// The inactivity rule as configured (checked when the settings were read).
    pub fn inactivity_policy(&self) -> crate::domain::inactivity::InactivityPolicy {
        crate::domain::inactivity::InactivityPolicy {
            deactivate_after: self.inactivity,
            warn_before: self.inactivity_warning,
        }
    }

    pub fn https(&self) -> bool {
        self.public_url.scheme() == "https"
    }

    /// An absolute URL of this service for `path` (which starts with `/`).
    pub fn url(&self, path: &str) -> String {
        format!(
            "{}{path}",
            infra::settings::url_without_trailing_slash(&self.public_url)
        )
    }

    /// eulogin's issuer exactly as it appears in its tokens (no trailing slash).
    pub fn issuer(&self) -> String {
        infra::settings::url_without_trailing_slash(&self.issuer_url)
    }
}

/// The secret of the `traces` client in `deploy/dev/clients.toml`, used when none is set on a
/// local URL (and refused elsewhere).
pub const DEVELOPMENT_CLIENT_SECRET: &str = "dev-only-secret-for-traces-on-localhost-0001";

#[cfg(test)]
mod tests {
    use super::*;

    fn settings(extra: &[&str]) -> anyhow::Result<Settings> {
        let outbox = std::env::temp_dir().join("traces-config-test-outbox");
        let mut args = vec![
            "traces".to_owned(),
            "--secret-key=test-secret-key-of-traces-at-least-32-chars".to_owned(),
            format!("--outbox-dir={}", outbox.display()),
        ];
        args.extend(extra.iter().map(|a| (*a).to_owned()));
        Settings::from_cli(Cli::parse_from(args))
    }

    #[test]
    fn the_inactivity_rule_is_four_months_checked_hourly_by_default() {
        let defaults = settings(&[]).expect("defaults");
        assert_eq!(
            defaults.inactivity_policy(),
            crate::domain::inactivity::InactivityPolicy::FOUR_MONTHS
        );
        assert_eq!(
            defaults.inactivity_interval,
            Some(std::time::Duration::from_secs(3600))
        );
        let off = settings(&["--inactivity-interval-minutes=0"]).expect("valid");
        assert_eq!(off.inactivity_interval, None);
    }

    #[test]
    fn an_inactivity_rule_that_makes_no_sense_stops_the_start() {
        for wrong in [
            ["--inactivity-days=30", "--inactivity-warning-days=30"],
            ["--inactivity-days=0", "--inactivity-warning-days=14"],
            ["--inactivity-days=123", "--inactivity-warning-days=0"],
            [
                "--inactivity-days=-5",
                "--inactivity-warning-days=-9999999999999",
            ],
        ] {
            let refused = settings(&wrong).expect_err("refused");
            assert!(
                refused.to_string().contains("TRACES_INACTIVITY_DAYS"),
                "{refused}"
            );
        }
        let huge = settings(&["--inactivity-days=9999999999999"]).expect("bounded, no panic");
        assert_eq!(huge.inactivity, time::Duration::days(36_500));
    }
}
