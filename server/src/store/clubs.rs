//! Clubs' memberships, applications, invitation codes and fees taken in money: the
//! `memberships`, `club_applications`, `club_invitations` and `club_fees` tables. The rules are
//! the clubs service's (`crate::clubs`) and `tessera_core::club`'s.
//!
//! Every change that two servers (or a retry) could make at once is one conditional update on
//! what it expects to find (a membership's status and period, an application's `pending`, an
//! invitation's `active`), and says whether it changed a row.

use super::{new_id, Store, StoreError, Tx};
use sqlx::AnyConnection;

/// A card's membership of a club, as stored.
#[derive(Clone, Debug, sqlx::FromRow)]
pub struct MembershipRow {
    pub id: String,
    pub card_id: String,
    pub program_id: String,
    pub club_id: String,
    /// `active`, `left` or `lapsed`.
    pub status: String,
    pub joined_at: i64,
    pub ends_at: Option<i64>,
    pub period: i64,
    pub auto_renew: i64,
    pub entrance_paid: i64,
    pub ended_at: Option<i64>,
}

impl MembershipRow {
    /// Whether its benefits hold at `now`: active and not past its end date (the periodic job
    /// may not have marked it lapsed yet).
    pub fn current(&self, now: i64) -> bool {
        self.status == "active" && self.ends_at.is_none_or(|end| end > now)
    }
}

const MEMBERSHIP: &str = "id, card_id, program_id, club_id, status, joined_at, ends_at, period, \
                          auto_renew, entrance_paid, ended_at";

/// A membership to start (or start again).
pub struct NewMembership<'a> {
    pub card_id: &'a str,
    pub program_id: &'a str,
    pub club_id: &'a str,
    pub joined_at: i64,
    pub ends_at: Option<i64>,
    pub auto_renew: bool,
    /// The entrance fee is paid with this join.
    pub entrance_paid: bool,
}

/// The card's memberships (every status), read on `conn`.
pub async fn of_card(
    conn: &mut AnyConnection,
    card_id: &str,
) -> Result<Vec<MembershipRow>, StoreError> {
    Ok(sqlx::query_as(&format!(
        "SELECT {MEMBERSHIP} FROM memberships WHERE card_id = $1"
    ))
    .bind(card_id)
    .fetch_all(conn)
    .await?)
}

/// The card's membership of `club_id`, if it ever joined, read on `conn`.
pub async fn membership(
    conn: &mut AnyConnection,
    card_id: &str,
    club_id: &str,
) -> Result<Option<MembershipRow>, StoreError> {
    Ok(sqlx::query_as(&format!(
        "SELECT {MEMBERSHIP} FROM memberships WHERE card_id = $1 AND club_id = $2"
    ))
    .bind(card_id)
    .bind(club_id)
    .fetch_optional(conn)
    .await?)
}

/// Starts a membership, or starts an ended one again (its next period; the entrance fee stays
/// paid). `None` when it is active already: nothing changed.
pub async fn start(
    tx: &mut Tx,
    m: &NewMembership<'_>,
) -> Result<Option<MembershipRow>, StoreError> {
    let changed = sqlx::query(
        "INSERT INTO memberships
             (id, card_id, program_id, club_id, status, joined_at, ends_at, period, auto_renew,
              entrance_paid)
         VALUES ($1, $2, $3, $4, 'active', $5, $6, 1, $7, $8)
         ON CONFLICT (card_id, club_id) DO UPDATE SET
             status = 'active', joined_at = excluded.joined_at, ends_at = excluded.ends_at,
             period = memberships.period + 1, auto_renew = excluded.auto_renew,
             entrance_paid = CASE WHEN memberships.entrance_paid = 1 THEN 1
                                  ELSE excluded.entrance_paid END,
             ended_at = NULL
         WHERE memberships.status <> 'active'",
    )
    .bind(new_id())
    .bind(m.card_id)
    .bind(m.program_id)
    .bind(m.club_id)
    .bind(m.joined_at)
    .bind(m.ends_at)
    .bind(i64::from(m.auto_renew))
    .bind(i64::from(m.entrance_paid))
    .execute(&mut **tx)
    .await?
    .rows_affected();
    if changed == 0 {
        return Ok(None);
    }
    membership(tx, m.card_id, m.club_id).await
}

