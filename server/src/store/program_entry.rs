//! Applications to closed programs (`enrolment = "closed"`): the `program_applications` table.
//! An application is the customer's (they hold no card of the program yet); approving it enrols
//! them (`super::cards::enrol`). The rules are `crate::program_entry`'s. The program's invitation
//! codes are `super::clubs`' with the club [`PROGRAM_ITSELF`].

use super::clubs::ApplicationTable;
use super::{new_id, Store, StoreError, Tx};
use sqlx::AnyConnection;

/// The club id of invitation codes to the program itself (`club_invitations.club_id`).
pub const PROGRAM_ITSELF: &str = "";

/// An application to a program, as stored.
#[derive(Clone, Debug, sqlx::FromRow)]
pub struct ProgramApplicationRow {
    pub id: String,
    pub customer_id: String,
    pub program_id: String,
    /// `pending`, `approved` or `rejected`.
    pub status: String,
    /// `tessera_core::api::Answer`s as JSON.
    pub answers: String,
    pub invitation_code: Option<String>,
    pub applied_at: i64,
    pub decided_at: Option<i64>,
    pub reason: Option<String>,
}

const APPLICATION: &str = "id, customer_id, program_id, status, answers, invitation_code, \
                           applied_at, decided_at, reason";

/// An application to file.
pub struct NewProgramApplication<'a> {
    pub customer_id: &'a str,
    pub program_id: &'a str,
    pub answers: &'a str,
    pub invitation_code: Option<&'a str>,
    pub applied_at: i64,
}

/// Files an application; `None` when the customer has one pending for the program already
/// (one pending per customer and program, by a unique index, so two at once file one).
pub async fn apply(
    tx: &mut Tx,
    a: &NewProgramApplication<'_>,
) -> Result<Option<String>, StoreError> {
    let id = new_id();
    let filed = sqlx::query(
        "INSERT INTO program_applications
             (id, customer_id, program_id, status, answers, invitation_code, applied_at)
         VALUES ($1, $2, $3, 'pending', $4, $5, $6)
         ON CONFLICT (customer_id, program_id) WHERE status = 'pending' DO NOTHING",
    )
    .bind(&id)
    .bind(a.customer_id)
    .bind(a.program_id)
    .bind(a.answers)
    .bind(a.invitation_code)
    .bind(a.applied_at)
    .execute(&mut **tx)
    .await?
    .rows_affected()
        == 1;
    Ok(filed.then_some(id))
}

/// The customer's latest application to each program they applied to, read on `conn`.
pub async fn latest(
    conn: &mut AnyConnection,
    customer_id: &str,
) -> Result<Vec<ProgramApplicationRow>, StoreError> {
    Ok(sqlx::query_as(&format!(
        "SELECT {APPLICATION} FROM program_applications a
         WHERE customer_id = $1 AND applied_at = (
             SELECT MAX(applied_at) FROM program_applications b
             WHERE b.customer_id = a.customer_id AND b.program_id = a.program_id)"
    ))
    .bind(customer_id)
    .fetch_all(conn)
    .await?)
}

/// The application `id`, read on `conn`.
pub async fn application(
    conn: &mut AnyConnection,
    id: &str,
) -> Result<Option<ProgramApplicationRow>, StoreError> {
    Ok(sqlx::query_as(&format!(
        "SELECT {APPLICATION} FROM program_applications WHERE id = $1"
    ))
    .bind(id)
    .fetch_optional(conn)
    .await?)
}

/// A pending application as staff see it: with the applicant's name.
#[derive(Clone, Debug, sqlx::FromRow)]
pub struct PendingProgramApplication {
    #[sqlx(flatten)]
    pub application: ProgramApplicationRow,
    pub name: String,
}

/// The program's pending applications, oldest first (at most `limit`).
pub async fn pending(
    store: &Store,
    program_id: &str,
    limit: i64,
) -> Result<Vec<PendingProgramApplication>, StoreError> {
    Ok(sqlx::query_as(
        "SELECT a.id, a.customer_id, a.program_id, a.status, a.answers, a.invitation_code,
                a.applied_at, a.decided_at, a.reason, cu.display_name AS name
         FROM program_applications a
         JOIN customers cu ON cu.id = a.customer_id
         WHERE a.program_id = $1 AND a.status = 'pending'
         ORDER BY a.applied_at LIMIT $2",
    )
    .bind(program_id)
    .bind(limit)
    .fetch_all(&store.pool)
    .await?)
}

/// Decides a pending application: see [`super::clubs::decide`].
pub async fn decide(
    tx: &mut Tx,
    id: &str,
    status: &str,
    reason: Option<&str>,
    staff: &str,
    now: i64,
) -> Result<bool, StoreError> {
    super::clubs::decide(
        tx,
        ApplicationTable::Program,
        id,
        status,
        reason,
        staff,
        now,
    )
    .await
}
