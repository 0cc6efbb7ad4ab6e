//! A clean PostgreSQL database for a run: dropped and created again through `psql` on the
//! server's `postgres` database.

use anyhow::{Context, bail};
use std::process::Command;

/// Drops and creates the database named by `url`.
pub fn recreate_database(url: &str) -> anyhow::Result<()> {
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
