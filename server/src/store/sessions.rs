//! Sessions of customers (`sessions`) and of tills (`till_sessions`): stored by the SHA-256 of
//! their token, with an idle expiry that use extends.

use super::{new_id, Store, StoreError, Tx, Write};
use sqlx::AnyConnection;

/// Whose sessions: each kind has its table, and its owner column.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum SessionKind {
    /// Owned by a customer id.
    Customer,
    /// Owned by a staff account's e-mail.
    Till,
}

impl SessionKind {
    fn table(self) -> &'static str {
        match self {
            Self::Customer => "sessions",
            Self::Till => "till_sessions",
        }
    }

    fn owner(self) -> &'static str {
        match self {
            Self::Customer => "customer_id",
            Self::Till => "staff_email",
        }
    }
}

/// A session to store (its token only as a hash).
pub struct SessionRow {
    pub kind: SessionKind,
    pub token_hash: String,
    pub owner: String,
    pub now: i64,
    pub idle_expires_at: i64,
    /// The `User-Agent` it signed in with (at most [`USER_AGENT_MAX`] bytes).
    pub user_agent: Option<String>,
}

/// The most bytes of a `User-Agent` kept: enough to tell the browser and system.
pub const USER_AGENT_MAX: usize = 300;

async fn insert(conn: &mut AnyConnection, s: &SessionRow) -> Result<(), StoreError> {
    let (table, owner) = (s.kind.table(), s.kind.owner());
    sqlx::query(&format!(
        "INSERT INTO {table}
             (id, token_hash, {owner}, created_at, last_used_at, idle_expires_at, user_agent)
         VALUES ($1, $2, $3, $4, $4, $5, $6)"
    ))
    .bind(new_id())
    .bind(s.token_hash.as_str())
    .bind(s.owner.as_str())
    .bind(s.now)
    .bind(s.idle_expires_at)
    .bind(s.user_agent.as_deref())
    .execute(conn)
    .await?;
    Ok(())
}

/// Stores a session.
pub async fn create(store: &Store, session: &SessionRow) -> Result<(), StoreError> {
    insert(&mut *store.pool.acquire().await?, session).await
}

/// Stores a session in `tx` (joining signs the new customer in in the same transaction).
pub async fn create_in(tx: &mut Tx, session: &SessionRow) -> Result<(), StoreError> {
    insert(tx, session).await
}

/// A live session found by its token.
#[derive(Clone, Debug)]
pub struct LiveSession {
    pub id: String,
    /// The customer id, or the staff e-mail.
    pub owner: String,
    pub last_used_at: i64,
}

/// The session of this kind with this token hash that has not expired at `now`.
pub async fn live(
    store: &Store,
    kind: SessionKind,
    token_hash: &str,
    now: i64,
) -> Result<Option<LiveSession>, StoreError> {
    let (table, owner) = (kind.table(), kind.owner());
    let row: Option<(String, String, i64)> = sqlx::query_as(&format!(
        "SELECT id, {owner}, last_used_at FROM {table} WHERE token_hash = $1 AND idle_expires_at > $2"
    ))
    .bind(token_hash)
    .bind(now)
    .fetch_optional(&store.pool)
    .await?;
    Ok(row.map(|(id, owner, last_used_at)| LiveSession {
        id,
        owner,
        last_used_at,
    }))
}

/// Extending a session's idle expiry on use.
pub struct TouchSession {
    pub kind: SessionKind,
    pub id: String,
    pub now: i64,
    pub idle_expires_at: i64,
}

impl Write for TouchSession {
    type Output = ();
    type Error = StoreError;

    async fn run(&self, tx: &mut Tx) -> Result<(), StoreError> {
        let table = self.kind.table();
        sqlx::query(&format!(
            "UPDATE {table} SET last_used_at = $1, idle_expires_at = $2 WHERE id = $3"
        ))
        .bind(self.now)
        .bind(self.idle_expires_at)
        .bind(&self.id)
        .execute(&mut **tx)
        .await?;
        Ok(())
    }
}

/// Ends a session (signing out).
pub async fn delete(store: &Store, kind: SessionKind, id: &str) -> Result<(), StoreError> {
    sqlx::query(&format!("DELETE FROM {} WHERE id = $1", kind.table()))
        .bind(id)
        .execute(&store.pool)
        .await?;
    Ok(())
}

/// A customer's live session, as their list shows it.
#[derive(Clone, Debug, sqlx::FromRow)]
pub struct CustomerSessionRow {
    pub id: String,
    pub created_at: i64,
    pub last_used_at: i64,
    pub user_agent: Option<String>,
}

/// The customer's sessions that have not expired at `now`, the last used first.
pub async fn of_customer(
    store: &Store,
    customer_id: &str,
    now: i64,
) -> Result<Vec<CustomerSessionRow>, StoreError> {
    Ok(sqlx::query_as(
        "SELECT id, created_at, last_used_at, user_agent FROM sessions
         WHERE customer_id = $1 AND idle_expires_at > $2 ORDER BY last_used_at DESC, id",
    )
    .bind(customer_id)
    .bind(now)
    .fetch_all(&store.pool)
    .await?)
}

/// Ends the customer's session `id`; `false` when they have none with that id (another
/// customer's is not theirs).
pub async fn delete_customers(
    store: &Store,
    customer_id: &str,
    id: &str,
) -> Result<bool, StoreError> {
    Ok(
        sqlx::query("DELETE FROM sessions WHERE id = $1 AND customer_id = $2")
            .bind(id)
            .bind(customer_id)
            .execute(&store.pool)
            .await?
            .rows_affected()
            == 1,
    )
}

/// Ends every session of the customer but `keep` (none: all), and with them, by cascade, the
/// checkout secrets they held. Returns how many ended.
pub async fn delete_others(
    tx: &mut Tx,
    customer_id: &str,
    keep: Option<&str>,
) -> Result<u64, StoreError> {
    Ok(
        sqlx::query("DELETE FROM sessions WHERE customer_id = $1 AND id <> $2")
            .bind(customer_id)
            .bind(keep.unwrap_or_default())
            .execute(&mut **tx)
            .await?
            .rows_affected(),
    )
}
