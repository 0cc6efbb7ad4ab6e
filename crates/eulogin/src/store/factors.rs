//! The second_factors table: every second factor a person has enrolled (phone numbers,
//! authenticator apps, mobile devices, security keys and passkeys) and their recovery codes,
//! one row each. What a column means for each kind is told in the migration.

use super::schema::second_factors;
use diesel::prelude::*;
use infra::db::{AnyConnection, from_db_time, to_db_time};
use serde::{Deserialize, Serialize};
use time::{OffsetDateTime, PrimitiveDateTime};

/// The kinds of second factor.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum FactorKind {
    /// A mobile phone number that receives codes by SMS.
    Sms,
    /// An authenticator app (TOTP, RFC 6238).
    Totp,
    /// The EU Login mobile app on one device (PIN push and QR code).
    App,
    /// A security key or passkey (WebAuthn).
    WebAuthn,
    /// One single-use recovery code.
    Recovery,
}

impl FactorKind {
    pub const ALL: [FactorKind; 5] = [
        FactorKind::Sms,
        FactorKind::Totp,
        FactorKind::App,
        FactorKind::WebAuthn,
        FactorKind::Recovery,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            FactorKind::Sms => "sms",
            FactorKind::Totp => "totp",
            FactorKind::App => "app",
            FactorKind::WebAuthn => "webauthn",
            FactorKind::Recovery => "recovery",
        }
    }

    pub fn parse(text: &str) -> Option<FactorKind> {
        FactorKind::ALL.into_iter().find(|k| k.as_str() == text)
    }
}

/// One enrolled factor as stored.
#[derive(Debug, Clone)]
pub struct Factor {
    pub id: String,
    pub account_id: String,
    pub kind: FactorKind,
    pub name: String,
    pub lookup: String,
    pub public_key: String,
    /// Encrypted (see `security::sealing`), with the row id as associated data.
    pub secret: Option<String>,
    pub verifier: Option<String>,
    pub counter: i64,
    pub failures: i32,
    pub disabled_at: Option<OffsetDateTime>,
    pub created_at: OffsetDateTime,
    pub last_used_at: Option<OffsetDateTime>,
}

impl Factor {
    pub fn is_usable(&self) -> bool {
        self.disabled_at.is_none()
    }
}

#[derive(Queryable, Selectable)]
#[diesel(table_name = second_factors)]
struct FactorRow {
    id: String,
    account_id: String,
    kind: String,
    name: String,
    lookup: String,
    public_key: String,
    secret: Option<String>,
    verifier: Option<String>,
    counter: i64,
    failures: i32,
    disabled_at: Option<PrimitiveDateTime>,
    created_at: PrimitiveDateTime,
    last_used_at: Option<PrimitiveDateTime>,
}

impl FactorRow {
    /// Rows of a kind this version does not know are skipped rather than misread.
    fn into_factor(self) -> Option<Factor> {
        Some(Factor {
            kind: FactorKind::parse(&self.kind)?,
            id: self.id,
            account_id: self.account_id,
            name: self.name,
            lookup: self.lookup,
            public_key: self.public_key,
            secret: self.secret,
            verifier: self.verifier,
            counter: self.counter,
            failures: self.failures,
            disabled_at: self.disabled_at.map(from_db_time),
            created_at: from_db_time(self.created_at),
            last_used_at: self.last_used_at.map(from_db_time),
        })
    }
}

/// A factor to enrol. The caller picks the id (it is the associated data of the secret).
#[derive(Debug, Clone)]
pub struct NewFactor {
    pub id: String,
    pub account_id: String,
    pub kind: FactorKind,
    pub name: String,
    pub lookup: String,
    pub public_key: String,
    pub secret: Option<String>,
    pub verifier: Option<String>,
    pub counter: i64,
}

/// A fresh factor id.
pub fn new_id() -> String {
    uuid::Uuid::now_v7().to_string()
}

/// Every factor of the account, recovery codes included, oldest first.
pub fn list(conn: &mut AnyConnection, account_id: &str) -> QueryResult<Vec<Factor>> {
    let rows = second_factors::table
        .filter(second_factors::account_id.eq(account_id))
        .order((second_factors::created_at.asc(), second_factors::id.asc()))
        .select(FactorRow::as_select())
        .load(conn)?;
    Ok(rows
        .into_iter()
        .filter_map(FactorRow::into_factor)
        .collect())
}

