//! eulogin inside this process: the issuer traces trusts. It serves its discovery document and
//! its keys (traces fetches them once, at the first API call), holds the benchmark's accounts,
//! and signs their access tokens with its own token issuer and current key: the code and key
//! that sign the tokens of its token endpoint, so traces validates them exactly like any other.
//! Only the login itself (password and second factor) is skipped: it is eulogin's benchmark's
//! business, and its Argon2id hashes would take the cores away from the run.

use clap::Parser as _;
use eulogin::oidc::grants::UserGrant;
use eulogin::store::accounts::{self, NewAccount};
use infra::clock::SharedClock;
use std::net::TcpListener;
use std::path::Path;
use std::sync::Arc;
use time::OffsetDateTime;

/// The client id the tokens are issued to (traces' own at eulogin).
pub const CLIENT_ID: &str = "traces";

/// A person with an EU Login account.
#[derive(Debug, Clone)]
pub struct Person {
    pub email: String,
    pub given_name: String,
    pub family_name: String,
    /// The `sub` eulogin gives applications.
    pub subject: String,
    pub account_id: String,
}

/// The running eulogin.
pub struct Issuer {
    /// Its public URL and issuer, `http://localhost:<port>`.
    pub url: String,
    state: eulogin::AppState,
}

impl std::fmt::Debug for Issuer {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Issuer")
            .field("url", &self.url)
            .finish_non_exhaustive()
    }
}

impl Issuer {
    /// Starts eulogin on a free port with a SQLite file and the in-process store in `work`
    /// (its backend does not matter here: it serves one key set and signs tokens).
    pub async fn start(work: &Path) -> anyhow::Result<Issuer> {
        let listener = TcpListener::bind("127.0.0.1:0")?;
        let url = format!("http://localhost:{}", listener.local_addr()?.port());
        let outbox = work.join("eulogin-outbox");
        let args = [
            "eulogin".to_owned(),
            format!("--public-url={url}"),
            format!("--secret-key={}", infra::crypto::random_token()),
            "--captcha=off".to_owned(),
            format!("--database-url={}", work.join("eulogin.db").display()),
            format!("--outbox-dir={}", outbox.display()),
            // Longer than any run: the tokens are minted once, before the scenarios.
            "--access-token-minutes=60".to_owned(),
        ];
        let settings = eulogin::Settings::from_cli(eulogin::Cli::parse_from(args))?;
        let clock: SharedClock = Arc::new(infra::SystemClock);
        let state = eulogin::AppState::connect(settings, clock).await?;
        let (_, state, server) = eulogin::Application::serve(listener, state)?.into_parts();
        // Runs until the process ends.
        tokio::spawn(server);
        Ok(Issuer { url, state })
    }

    /// Creates `count` accounts (`bench-0@example.test`, …).
    pub async fn people(&self, count: usize) -> anyhow::Result<Vec<Person>> {
        let now = OffsetDateTime::now_utc();
        let accounts = self
            .state
            .db
            .transaction(move |c| {
                let mut made = Vec::with_capacity(count);
                for n in 0..count {
                    let new = NewAccount {
                        email: format!("bench-{n}@example.test"),
                        first_name: "Bench".to_owned(),
                        last_name: format!("User {n}"),
                        language: "en".to_owned(),
                    };
                    let id = accounts::insert(c, &new, now)?;
                    made.push((new, accounts::find_by_id(c, &id)?));
                }
                Ok::<_, infra::db::DbError>(made)
            })
            .await?;
        accounts
            .into_iter()
            .map(|(new, account)| {
                let account =
                    account.ok_or_else(|| anyhow::anyhow!("account {} not found", new.email))?;
                Ok(Person {
                    email: new.email,
                    given_name: new.first_name,
                    family_name: new.last_name,
                    subject: account.subject,
                    account_id: account.id,
                })
            })
            .collect()
    }

    /// A medium-level access token of `person` for `audience`, as the token endpoint gives
    /// traces after a login with a password and a second factor (ES256, eulogin's default for
    /// access tokens).
    pub fn access_token(&self, person: &Person, audience: &str) -> anyhow::Result<String> {
        let now = OffsetDateTime::now_utc();
        let grant = UserGrant {
            grant_id: infra::crypto::random_token(),
            client_id: CLIENT_ID.to_owned(),
            account_id: person.account_id.clone(),
            subject: person.subject.clone(),
            scope: "openid profile email".to_owned(),
            audience: audience.to_owned(),
            sid: infra::crypto::random_token(),
            acr: format!("{}/loa/medium", self.url),
            amr: vec!["pwd".to_owned(), "otp".to_owned()],
            auth_time: now.unix_timestamp(),
        };
        let alg = eulogin::oidc::keys::parse_algorithm("ES256")
            .ok_or_else(|| anyhow::anyhow!("eulogin knows no ES256"))?;
        Ok(self
            .state
            .oidc
            .tokens
            .user_access_token(&grant, alg, now)?
            .token)
    }
}
