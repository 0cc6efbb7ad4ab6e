//! traces, the resource service modelled on TRACES NT. For now it carries the operational
//! contract (binary, configuration, storage, health and metrics); operators, activities,
//! authorities and the authorisation workflows come with their own issue.

use actix_web::{App, HttpResponse, HttpServer, web};
use clap::Parser;
use diesel_migrations::embed_migrations;
use infra::db::{Database, Migrations};
use infra::kv::KeyValue;
use infra::metrics::Metrics;
use secrecy::ExposeSecret;
use std::net::TcpListener;
use std::sync::Arc;

pub static MIGRATIONS: Migrations = Migrations {
    sqlite: embed_migrations!("migrations/sqlite"),
    postgres: embed_migrations!("migrations/postgres"),
};

/// TRACES: operators, activities, authorities and the authorisation workflows.
#[derive(Debug, Parser)]
#[command(name = "traces", version, about, long_about = None)]
pub struct Cli {
    /// Address and port to listen on.
    #[arg(long, env = "TRACES_LISTEN", default_value = "127.0.0.1:8081")]
    pub listen: String,
    /// The public URL browsers reach traces at.
    #[arg(
        long,
        env = "TRACES_PUBLIC_URL",
        default_value = "http://localhost:8081"
    )]
    pub public_url: String,
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
    pub database_url_file: Option<std::path::PathBuf>,
    /// Redis URL; unset keeps short-lived state in this process.
    #[arg(long, env = "TRACES_REDIS_URL", hide_env_values = true)]
    pub redis_url: Option<String>,
    /// File holding the Redis URL.
    #[arg(long, env = "TRACES_REDIS_URL_FILE")]
    pub redis_url_file: Option<std::path::PathBuf>,
    /// `acceptance` or `production`, shown on every page.
    #[arg(long, env = "TRACES_ENVIRONMENT", default_value = "acceptance", value_parser = ["acceptance", "production"])]
    pub environment: String,
}

#[derive(Clone, Debug)]
struct State {
    db: Database,
    kv: KeyValue,
    metrics: Metrics,
    environment: Arc<String>,
}

/// Connects, migrates and serves until stopped. Returns the bound port through `on_ready`.
pub async fn run(cli: Cli, on_ready: impl FnOnce(u16)) -> anyhow::Result<()> {
    let public_url = infra::settings::parse_public_url(&cli.public_url)?;
    let database_url =
        infra::settings::secret_from(Some(cli.database_url), cli.database_url_file.as_deref())?
            .ok_or_else(|| anyhow::anyhow!("TRACES_DATABASE_URL is empty"))?;
    let url = database_url.expose_secret().to_owned();
    let db = tokio::task::spawn_blocking(move || Database::connect(&url, 8, &MIGRATIONS)).await??;
    let kv = match infra::settings::secret_from(cli.redis_url, cli.redis_url_file.as_deref())? {
        Some(url) => KeyValue::redis(url.expose_secret(), "traces")
            .await
            .map_err(|e| anyhow::anyhow!("Redis cannot be reached: {e}"))?,
        None => KeyValue::in_process("traces", Arc::new(infra::SystemClock)),
    };
    let state = State {
        db,
        kv,
        metrics: Metrics::new("traces"),
        environment: Arc::new(cli.environment),
    };
    let listener = TcpListener::bind(&cli.listen)
        .map_err(|e| anyhow::anyhow!("cannot listen on {}: {e}", cli.listen))?;
    let port = listener.local_addr()?.port();
    let https = public_url.scheme() == "https";
    let data = web::Data::new(state);
    let server = HttpServer::new(move || {
        App::new()
            .app_data(data.clone())
            .route("/healthz", web::get().to(infra::http::health::healthz))
            .route("/readyz", web::get().to(|s: web::Data<State>| async move { infra::http::health::readyz(&s.db, &s.kv).await }))
            .route("/metrics", web::get().to(|s: web::Data<State>| async move {
                HttpResponse::Ok().content_type("application/openmetrics-text; version=1.0.0; charset=utf-8").body(s.metrics.render())
            }))
            .route("/", web::get().to(|s: web::Data<State>| async move {
                HttpResponse::Ok().content_type("text/plain; charset=utf-8").body(format!(
                    "TRACES ({}): this service is being built; log in and the operator workflows arrive with the traces issue.\n",
                    s.environment
                ))
            }))
            .wrap(infra::http::security_headers::middleware(https))
    })
    .listen(listener)?
    .run();
    on_ready(port);
    server.await?;
    Ok(())
}
