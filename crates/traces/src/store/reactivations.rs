//! Reactivation requests: a deactivated user asks to be let in again. A partial unique index
//! allows one pending request per user, so asking twice (a double click, a second tab) finds
//! the pending one instead of adding another. Deciding is conditional on the request still
//! being pending: of two people deciding at once, one decides.

use super::schema::{activities, activity_authorities, memberships, reactivation_requests, users};
use diesel::prelude::*;
use infra::db::{AnyConnection, from_db_time, is_unique_violation, to_db_time};
use time::{OffsetDateTime, PrimitiveDateTime};

/// One request as stored.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct ReactivationRequest {
    pub id: String,
    pub user_id: String,
    /// What the user wrote (may be empty).
    pub message: String,
    /// `pending`, `reactivated` or `refused` (`domain::reactivation::ReactivationStatus`).
    pub status: String,
    #[serde(with = "time::serde::rfc3339")]
    pub requested_at: OffsetDateTime,
    #[serde(with = "time::serde::rfc3339::option")]
    pub decided_at: Option<OffsetDateTime>,
    #[serde(skip)]
    pub decided_by: Option<String>,
    /// The refusal's reason.
    pub reason: Option<String>,
}

#[derive(Queryable, Selectable)]
#[diesel(table_name = reactivation_requests)]
struct RequestRow {
    id: String,
    user_id: String,
    message: String,
    status: String,
    requested_at: PrimitiveDateTime,
    decided_at: Option<PrimitiveDateTime>,
    decided_by: Option<String>,
    reason: Option<String>,
}

impl From<RequestRow> for ReactivationRequest {
    fn from(r: RequestRow) -> ReactivationRequest {
        ReactivationRequest {
            id: r.id,
            user_id: r.user_id,
            message: r.message,
            status: r.status,
            requested_at: from_db_time(r.requested_at),
            decided_at: r.decided_at.map(from_db_time),
            decided_by: r.decided_by,
            reason: r.reason,
        }
    }
}

pub fn find(conn: &mut AnyConnection, id: &str) -> QueryResult<Option<ReactivationRequest>> {
    reactivation_requests::table
        .filter(reactivation_requests::id.eq(id))
        .select(RequestRow::as_select())
        .first(conn)
        .optional()
        .map(|r| r.map(ReactivationRequest::from))
}

/// The user's latest request (pending or decided), if any.
pub fn latest_of_user(
    conn: &mut AnyConnection,
    user_id: &str,
) -> QueryResult<Option<ReactivationRequest>> {
    reactivation_requests::table
        .filter(reactivation_requests::user_id.eq(user_id))
        .order((
            reactivation_requests::requested_at.desc(),
            reactivation_requests::id.desc(),
        ))
        .select(RequestRow::as_select())
        .first(conn)
        .optional()
        .map(|r| r.map(ReactivationRequest::from))
}

fn pending_of_user(
    conn: &mut AnyConnection,
    user_id: &str,
) -> QueryResult<Option<ReactivationRequest>> {
    reactivation_requests::table
        .filter(reactivation_requests::user_id.eq(user_id))
        .filter(reactivation_requests::status.eq("pending"))
        .select(RequestRow::as_select())
        .first(conn)
        .optional()
        .map(|r| r.map(ReactivationRequest::from))
}

/// Whether a request made a new one or found the pending one.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Asked {
    Created(ReactivationRequest),
    AlreadyPending(ReactivationRequest),
}

impl Asked {
    pub fn request(&self) -> &ReactivationRequest {
        match self {
            Asked::Created(r) | Asked::AlreadyPending(r) => r,
        }
    }
}

