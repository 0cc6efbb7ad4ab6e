//! Where and when the numbers were taken: date, commit, cores, CPU model.

use std::path::Path;
use std::process::Command;

#[derive(Debug, Clone)]
pub struct Machine {
    pub date: String,
    pub commit: String,
    pub cores: String,
    pub cpu_model: String,
}

fn command_output(program: &str, args: &[&str]) -> Option<String> {
    let out = Command::new(program).args(args).output().ok()?;
    out.status
        .success()
        .then(|| String::from_utf8_lossy(&out.stdout).trim().to_owned())
        .filter(|s| !s.is_empty())
}

impl Machine {
    /// This machine and the checkout measured. The report being written (`report`) is not a
    /// change to the code: the runs of `make bench` after the first one rewrite it.
    pub fn describe(report: Option<&Path>) -> Machine {
        let date = time::OffsetDateTime::now_utc()
            .format(time::macros::format_description!(
                "[year]-[month]-[day] [hour]:[minute] UTC"
            ))
            .unwrap_or_default();
        let exclude = report.map(|r| format!(":(exclude){}", r.display()));
        let mut status = vec!["status", "--porcelain", "--untracked-files=no", "--", "."];
        status.extend(exclude.as_deref());
        let dirty = command_output("git", &status).is_some_and(|s| !s.is_empty());
        let commit = command_output("git", &["rev-parse", "--short", "HEAD"])
            .map(|c| {
                if dirty {
                    format!("{c} (with uncommitted changes)")
                } else {
                    c
                }
            })
            .unwrap_or_else(|| "unknown".to_owned());
        let cpu_model = std::fs::read_to_string("/proc/cpuinfo")
            .ok()
            .and_then(|info| {
                info.lines()
                    .find(|l| l.starts_with("model name"))
                    .and_then(|l| l.split_once(':'))
                    .map(|(_, m)| m.trim().to_owned())
            })
            .unwrap_or_else(|| "unknown".to_owned());
        Machine {
            date,
            commit,
            cores: command_output("nproc", &[]).unwrap_or_else(|| "?".to_owned()),
            cpu_model,
        }
    }
}
