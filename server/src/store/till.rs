//! What tills write: tickets (`till_tickets`, a member identified for a few minutes, bound to a
//! till session and a card) and idempotency keys (`idempotency_keys`, a till write's first
//! response, kept for its retries).

use super::{Store, StoreError, Tx, Write};

/// A ticket to issue: owned, since the writer may run the write more than once.
pub struct IssueTicket {
    pub id: String,
    pub till_session_id: String,
    pub card_id: String,
    /// The step of the checkout code that identified the card; `None` for a phone number.
    pub code_step: Option<i64>,
    pub now: i64,
    pub expires_at: i64,
}

impl IssueTicket {
    /// Only a checkout code proves the customer is present: a phone number's ticket only earns.
    pub fn can_spend(&self) -> bool {
        self.code_step.is_some()
    }
}

impl Write for IssueTicket {
    /// The ticket's id; `None` when the code was used already.
    type Output = Option<String>;
    type Error = StoreError;

    /// Consumes the code (only a step later than the last one accepted moves the card forward,
    /// so a replayed code and every older one is refused) and stores the ticket. When the code
    /// was used already nothing is written, so the writes queued with this one keep their
    /// shared transaction.
    async fn run(&self, tx: &mut Tx) -> Result<Option<String>, StoreError> {
        if let Some(step) = self.code_step {
            let taken = sqlx::query(
                "UPDATE cards SET last_code_step = $1 WHERE id = $2 AND last_code_step < $1",
            )
            .bind(step)
            .bind(&self.card_id)
            .execute(&mut **tx)
            .await?
            .rows_affected();
            if taken == 0 {
                return Ok(None);
            }
        }
        sqlx::query(
            "INSERT INTO till_tickets (id, till_session_id, card_id, can_spend, created_at, expires_at)
             VALUES ($1, $2, $3, $4, $5, $6)",
        )
        .bind(&self.id)
        .bind(&self.till_session_id)
        .bind(&self.card_id)
        .bind(i64::from(self.can_spend()))
        .bind(self.now)
        .bind(self.expires_at)
        .execute(&mut **tx)
        .await?;
        Ok(Some(self.id.clone()))
    }
}

/// A live ticket: its card, and whether it may spend points.
#[derive(Clone, Debug)]
pub struct TicketCard {
    pub card_id: String,
    pub can_spend: bool,
}

/// The card of ticket `id` if it is this till session's and has not expired at `now`.
pub async fn ticket(
    store: &Store,
    till_session_id: &str,
    id: &str,
    now: i64,
) -> Result<Option<TicketCard>, StoreError> {
    let row: Option<(String, i64)> = sqlx::query_as(
        "SELECT card_id, can_spend FROM till_tickets
         WHERE id = $1 AND till_session_id = $2 AND expires_at > $3",
    )
    .bind(id)
    .bind(till_session_id)
    .bind(now)
    .fetch_optional(&store.pool)
    .await?;
    Ok(row.map(|(card_id, can_spend)| TicketCard {
        card_id,
        can_spend: can_spend == 1,
    }))
}

/// An idempotency key's stored request and response.
#[derive(Clone, Debug, sqlx::FromRow)]
pub struct StoredKey {
    pub request_hash: String,
    pub status: i64,
    pub body: String,
}

/// Claims `key` for the staff account in `tx`: `None` when it is new (now claimed), else what
/// was stored with it. A concurrent claim of the same key waits for this transaction.
pub async fn claim_key(
    tx: &mut Tx,
    staff_email: &str,
    key: &str,
    request_hash: &str,
    now: i64,
) -> Result<Option<StoredKey>, StoreError> {
    let inserted = sqlx::query(
        "INSERT INTO idempotency_keys (staff_email, key, request_hash, status, body, created_at)
         VALUES ($1, $2, $3, 0, '', $4) ON CONFLICT (staff_email, key) DO NOTHING",
    )
    .bind(staff_email)
    .bind(key)
    .bind(request_hash)
    .bind(now)
    .execute(&mut **tx)
    .await?
    .rows_affected();
    if inserted == 1 {
        return Ok(None);
    }
    Ok(Some(
        sqlx::query_as(
            "SELECT request_hash, status, body FROM idempotency_keys WHERE staff_email = $1 AND key = $2",
        )
        .bind(staff_email)
        .bind(key)
        .fetch_one(&mut **tx)
        .await?,
    ))
}

/// Stores the response of a key claimed in `tx`.
pub async fn store_response(
    tx: &mut Tx,
    staff_email: &str,
    key: &str,
    status: u16,
    body: &str,
) -> Result<(), StoreError> {
    sqlx::query(
        "UPDATE idempotency_keys SET status = $1, body = $2 WHERE staff_email = $3 AND key = $4",
    )
    .bind(i64::from(status))
    .bind(body)
    .bind(staff_email)
    .bind(key)
    .execute(&mut **tx)
    .await?;
    Ok(())
}

/// Deletes the till tickets a checkout code made for the customer's cards (a lost phone: a
/// till that scanned it a moment ago can spend no more). Tickets from a phone number only earn
/// and stay.
pub async fn revoke_code_tickets(tx: &mut Tx, customer_id: &str) -> Result<u64, StoreError> {
    Ok(sqlx::query(
        "DELETE FROM till_tickets
         WHERE can_spend = 1 AND card_id IN (SELECT id FROM cards WHERE customer_id = $1)",
    )
    .bind(customer_id)
    .execute(&mut **tx)
    .await?
    .rows_affected())
}