/// Asks for the user's reactivation; when a request is pending, returns it. Run inside a
/// transaction.
pub fn ask(
    conn: &mut AnyConnection,
    user_id: &str,
    message: &str,
    now: OffsetDateTime,
) -> QueryResult<Asked> {
    if let Some(pending) = pending_of_user(conn, user_id)? {
        return Ok(Asked::AlreadyPending(pending));
    }
    let id = uuid::Uuid::now_v7().to_string();
    // In a savepoint: when a concurrent request won the race, the unique index refuses this
    // insert, the savepoint rolls back (PostgreSQL would otherwise abort the whole
    // transaction) and the winner's request is returned.
    let inserted = conn.transaction(|c| {
        diesel::insert_into(reactivation_requests::table)
            .values((
                reactivation_requests::id.eq(&id),
                reactivation_requests::user_id.eq(user_id),
                reactivation_requests::message.eq(message),
                reactivation_requests::status.eq("pending"),
                reactivation_requests::requested_at.eq(to_db_time(now)),
            ))
            .execute(c)
    });
    match inserted {
        Ok(_) => {}
        Err(e) if is_unique_violation(&e) => {
            return match pending_of_user(conn, user_id)? {
                Some(pending) => Ok(Asked::AlreadyPending(pending)),
                None => Err(e),
            };
        }
        Err(e) => return Err(e),
    }
    let created = find(conn, &id)?.ok_or(diesel::result::Error::NotFound)?;
    Ok(Asked::Created(created))
}

/// Closes a pending request with `status` (and the refusal's reason). False when it was no
/// longer pending: someone else decided first.
pub fn close(
    conn: &mut AnyConnection,
    id: &str,
    status: &str,
    reason: Option<&str>,
    decided_by: &str,
    now: OffsetDateTime,
) -> QueryResult<bool> {
    let updated = diesel::update(
        reactivation_requests::table
            .filter(reactivation_requests::id.eq(id))
            .filter(reactivation_requests::status.eq("pending")),
    )
    .set((
        reactivation_requests::status.eq(status),
        reactivation_requests::reason.eq(reason),
        reactivation_requests::decided_by.eq(decided_by),
        reactivation_requests::decided_at.eq(to_db_time(now)),
    ))
    .execute(conn)?;
    Ok(updated == 1)
}

/// A pending request with the person who sent it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PendingRequest {
    pub request: ReactivationRequest,
    pub email: String,
    pub given_name: String,
    pub family_name: String,
    pub deactivated_at: Option<OffsetDateTime>,
}

type PendingRow = (
    RequestRow,
    String,
    String,
    String,
    Option<PrimitiveDateTime>,
);

/// Whose pending requests to read: everyone's, or only those of users with a valid
/// membership of one of `operator_ids`, of an operator with an activity assigned to one of
/// `authority_codes`, or of one of `authority_codes` itself. It narrows the reading; who may
/// decide is checked by the workflow on each request.
#[derive(Debug, Clone)]
pub enum Near<'a> {
    Everyone,
    Organisations {
        operator_ids: &'a [String],
        authority_codes: &'a [String],
    },
}

/// The pending requests of the users `near` names, oldest first, at most `limit`.
pub fn pending(
    conn: &mut AnyConnection,
    near: Near<'_>,
    limit: i64,
) -> QueryResult<Vec<PendingRequest>> {
    let mut query = reactivation_requests::table
        .inner_join(users::table.on(users::id.eq(reactivation_requests::user_id)))
        .filter(reactivation_requests::status.eq("pending"))
        .into_boxed();
    if let Near::Organisations {
        operator_ids,
        authority_codes,
    } = near
    {
        let responsible_for = activities::table
            .inner_join(activity_authorities::table)
            .filter(activity_authorities::authority_code.eq_any(authority_codes.to_vec()))
            .select(activities::operator_id.nullable());
        let members = memberships::table
            .filter(memberships::status.eq("valid"))
            .filter(
                memberships::operator_id
                    .eq_any(operator_ids.to_vec())
                    .or(memberships::operator_id.eq_any(responsible_for))
                    .or(memberships::authority_code.eq_any(authority_codes.to_vec())),
            )
            .select(memberships::user_id);
        query = query.filter(reactivation_requests::user_id.eq_any(members));
    }
    let rows: Vec<PendingRow> = query
        .order((
            reactivation_requests::requested_at,
            reactivation_requests::id,
        ))
        .limit(limit)
        .select((
            RequestRow::as_select(),
            users::email,
            users::given_name,
            users::family_name,
            users::deactivated_at,
        ))
        .load(conn)?;
    Ok(rows
        .into_iter()
        .map(
            |(row, email, given_name, family_name, deactivated_at)| PendingRequest {
                request: row.into(),
                email,
                given_name,
                family_name,
                deactivated_at: deactivated_at.map(from_db_time),
            },
        )
        .collect())
}

