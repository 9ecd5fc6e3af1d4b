//! Storage: the one owner of the pool and of every SQL statement, in one portable dialect through
//! sqlx's `Any` driver, on SQLite (embedded, the default) or PostgreSQL (for several servers
//! sharing one database). Handlers and services call its named operations; rows decode into
//! typed structs. Each submodule keeps the tables of one resource.
//!
//! Writes that happen often are named types implementing [`Write`], run by [`Store::write`]: on
//! SQLite through the one writer thread ([`sqlite_writer`]), which commits queued writes together.

// The one place SQL is written (see clippy.toml).
#![allow(clippy::disallowed_methods)]

pub mod accounts;
pub mod attempts;
pub mod card_row;
pub mod cards;
pub mod checkout;
pub mod clubs;
pub mod consents;
pub mod deletion;
pub mod export;
pub mod housekeeping;
pub mod ledger;
pub mod password_resets;
pub mod program_entry;
pub mod purchases;
pub mod sessions;
mod sqlite_writer;
pub mod till;
pub mod vouchers;

use sqlite_writer::SqliteWriter;
use sqlx::any::AnyPoolOptions;
use sqlx::{Any, AnyPool, Executor, Transaction};
use std::future::Future;
use std::str::FromStr;

/// A write transaction, as [`Write::run`] gets it.
pub type Tx = Transaction<'static, Any>;

/// Commits a transaction from [`Store::transaction`].
pub async fn commit(tx: Tx) -> Result<(), StoreError> {
    Ok(tx.commit().await?)
}

/// Why storage failed: the database, or stored data that breaks an invariant of ours.
#[derive(Debug, thiserror::Error)]
pub enum StoreError {
    #[error(transparent)]
    Database(#[from] sqlx::Error),
    /// Stored rows disagree with each other (a bug, or a hand edit).
    #[error("broken invariant: {0}")]
    Invariant(String),
}

/// A named unit of write work for [`Store::write`].
///
/// **It may run more than once.** On SQLite it is queued to the one writer and may share a
/// transaction with other queued work; when that transaction fails, it is undone and each piece
/// runs again alone. So `run` must take what it needs from `&self` on every run and keep nothing
/// from a run that was undone; its result is the one of its last run, returned only once committed.
pub trait Write: Send + Sync + 'static {
    type Output: Send + 'static;
    type Error: From<StoreError> + Send + 'static;

    /// Does the work in `tx` (which the caller commits).
    fn run(&self, tx: &mut Tx) -> impl Future<Output = Result<Self::Output, Self::Error>> + Send;
}

/// Which engine a database URL points at.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Engine {
    Sqlite,
    Postgres,
}

/// SQLite's durability setting. `Normal` (with WAL) survives a killed process but may lose the
/// last transactions on power loss; `Full` does not, at the cost of an fsync per commit.
#[derive(Clone, Copy, Debug, PartialEq, Eq, clap::ValueEnum)]
pub enum SqliteSync {
    Normal,
    Full,
}

impl FromStr for Engine {
    type Err = anyhow::Error;
    fn from_str(url: &str) -> anyhow::Result<Self> {
        if url.starts_with("sqlite:") {
            Ok(Self::Sqlite)
        } else if url.starts_with("postgres://") || url.starts_with("postgresql://") {
            Ok(Self::Postgres)
        } else {
            anyhow::bail!("database URL must start with sqlite: or postgres:// (got `{url}`)")
        }
    }
}

/// The database: its pool, its engine and, on SQLite, its one writer.
#[derive(Clone, Debug)]
pub struct Store {
    pool: AnyPool,
    pub engine: Engine,
    /// On SQLite, the one connection that runs [`Store::write`] work.
    writer: Option<SqliteWriter>,
}

impl Store {
    /// Connects (creating a SQLite file and its directory if needed) and runs the migrations.
    pub async fn connect(url: &str, sqlite_sync: SqliteSync) -> anyhow::Result<Self> {
        sqlx::any::install_default_drivers();
        let engine: Engine = url.parse()?;
        let url = match engine {
            Engine::Sqlite => prepare_sqlite_url(url)?,
            Engine::Postgres => url.to_owned(),
        };
        let pool = match engine {
            // SQLite has one writer; a few connections serve concurrent readers under WAL.
            Engine::Sqlite => sqlite_options(sqlite_sync, SqliteRole::Pool).max_connections(8),
            Engine::Postgres => AnyPoolOptions::new().max_connections(16),
        }
        .connect(&url)
        .await?;
        sqlx::migrate!("./migrations").run(&pool).await?;
        let writer = match engine {
            Engine::Sqlite => {
                let options = sqlite_options(sqlite_sync, SqliteRole::Writer)
                    .idle_timeout(None)
                    .max_lifetime(None);
                Some(SqliteWriter::start(url, options).await?)
            }
            Engine::Postgres => None,
        };
        Ok(Self {
            pool,
            engine,
            writer,
        })
    }

