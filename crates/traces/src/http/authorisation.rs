//! "Request authorisation", as the seed guides walk it: choose the kind of organisation, search
//! for it (country, section, activity type, free text), select it and send the request — or
//! create a new operator when it really does not exist. Authority officers search their
//! authority instead. The same search, without the request button, is `/operators`.

use crate::app::AppState;
use crate::auth::SignedIn;
use crate::http::current_user::Visitor;
use crate::http::errors::WebError;
use crate::http::page::{PageContext, see_other};
use crate::http::workflow_errors;
use crate::store::memberships::Requested;
use crate::store::operator_search::{self, OperatorQuery, SearchPage};
use crate::store::reference::{self, AuthoritySearch, AuthoritySummary, Country, Taxonomy};
use crate::workflows::{WorkflowError, requests};
use actix_web::{HttpRequest, HttpResponse, web};
use askama::Template;

/// The organisation types a person can ask to join, in the order of the seed guide.
pub const ORGANISATION_TYPES: [&str; 5] = [
    "operator",
    "organic_control_body",
    "authority",
    "appointed_veterinary_office",
    "other_body",
];

#[derive(Template)]
#[template(path = "authorisation_choose.html")]
struct ChoosePage<'a> {
    ctx: &'a PageContext,
    types: &'a [&'static str],
}

/// `GET /authorisation`: which kind of organisation do you belong to?
pub async fn choose(
    req: HttpRequest,
    state: web::Data<AppState>,
    signed_in: SignedIn,
) -> Result<HttpResponse, WebError> {
    let visitor = Visitor::load(&req, &state, &signed_in.user).await?;
    Ok(visitor.ctx.ok(&ChoosePage {
        ctx: &visitor.ctx,
        types: &ORGANISATION_TYPES,
    }))
}

#[derive(Debug, Default, serde::Deserialize)]
pub struct FindQuery {
    #[serde(rename = "type", default)]
    kind: Option<String>,
    #[serde(default)]
    country: Option<String>,
    #[serde(default)]
    section: Option<String>,
    #[serde(default)]
    activity: Option<String>,
    #[serde(default)]
    competence: Option<String>,
    #[serde(default)]
    q: Option<String>,
    #[serde(default)]
    page: Option<u32>,
    /// Set by the Search button: before it, the page shows only the form.
    #[serde(default)]
    search: Option<String>,
}

#[derive(Template)]
#[template(path = "operator_search.html")]
struct OperatorSearchPage<'a> {
    ctx: &'a PageContext,
    /// `Some(type)` on the request journey (results can be selected); `None` on `/operators`.
    selecting: Option<&'a str>,
    countries: &'a [Country],
    taxonomy: &'a Taxonomy,
    query: &'a FindQuery,
    results: Option<SearchPage>,
    /// The query string of this search without `page`, for the pagination links.
    base: String,
}

impl OperatorSearchPage<'_> {
    fn is(&self, value: &Option<String>, candidate: &str) -> bool {
        value.as_deref() == Some(candidate)
    }

    fn text(&self) -> &str {
        self.query.q.as_deref().unwrap_or("")
    }
}

#[derive(Template)]
#[template(path = "authority_search.html")]
struct AuthoritySearchPage<'a> {
    ctx: &'a PageContext,
    countries: &'a [Country],
    competences: &'a [reference::Competence],
    query: &'a FindQuery,
    results: Option<Vec<AuthoritySummary>>,
}

impl AuthoritySearchPage<'_> {
    fn is(&self, value: &Option<String>, candidate: &str) -> bool {
        value.as_deref() == Some(candidate)
    }

    fn text(&self) -> &str {
        self.query.q.as_deref().unwrap_or("")
    }
}