/// Extends an active membership in its period `period` to `ends_at`, as its next period.
/// `false` when it is no longer in that period or active (another pass or a retry did it).
pub async fn extend(tx: &mut Tx, id: &str, period: i64, ends_at: i64) -> Result<bool, StoreError> {
    Ok(sqlx::query(
        "UPDATE memberships SET ends_at = $3, period = period + 1
         WHERE id = $1 AND period = $2 AND status = 'active'",
    )
    .bind(id)
    .bind(period)
    .bind(ends_at)
    .execute(&mut **tx)
    .await?
    .rows_affected()
        == 1)
}

/// Ends an active membership in its period `period`: `left` (the member's choice) or `lapsed`
/// (unrenewed). `false` when it was not active in that period.
pub async fn end(
    tx: &mut Tx,
    id: &str,
    period: i64,
    status: &str,
    now: i64,
) -> Result<bool, StoreError> {
    Ok(sqlx::query(
        "UPDATE memberships SET status = $3, ended_at = $4
         WHERE id = $1 AND period = $2 AND status = 'active'",
    )
    .bind(id)
    .bind(period)
    .bind(status)
    .bind(now)
    .execute(&mut **tx)
    .await?
    .rows_affected()
        == 1)
}

/// Turns renewal with points on or off for an active membership; `false` when not active.
pub async fn set_auto_renew(tx: &mut Tx, id: &str, on: bool) -> Result<bool, StoreError> {
    Ok(
        sqlx::query("UPDATE memberships SET auto_renew = $2 WHERE id = $1 AND status = 'active'")
            .bind(id)
            .bind(i64::from(on))
            .execute(&mut **tx)
            .await?
            .rows_affected()
            == 1,
    )
}

/// Active memberships whose period ended by `now`, oldest end first: the periodic job's work.
pub async fn due(store: &Store, now: i64, limit: i64) -> Result<Vec<MembershipRow>, StoreError> {
    Ok(sqlx::query_as(&format!(
        "SELECT {MEMBERSHIP} FROM memberships
         WHERE status = 'active' AND ends_at IS NOT NULL AND ends_at <= $1
         ORDER BY ends_at LIMIT $2"
    ))
    .bind(now)
    .bind(limit)
    .fetch_all(&store.pool)
    .await?)
}

/// An application to a club, as stored.
#[derive(Clone, Debug, sqlx::FromRow)]
pub struct ApplicationRow {
    pub id: String,
    pub card_id: String,
    pub program_id: String,
    pub club_id: String,
    /// `pending`, `approved` or `rejected`.
    pub status: String,
    /// `tessera_core::api::Answer`s as JSON.
    pub answers: String,
    pub invitation_code: Option<String>,
    pub applied_at: i64,
    pub decided_at: Option<i64>,
    pub reason: Option<String>,
}

const APPLICATION: &str = "id, card_id, program_id, club_id, status, answers, invitation_code, \
                           applied_at, decided_at, reason";

/// An application to file.
pub struct NewApplication<'a> {
    pub card_id: &'a str,
    pub program_id: &'a str,
    pub club_id: &'a str,
    pub answers: &'a str,
    pub invitation_code: Option<&'a str>,
    pub applied_at: i64,
}

/// Files an application; returns its id.
pub async fn apply(tx: &mut Tx, a: &NewApplication<'_>) -> Result<String, StoreError> {
    let id = new_id();
    sqlx::query(
        "INSERT INTO club_applications
             (id, card_id, program_id, club_id, status, answers, invitation_code, applied_at)
         VALUES ($1, $2, $3, $4, 'pending', $5, $6, $7)",
    )
    .bind(&id)
    .bind(a.card_id)
    .bind(a.program_id)
    .bind(a.club_id)
    .bind(a.answers)
    .bind(a.invitation_code)
    .bind(a.applied_at)
    .execute(&mut **tx)
    .await?;
    Ok(id)
}