    /// Runs `work` in a write transaction and commits it; the result is only returned once
    /// committed. On SQLite the work is queued to the one writer and may share its transaction
    /// with other queued work (see [`Write`]); on PostgreSQL it runs here, rows locked as usual.
    pub async fn write<W: Write>(&self, work: W) -> Result<W::Output, W::Error> {
        if let Some(writer) = &self.writer {
            return writer.write(work).await;
        }
        let mut tx = self.pool.begin().await.map_err(StoreError::from)?;
        let value = work.run(&mut tx).await?;
        tx.commit().await.map_err(StoreError::from)?;
        Ok(value)
    }

    /// A transaction on the pool, for rare writes of several operations (joining, the demo);
    /// frequent writes go through [`Store::write`], so they do not wait on SQLite's busy handler.
    pub async fn transaction(&self) -> Result<Tx, StoreError> {
        Ok(self.pool.begin().await?)
    }

    /// A pool connection for a read of several statements (a card as of now).
    pub async fn reader(&self) -> Result<sqlx::pool::PoolConnection<Any>, StoreError> {
        Ok(self.pool.acquire().await?)
    }

    /// Whether the database answers.
    pub async fn ping(&self) -> Result<(), StoreError> {
        sqlx::query("SELECT 1").execute(&self.pool).await?;
        Ok(())
    }

    /// The pool itself, for tests and benchmarks that look at the tables directly. The server's
    /// own code calls the named operations of this module instead.
    pub fn pool_for_checks(&self) -> &AnyPool {
        &self.pool
    }

    /// Closes the pool (tests, before dropping their database).
    pub async fn close(&self) {
        self.pool.close().await;
    }
}

/// What a SQLite connection is for.
#[derive(Clone, Copy, PartialEq, Eq)]
enum SqliteRole {
    /// The pool: reads, and writes outside [`Store::write`].
    Pool,
    /// The writer thread's connection.
    Writer,
}

/// SQLite connections: WAL, the chosen durability, a busy timeout for writers outside the writer
/// thread, foreign keys.
fn sqlite_options(sqlite_sync: SqliteSync, role: SqliteRole) -> AnyPoolOptions {
    let sync = match sqlite_sync {
        SqliteSync::Normal => "PRAGMA synchronous = NORMAL",
        SqliteSync::Full => "PRAGMA synchronous = FULL",
    };
    AnyPoolOptions::new().after_connect(move |conn, _| {
        Box::pin(async move {
            conn.execute("PRAGMA journal_mode = WAL").await?;
            conn.execute(sync).await?;
            conn.execute("PRAGMA busy_timeout = 5000").await?;
            conn.execute("PRAGMA foreign_keys = ON").await?;
            if role == SqliteRole::Writer {
                // A checkpoint at commit would stall every write queued behind it; the
                // writer's checkpointer does it on another thread instead.
                conn.execute("PRAGMA wal_autocheckpoint = 0").await?;
            }
            Ok(())
        })
    })
}

/// Makes `sqlite:` URLs create their file (and its directory) on first use.
fn prepare_sqlite_url(url: &str) -> anyhow::Result<String> {
    let rest = url.trim_start_matches("sqlite:").trim_start_matches("//");
    let (path, query) = rest.split_once('?').unwrap_or((rest, ""));
    // The writer thread needs its own connection to the same database.
    if path == ":memory:" || path.is_empty() || query.contains("mode=memory") {
        anyhow::bail!("SQLite needs a database file (got `{url}`), not an in-memory database");
    }
    if let Some(dir) = std::path::Path::new(path).parent() {
        if !dir.as_os_str().is_empty() {
            std::fs::create_dir_all(dir)
                .map_err(|e| anyhow::anyhow!("cannot create {}: {e}", dir.display()))?;
        }
    }
    let query = if query.contains("mode=") {
        query.to_owned()
    } else if query.is_empty() {
        "mode=rwc".to_owned()
    } else {
        format!("{query}&mode=rwc")
    };
    Ok(format!("sqlite://{path}?{query}"))
}

/// Now, as UTC unix milliseconds (the unit every stored time uses).
pub fn now_ms() -> i64 {
    chrono::Utc::now().timestamp_millis()
}

/// A new random id for a row: 128 bits, hex.
pub fn new_id() -> String {
    use rand::RngCore;
    let mut bytes = [0u8; 16];
    rand::rngs::OsRng.fill_bytes(&mut bytes);
    hex::encode(bytes)
}

/// Whether an error is a unique-constraint violation (the same on both engines).
fn is_unique_violation(e: &sqlx::Error) -> bool {
    matches!(e, sqlx::Error::Database(db) if db.is_unique_violation())
}