/// The account's factors of one kind, oldest first.
pub fn list_kind(
    conn: &mut AnyConnection,
    account_id: &str,
    kind: FactorKind,
) -> QueryResult<Vec<Factor>> {
    let rows = second_factors::table
        .filter(second_factors::account_id.eq(account_id))
        .filter(second_factors::kind.eq(kind.as_str()))
        .order((second_factors::created_at.asc(), second_factors::id.asc()))
        .select(FactorRow::as_select())
        .load(conn)?;
    Ok(rows
        .into_iter()
        .filter_map(FactorRow::into_factor)
        .collect())
}

/// One factor of the account (never another account's, whatever id is asked for).
pub fn find(conn: &mut AnyConnection, account_id: &str, id: &str) -> QueryResult<Option<Factor>> {
    let row = second_factors::table
        .filter(second_factors::account_id.eq(account_id))
        .filter(second_factors::id.eq(id))
        .select(FactorRow::as_select())
        .first(conn)
        .optional()?;
    Ok(row.and_then(FactorRow::into_factor))
}

/// Whether the account has this lookup value for this kind already (e.g. the phone number).
pub fn exists(
    conn: &mut AnyConnection,
    account_id: &str,
    kind: FactorKind,
    lookup: &str,
) -> QueryResult<bool> {
    diesel::select(diesel::dsl::exists(
        second_factors::table
            .filter(second_factors::account_id.eq(account_id))
            .filter(second_factors::kind.eq(kind.as_str()))
            .filter(second_factors::lookup.eq(lookup)),
    ))
    .get_result(conn)
}

pub fn insert(conn: &mut AnyConnection, new: &NewFactor, now: OffsetDateTime) -> QueryResult<()> {
    diesel::insert_into(second_factors::table)
        .values((
            second_factors::id.eq(&new.id),
            second_factors::account_id.eq(&new.account_id),
            second_factors::kind.eq(new.kind.as_str()),
            second_factors::name.eq(&new.name),
            second_factors::lookup.eq(&new.lookup),
            second_factors::public_key.eq(&new.public_key),
            second_factors::secret.eq(&new.secret),
            second_factors::verifier.eq(&new.verifier),
            second_factors::counter.eq(new.counter),
            second_factors::failures.eq(0),
            second_factors::created_at.eq(to_db_time(now)),
        ))
        .execute(conn)?;
    Ok(())
}

/// Removes one factor of the account; false when there was none with that id.
pub fn delete(conn: &mut AnyConnection, account_id: &str, id: &str) -> QueryResult<bool> {
    let deleted = diesel::delete(
        second_factors::table
            .filter(second_factors::account_id.eq(account_id))
            .filter(second_factors::id.eq(id))
            .filter(second_factors::kind.ne(FactorKind::Recovery.as_str())),
    )
    .execute(conn)?;
    Ok(deleted == 1)
}

/// "Delete all my devices": every factor but the recovery codes. Returns how many went.
pub fn delete_all_devices(conn: &mut AnyConnection, account_id: &str) -> QueryResult<usize> {
    diesel::delete(
        second_factors::table
            .filter(second_factors::account_id.eq(account_id))
            .filter(second_factors::kind.ne(FactorKind::Recovery.as_str())),
    )
    .execute(conn)
}

/// Replaces the account's recovery codes by new ones (their keyed hashes).
pub fn replace_recovery_codes(
    conn: &mut AnyConnection,
    account_id: &str,
    hashes: &[String],
    now: OffsetDateTime,
) -> QueryResult<()> {
    diesel::delete(
        second_factors::table
            .filter(second_factors::account_id.eq(account_id))
            .filter(second_factors::kind.eq(FactorKind::Recovery.as_str())),
    )
    .execute(conn)?;
    for hash in hashes {
        insert(
            conn,
            &NewFactor {
                id: new_id(),
                account_id: account_id.to_owned(),
                kind: FactorKind::Recovery,
                name: String::new(),
                lookup: hash.clone(),
                public_key: String::new(),
                secret: None,
                verifier: None,
                counter: 0,
            },
            now,
        )?;
    }
    Ok(())
}

