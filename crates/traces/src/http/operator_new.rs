//! "Create a new operator": the form of the seed guide (operator details, addresses,
//! identifiers, the first activity with its responsible authorities found by a search), then a
//! review with "Send authorisation request". Works without JavaScript: "+ Add address",
//! "+ Add identifier" and "Search responsible authorities" re-render the form with what was
//! typed. Every problem is shown at once, next to its field and in a summary.

use crate::app::AppState;
use crate::auth::SignedIn;
use crate::domain::operator_form::{self, FieldError, ValidOperator};
use crate::http::activity_form_part::{
    ActivityChoices, ActivityPart, ActivitySummary, AuthorityQuery, activity_record, carried,
};
use crate::http::current_user::Visitor;
use crate::http::errors::WebError;
use crate::http::forms::FormFields;
use crate::http::operator_form_input::{self as input, DEFAULT_TIME_ZONE, Preloaded};

use crate::http::page::{PageContext, see_other};
use crate::http::workflow_errors;
use crate::store::activities::NewActivityRecord;
use crate::store::operators::{NewAddressRecord, NewIdentifierRecord, NewOperatorRecord};
use crate::store::reference::{self, Country};
use crate::workflows::requests;
use actix_web::http::StatusCode;
use actix_web::{HttpRequest, HttpResponse, web};
use askama::Template;

#[derive(Template)]
#[template(path = "operator_new.html")]
struct FormPage<'a> {
    ctx: &'a PageContext,
    form: &'a FormFields,
    countries: &'a [Country],
    identifier_kinds: &'a [&'static str],
    addresses: usize,
    identifiers: usize,
    /// The first activity (`activity_fields.html`).
    activity: ActivityPart<'a>,
    errors: &'a [(String, String)],
}

impl FormPage<'_> {
    fn v(&self, name: &str) -> &str {
        self.form.get(name)
    }

    fn row(&self, prefix: &str, i: &usize, field: &str) -> String {
        self.form.get(&format!("{prefix}_{i}_{field}")).to_owned()
    }

    fn is(&self, name: &str, value: &str) -> bool {
        self.form.get(name) == value
    }

    fn row_is(&self, prefix: &str, i: &usize, field: &str, value: &str) -> bool {
        self.form.get(&format!("{prefix}_{i}_{field}")) == value
    }

    /// The message for a field, if it has a problem.
    fn err(&self, field: &str) -> Option<&str> {
        self.errors
            .iter()
            .find(|(f, _)| f == field)
            .map(|(_, m)| m.as_str())
    }

    fn row_err(&self, prefix: &str, i: &usize, field: &str) -> Option<&str> {
        self.err(&format!("{prefix}[{i}].{field}"))
    }

    fn field_name(&self, field: &str) -> String {
        field_label(self.ctx, field)
    }

    fn request_key(&self) -> String {
        self.form.request_key()
    }
}

#[derive(Template)]
#[template(path = "operator_review.html")]
struct ReviewPage<'a> {
    ctx: &'a PageContext,
    operator: &'a ValidOperator,
    /// Every field as typed, carried to the send button.
    carried: Vec<(String, String)>,
    /// The first activity (`activity_summary.html`).
    summary: ActivitySummary,
}

const IDENTIFIER_KINDS: [&str; 4] = ["national_register", "eori", "vat", "other"];

/// `GET /operators/new?type=operator`.
pub async fn form(
    req: HttpRequest,
    state: web::Data<AppState>,
    signed_in: SignedIn,
    query: web::Query<std::collections::HashMap<String, String>>,
) -> Result<HttpResponse, WebError> {
    let visitor = Visitor::load(&req, &state, &signed_in.user).await?;
    let kind = query.get("type").map(String::as_str).unwrap_or("operator");
    let fields = FormFields::from_pairs(&[
        ("organisation_type", kind),
        ("time_zone", DEFAULT_TIME_ZONE),
    ]);
    render(&state, &visitor, &fields, Vec::new(), StatusCode::OK).await
}

