//! Cards: a customer's membership of a program, as the `cards` table keeps it (the ledger's
//! columns are read through [`StoredCard`]).

use super::card_row::{StoredCard, COLUMNS};
use super::consents::{self, NewConsent};
use super::{is_unique_violation, new_id, Store, StoreError, Tx};
use tessera_core::api::ConsentKind;

/// Enrols the customer in a program (recording the terms version and the time, and the
/// acceptance in the consent history), in `tx`; a card that exists already is left as it is
/// (`false`).
pub async fn enrol(
    tx: &mut Tx,
    customer_id: &str,
    program_id: &str,
    terms_version: &str,
    now: i64,
) -> Result<bool, StoreError> {
    let enrolled = sqlx::query(
        "INSERT INTO cards (id, customer_id, program_id, balance, terms_version, enrolled_at)
         VALUES ($1, $2, $3, 0, $4, $5)
         ON CONFLICT (customer_id, program_id) DO NOTHING",
    )
    .bind(new_id())
    .bind(customer_id)
    .bind(program_id)
    .bind(terms_version)
    .bind(now)
    .execute(&mut **tx)
    .await?
    .rows_affected()
        == 1;
    if enrolled {
        let accepted = NewConsent {
            kind: ConsentKind::ProgramTerms,
            program_id: Some(program_id),
            version: Some(terms_version),
            granted: true,
        };
        consents::record(tx, customer_id, accepted, now).await?;
    }
    Ok(enrolled)
}

/// Records that `card`'s member, `customer_id`, accepted its program's terms `version`, in `tx`, with the
/// acceptance in the consent history; terms accepted already change nothing (two taps at once
/// record one acceptance: the update that changes the version is the one that records it).
pub async fn accept_terms(
    tx: &mut Tx,
    customer_id: &str,
    card: &StoredCard,
    version: &str,
    now: i64,
) -> Result<(), StoreError> {
    let changed =
        sqlx::query("UPDATE cards SET terms_version = $1 WHERE id = $2 AND terms_version <> $1")
            .bind(version)
            .bind(&card.id)
            .execute(&mut **tx)
            .await?
            .rows_affected()
            == 1;
    if changed {
        let accepted = NewConsent {
            kind: ConsentKind::ProgramTerms,
            program_id: Some(&card.program_id),
            version: Some(version),
            granted: true,
        };
        consents::record(tx, customer_id, accepted, now).await?;
    }
    Ok(())
}

/// Every card of the customer, in the order they were enrolled.
pub async fn of_customer(store: &Store, customer_id: &str) -> Result<Vec<StoredCard>, StoreError> {
    Ok(sqlx::query_as(&format!(
        "SELECT {COLUMNS} FROM cards WHERE customer_id = $1 ORDER BY enrolled_at, id"
    ))
    .bind(customer_id)
    .fetch_all(&store.pool)
    .await?)
}

/// The card `id` if the customer holds it: another customer's card is not found.
pub async fn customers(
    store: &Store,
    id: &str,
    customer_id: &str,
) -> Result<Option<StoredCard>, StoreError> {
    Ok(sqlx::query_as(&format!(
        "SELECT {COLUMNS} FROM cards WHERE id = $1 AND customer_id = $2"
    ))
    .bind(id)
    .bind(customer_id)
    .fetch_optional(&store.pool)
    .await?)
}

/// The id of the customer's card in `program_id`, if they hold one, read on `conn`.
pub async fn id_in_program(
    conn: &mut sqlx::AnyConnection,
    customer_id: &str,
    program_id: &str,
) -> Result<Option<String>, StoreError> {
    Ok(
        sqlx::query_scalar("SELECT id FROM cards WHERE customer_id = $1 AND program_id = $2")
            .bind(customer_id)
            .bind(program_id)
            .fetch_optional(conn)
            .await?,
    )
}

/// The card `id` as it stands inside `tx` (its writes included).
pub async fn in_tx(tx: &mut Tx, id: &str) -> Result<StoredCard, StoreError> {
    Ok(
        sqlx::query_as(&format!("SELECT {COLUMNS} FROM cards WHERE id = $1"))
            .bind(id)
            .fetch_one(&mut **tx)
            .await?,
    )
}

