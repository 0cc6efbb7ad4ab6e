//! Adding an activity through the API: `POST /api/v1/operators/{id}/activities` with the
//! activity as JSON, checked by the same rules as the "Add an activity" page
//! (`domain::activity_form`) and under the same access rules (the administrators of a valid
//! operator). Every broken rule comes back at once, as problem JSON `invalid-fields` listing
//! each field with its code; an `Idempotency-Key` header makes a retry return the activity
//! added first (200) instead of adding another (201).

use super::actor_of;
use super::problems::{ApiError, FieldProblem};
use crate::app::AppState;
use crate::auth::ApiCaller;
use crate::domain::activity_form::{ExistingOperator, NewActivity, validate_new_activity};
use crate::http::activity_form_part::activity_record;
use crate::http::operator_form_input::Preloaded;
use crate::store::activities;
use crate::workflows::requests;
use actix_web::{HttpRequest, HttpResponse, web};

/// The longest `Idempotency-Key` accepted.
const MAX_IDEMPOTENCY_KEY_CHARS: usize = 200;

/// The activity to add. Every field may be left out: a missing one is reported like a blank
/// one on the page (`required`), together with every other problem.
#[derive(Debug, Default, serde::Deserialize)]
#[serde(deny_unknown_fields)]
pub struct NewActivityBody {
    /// The activity type code, e.g. `RFL`.
    #[serde(default)]
    activity_code: String,
    #[serde(default)]
    identifier: Option<String>,
    /// Local date-time `YYYY-MM-DDTHH:MM` or date `YYYY-MM-DD` in `time_zone`; open if absent.
    #[serde(default)]
    valid_from: Option<String>,
    #[serde(default)]
    valid_to: Option<String>,
    /// IANA name, e.g. `Europe/Stockholm`.
    #[serde(default)]
    time_zone: String,
    /// `YYYY-MM-DD`.
    #[serde(default)]
    publication_date: Option<String>,
    #[serde(default)]
    application_date: Option<String>,
    /// The id of one of the operator's addresses (`addresses[].id` of the operator).
    #[serde(default)]
    address_id: String,
    /// The codes of the responsible authorities, one to five.
    #[serde(default)]
    authority_codes: Vec<String>,
}

/// The `Idempotency-Key` header: empty when absent; refused when too long or not text.
fn idempotency_key(req: &HttpRequest) -> Result<String, ApiError> {
    let Some(value) = req.headers().get("idempotency-key") else {
        return Ok(String::new());
    };
    let key = value
        .to_str()
        .ok()
        .map(str::trim)
        .filter(|k| !k.is_empty() && k.chars().count() <= MAX_IDEMPOTENCY_KEY_CHARS)
        .ok_or_else(|| {
            ApiError::Invalid(format!(
                "Idempotency-Key must be 1 to {MAX_IDEMPOTENCY_KEY_CHARS} visible characters"
            ))
        })?;
    Ok(key.to_owned())
}

/// The form's input names as the body names them.
fn body_field(domain_field: &str) -> String {
    match domain_field {
        "address_index" => "address_id".to_owned(),
        other => other.to_owned(),
    }
}

/// `POST /api/v1/operators/{id}/activities`: 201 with the new activity (status `new`), or 200
/// with the one a request with the same `Idempotency-Key` added.
pub async fn add(
    req: HttpRequest,
    state: web::Data<AppState>,
    caller: ApiCaller,
    path: web::Path<String>,
    body: web::Json<NewActivityBody>,
) -> Result<HttpResponse, ApiError> {
    let actor = actor_of(&caller)?;
    let request_key = idempotency_key(&req)?;
    let operator = requests::operator_for_new_activity(&state, &actor, &path).await?;
    let body = body.into_inner();
    let wanted_address = body.address_id.trim();
    let address_index = match operator
        .addresses
        .iter()
        .position(|a| a.id == wanted_address)
    {
        Some(index) => index.to_string(),
        None if wanted_address.is_empty() => String::new(),
        // Not one of the operator's: a position no operator has, which the rules report as
        // `unknown_address`.
        None => usize::MAX.to_string(),
    };
    let raw = NewActivity {
        activity_code: body.activity_code,
        identifier: body.identifier,
        valid_from: body.valid_from,
        valid_to: body.valid_to,
        time_zone: body.time_zone,
        publication_date: body.publication_date,
        application_date: body.application_date,
        address_index,
        authority_codes: body.authority_codes,
    };
    let (code, codes) = (raw.activity_code.clone(), raw.authority_codes.clone());
    let lookup = state
        .db
        .run(move |c| Ok(Preloaded::load(c, code.trim(), &codes)?))
        .await?;
    let existing = ExistingOperator {
        country_code: &operator.country_code,
        address_count: operator.addresses.len(),
    };
    let valid = validate_new_activity(&raw, &existing, &lookup).map_err(|errors| {
        ApiError::InvalidFields(
            errors
                .iter()
                .map(|e| FieldProblem::new(body_field(&e.field), e.code))
                .collect(),
        )
    })?;
    let record = activity_record(&valid, Some(valid.address_index));
    let done = requests::add_activity(&state, &actor, &operator.id, record, &request_key).await?;
    let (operator_id, activity_id) = (operator.id.clone(), done.activity_id.clone());
    let activity = state
        .db
        .run(move |c| {
            Ok(activities::of_operator(c, &operator_id)?
                .into_iter()
                .find(|a| a.id == activity_id))
        })
        .await?
        .ok_or(ApiError::NotFound)?;
    let mut response = if done.created {
        HttpResponse::Created()
    } else {
        HttpResponse::Ok()
    };
    Ok(response.json(activity))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_openapi_document_describes_it() {
        let doc: serde_json::Value = serde_json::from_str(super::super::OPENAPI).unwrap();
        let post = &doc["paths"]["/api/v1/operators/{id}/activities"]["post"];
        assert_eq!(
            post["requestBody"]["content"]["application/json"]["schema"]["$ref"],
            "#/components/schemas/NewActivity"
        );
        let body = &doc["components"]["schemas"]["NewActivity"]["properties"];
        for field in [
            "activity_code",
            "identifier",
            "valid_from",
            "valid_to",
            "time_zone",
            "publication_date",
            "application_date",
            "address_id",
            "authority_codes",
        ] {
            assert!(body.get(field).is_some(), "{field}");
        }
        assert_eq!(
            post["responses"]["422"]["$ref"],
            "#/components/responses/InvalidFields"
        );
        assert!(
            doc["components"]["schemas"]["Operator"]["properties"]["notifications"].is_object()
        );
    }

    #[test]
    fn the_address_is_named_as_in_the_body() {
        assert_eq!(body_field("address_index"), "address_id");
        assert_eq!(body_field("authority_codes[1]"), "authority_codes[1]");
    }

    #[test]
    fn the_idempotency_key_is_optional_but_bounded() {
        let request = |key: Option<&str>| {
            let mut req = actix_web::test::TestRequest::default();
            if let Some(key) = key {
                req = req.insert_header(("Idempotency-Key", key));
            }
            req.to_http_request()
        };
        assert_eq!(idempotency_key(&request(None)).unwrap(), "");
        assert_eq!(idempotency_key(&request(Some(" k-1 "))).unwrap(), "k-1");
        assert!(idempotency_key(&request(Some(" "))).is_err());
        assert!(idempotency_key(&request(Some(&"k".repeat(201)))).is_err());
    }
}
