//! The two storage backends: where the database lives, how it is made clean before a run, and
//! the environment the server gets for it.

use crate::args::{Args, BackendKind};
use anyhow::{Context, bail};
use std::path::Path;
use std::process::Command;

/// Where the server keeps its data in this run.
#[derive(Debug, Clone)]
pub struct Storage {
    pub database_url: String,
    pub redis_url: Option<String>,
}

impl Storage {
    /// Prepares a clean database: a new SQLite file in `temp_dir`, or the PostgreSQL database
    /// dropped and created again.
    pub fn prepare(args: &Args, temp_dir: &Path) -> anyhow::Result<Storage> {
        match args.backend {
            BackendKind::Embedded => Ok(Storage {
                database_url: temp_dir.join("eulogin.db").display().to_string(),
                redis_url: None,
            }),
            BackendKind::Production => {
                recreate_postgres_database(&args.postgres_url)?;
                Ok(Storage {
                    database_url: args.postgres_url.clone(),
                    redis_url: Some(args.redis_url.clone()),
                })
            }
        }
    }

    /// Removes this run's keys from Redis (sessions and grant sets would otherwise linger for
    /// up to 12 hours). The PostgreSQL database stays until the next run recreates it.
    pub async fn clean_up(&self, key_prefix: &str) {
        let Some(url) = &self.redis_url else {
            return;
        };
        let outcome = match infra::kv::KeyValue::redis(url, key_prefix).await {
            Ok(kv) => kv.clear_namespace().await,
            Err(e) => Err(e),
        };
        if let Err(e) = outcome {
            eprintln!("warning: the run's Redis keys ({key_prefix}:*) were not removed: {e}");
        }
    }

    /// The server's environment variables for this storage.
    pub fn env(&self) -> Vec<(&'static str, String)> {
        let mut env = vec![("EULOGIN_DATABASE_URL", self.database_url.clone())];
        if let Some(redis) = &self.redis_url {
            env.push(("EULOGIN_REDIS_URL", redis.clone()));
        }
        env
    }
}

/// Drops and creates the database named by `url`, through `psql` on the `postgres` database.
fn recreate_postgres_database(url: &str) -> anyhow::Result<()> {
    let (server, name) = url
        .rsplit_once('/')
        .context("the PostgreSQL URL names no database")?;
    let name = name.split('?').next().unwrap_or_default();
    if name.is_empty() || !name.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'_') {
        bail!("use a plain database name (letters, digits, _) in {url}");
    }
    let admin = format!("{server}/postgres");
    for sql in [
        format!("DROP DATABASE IF EXISTS \"{name}\" WITH (FORCE)"),
        format!("CREATE DATABASE \"{name}\""),
    ] {
        let out = Command::new("psql")
            .args([admin.as_str(), "-v", "ON_ERROR_STOP=1", "-qc", sql.as_str()])
            .output()
            .context("cannot run psql (install the PostgreSQL client)")?;
        if !out.status.success() {
            bail!(
                "psql {sql:?} failed: {}",
                String::from_utf8_lossy(&out.stderr).trim()
            );
        }
    }
    Ok(())
}