/// `GET /authorisation/find?type=…` (selecting) and `GET /operators` (browsing).
pub async fn find(
    req: HttpRequest,
    state: web::Data<AppState>,
    signed_in: SignedIn,
    query: web::Query<FindQuery>,
) -> Result<HttpResponse, WebError> {
    let visitor = Visitor::load(&req, &state, &signed_in.user).await?;
    let query = query.into_inner();
    let selecting = req.path().starts_with("/authorisation");
    let kind = match (selecting, query.kind.as_deref()) {
        (false, _) => None,
        (true, Some(kind)) if ORGANISATION_TYPES.contains(&kind) => Some(kind.to_owned()),
        (true, _) => return Ok(see_other("/authorisation")),
    };
    if kind.as_deref() == Some("authority") {
        return find_authority(&state, &visitor, query).await;
    }
    let operator_query = OperatorQuery {
        organisation_type: kind.clone(),
        country: query.country.clone(),
        section: query.section.clone(),
        activity_code: query.activity.clone(),
        text: query.q.clone(),
        page: query.page.unwrap_or(1),
        per_page: 20,
    };
    let scope = visitor.actor.search_scope();
    let searched = query.search.is_some() || query.page.is_some();
    let (countries, taxonomy, results) = state
        .db
        .run(move |c| {
            let results = if searched {
                Some(operator_search::search(c, &operator_query, &scope)?)
            } else {
                None
            };
            Ok((reference::countries(c)?, reference::taxonomy(c)?, results))
        })
        .await?;
    let base = url::form_urlencoded::Serializer::new(String::new())
        .extend_pairs(
            [
                ("type", query.kind.as_deref()),
                ("country", query.country.as_deref()),
                ("section", query.section.as_deref()),
                ("activity", query.activity.as_deref()),
                ("q", query.q.as_deref()),
                ("search", Some("1")),
            ]
            .into_iter()
            .filter_map(|(k, v)| v.map(|v| (k, v))),
        )
        .finish();
    Ok(visitor.ctx.ok(&OperatorSearchPage {
        ctx: &visitor.ctx,
        selecting: kind.as_deref(),
        countries: &countries,
        taxonomy: &taxonomy,
        query: &query,
        results,
        base,
    }))
}

async fn find_authority(
    state: &AppState,
    visitor: &Visitor,
    query: FindQuery,
) -> Result<HttpResponse, WebError> {
    let searched = query.search.is_some();
    let search = AuthoritySearch {
        text: query.q.clone().filter(|q| !q.trim().is_empty()),
        country: query.country.clone().filter(|c| !c.is_empty()),
        competence: query.competence.clone().filter(|c| !c.is_empty()),
        kind: None,
        limit: 50,
        offset: 0,
    };
    let (countries, competences, results) = state
        .db
        .run(move |c| {
            let results = if searched {
                Some(reference::search_authorities(c, &search)?)
            } else {
                None
            };
            Ok((
                reference::countries(c)?,
                reference::competences(c)?,
                results,
            ))
        })
        .await?;
    Ok(visitor.ctx.ok(&AuthoritySearchPage {
        ctx: &visitor.ctx,
        countries: &countries,
        competences: &competences,
        query: &query,
        results,
    }))
}

/// `POST /authorisation/request`: ask to join the selected operator.
pub async fn request(
    req: HttpRequest,
    state: web::Data<AppState>,
    signed_in: SignedIn,
    body: web::Bytes,
) -> Result<HttpResponse, WebError> {
    let (visitor, form) = match Visitor::posted(&req, &state, &signed_in.user, &body).await? {
        Ok(posted) => posted,
        Err(refused) => return Ok(refused),
    };
    let operator_id = form.get("operator");
    if operator_id.is_empty() {
        return Ok(workflow_errors::page(
            &visitor.ctx,
            &WorkflowError::Conflict("nothing_selected"),
        ));
    }
    let outcome = requests::request_membership(&state, &visitor.actor, operator_id).await;
    workflow_errors::answer(&visitor.ctx, outcome, |requested| {
        let done = match requested {
            Requested::Created(_) => "requested",
            Requested::AlreadyOpen(_) => "already_requested",
        };
        see_other(&format!("/operators/{operator_id}?done={done}"))
    })
}

/// `POST /authorisation/authority`: ask to be an officer of the selected authority.
pub async fn request_authority(
    req: HttpRequest,
    state: web::Data<AppState>,
    signed_in: SignedIn,
    body: web::Bytes,
) -> Result<HttpResponse, WebError> {
    let (visitor, form) = match Visitor::posted(&req, &state, &signed_in.user, &body).await? {
        Ok(posted) => posted,
        Err(refused) => return Ok(refused),
    };
    let code = form.get("authority").to_owned();
    let authority = {
        let code = code.clone();
        state
            .db
            .run(move |c| Ok(reference::authority(c, &code)?))
            .await?
    };
    let Some(authority) = authority else {
        return Ok(workflow_errors::page(
            &visitor.ctx,
            &WorkflowError::Conflict("nothing_selected"),
        ));
    };
    let outcome =
        requests::request_officer_membership(&state, &visitor.actor, &code, &authority.name).await;
    workflow_errors::answer(&visitor.ctx, outcome, |requested| {
        see_other(match requested {
            Requested::Created(_) => "/workspace?requested=sent",
            Requested::AlreadyOpen(_) => "/workspace?requested=again",
        })
    })
}
