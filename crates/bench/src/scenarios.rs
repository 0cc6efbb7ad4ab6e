//! The scenarios, in the order they run: what a virtual user prepares once (a login for the
//! token-holding ones) and what it repeats.

use crate::oidc::{self, Browser, Site};
use crate::vu::{Failure, Vu};
use bench::runner::Workload;
use std::future::Future;
use std::sync::Arc;
use std::time::Instant;

/// A scenario's result.
pub type Outcome = bench::runner::Outcome<Scenario>;

/// A scenario against one eulogin, as a workload of the shared runner.
#[derive(Debug)]
pub struct OidcWorkload {
    pub scenario: Scenario,
    pub site: Arc<Site>,
}

impl Workload for OidcWorkload {
    type Held = Held;

    fn prepare(
        &self,
        _user: usize,
        vu: &mut Vu,
    ) -> impl Future<Output = Result<Held, Failure>> + Send {
        prepare(self.scenario, vu, &self.site)
    }

    fn repeat(
        &self,
        vu: &mut Vu,
        held: &mut Held,
    ) -> impl Future<Output = Result<(), Failure>> + Send {
        repeat(self.scenario, vu, &self.site, held)
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Scenario {
    Discovery,
    Jwks,
    ClientCredentials,
    Refresh,
    Userinfo,
    SsoCodeFlow,
    PasswordLoginFlow,
}

impl Scenario {
    pub const ALL: [Scenario; 7] = [
        Scenario::Discovery,
        Scenario::Jwks,
        Scenario::ClientCredentials,
        Scenario::Refresh,
        Scenario::Userinfo,
        Scenario::SsoCodeFlow,
        Scenario::PasswordLoginFlow,
    ];

    pub fn name(self) -> &'static str {
        match self {
            Scenario::Discovery => "discovery",
            Scenario::Jwks => "jwks",
            Scenario::ClientCredentials => "client_credentials",
            Scenario::Refresh => "refresh",
            Scenario::Userinfo => "userinfo",
            Scenario::SsoCodeFlow => "sso_code_flow",
            Scenario::PasswordLoginFlow => "password_login_flow",
        }
    }

    pub fn parse(name: &str) -> Option<Scenario> {
        Scenario::ALL.into_iter().find(|s| s.name() == name)
    }

    /// Requests in one repetition.
    pub fn requests_per_flow(self) -> usize {
        match self {
            Scenario::SsoCodeFlow => 2,
            Scenario::PasswordLoginFlow => 4,
            _ => 1,
        }
    }

    /// What one repetition is, for the report.
    pub fn description(self) -> &'static str {
        match self {
            Scenario::Discovery => "GET /.well-known/openid-configuration",
            Scenario::Jwks => "GET /oidc/jwks",
            Scenario::ClientCredentials => "POST /oidc/token (client_credentials, Basic)",
            Scenario::Refresh => "POST /oidc/token (refresh_token, rotated each time)",
            Scenario::Userinfo => "GET /oidc/userinfo (Bearer)",
            Scenario::SsoCodeFlow => "authorize with SSO session → 303 with code; token → ID token",
            Scenario::PasswordLoginFlow => {
                "authorize → login page → POST /login (Argon2id) → code → token"
            }
        }
    }
}

/// What a virtual user holds between repetitions.
#[derive(Debug, Clone)]
pub enum Held {
    Nothing,
    RefreshToken(String),
    AccessToken(String),
    Session(Browser),
}

/// A login and a code exchange, as a relying party does it: gives the browser and the tokens.
async fn log_in(vu: &mut Vu, site: &Site) -> Result<(Browser, oidc::Tokens), Failure> {
    let email = site.next_email();
    let (browser, code) = oidc::password_login(vu, site, &email).await?;
    let tokens = oidc::exchange_code(vu, site, &code).await?;
    Ok((browser, tokens))
}

/// Prepares a virtual user (again, after a failure broke what it held). Its requests are not
/// counted as the scenario's.
pub async fn prepare(scenario: Scenario, vu: &mut Vu, site: &Site) -> Result<Held, Failure> {
    vu.rec.set_counting(false);
    let held = hold(scenario, vu, site).await;
    vu.rec.set_counting(true);
    held
}

async fn hold(scenario: Scenario, vu: &mut Vu, site: &Site) -> Result<Held, Failure> {
    Ok(match scenario {
        Scenario::Refresh => {
            let (_, tokens) = log_in(vu, site).await?;
            let refresh = tokens
                .refresh_token
                .ok_or_else(|| Failure::new("code exchange", "no refresh_token for bench-web"))?;
            Held::RefreshToken(refresh)
        }
        Scenario::Userinfo => Held::AccessToken(log_in(vu, site).await?.1.access_token),
        Scenario::SsoCodeFlow => Held::Session(log_in(vu, site).await?.0),
        _ => Held::Nothing,
    })
}

/// One repetition; a completed one counts as a flow.
pub async fn repeat(
    scenario: Scenario,
    vu: &mut Vu,
    site: &Site,
    held: &mut Held,
) -> Result<(), Failure> {
    match (scenario, &mut *held) {
        (Scenario::Discovery, _) => oidc::discovery(vu, site).await?,
        (Scenario::Jwks, _) => oidc::jwks(vu, site).await?,
        (Scenario::ClientCredentials, _) => oidc::client_credentials(vu, site).await?,
        (Scenario::Refresh, Held::RefreshToken(token)) => {
            let tokens = oidc::refresh(vu, site, token).await?;
            // Rotation: the old token is spent; only the new one works from now on.
            *token = tokens.refresh_token.unwrap_or_default();
        }
        (Scenario::Userinfo, Held::AccessToken(token)) => oidc::userinfo(vu, token).await?,
        (Scenario::SsoCodeFlow, Held::Session(browser)) => {
            let code = oidc::authorize_with_session(vu, site, browser).await?;
            oidc::exchange_code(vu, site, &code).await?;
        }
        (Scenario::PasswordLoginFlow, _) => {
            log_in(vu, site).await?;
        }
        (scenario, held) => {
            return Err(Failure::new(
                "bench bug",
                format!("{} cannot run with {held:?}", scenario.name()),
            ));
        }
    }
    vu.rec.flow_done(Instant::now());
    Ok(())
}
