//! The two storage backends: where the database lives, how it is made clean before a run, and
//! the environment the server gets for it.

use crate::args::{Args, BackendKind};
use std::path::Path;

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
                bench::postgres::recreate_database(&args.postgres_url)?;
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
