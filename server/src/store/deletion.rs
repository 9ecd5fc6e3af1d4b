//! Deleting a customer's account (issue 16), in one transaction: their cards are locked (so a
//! till's purchase on one is before, or refused after), their points forfeited by an entry and
//! the cards closed; vouchers cancelled without refund, memberships and applications ended,
//! invitation codes killed; their personal data (name, e-mail, phone, answers, sessions,
//! checkout secrets and tickets, the keys of their retries and of their sign-in counters)
//! erased. The customer row stays as an anonymous tombstone (`deleted_at`), and with it the
//! ledger, lots and purchases, for the books; the e-mail is free to join again.

use super::ledger::{self, Deduction, LedgerError};
use super::{Store, StoreError, Tx};
use tessera_core::points::EntryKind;

/// What deleting the account ends, as the confirmation says it before.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Losses {
    /// Each card's program and the points it holds now (spendable).
    pub points: Vec<(String, i64)>,
    pub active_vouchers: i64,
    pub memberships: i64,
}

/// What the customer would lose now (read, not locked: the confirmation's figures).
pub async fn losses(store: &Store, customer_id: &str, now: i64) -> Result<Losses, StoreError> {
    let points: Vec<(String, i64)> = sqlx::query_as(
        "SELECT program_id, balance FROM cards
         WHERE customer_id = $1 AND closed_at IS NULL ORDER BY enrolled_at, id",
    )
    .bind(customer_id)
    .fetch_all(&store.pool)
    .await?;
    let active_vouchers: i64 = sqlx::query_scalar(
        "SELECT COUNT(*) FROM vouchers WHERE status = 'active' AND expires_at > $2
             AND card_id IN (SELECT id FROM cards WHERE customer_id = $1)",
    )
    .bind(customer_id)
    .bind(now)
    .fetch_one(&store.pool)
    .await?;
    let memberships: i64 = sqlx::query_scalar(
        "SELECT COUNT(*) FROM memberships WHERE status = 'active'
             AND card_id IN (SELECT id FROM cards WHERE customer_id = $1)",
    )
    .bind(customer_id)
    .fetch_one(&store.pool)
    .await?;
    Ok(Losses {
        points,
        active_vouchers,
        memberships,
    })
}

/// Deletes the account `customer_id` whose (normalized) e-mail is `email`, in `tx`, at `now`.
pub async fn erase(
    tx: &mut Tx,
    customer_id: &str,
    email: &str,
    now: i64,
) -> Result<(), StoreError> {
    // The customer's cards locked first, all at once, as every writer of a card locks it first:
    // a till's purchase under way finishes before, one to come waits and finds the card closed.
    // (A write first also takes SQLite's write lock now: a read first would make a writer that
    // came between fail this transaction's first write with `SQLITE_BUSY`. And the customer's
    // row is changed last: on PostgreSQL a purchase's update of its locked card checks the
    // card's customer, `FOR KEY SHARE`, which the e-mail's change would block.)
    sqlx::query(
        "UPDATE cards SET entry_seq = entry_seq WHERE customer_id = $1 AND closed_at IS NULL",
    )
    .bind(customer_id)
    .execute(&mut **tx)
    .await?;
    let cards: Vec<String> =
        sqlx::query_scalar("SELECT id FROM cards WHERE customer_id = $1 AND closed_at IS NULL")
            .bind(customer_id)
            .fetch_all(&mut **tx)
            .await?;
    for card_id in &cards {
        close_card(tx, card_id, now).await?;
    }
    let of_cards = "card_id IN (SELECT id FROM cards WHERE customer_id = $1)";
    for sql in [
        format!(
            "UPDATE vouchers SET status = 'cancelled', ended_at = $2
             WHERE status = 'active' AND {of_cards}"
        ),
        format!(
            "UPDATE memberships SET status = 'left', ended_at = $2
             WHERE status = 'active' AND {of_cards}"
        ),
        format!(
            "UPDATE club_applications SET answers = '{{}}',
                 status = CASE WHEN status = 'pending' THEN 'rejected' ELSE status END,
                 decided_at = CASE WHEN status = 'pending' THEN $2 ELSE decided_at END
             WHERE {of_cards}"
        ),
        "UPDATE program_applications SET answers = '{}',
             status = CASE WHEN status = 'pending' THEN 'rejected' ELSE status END,
             decided_at = CASE WHEN status = 'pending' THEN $2 ELSE decided_at END
         WHERE customer_id = $1"
            .to_owned(),
    ] {
        sqlx::query(&sql)
            .bind(customer_id)
            .bind(now)
            .execute(&mut **tx)
            .await?;
    }
    // Statements of the customer alone.
    for sql in [
        format!(
            "UPDATE club_invitations SET status = 'dead' WHERE status = 'active' AND {of_cards}"
        ),
        format!("DELETE FROM card_secrets WHERE {of_cards}"),
        format!("DELETE FROM till_tickets WHERE {of_cards}"),
        "DELETE FROM sessions WHERE customer_id = $1".to_owned(),
        "DELETE FROM password_resets WHERE customer_id = $1".to_owned(),
        "DELETE FROM idempotency_keys WHERE staff_email = 'customer:' || $1".to_owned(),
    ] {
        sqlx::query(&sql)
            .bind(customer_id)
            .execute(&mut **tx)
            .await?;
    }
    // The sign-in and reset counters' keys hold the e-mail (`auth::attempts`).
    sqlx::query(
        "DELETE FROM attempt_counters
         WHERE key = $1 OR key = $3 OR substr(key, 1, length($2)) = $2",
    )
    .bind(format!("customer:account:{email}"))
    .bind(format!("customer:pair:{email}|"))
    .bind(format!("reset:email:{email}"))
    .execute(&mut **tx)
    .await?;
    sqlx::query(
        "UPDATE customers SET email = 'deleted:' || id, password_hash = '', display_name = '',
             phone = NULL, preferred_language = NULL, marketing_opt_in = 0, deleted_at = $2
         WHERE id = $1",
    )
    .bind(customer_id)
    .bind(now)
    .execute(&mut **tx)
    .await?;
    Ok(())
}

/// Locks the card (waiting for a purchase on it to finish), forfeits its spendable points by
/// an entry, and closes it.
async fn close_card(tx: &mut Tx, card_id: &str, now: i64) -> Result<(), StoreError> {
    let mut card = match ledger::lock(tx, card_id).await {
        Ok(card) => card,
        Err(LedgerError::CardNotFound | LedgerError::CardClosed) => return Ok(()),
        Err(LedgerError::Store(e)) => return Err(e),
        Err(other) => return Err(StoreError::Invariant(other.to_string())),
    };
    let forfeit = |e: LedgerError| match e {
        LedgerError::Store(e) => e,
        other => StoreError::Invariant(format!("closing {card_id}: {other}")),
    };
    ledger::settle(tx, &mut card, now).await.map_err(forfeit)?;
    if card.balance > 0 {
        let lost = Deduction {
            kind: EntryKind::Adjusted,
            points: card.balance,
            reason: "Account deleted",
            reference: "account-deleted",
            place: None,
        };
        ledger::take_settled(tx, &mut card, &lost, now)
            .await
            .map_err(forfeit)?;
    }
    ledger::save(tx, &card).await.map_err(forfeit)?;
    sqlx::query("UPDATE cards SET closed_at = $1 WHERE id = $2")
        .bind(now)
        .bind(card_id)
        .execute(&mut **tx)
        .await?;
    Ok(())
}