/// Someone to write to, as stored on the user.
#[derive(Debug, Clone, PartialEq, Eq, Queryable)]
pub struct Contact {
    pub email: String,
    pub given_name: String,
    pub family_name: String,
    pub language: String,
}

/// The system administrators who are not deactivated: they decide when nobody else can.
pub fn system_administrators(conn: &mut AnyConnection) -> QueryResult<Vec<Contact>> {
    users::table
        .filter(users::is_system_admin.eq(true))
        .filter(users::deactivated_at.is_null())
        .select((
            users::email,
            users::given_name,
            users::family_name,
            users::language,
        ))
        .load(conn)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::both_backends;
    use crate::store::users::{Identity, upsert_from_login};
    use infra::db::Database;
    use time::macros::datetime;

    both_backends!(
        one_pending_request_per_user,
        a_request_is_decided_once,
        the_requests_near_an_organisation,
    );

    const NOW: OffsetDateTime = datetime!(2026-07-03 10:00:00 UTC);

    async fn user(db: &Database, email: &str) -> String {
        let who = Identity {
            issuer: "https://eulogin.example".to_owned(),
            subject: email.to_owned(),
            email: email.to_owned(),
            given_name: "Eva".to_owned(),
            family_name: "Holm".to_owned(),
            language: "en".to_owned(),
        };
        db.run(move |c| Ok(upsert_from_login(c, &who, NOW)?.id))
            .await
            .expect("user")
    }

    async fn ask_at(db: &Database, user_id: &str, message: &str) -> Asked {
        let (user_id, message) = (user_id.to_owned(), message.to_owned());
        db.transaction(move |c| Ok::<_, infra::db::DbError>(ask(c, &user_id, &message, NOW)?))
            .await
            .expect("asked")
    }

    async fn one_pending_request_per_user(db: &Database) {
        let eva = user(db, "eva@example.eu").await;
        let first = ask_at(db, &eva, "back from leave").await;
        let Asked::Created(created) = &first else {
            panic!("a new request: {first:?}")
        };
        assert_eq!(
            (created.status.as_str(), created.message.as_str()),
            ("pending", "back from leave")
        );
        let second = ask_at(db, &eva, "again").await;
        assert_eq!(second, Asked::AlreadyPending(created.clone()));
        // Two at once: one request.
        let (a, b) = tokio::join!(ask_at(db, &eva, "x"), ask_at(db, &eva, "y"));
        assert_eq!(a.request().id, created.id);
        assert_eq!(b.request().id, created.id);
        let listed = db
            .run(|c| Ok(pending(c, Near::Everyone, 10)?))
            .await
            .expect("pending");
        assert_eq!(listed.len(), 1);
        assert_eq!(listed[0].email, "eva@example.eu");
        // Another user has their own.
        let nils = user(db, "nils@example.eu").await;
        assert!(matches!(ask_at(db, &nils, "").await, Asked::Created(_)));
    }

    async fn a_request_is_decided_once(db: &Database) {
        let eva = user(db, "eva@example.eu").await;
        let admin = user(db, "admin@example.eu").await;
        let id = ask_at(db, &eva, "").await.request().id.clone();
        let close_as = |status: &'static str, reason: Option<&'static str>| {
            let (id, admin) = (id.clone(), admin.clone());
            db.write(move |c| Ok(close(c, &id, status, reason, &admin, NOW)?))
        };
        assert!(
            close_as("refused", Some("left the company"))
                .await
                .expect("closed")
        );
        assert!(!close_as("reactivated", None).await.expect("not pending"));
        let eva_id = eva.clone();
        let latest = db
            .run(move |c| Ok(latest_of_user(c, &eva_id)?))
            .await
            .expect("read")
            .expect("request");
        assert_eq!(latest.status, "refused");
        assert_eq!(latest.reason.as_deref(), Some("left the company"));
        assert_eq!(latest.decided_by.as_deref(), Some(admin.as_str()));
        // Decided: the user may ask again.
        assert!(matches!(
            ask_at(db, &eva, "please").await,
            Asked::Created(_)
        ));
    }

    /// A valid operator with one activity assigned to `authority`, and `members` in it.
    async fn operator_with(db: &Database, authority: &str, members: &[&str]) -> String {
        use crate::store::activities::NewActivityRecord;
        use crate::store::memberships::{Organisation, request};
        use crate::store::operators::{NewAddressRecord, NewOperatorRecord, insert};
        let (authority, members) = (
            authority.to_owned(),
            members.iter().map(|m| (*m).to_owned()).collect::<Vec<_>>(),
        );
        db.transaction(move |c| {
            let operator = NewOperatorRecord {
                organisation_type: "operator".to_owned(),
                name: format!("Operator of {authority}"),
                country_code: "SE".to_owned(),
                phone: None,
                email: None,
                addresses: vec![NewAddressRecord {
                    region: None,
                    city: "Stockholm".to_owned(),
                    address: "Hamngatan 1".to_owned(),
                    postal_code: None,
                    latitude: None,
                    longitude: None,
                }],
                identifiers: Vec::new(),
            };
            let activity = NewActivityRecord {
                activity_code: "EURPO".to_owned(),
                identifier: None,
                valid_from: None,
                valid_to: None,
                time_zone: "Europe/Stockholm".to_owned(),
                publication_date: None,
                application_date: None,
                address_index: Some(0),
                authority_codes: vec![authority],
            };
            let created = insert(c, &operator, &activity, &members[0], NOW)?;
            let organisation = Organisation::Operator(created.operator_id.clone());
            for member in &members {
                request(c, member, &organisation, "member", "valid", NOW)?;
            }
            Ok::<_, infra::db::DbError>(created.operator_id)
        })
        .await
        .expect("operator")
    }

    async fn the_requests_near_an_organisation(db: &Database) {
        use crate::store::memberships::{Organisation, request};
        crate::reference::load_shipped(db, NOW)
            .await
            .expect("reference data");
        let (eva, nils, olle, kim) = (
            user(db, "eva@example.eu").await,
            user(db, "nils@example.eu").await,
            user(db, "olle@example.eu").await,
            user(db, "kim@example.eu").await,
        );
        let administered = operator_with(db, "SEGOT1", &[&eva]).await;
        operator_with(db, "SEARN4", &[&nils]).await;
        let officer = olle.clone();
        db.transaction(move |c| {
            let arlanda = Organisation::Authority("SEARN4".to_owned());
            request(c, &officer, &arlanda, "officer", "valid", NOW)?;
            Ok::<_, infra::db::DbError>(())
        })
        .await
        .expect("officer");
        for user_id in [&eva, &nils, &olle, &kim] {
            ask_at(db, user_id, "").await;
        }
        let near = |operators: Vec<String>, authorities: Vec<String>| {
            db.run(move |c| {
                let near = Near::Organisations {
                    operator_ids: &operators,
                    authority_codes: &authorities,
                };
                let mut users: Vec<String> = pending(c, near, 10)?
                    .into_iter()
                    .map(|p| p.request.user_id)
                    .collect();
                users.sort();
                Ok(users)
            })
        };
        let sorted = |mut ids: Vec<String>| {
            ids.sort();
            ids
        };
        assert_eq!(
            near(vec![administered], vec![]).await.expect("read"),
            [eva],
            "the members of an operator one administers"
        );
        assert_eq!(
            near(vec![], vec!["SEARN4".to_owned()]).await.expect("read"),
            sorted(vec![nils.clone(), olle.clone()]),
            "the members of operators an authority is responsible for, and its officers"
        );
        assert!(
            near(vec![], vec!["SESTO1".to_owned()])
                .await
                .expect("read")
                .is_empty()
        );
        let everyone = db
            .run(|c| Ok(pending(c, Near::Everyone, 10)?))
            .await
            .expect("read");
        assert_eq!(everyone.len(), 4, "kim, without an organisation, too");
    }
}
