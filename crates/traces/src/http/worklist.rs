//! The authority officer's worklist: the operators and activities waiting for a decision of
//! one of the officer's authorities (and only those), oldest first, and the officers waiting
//! to join the authority.

use crate::app::AppState;
use crate::auth::SignedIn;
use crate::http::current_user::Visitor;
use crate::http::errors::WebError;
use crate::http::page::PageContext;
use crate::http::workflow_errors;
use crate::store::activities;
use crate::store::memberships::{self, Member};
use crate::store::operator_search::OperatorSummary;
use crate::store::operators;
use crate::workflows::WorkflowError;
use crate::workflows::reactivation::{self, PendingReactivation};
use actix_web::{HttpRequest, HttpResponse, web};
use askama::Template;

#[derive(Template)]
#[template(path = "worklist.html")]
struct WorklistPage<'a> {
    ctx: &'a PageContext,
    waiting: Vec<OperatorSummary>,
    officers: Vec<Member>,
    /// Reactivation requests of users this officer's authorities are responsible for.
    reactivations: Vec<PendingReactivation>,
    reactivations_from: &'static str,
    done: bool,
}

/// How many waiting operators the worklist shows at once.
const WORKLIST_SIZE: i64 = 200;

#[derive(serde::Deserialize)]
pub struct WorklistQuery {
    #[serde(default)]
    done: Option<String>,
}

pub async fn page(
    req: HttpRequest,
    state: web::Data<AppState>,
    signed_in: SignedIn,
    query: web::Query<WorklistQuery>,
) -> Result<HttpResponse, WebError> {
    let visitor = Visitor::load(&req, &state, &signed_in.user).await?;
    let codes = visitor.actor.authority_codes();
    if codes.is_empty() {
        return Ok(workflow_errors::page(
            &visitor.ctx,
            &WorkflowError::Forbidden,
        ));
    }
    let (waiting, officers) = state
        .db
        .run(move |c| {
            let ids = activities::operators_waiting_for(c, &codes, WORKLIST_SIZE)?;
            let mut waiting = Vec::with_capacity(ids.len());
            for id in ids {
                if let Some(operator) = operators::find(c, &id)? {
                    waiting.push(OperatorSummary {
                        address: operator.addresses.first().map(|a| a.one_line()),
                        id: operator.id,
                        name: operator.name,
                        country_code: operator.country_code,
                        status: operator.status,
                        // Only what this officer's authorities decide on.
                        activities: operator
                            .activities
                            .into_iter()
                            .filter(|a| a.authorities.iter().any(|x| codes.contains(&x.code)))
                            .collect(),
                    });
                }
            }
            let mut officers = Vec::new();
            for code in &codes {
                officers.extend(memberships::of_authority(c, code, Some("pending"))?);
            }
            Ok((waiting, officers))
        })
        .await?;
    let reactivations = reactivation::pending_for(&state, &visitor.actor).await?;
    Ok(visitor.ctx.ok(&WorklistPage {
        ctx: &visitor.ctx,
        waiting,
        officers,
        reactivations,
        reactivations_from: "worklist",
        done: query.done.is_some(),
    }))
}