/// `POST /operators/new`.
pub async fn submit(
    req: HttpRequest,
    state: web::Data<AppState>,
    signed_in: SignedIn,
    body: web::Bytes,
) -> Result<HttpResponse, WebError> {
    let (visitor, form) = match Visitor::posted(&req, &state, &signed_in.user, &body).await? {
        Ok(posted) => posted,
        Err(refused) => return Ok(refused),
    };
    let step = form.get("step");
    if step != "review" && step != "send" {
        return render(&state, &visitor, &form, Vec::new(), StatusCode::OK).await;
    }
    let raw = input::operator_input(&form);
    let (code, codes) = (
        raw.first_activity.activity_code.clone(),
        raw.first_activity.authority_codes.clone(),
    );
    let lookup = state
        .db
        .run(move |c| Ok(Preloaded::load(c, &code, &codes)?))
        .await?;
    let valid = match operator_form::validate(&raw, &lookup) {
        Ok(valid) => valid,
        Err(errors) => {
            let errors = messages(&visitor.ctx, &errors);
            return render(
                &state,
                &visitor,
                &form,
                errors,
                StatusCode::UNPROCESSABLE_ENTITY,
            )
            .await;
        }
    };
    if step == "review" {
        return review(&state, &visitor, &form, &valid).await;
    }
    let (operator, activity) = records(&valid);
    let outcome = requests::create_operator(
        &state,
        &visitor.actor,
        operator,
        activity,
        form.get("request_key"),
    )
    .await;
    workflow_errors::answer(&visitor.ctx, outcome, |done| {
        see_other(&format!("/operators/{}?done=created", done.operator_id))
    })
}

/// Field errors as (field, translated message).
pub fn messages(ctx: &PageContext, errors: &[FieldError]) -> Vec<(String, String)> {
    errors
        .iter()
        .map(|e| {
            (
                e.field.clone(),
                ctx.t.t(&format!("field_error.{}", e.code)).to_owned(),
            )
        })
        .collect()
}

/// A field's name for the error summary: `addresses[1].city` is "City (2)".
pub fn field_label(ctx: &PageContext, field: &str) -> String {
    let mut key = String::new();
    let mut number = None;
    let mut chars = field.chars().peekable();
    while let Some(c) = chars.next() {
        if c == '[' {
            let digits: String = chars.by_ref().take_while(|c| *c != ']').collect();
            number = digits.parse::<usize>().ok().map(|n| n + 1).or(number);
        } else {
            key.push(c);
        }
    }
    let name = ctx.t.t(&format!("field.{key}"));
    match number {
        Some(n) => format!("{name} ({n})"),
        None => name.to_owned(),
    }
}

async fn render(
    state: &AppState,
    visitor: &Visitor,
    form: &FormFields,
    errors: Vec<(String, String)>,
    status: StatusCode,
) -> Result<HttpResponse, WebError> {
    let query = AuthorityQuery::from_form(form, form.get("country"));
    let (countries, choices) = state
        .db
        .run(move |c| Ok((reference::countries(c)?, ActivityChoices::read(c, &query)?)))
        .await?;
    let addresses = input::row_count(form, "addresses", "add_address");
    let address_word = visitor.ctx.t.t("new_operator.address");
    let address_choices = (0..addresses)
        .map(|i| (i.to_string(), format!("{address_word} {}", i + 1)))
        .collect();
    let page = FormPage {
        ctx: &visitor.ctx,
        form,
        countries: &countries,
        identifier_kinds: &IDENTIFIER_KINDS,
        addresses,
        identifiers: input::row_count(form, "identifiers", "add_identifier"),
        activity: ActivityPart::new(form, choices, address_choices, "first_activity.", &errors),
        errors: &errors,
    };
    Ok(visitor.ctx.render(status, &page))
}

async fn review(
    state: &AppState,
    visitor: &Visitor,
    form: &FormFields,
    valid: &ValidOperator,
) -> Result<HttpResponse, WebError> {
    let activity = valid.first_activity.clone();
    let address = valid
        .addresses
        .get(activity.address_index)
        .map(|a| format!("{}, {}", a.address, a.city));
    let summary = state
        .db
        .run(move |c| Ok(ActivitySummary::read(c, &activity, address)?))
        .await?;
    Ok(visitor.ctx.ok(&ReviewPage {
        ctx: &visitor.ctx,
        operator: valid,
        carried: carried(form),
        summary,
    }))
}

/// The checked form as the records the store writes.
fn records(valid: &ValidOperator) -> (NewOperatorRecord, NewActivityRecord) {
    let operator = NewOperatorRecord {
        organisation_type: valid.organisation_type.code().to_owned(),
        name: valid.name.clone(),
        country_code: valid.country_code.clone(),
        phone: valid.phone.clone(),
        email: valid.email.clone(),
        addresses: valid
            .addresses
            .iter()
            .map(|a| NewAddressRecord {
                region: a.region.clone(),
                city: a.city.clone(),
                address: a.address.clone(),
                postal_code: a.postal_code.clone(),
                latitude: a.coordinates.map(|c| c.latitude),
                longitude: a.coordinates.map(|c| c.longitude),
            })
            .collect(),
        identifiers: valid
            .identifiers
            .iter()
            .map(|i| NewIdentifierRecord {
                kind: i.kind.code().to_owned(),
                value: i.value.clone(),
                normalized: i.normalized.clone(),
            })
            .collect(),
    };
    (
        operator,
        activity_record(
            &valid.first_activity,
            Some(valid.first_activity.address_index),
        ),
    )
}
