//! `/deactivated`, where a user deactivated by the inactivity rule lands (`SignedIn` sends
//! them here): when and why, and a form to ask for reactivation with an optional message.
//! Once asked, the page says when the request was sent and that it is pending; after a
//! refusal, the reason and the form again. Anyone else has nothing to do here: a person who
//! is not deactivated goes to `/workspace`, an anonymous visitor to the login.

use crate::app::AppState;
use crate::auth::signed_in::{SignedIn, current, login_redirect};
use crate::domain::reactivation::{MAX_MESSAGE_CHARS, checked_message};
use crate::http::errors::{WebError, message_page};
use crate::http::forms::{FormFields, reject_forgery};
use crate::http::page::{PageContext, see_other};
use crate::http::workflow_errors;
use crate::store::reactivations::{self, ReactivationRequest};
use crate::workflows::inactivity::shown;
use crate::workflows::reactivation;
use actix_web::http::StatusCode;
use actix_web::{HttpRequest, HttpResponse, web};
use askama::Template;

#[derive(Template)]
#[template(path = "deactivated.html")]
struct DeactivatedPage<'a> {
    ctx: &'a PageContext,
    deactivated_on: String,
    days: String,
    /// The latest request, pending or decided.
    latest: Option<ReactivationRequest>,
    /// What was typed, shown again with an error.
    message: &'a str,
    max_message: usize,
    /// The error's catalog key.
    error: Option<&'static str>,
}

impl DeactivatedPage<'_> {
    fn pending(&self) -> Option<&ReactivationRequest> {
        self.latest.as_ref().filter(|r| r.status == "pending")
    }

    fn refused(&self) -> Option<&ReactivationRequest> {
        self.latest.as_ref().filter(|r| r.status == "refused")
    }

    fn requested_on(&self, request: &ReactivationRequest) -> String {
        shown(request.requested_at)
    }

    fn refusal_reason<'r>(&self, request: &'r ReactivationRequest) -> &'r str {
        request.reason.as_deref().unwrap_or("-")
    }
}

/// Who is asking: the logged-in person when deactivated, else where they should be.
enum Landing {
    Deactivated(Box<SignedIn>),
    /// Logged in and not deactivated: nothing to do here, back to My TRACES.
    Active,
    Elsewhere(HttpResponse),
}

async fn landing(req: &HttpRequest, state: &AppState) -> Result<Landing, WebError> {
    Ok(match current(req, state).await? {
        None if req.method() == actix_web::http::Method::GET => {
            Landing::Elsewhere(login_redirect(req))
        }
        None => {
            let ctx = PageContext::new(req, state);
            Landing::Elsewhere(message_page(
                &ctx,
                StatusCode::UNAUTHORIZED,
                "auth.signed_out_title",
                ctx.t.t("auth.signed_out"),
            ))
        }
        Some(signed_in) if !signed_in.user.is_deactivated() => Landing::Active,
        Some(signed_in) => Landing::Deactivated(Box::new(signed_in)),
    })
}

async fn render(
    req: &HttpRequest,
    state: &AppState,
    signed_in: &SignedIn,
    message: &str,
    error: Option<&'static str>,
) -> Result<HttpResponse, WebError> {
    let ctx = signed_in.page_context(req, state);
    let user_id = signed_in.user.id.clone();
    let latest = state
        .db
        .run(move |c| Ok(reactivations::latest_of_user(c, &user_id)?))
        .await?;
    let status = if error.is_some() {
        StatusCode::UNPROCESSABLE_ENTITY
    } else {
        StatusCode::OK
    };
    Ok(ctx.render(
        status,
        &DeactivatedPage {
            ctx: &ctx,
            deactivated_on: signed_in.user.deactivated_at.map(shown).unwrap_or_default(),
            days: state.settings.inactivity.whole_days().to_string(),
            latest,
            message,
            max_message: MAX_MESSAGE_CHARS,
            error,
        },
    ))
}

/// `GET /deactivated`.
pub async fn page(req: HttpRequest, state: web::Data<AppState>) -> Result<HttpResponse, WebError> {
    match landing(&req, &state).await? {
        Landing::Elsewhere(response) => Ok(response),
        Landing::Active => Ok(see_other("/workspace")),
        Landing::Deactivated(signed_in) => render(&req, &state, &signed_in, "", None).await,
    }
}

/// `POST /deactivated`: asks for reactivation (a second time returns the pending request).
pub async fn ask(
    req: HttpRequest,
    state: web::Data<AppState>,
    body: web::Bytes,
) -> Result<HttpResponse, WebError> {
    let landing = landing(&req, &state).await?;
    if let Landing::Elsewhere(response) = landing {
        return Ok(response);
    }
    // A forged request is refused as such, whoever it names.
    let form = FormFields::parse(&body);
    if let Some(refused) = reject_forgery(&req, &state, form.get("csrf_token")) {
        return Ok(refused);
    }
    let signed_in = match landing {
        Landing::Deactivated(signed_in) => signed_in,
        _ => return Ok(see_other("/workspace")),
    };
    let message = form.get("message");
    if checked_message(message).is_err() {
        let error = Some("deactivated.message_too_long");
        return render(&req, &state, &signed_in, message, error).await;
    }
    let outcome = reactivation::ask(&state, &signed_in.user, message).await;
    let ctx = signed_in.page_context(&req, &state);
    workflow_errors::answer(&ctx, outcome, |_| see_other(crate::auth::DEACTIVATED_PATH))
}
