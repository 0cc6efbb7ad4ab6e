//! What the virtual users of `traces-bench` do, each with the access token of one of the
//! benchmark's people (user n holds token n modulo their number): read one valid operator after
//! another through the API, or search operators three ways. Each answer is checked as a client
//! would: the status, and the operator asked for (or a page of results) in the body.

use bench::client::{Call, Response};
use bench::runner::Workload;
use bench::vu::{Failure, Vu};
use hyper::StatusCode;
use hyper::header::AUTHORIZATION;
use std::future::Future;
use std::sync::Arc;
use std::time::Instant;

/// The scenarios, in the order they run.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Scenario {
    ApiReadOperator,
    SearchText,
    SearchFilters,
    SearchCombined,
}

impl Scenario {
    pub const ALL: [Scenario; 4] = [
        Scenario::ApiReadOperator,
        Scenario::SearchText,
        Scenario::SearchFilters,
        Scenario::SearchCombined,
    ];

    pub fn name(self) -> &'static str {
        match self {
            Scenario::ApiReadOperator => "api_read_operator",
            Scenario::SearchText => "search_text",
            Scenario::SearchFilters => "search_filters",
            Scenario::SearchCombined => "search_combined",
        }
    }

    pub fn parse(name: &str) -> Option<Scenario> {
        Scenario::ALL.into_iter().find(|s| s.name() == name)
    }

    pub fn is_search(self) -> bool {
        self != Scenario::ApiReadOperator
    }

    /// What one repetition is, for the report.
    pub fn description(self) -> &'static str {
        match self {
            Scenario::ApiReadOperator => {
                "GET /api/v1/operators/{id} (Bearer), a different valid operator each time"
            }
            Scenario::SearchText => {
                "GET /api/v1/operators?q=… (a company name's first word or a city), pages 1–3"
            }
            Scenario::SearchFilters => {
                "GET /api/v1/operators?country=…&section=… (an activity section), pages 1–5"
            }
            Scenario::SearchCombined => {
                "GET /api/v1/operators?q=<city>&country=…&section=…, pages 1–2"
            }
        }
    }
}

/// Whether `haystack` contains `needle`.
fn contains(haystack: &[u8], needle: &[u8]) -> bool {
    haystack.windows(needle.len()).any(|w| w == needle)
}

/// A virtual user's token and where it is in the list of paths.
#[derive(Debug)]
pub struct Cursor {
    authorization: String,
    next: usize,
}

/// GET requests going round a list of paths (one valid operator after another, or a list of
/// searches), each answer checked by `check` (given the path and the body).
#[derive(Debug)]
pub struct Requests {
    /// `Bearer …` of each person.
    pub authorizations: Arc<Vec<String>>,
    pub paths: Arc<Vec<String>>,
    pub check: Check,
}

/// How an answer is checked, given the path asked for and the body received.
pub type Check = fn(&str, &[u8]) -> Result<(), String>;

/// The reads' check: the answer is the operator whose id ends the path.
pub fn is_the_operator(path: &str, body: &[u8]) -> Result<(), String> {
    let id = path.rsplit('/').next().unwrap_or(path);
    contains(body, id.as_bytes())
        .then_some(())
        .ok_or_else(|| "not the operator asked for".to_owned())
}

/// The searches' check: the answer is a page of results.
pub fn is_a_page(_path: &str, body: &[u8]) -> Result<(), String> {
    (body.starts_with(b"{\"results\":[") && contains(body, b"\"total\":"))
        .then_some(())
        .ok_or_else(|| "not a page of results".to_owned())
}

impl Workload for Requests {
    type Held = Cursor;

    fn prepare(
        &self,
        user: usize,
        _vu: &mut Vu,
    ) -> impl Future<Output = Result<Cursor, Failure>> + Send {
        let held = self
            .authorizations
            .get(user % self.authorizations.len().max(1))
            .cloned()
            .ok_or_else(|| Failure::new("bench setup", "no token"))
            .map(|authorization| {
                // Users start far apart in the list, so they do not read the same rows at once.
                let spread = self.paths.len() / 64 + 1;
                Cursor {
                    authorization,
                    next: (user * spread) % self.paths.len().max(1),
                }
            });
        async move { held }
    }

    fn repeat(
        &self,
        vu: &mut Vu,
        held: &mut Cursor,
    ) -> impl Future<Output = Result<(), Failure>> + Send {
        let path = &self.paths[held.next % self.paths.len()];
        held.next += 1;
        let call = Call::get(path.as_str()).header(AUTHORIZATION, held.authorization.as_str());
        let check = self.check;
        async move {
            vu.step(&call, StatusCode::OK, |r: &Response| check(path, &r.body))
                .await?;
            vu.rec.flow_done(Instant::now());
            Ok(())
        }
    }
}