/// The card's latest application to each club it applied to, read on `conn`.
pub async fn latest_applications(
    conn: &mut AnyConnection,
    card_id: &str,
) -> Result<Vec<ApplicationRow>, StoreError> {
    Ok(sqlx::query_as(&format!(
        "SELECT {APPLICATION} FROM club_applications a
         WHERE card_id = $1 AND applied_at = (
             SELECT MAX(applied_at) FROM club_applications b
             WHERE b.card_id = a.card_id AND b.club_id = a.club_id)"
    ))
    .bind(card_id)
    .fetch_all(conn)
    .await?)
}

/// The application `id`, read on `conn`.
pub async fn application(
    conn: &mut AnyConnection,
    id: &str,
) -> Result<Option<ApplicationRow>, StoreError> {
    Ok(sqlx::query_as(&format!(
        "SELECT {APPLICATION} FROM club_applications WHERE id = $1"
    ))
    .bind(id)
    .fetch_optional(conn)
    .await?)
}

/// A pending application as staff see it: with the member's name and card number.
#[derive(Clone, Debug, sqlx::FromRow)]
pub struct PendingApplication {
    #[sqlx(flatten)]
    pub application: ApplicationRow,
    pub name: String,
    pub number: Option<String>,
}

/// The program's pending applications, oldest first (at most `limit`).
pub async fn pending(
    store: &Store,
    program_id: &str,
    limit: i64,
) -> Result<Vec<PendingApplication>, StoreError> {
    Ok(sqlx::query_as(
        "SELECT a.id, a.card_id, a.program_id, a.club_id, a.status, a.answers,
                a.invitation_code, a.applied_at, a.decided_at, a.reason,
                cu.display_name AS name, c.number
         FROM club_applications a
         JOIN cards c ON c.id = a.card_id
         JOIN customers cu ON cu.id = c.customer_id
         WHERE a.program_id = $1 AND a.status = 'pending'
         ORDER BY a.applied_at LIMIT $2",
    )
    .bind(program_id)
    .bind(limit)
    .fetch_all(&store.pool)
    .await?)
}

/// Where applications of one kind are kept.
#[derive(Clone, Copy, Debug)]
pub enum ApplicationTable {
    /// To closed clubs: `club_applications`.
    Club,
    /// To closed programs: `program_applications` (`super::program_entry`).
    Program,
}

/// Decides a pending application in `table`: `approved` or `rejected` with `reason`. `false`
/// when it was decided already.
pub async fn decide(
    tx: &mut Tx,
    table: ApplicationTable,
    id: &str,
    status: &str,
    reason: Option<&str>,
    staff: &str,
    now: i64,
) -> Result<bool, StoreError> {
    let table = match table {
        ApplicationTable::Club => "club_applications",
        ApplicationTable::Program => "program_applications",
    };
    Ok(sqlx::query(&format!(
        "UPDATE {table} SET status = $2, reason = $3, decided_by = $4, decided_at = $5
         WHERE id = $1 AND status = 'pending'"
    ))
    .bind(id)
    .bind(status)
    .bind(reason)
    .bind(staff)
    .bind(now)
    .execute(&mut **tx)
    .await?
    .rows_affected()
        == 1)
}

/// An invitation code, as stored.
#[derive(Clone, Debug, sqlx::FromRow)]
pub struct InvitationRow {
    pub code: String,
    pub card_id: String,
    pub club_id: String,
    /// `active`, `used` or `dead`.
    pub status: String,
    pub created_at: i64,
    pub expires_at: i64,
}

const INVITATION: &str = "code, card_id, club_id, status, created_at, expires_at";

