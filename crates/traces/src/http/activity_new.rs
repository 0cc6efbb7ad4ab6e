//! "Add an activity" to a valid operator: a new operator is created with one activity, and
//! more are added here once an authority has validated it (an importer without an agent adds
//! "Responsible for the load" to its plant-health activity to notify a CHED-PP). The form is
//! the activity part of "Create a new operator" (`activity_form_part`), checked by the same
//! rules against the operator's country and addresses; then a review and "Add the activity".
//! Only the operator's administrators get it: someone who may not see the operator gets the
//! 404 page, someone who may see it but not add the 403 page, and a pending operator a page
//! saying it must be validated first. The new activity is New, assigned to the authorities
//! chosen, and waits in their officers' worklist.

use crate::app::AppState;
use crate::auth::SignedIn;
use crate::domain::activity_form::{ExistingOperator, validate_new_activity};
use crate::http::activity_form_part::{
    ActivityChoices, ActivityPart, ActivitySummary, AuthorityQuery, activity_record, carried,
};
use crate::http::current_user::Visitor;
use crate::http::errors::WebError;
use crate::http::forms::FormFields;
use crate::http::operator_form_input::{self as input, DEFAULT_TIME_ZONE, Preloaded};
use crate::http::operator_new::{field_label, messages};
use crate::http::page::{PageContext, see_other};
use crate::http::workflow_errors;
use crate::store::operators::OperatorView;
use crate::workflows::{WorkflowError, requests};
use actix_web::http::StatusCode;
use actix_web::{HttpRequest, HttpResponse, web};
use askama::Template;

/// The activity inputs are labelled like the create form's first activity.
const ACTIVITY_LABELS: &str = "first_activity.";

#[derive(Template)]
#[template(path = "activity_new.html")]
struct FormPage<'a> {
    ctx: &'a PageContext,
    operator: &'a OperatorView,
    request_key: String,
    activity: ActivityPart<'a>,
    errors: &'a [(String, String)],
}

impl FormPage<'_> {
    /// A field's name for the error summary: `authority_codes[1]` is "Responsible
    /// authorities (2)".
    fn field_name(&self, field: &str) -> String {
        field_label(self.ctx, &format!("{ACTIVITY_LABELS}{field}"))
    }
}

#[derive(Template)]
#[template(path = "activity_review.html")]
struct ReviewPage<'a> {
    ctx: &'a PageContext,
    operator: &'a OperatorView,
    summary: ActivitySummary,
    /// Every field as typed, carried to the send button.
    carried: Vec<(String, String)>,
}

/// The operator when the visitor may add an activity to it now, else the page saying why.
async fn operator_or_refusal(
    state: &AppState,
    visitor: &Visitor,
    operator_id: &str,
) -> Result<Result<OperatorView, HttpResponse>, WebError> {
    match requests::operator_for_new_activity(state, &visitor.actor, operator_id).await {
        Ok(operator) => Ok(Ok(operator)),
        Err(WorkflowError::Storage(e)) => Err(e.into()),
        Err(refused) => Ok(Err(workflow_errors::page(&visitor.ctx, &refused))),
    }
}

/// `GET /operators/{id}/activities/new`.
pub async fn form(
    req: HttpRequest,
    state: web::Data<AppState>,
    signed_in: SignedIn,
    path: web::Path<String>,
) -> Result<HttpResponse, WebError> {
    let visitor = Visitor::load(&req, &state, &signed_in.user).await?;
    let operator = match operator_or_refusal(&state, &visitor, &path).await? {
        Ok(operator) => operator,
        Err(refused) => return Ok(refused),
    };
    let fields = FormFields::from_pairs(&[("time_zone", DEFAULT_TIME_ZONE)]);
    render(
        &state,
        &visitor,
        &operator,
        &fields,
        Vec::new(),
        StatusCode::OK,
    )
    .await
}

/// `POST /operators/{id}/activities/new`: `step` is `search_authorities` (or `edit`: the form
/// again, as typed), `review` (checked, then the review) or `send` (checked again, added).
pub async fn submit(
    req: HttpRequest,
    state: web::Data<AppState>,
    signed_in: SignedIn,
    path: web::Path<String>,
    body: web::Bytes,
) -> Result<HttpResponse, WebError> {
    let (visitor, form) = match Visitor::posted(&req, &state, &signed_in.user, &body).await? {
        Ok(posted) => posted,
        Err(refused) => return Ok(refused),
    };
    let operator = match operator_or_refusal(&state, &visitor, &path).await? {
        Ok(operator) => operator,
        Err(refused) => return Ok(refused),
    };
    let step = form.get("step");
    if step != "review" && step != "send" {
        return render(
            &state,
            &visitor,
            &operator,
            &form,
            Vec::new(),
            StatusCode::OK,
        )
        .await;
    }
    let raw = input::activity_input(&form);
    let (code, codes) = (raw.activity_code.clone(), raw.authority_codes.clone());
    let lookup = state
        .db
        .run(move |c| Ok(Preloaded::load(c, &code, &codes)?))
        .await?;
    let existing = ExistingOperator {
        country_code: &operator.country_code,
        address_count: operator.addresses.len(),
    };
    let valid = match validate_new_activity(&raw, &existing, &lookup) {
        Ok(valid) => valid,
        Err(errors) => {
            let errors = messages(&visitor.ctx, &errors);
            return render(
                &state,
                &visitor,
                &operator,
                &form,
                errors,
                StatusCode::UNPROCESSABLE_ENTITY,
            )
            .await;
        }
    };
    if step == "review" {
        let address = operator
            .addresses
            .get(valid.address_index)
            .map(|a| a.one_line());
        let summary = state
            .db
            .run(move |c| Ok(ActivitySummary::read(c, &valid, address)?))
            .await?;
        return Ok(visitor.ctx.ok(&ReviewPage {
            ctx: &visitor.ctx,
            operator: &operator,
            summary,
            carried: carried(&form),
        }));
    }
    let record = activity_record(&valid, Some(valid.address_index));
    let outcome = requests::add_activity(
        &state,
        &visitor.actor,
        &operator.id,
        record,
        form.get("request_key"),
    )
    .await;
    workflow_errors::answer(&visitor.ctx, outcome, |done| {
        see_other(&format!(
            "/operators/{}?done=activity#activity-{}",
            operator.id, done.activity_id
        ))
    })
}

async fn render(
    state: &AppState,
    visitor: &Visitor,
    operator: &OperatorView,
    form: &FormFields,
    errors: Vec<(String, String)>,
    status: StatusCode,
) -> Result<HttpResponse, WebError> {
    let query = AuthorityQuery::from_form(form, &operator.country_code);
    let choices = state
        .db
        .run(move |c| Ok(ActivityChoices::read(c, &query)?))
        .await?;
    let addresses = operator
        .addresses
        .iter()
        .enumerate()
        .map(|(i, a)| (i.to_string(), a.one_line()))
        .collect();
    let page = FormPage {
        ctx: &visitor.ctx,
        operator,
        request_key: form.request_key(),
        activity: ActivityPart::new(form, choices, addresses, "", &errors),
        errors: &errors,
    };
    Ok(visitor.ctx.render(status, &page))
}