/// A card's program and number (`None` until first shown), if the customer holds it.
#[derive(Clone, Debug, sqlx::FromRow)]
pub struct CardNumber {
    pub program_id: String,
    pub number: Option<String>,
}

/// The program and number of card `id` if the customer holds it.
pub async fn number_of_customers(
    store: &Store,
    id: &str,
    customer_id: &str,
) -> Result<Option<CardNumber>, StoreError> {
    Ok(
        sqlx::query_as("SELECT program_id, number FROM cards WHERE id = $1 AND customer_id = $2")
            .bind(id)
            .bind(customer_id)
            .fetch_optional(&store.pool)
            .await?,
    )
}

/// Gives the card `candidate` as its number unless it has one; `false` when another card of the
/// program has that number already. Returns with the card's number in [`number`].
pub async fn try_number(store: &Store, card_id: &str, candidate: &str) -> Result<bool, StoreError> {
    match sqlx::query("UPDATE cards SET number = $1 WHERE id = $2 AND number IS NULL")
        .bind(candidate)
        .bind(card_id)
        .execute(&store.pool)
        .await
    {
        Ok(_) => Ok(true),
        Err(e) if is_unique_violation(&e) => Ok(false),
        Err(e) => Err(e.into()),
    }
}

/// The card's number, once it has one.
pub async fn number(store: &Store, card_id: &str) -> Result<Option<String>, StoreError> {
    Ok(sqlx::query_scalar("SELECT number FROM cards WHERE id = $1")
        .bind(card_id)
        .fetch_one(&store.pool)
        .await?)
}

/// The card with this number in the program: its id, and when it was closed if it was.
#[derive(Clone, Debug, sqlx::FromRow)]
pub struct NumberedCard {
    pub id: String,
    pub closed_at: Option<i64>,
}

/// The program's card with this number.
pub async fn by_number(
    store: &Store,
    program_id: &str,
    number: &str,
) -> Result<Option<NumberedCard>, StoreError> {
    Ok(
        sqlx::query_as("SELECT id, closed_at FROM cards WHERE program_id = $1 AND number = $2")
            .bind(program_id)
            .bind(number)
            .fetch_optional(&store.pool)
            .await?,
    )
}

/// A card as the till shows its member: the card, whether it is closed, and the member's name.
#[derive(Clone, Debug, sqlx::FromRow)]
pub struct MemberCard {
    #[sqlx(flatten)]
    pub card: StoredCard,
    pub name: String,
}

/// The card `id` with its member's name.
pub async fn member_card(store: &Store, id: &str) -> Result<MemberCard, StoreError> {
    Ok(sqlx::query_as(&format!(
        "SELECT {COLUMNS}, (SELECT display_name FROM customers WHERE id = cards.customer_id) AS name
         FROM cards WHERE id = $1"
    ))
    .bind(id)
    .fetch_one(&store.pool)
    .await?)
}

/// A card whose member has the phone number looked up.
#[derive(Clone, Debug, sqlx::FromRow)]
pub struct PhoneMatch {
    pub card_id: String,
    /// `None` until the card's code is first shown.
    pub number: Option<String>,
    pub name: String,
}

/// Up to `limit` cards of the program whose members have this (normalized) phone number, by name.
pub async fn with_phone(
    store: &Store,
    program_id: &str,
    phone: &str,
    limit: i64,
) -> Result<Vec<PhoneMatch>, StoreError> {
    Ok(sqlx::query_as(
        "SELECT cards.id AS card_id, cards.number, customers.display_name AS name FROM cards
         JOIN customers ON customers.id = cards.customer_id
         WHERE customers.phone = $1 AND cards.program_id = $2
         ORDER BY customers.display_name, cards.id LIMIT $3",
    )
    .bind(phone)
    .bind(program_id)
    .bind(limit)
    .fetch_all(&store.pool)
    .await?)
}

/// Sets when the card was enrolled (the demo's history starts before it was loaded).
pub async fn set_enrolled_at(store: &Store, card_id: &str, at: i64) -> Result<(), StoreError> {
    sqlx::query("UPDATE cards SET enrolled_at = $1 WHERE id = $2")
        .bind(at)
        .bind(card_id)
        .execute(&store.pool)
        .await?;
    Ok(())
}