/// Uses up one recovery code, in one statement: true for the one caller that removed it.
pub fn use_recovery_code(
    conn: &mut AnyConnection,
    account_id: &str,
    hash: &str,
) -> QueryResult<bool> {
    let deleted = diesel::delete(
        second_factors::table
            .filter(second_factors::account_id.eq(account_id))
            .filter(second_factors::kind.eq(FactorKind::Recovery.as_str()))
            .filter(second_factors::lookup.eq(hash)),
    )
    .execute(conn)?;
    Ok(deleted == 1)
}

/// Moves the counter forward (the last TOTP time step used, a WebAuthn signature counter) in
/// one statement, only if `new` is beyond the stored value: true for the one caller that moved
/// it. A code already used in its time step, or replayed by a second request, gets false.
pub fn advance_counter(
    conn: &mut AnyConnection,
    id: &str,
    new: i64,
    now: OffsetDateTime,
) -> QueryResult<bool> {
    let updated = diesel::update(
        second_factors::table
            .filter(second_factors::id.eq(id))
            .filter(second_factors::counter.lt(new)),
    )
    .set((
        second_factors::counter.eq(new),
        second_factors::last_used_at.eq(Some(to_db_time(now))),
    ))
    .execute(conn)?;
    Ok(updated == 1)
}

/// Whether any account has the security key or passkey credential `credential_id` (its
/// base64url id, the `lookup` of a `webauthn` row). A unique index enforces the same.
pub fn webauthn_credential_exists(
    conn: &mut AnyConnection,
    credential_id: &str,
) -> QueryResult<bool> {
    diesel::select(diesel::dsl::exists(
        second_factors::table
            .filter(second_factors::kind.eq(FactorKind::WebAuthn.as_str()))
            .filter(second_factors::lookup.eq(credential_id)),
    ))
    .get_result(conn)
}

/// Replaces the stored public part of a factor (a security key's credential, which
/// webauthn-rs updates after an authentication).
pub fn update_public_key(conn: &mut AnyConnection, id: &str, public_key: &str) -> QueryResult<()> {
    diesel::update(second_factors::table.filter(second_factors::id.eq(id)))
        .set(second_factors::public_key.eq(public_key))
        .execute(conn)?;
    Ok(())
}

/// Records a successful use (and clears the count of failures).
pub fn record_use(conn: &mut AnyConnection, id: &str, now: OffsetDateTime) -> QueryResult<()> {
    diesel::update(second_factors::table.filter(second_factors::id.eq(id)))
        .set((
            second_factors::failures.eq(0),
            second_factors::last_used_at.eq(Some(to_db_time(now))),
        ))
        .execute(conn)?;
    Ok(())
}

/// A mobile device by the id it signs with (any account: the id is a random UUID, and the
/// device's signature, checked next, proves who holds it).
pub fn find_device(conn: &mut AnyConnection, device_id: &str) -> QueryResult<Option<Factor>> {
    let row = second_factors::table
        .filter(second_factors::kind.eq(FactorKind::App.as_str()))
        .filter(second_factors::id.eq(device_id))
        .select(FactorRow::as_select())
        .first(conn)
        .optional()?;
    Ok(row.and_then(FactorRow::into_factor))
}

/// Counts one wrong PIN of a device, in one statement, and disables the device when the count
/// reaches `limit`. Returns the count after this one (two concurrent wrong PINs both count).
pub fn record_wrong_pin(
    conn: &mut AnyConnection,
    id: &str,
    limit: i32,
    now: OffsetDateTime,
) -> QueryResult<i32> {
    diesel::update(second_factors::table.filter(second_factors::id.eq(id)))
        .set(second_factors::failures.eq(second_factors::failures + 1))
        .execute(conn)?;
    diesel::update(
        second_factors::table
            .filter(second_factors::id.eq(id))
            .filter(second_factors::failures.ge(limit))
            .filter(second_factors::disabled_at.is_null()),
    )
    .set(second_factors::disabled_at.eq(Some(to_db_time(now))))
    .execute(conn)?;
    second_factors::table
        .filter(second_factors::id.eq(id))
        .select(second_factors::failures)
        .first(conn)
}
