//! `Store::write`: on SQLite, work queued together shares one transaction; one piece failing must
//! cost the others nothing, and a result means the write is committed. Same contract on PostgreSQL.

use crate::common::*;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Arc;
use tessera_server::store::{Engine, Store, StoreError, Tx, Write};

#[derive(Debug)]
struct Refused;

impl From<StoreError> for Refused {
    fn from(e: StoreError) -> Self {
        panic!("database error: {e}")
    }
}

/// Inserts `n` into the probe table `table`; then fails, or panics, when told to.
struct InsertProbe {
    table: &'static str,
    n: i64,
    /// A text column's value, for tables that have one.
    payload: Option<String>,
    fails: bool,
    panics: bool,
    runs: Arc<AtomicUsize>,
}

impl InsertProbe {
    fn new(table: &'static str, n: i64) -> Self {
        Self {
            table,
            n,
            payload: None,
            fails: false,
            panics: false,
            runs: Arc::default(),
        }
    }
}

impl Write for InsertProbe {
    type Output = i64;
    type Error = Refused;

    async fn run(&self, tx: &mut Tx) -> Result<i64, Refused> {
        self.runs.fetch_add(1, Ordering::Relaxed);
        let table = self.table;
        let sql = match self.payload {
            Some(_) => format!("INSERT INTO {table} (n, payload) VALUES ($1, $2)"),
            None => format!("INSERT INTO {table} (n) VALUES ($1)"),
        };
        let mut insert = sqlx::query(&sql).bind(self.n);
        if let Some(payload) = &self.payload {
            insert = insert.bind(payload.clone());
        }
        insert.execute(&mut **tx).await.map_err(StoreError::from)?;
        assert!(!self.panics, "a bug in write work");
        if self.fails {
            return Err(Refused);
        }
        Ok(self.n)
    }
}

async fn create_probe(store: &Store, table: &str, columns: &str) {
    sqlx::query(&format!("CREATE TABLE {table} ({columns})"))
        .execute(store.pool_for_checks())
        .await
        .unwrap();
}

async fn probe_rows(store: &Store, table: &str) -> Vec<i64> {
    sqlx::query_scalar(&format!("SELECT n FROM {table} ORDER BY n"))
        .fetch_all(store.pool_for_checks())
        .await
        .unwrap()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn one_failing_write_costs_the_writes_queued_with_it_nothing() {
    each_engine(|t| async move {
        let store = t.state.store.clone();
        create_probe(&store, "write_probe", "n BIGINT PRIMARY KEY").await;
        let runs = Arc::new(AtomicUsize::new(0));
        // 60 writes at once: every fifth inserts its row and then fails.
        let writes = (0..60_i64).map(|n| {
            let store = store.clone();
            let probe = InsertProbe {
                fails: n % 5 == 0,
                runs: runs.clone(),
                ..InsertProbe::new("write_probe", n)
            };
            tokio::spawn(async move { store.write(probe).await })
        });
        let mut ok = Vec::new();
        for (n, write) in (0..).zip(writes.collect::<Vec<_>>()) {
            match write.await.unwrap() {
                Ok(value) => ok.push(value),
                Err(Refused) => assert_eq!(n % 5, 0, "write {n} failed"),
            }
        }
        assert_eq!(ok, (0..60).filter(|n| n % 5 != 0).collect::<Vec<_>>());

        // Exactly the successful writes are stored, each once; the failed ones left nothing.
        assert_eq!(probe_rows(&store, "write_probe").await, ok);
        // Work that shared a transaction with a failure ran again on its own, at most once more.
        assert!(runs.load(Ordering::Relaxed) <= 120);
    })
    .await;
}

/// The writer never checkpoints at commit; its checkpointer must, or SQLite's write-ahead log
/// would grow with every write the server ever made.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_write_ahead_log_is_reused_while_writes_go_on() {
    each_engine(|t| async move {
        if t.engine != Engine::Sqlite {
            return;
        }
        let store = t.state.store.clone();
        create_probe(&store, "wal_probe", "n BIGINT PRIMARY KEY, payload TEXT NOT NULL").await;
        let wal = t._dir.path().join("test.db-wal");
        const ROUNDS: i64 = 12;
        const PER_ROUND: i64 = 50;
        const PAYLOAD: usize = 8_000;
        let mut largest = 0;
        for round in 0..ROUNDS {
            for i in 0..PER_ROUND {
                let probe = InsertProbe {
                    payload: Some("x".repeat(PAYLOAD)),
                    ..InsertProbe::new("wal_probe", round * PER_ROUND + i)
                };
                store.write(probe).await.unwrap();
            }
            largest = largest.max(std::fs::metadata(&wal).unwrap().len());
            // A few checkpoint ticks between rounds.
            tokio::time::sleep(std::time::Duration::from_millis(300)).await;
        }
        // Unchecked, the log holds every round (about 2.6 times its payload in pages); reused,
        // it holds the rounds since the last checkpoint.
        let per_round = PER_ROUND as u64 * PAYLOAD as u64;
        assert!(
            largest < 8 * per_round,
            "the log grew to {largest} bytes; a round writes {per_round} bytes, all {ROUNDS} rounds {}",
            ROUNDS as u64 * per_round
        );
    })
    .await;
}

/// A bug that panics inside write work fails its own request as it would have without the
/// writer; the writes after it go on.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_write_that_panics_fails_its_caller_and_the_writer_goes_on() {
    each_engine(|t| async move {
        let store = t.state.store.clone();
        create_probe(&store, "panic_probe", "n BIGINT PRIMARY KEY").await;
        let insert = |store: Store, n: i64, panics: bool| {
            let probe = InsertProbe {
                panics,
                ..InsertProbe::new("panic_probe", n)
            };
            tokio::spawn(async move { store.write(probe).await })
        };
        let (bad, good) = (
            insert(store.clone(), 1, true),
            insert(store.clone(), 2, false),
        );
        assert!(bad.await.unwrap_err().is_panic());
        assert_eq!(good.await.unwrap().unwrap(), 2);
        assert_eq!(insert(store.clone(), 3, false).await.unwrap().unwrap(), 3);
        assert_eq!(
            probe_rows(&store, "panic_probe").await,
            [2, 3],
            "the panicking write left nothing"
        );
    })
    .await;
}
