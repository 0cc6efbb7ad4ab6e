//! The run's temporary folder: server log, SQLite file, clients file, outbox. Removed when the
//! run ends unless asked to keep it.

use std::path::{Path, PathBuf};

#[derive(Debug)]
pub struct WorkDir {
    path: PathBuf,
    keep: bool,
}

impl WorkDir {
    pub fn create(keep: bool) -> anyhow::Result<WorkDir> {
        let name = format!("eulogin-bench-{}", &infra::crypto::random_token()[..10]);
        let path = std::env::temp_dir().join(name);
        std::fs::create_dir_all(&path)?;
        Ok(WorkDir { path, keep })
    }

    pub fn path(&self) -> &Path {
        &self.path
    }
}

impl Drop for WorkDir {
    fn drop(&mut self) {
        if self.keep {
            eprintln!("kept {}", self.path.display());
        } else {
            let _ = std::fs::remove_dir_all(&self.path);
        }
    }
}
