//! The login and the logout in a real browser: Debian's headless Chromium, driven by
//! `tests/browser/traces-login.mjs` (playwright-core, pinned by its lock file), with no console
//! error. Only a browser enforces the CSP's `form-action` on the redirects that follow a form
//! (Chromium and Safari do; w3c/webappsec-csp#8) and the cookies' SameSite rules. `make test`
//! installs Chromium and the script's dependencies (`make browser-deps`); without them these
//! tests fail, they are never skipped.

use crate::support::*;
use reqwest::cookie::CookieStore as _;

fn browser_folder() -> std::path::PathBuf {
    let folder = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../../tests/browser");
    assert!(
        folder.join("node_modules/playwright-core").is_dir(),
        "the browser test needs its dependencies: run `make test` (or `make browser-deps`)"
    );
    folder
}

/// Runs the script with `env` (besides the URLs and the name) and asserts it ended with `ok`.
async fn run_script(world: &TestWorld, person: &Person, env: &[(&str, String)]) {
    let mut command = std::process::Command::new("node");
    command
        .arg("traces-login.mjs")
        .current_dir(browser_folder())
        .env("TRACES_URL", &world.traces_url)
        .env("EULOGIN_URL", &world.eulogin_url)
        .env("NAME", person.display_name());
    for (name, value) in env {
        command.env(name, value);
    }
    // The servers run on this thread; the browser is waited for on another.
    let output = tokio::task::spawn_blocking(move || command.output())
        .await
        .unwrap()
        .expect("node runs");
    let stdout = String::from_utf8_lossy(&output.stdout);
    assert!(
        output.status.success() && stdout.lines().last() == Some("ok"),
        "the browser did not get through: {stdout}\n{}",
        String::from_utf8_lossy(&output.stderr)
    );
}

/// The logout form leads to eulogin's end-session endpoint and back: traces' pages must allow
/// eulogin as a form target. The session comes from a login made over HTTP.
#[actix_web::test]
async fn a_real_browser_logs_out_through_eulogin() {
    let world = TestWorld::spawn(Backends::Embedded).await;
    let anna = world.new_person("anna@example.se", "Anna", "Berg").await;
    let logged_in = world.browser_logged_in(&anna).await;
    let url = url::Url::parse(&world.traces_url).unwrap();
    let cookies = logged_in.jar.cookies(&url).unwrap();
    run_script(
        &world,
        &anna,
        &[("COOKIES", cookies.to_str().unwrap().to_owned())],
    )
    .await;
    world.cleanup().await;
}

/// The whole login in the browser: traces → eulogin's password and code pages → traces.
#[actix_web::test]
async fn a_real_browser_logs_in_through_eulogin() {
    let world = TestWorld::spawn(Backends::Embedded).await;
    let anna = world.new_person("anna@example.se", "Anna", "Berg").await;
    // The clock stands still while the browser works: this code stays valid.
    let code = world.totp_code(&anna).await;
    run_script(
        &world,
        &anna,
        &[
            ("EMAIL", anna.email.clone()),
            ("PASSWORD", anna.password.clone()),
            ("TOTP_CODE", code),
        ],
    )
    .await;
    world.cleanup().await;
}
