//! "My TRACES": the organisations a person belongs to (with the status of each request), the
//! organisation they act for, and what waits for them (users to validate, operators to decide).

use crate::app::AppState;
use crate::auth::SignedIn;
use crate::http::current_user::Visitor;
use crate::http::errors::WebError;
use crate::http::page::{PageContext, see_other};
use crate::store::activities;
use crate::store::memberships::{self, Membership};
use crate::workflows::members;
use crate::workflows::reactivation::{self, PendingReactivation};
use actix_web::{HttpRequest, HttpResponse, web};
use askama::Template;

/// Users waiting for an administrator's decision, per operator the person administers.
#[derive(Debug)]
pub struct PendingUsers {
    pub operator_id: String,
    pub operator_name: String,
    pub count: usize,
}

#[derive(Template)]
#[template(path = "workspace.html")]
struct WorkspacePage<'a> {
    ctx: &'a PageContext,
    memberships: &'a [Membership],
    current: Option<String>,
    pending_users: Vec<PendingUsers>,
    waiting_operators: Option<usize>,
    /// Reactivation requests the person may decide on.
    reactivations: Vec<PendingReactivation>,
    reactivations_from: &'static str,
    /// The notice a redirect asked for, as a catalog key.
    notice: Option<&'static str>,
}

#[derive(serde::Deserialize)]
pub struct WorkspaceQuery {
    #[serde(default)]
    switched: Option<String>,
    /// After asking to be an authority's officer: `sent` or `again`.
    #[serde(default)]
    requested: Option<String>,
    /// After deciding on a reactivation request: `decided`.
    #[serde(default)]
    reactivation: Option<String>,
}

impl WorkspaceQuery {
    fn notice(&self) -> Option<&'static str> {
        match (self.switched.is_some(), self.requested.as_deref()) {
            (true, _) => Some("workspace.switched"),
            (_, Some("sent")) => Some("workspace.officer_requested"),
            (_, Some("again")) => Some("workspace.officer_already_requested"),
            _ if self.reactivation.is_some() => Some("reactivation.notice_decided"),
            _ => None,
        }
    }
}

pub async fn page(
    req: HttpRequest,
    state: web::Data<AppState>,
    signed_in: SignedIn,
    query: web::Query<WorkspaceQuery>,
) -> Result<HttpResponse, WebError> {
    let visitor = Visitor::load(&req, &state, &signed_in.user).await?;
    let administered: Vec<(String, String)> = visitor
        .actor
        .organisations()
        .iter()
        .filter(|m| m.role == "administrator")
        .filter_map(|m| {
            m.operator_id()
                .map(|id| (id.to_owned(), m.organisation_name.clone()))
        })
        .collect();
    let authority_codes = visitor.actor.authority_codes();
    let (pending_users, waiting) = state
        .db
        .run(move |c| {
            let mut pending = Vec::new();
            for (operator_id, operator_name) in administered {
                let count = memberships::of_operator(c, &operator_id, Some("pending"))?.len();
                if count > 0 {
                    pending.push(PendingUsers {
                        operator_id,
                        operator_name,
                        count,
                    });
                }
            }
            let waiting = if authority_codes.is_empty() {
                None
            } else {
                Some(activities::operators_waiting_for(c, &authority_codes, 1000)?.len())
            };
            Ok((pending, waiting))
        })
        .await?;
    let current = visitor.current().map(|m| m.id.clone());
    let reactivations = reactivation::pending_for(&state, &visitor.actor).await?;
    Ok(visitor.ctx.ok(&WorkspacePage {
        ctx: &visitor.ctx,
        memberships: &visitor.actor.memberships,
        current,
        pending_users,
        waiting_operators: waiting,
        reactivations,
        reactivations_from: "workspace",
        notice: query.notice(),
    }))
}

/// `POST /workspace/switch`: act for another of one's organisations.
pub async fn switch(
    req: HttpRequest,
    state: web::Data<AppState>,
    signed_in: SignedIn,
    body: web::Bytes,
) -> Result<HttpResponse, WebError> {
    let (visitor, form) = match Visitor::posted(&req, &state, &signed_in.user, &body).await? {
        Ok(posted) => posted,
        Err(refused) => return Ok(refused),
    };
    let outcome =
        members::switch_organisation(&state, &visitor.actor, form.get("membership")).await;
    crate::http::workflow_errors::answer(&visitor.ctx, outcome, |()| {
        see_other("/workspace?switched=1")
    })
}
