//! `traces-bench --quick --in-process` on both backends: a smoke run of every scenario (a
//! eulogin issuing the tokens, 2,000 generated operators, a second of load each) that must see
//! no error, and whose report names every scenario.

use std::process::Command;

fn quick_run(backend_args: &[String]) {
    let out = Command::new(env!("CARGO_BIN_EXE_traces-bench"))
        .args(["--quick", "--in-process"])
        .args(backend_args)
        .output()
        .expect("traces-bench runs");
    let report = String::from_utf8_lossy(&out.stdout);
    assert!(
        out.status.success(),
        "traces-bench failed:\n{}\n{report}",
        String::from_utf8_lossy(&out.stderr)
    );
    for scenario in [
        "api_read_operator",
        "search_text",
        "search_filters",
        "search_combined",
    ] {
        assert!(report.contains(&format!("| `{scenario}` |")), "{report}");
    }
    assert!(report.contains("Errors: none."), "{report}");
    assert!(report.contains("- Data: 2,000 operators"), "{report}");
}

#[test]
fn a_quick_run_on_the_embedded_backend_sees_no_error() {
    quick_run(&["--backend".to_owned(), "embedded".to_owned()]);
}

/// A database of its own on the test PostgreSQL server, dropped afterwards.
struct QuickDatabase {
    url: String,
}

impl Drop for QuickDatabase {
    fn drop(&mut self) {
        if let Some((server, name)) = self.url.rsplit_once('/') {
            let _ = Command::new("psql")
                .args([
                    &format!("{server}/postgres"),
                    "-qc",
                    &format!("DROP DATABASE IF EXISTS \"{name}\" WITH (FORCE)"),
                ])
                .output();
        }
    }
}

#[test]
fn a_quick_run_on_the_production_backend_sees_no_error() {
    let admin = std::env::var("TEST_POSTGRES_URL")
        .unwrap_or_else(|_| "postgres://postgres@127.0.0.1:5432/eulogin_test".to_owned());
    let redis =
        std::env::var("TEST_REDIS_URL").unwrap_or_else(|_| "redis://127.0.0.1:6379/15".to_owned());
    let (server, _) = admin.rsplit_once('/').expect("a database URL");
    let suffix: String = format!("{:x}", std::process::id());
    let database = QuickDatabase {
        url: format!("{server}/traces_bench_quick_{suffix}"),
    };
    quick_run(&[
        "--backend".to_owned(),
        "production".to_owned(),
        "--postgres-url".to_owned(),
        database.url.clone(),
        "--redis-url".to_owned(),
        redis,
    ]);
}
