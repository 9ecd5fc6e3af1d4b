//! The database: one portable SQL dialect through sqlx's `Any` driver, on SQLite (embedded, the
//! default) or PostgreSQL (for several servers sharing one database).

use crate::sqlite_writer::{SqliteWriter, WriteWork};
use sqlx::any::AnyPoolOptions;
use sqlx::AnyPool;
use sqlx::Executor;
use std::str::FromStr;

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

/// The pool and the engine behind it.
#[derive(Clone, Debug)]
pub struct Db {
    pub pool: AnyPool,
    pub engine: Engine,
    /// On SQLite, the one connection that runs [`Db::write`] work.
    writer: Option<SqliteWriter>,
}

impl Db {
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
    /// with other queued work, and so may run more than once (see [`crate::sqlite_writer`]); on
    /// PostgreSQL it runs here, rows locked as usual.
    pub async fn write<T, E, F>(&self, work: F) -> Result<T, E>
    where
        T: Send + 'static,
        E: From<sqlx::Error> + Send + 'static,
        F: WriteWork<T, E>,
    {
        if let Some(writer) = &self.writer {
            return writer.write(work).await;
        }
        let mut tx = self.pool.begin().await?;
        let value = work(&mut tx).await?;
        tx.commit().await?;
        Ok(value)
    }
}

/// What a SQLite connection is for.
#[derive(Clone, Copy, PartialEq, Eq)]
enum SqliteRole {
    /// The pool: reads, and writes outside [`Db::write`].
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
pub fn is_unique_violation(e: &sqlx::Error) -> bool {
    matches!(e, sqlx::Error::Database(db) if db.is_unique_violation())
}
