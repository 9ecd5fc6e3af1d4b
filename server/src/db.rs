//! The database: one portable SQL dialect through sqlx's `Any` driver, on SQLite (embedded, the
//! default) or PostgreSQL (for several servers sharing one database).

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
    /// SQLite has one writer: busy writers poll with growing sleeps, which makes a long latency
    /// tail under load. Hot write paths queue here first instead (first come, first served).
    write_gate: std::sync::Arc<tokio::sync::Mutex<()>>,
}

/// A write transaction begun through [`Db::begin_write`]; on SQLite it holds the write gate until
/// dropped (after commit or rollback).
pub struct WriteTx {
    pub tx: sqlx::Transaction<'static, sqlx::Any>,
    _gate: Option<tokio::sync::OwnedMutexGuard<()>>,
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
        let mut options = AnyPoolOptions::new().max_connections(match engine {
            // SQLite has one writer; a few connections serve concurrent readers under WAL.
            Engine::Sqlite => 8,
            Engine::Postgres => 16,
        });
        if engine == Engine::Sqlite {
            let sync = match sqlite_sync {
                SqliteSync::Normal => "PRAGMA synchronous = NORMAL",
                SqliteSync::Full => "PRAGMA synchronous = FULL",
            };
            options = options.after_connect(move |conn, _| {
                Box::pin(async move {
                    conn.execute("PRAGMA journal_mode = WAL").await?;
                    conn.execute(sync).await?;
                    conn.execute("PRAGMA busy_timeout = 5000").await?;
                    conn.execute("PRAGMA foreign_keys = ON").await?;
                    Ok(())
                })
            });
        }
        let pool = options.connect(&url).await?;
        sqlx::migrate!("./migrations").run(&pool).await?;
        Ok(Self {
            pool,
            engine,
            write_gate: Default::default(),
        })
    }

    /// Begins a transaction that will write. On SQLite it first waits its turn at the write gate;
    /// on PostgreSQL rows are locked as usual.
    pub async fn begin_write(&self) -> Result<WriteTx, sqlx::Error> {
        let gate = match self.engine {
            Engine::Sqlite => Some(self.write_gate.clone().lock_owned().await),
            Engine::Postgres => None,
        };
        Ok(WriteTx {
            tx: self.pool.begin().await?,
            _gate: gate,
        })
    }
}

/// Makes `sqlite:` URLs create their file (and its directory) on first use.
fn prepare_sqlite_url(url: &str) -> anyhow::Result<String> {
    let rest = url.trim_start_matches("sqlite:").trim_start_matches("//");
    let (path, query) = rest.split_once('?').unwrap_or((rest, ""));
    if path != ":memory:" && !path.is_empty() {
        if let Some(dir) = std::path::Path::new(path).parent() {
            if !dir.as_os_str().is_empty() {
                std::fs::create_dir_all(dir)
                    .map_err(|e| anyhow::anyhow!("cannot create {}: {e}", dir.display()))?;
            }
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