/// Stores a member's new invitation code.
pub async fn invite(
    tx: &mut Tx,
    code: &str,
    card_id: &str,
    program_id: &str,
    club_id: &str,
    now: i64,
    expires_at: i64,
) -> Result<(), StoreError> {
    sqlx::query(
        "INSERT INTO club_invitations
             (code, card_id, program_id, club_id, status, created_at, expires_at)
         VALUES ($1, $2, $3, $4, 'active', $5, $6)",
    )
    .bind(code)
    .bind(card_id)
    .bind(program_id)
    .bind(club_id)
    .bind(now)
    .bind(expires_at)
    .execute(&mut **tx)
    .await?;
    Ok(())
}

/// The card's invitation codes for `club_id` made since `since`, newest first.
pub async fn invitations(
    conn: &mut AnyConnection,
    card_id: &str,
    club_id: &str,
    since: i64,
) -> Result<Vec<InvitationRow>, StoreError> {
    Ok(sqlx::query_as(&format!(
        "SELECT {INVITATION} FROM club_invitations
         WHERE card_id = $1 AND club_id = $2 AND created_at >= $3 ORDER BY created_at DESC"
    ))
    .bind(card_id)
    .bind(club_id)
    .bind(since)
    .fetch_all(conn)
    .await?)
}

/// The invitation with `code` in the program's `club_id`.
pub async fn invitation(
    tx: &mut Tx,
    program_id: &str,
    club_id: &str,
    code: &str,
) -> Result<Option<InvitationRow>, StoreError> {
    Ok(sqlx::query_as(&format!(
        "SELECT {INVITATION} FROM club_invitations
         WHERE code = $1 AND program_id = $2 AND club_id = $3"
    ))
    .bind(code)
    .bind(program_id)
    .bind(club_id)
    .fetch_optional(&mut **tx)
    .await?)
}

/// Uses an active, unexpired invitation for `used_by` (a club's: the card joining; the
/// program's: the customer applying); `false` when it was used (or died or expired) first.
pub async fn use_invitation(
    tx: &mut Tx,
    code: &str,
    used_by: &str,
    now: i64,
) -> Result<bool, StoreError> {
    Ok(sqlx::query(
        "UPDATE club_invitations SET status = 'used', used_by = $2, used_at = $3
         WHERE code = $1 AND status = 'active' AND expires_at > $3",
    )
    .bind(code)
    .bind(used_by)
    .bind(now)
    .execute(&mut **tx)
    .await?
    .rows_affected()
        == 1)
}

/// Kills the card's unused invitation codes for `club_id` (its member left).
pub async fn kill_invitations(tx: &mut Tx, card_id: &str, club_id: &str) -> Result<(), StoreError> {
    sqlx::query(
        "UPDATE club_invitations SET status = 'dead'
         WHERE card_id = $1 AND club_id = $2 AND status = 'active'",
    )
    .bind(card_id)
    .bind(club_id)
    .execute(&mut **tx)
    .await?;
    Ok(())
}

/// A club fee taken in money at the till.
pub struct NewFee<'a> {
    pub card_id: &'a str,
    pub club_id: &'a str,
    /// The membership and period it paid for (unique).
    pub reference: &'a str,
    pub amount_minor: i64,
    pub currency: &'a str,
    pub staff: &'a str,
    pub place: Option<&'a str>,
    pub at: i64,
}

/// Records a club fee taken in money.
pub async fn record_fee(tx: &mut Tx, fee: &NewFee<'_>) -> Result<(), StoreError> {
    sqlx::query(
        "INSERT INTO club_fees
             (id, card_id, club_id, reference, amount_minor, currency, staff, place, created_at)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)",
    )
    .bind(new_id())
    .bind(fee.card_id)
    .bind(fee.club_id)
    .bind(fee.reference)
    .bind(fee.amount_minor)
    .bind(fee.currency)
    .bind(fee.staff)
    .bind(fee.place)
    .bind(fee.at)
    .execute(&mut **tx)
    .await?;
    Ok(())
}
