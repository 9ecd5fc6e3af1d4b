//! `Db::write`: on SQLite, work queued together shares one transaction; one piece failing must
//! cost the others nothing, and a result means the write is committed. Same contract on PostgreSQL.

use crate::common::*;
use sqlx::Row;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Arc;
use tessera_server::db::Engine;

#[derive(Debug)]
struct Refused;

impl From<sqlx::Error> for Refused {
    fn from(e: sqlx::Error) -> Self {
        panic!("database error: {e}")
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn one_failing_write_costs_the_writes_queued_with_it_nothing() {
    each_engine(|t| async move {
        let db = t.state.db.clone();
        sqlx::query("CREATE TABLE write_probe (n BIGINT PRIMARY KEY)")
            .execute(&db.pool)
            .await
            .unwrap();
        let runs = Arc::new(AtomicUsize::new(0));
        // 60 writes at once: every fifth inserts its row and then fails.
        let writes = (0..60_i64).map(|n| {
            let (db, runs) = (db.clone(), runs.clone());
            tokio::spawn(async move {
                db.write(move |tx| {
                    runs.fetch_add(1, Ordering::Relaxed);
                    Box::pin(async move {
                        sqlx::query("INSERT INTO write_probe (n) VALUES ($1)")
                            .bind(n)
                            .execute(&mut **tx)
                            .await?;
                        if n % 5 == 0 {
                            return Err(Refused);
                        }
                        Ok(n)
                    })
                })
                .await
            })
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
        let stored: Vec<i64> = sqlx::query("SELECT n FROM write_probe ORDER BY n")
            .fetch_all(&db.pool)
            .await
            .unwrap()
            .iter()
            .map(|r| r.get::<i64, _>(0))
            .collect();
        assert_eq!(stored, ok);
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
        let db = t.state.db.clone();
        sqlx::query("CREATE TABLE wal_probe (n BIGINT PRIMARY KEY, payload TEXT NOT NULL)")
            .execute(&db.pool)
            .await
            .unwrap();
        let wal = t._dir.path().join("test.db-wal");
        const ROUNDS: i64 = 12;
        const PER_ROUND: i64 = 50;
        const PAYLOAD: usize = 8_000;
        let mut largest = 0;
        for round in 0..ROUNDS {
            for i in 0..PER_ROUND {
                let n = round * PER_ROUND + i;
                db.write(move |tx| {
                    Box::pin(async move {
                        sqlx::query("INSERT INTO wal_probe (n, payload) VALUES ($1, $2)")
                            .bind(n)
                            .bind("x".repeat(PAYLOAD))
                            .execute(&mut **tx)
                            .await
                            .map(|_| ())
                    })
                })
                .await
                .unwrap();
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
        let db = t.state.db.clone();
        sqlx::query("CREATE TABLE panic_probe (n BIGINT PRIMARY KEY)")
            .execute(&db.pool)
            .await
            .unwrap();
        let insert = |db: tessera_server::db::Db, n: i64, panics: bool| {
            tokio::spawn(async move {
                db.write(move |tx| {
                    Box::pin(async move {
                        sqlx::query("INSERT INTO panic_probe (n) VALUES ($1)")
                            .bind(n)
                            .execute(&mut **tx)
                            .await?;
                        assert!(!panics, "a bug in write work");
                        Ok::<_, sqlx::Error>(n)
                    })
                })
                .await
            })
        };
        let (bad, good) = (insert(db.clone(), 1, true), insert(db.clone(), 2, false));
        assert!(bad.await.unwrap_err().is_panic());
        assert_eq!(good.await.unwrap().unwrap(), 2);
        assert_eq!(insert(db.clone(), 3, false).await.unwrap().unwrap(), 3);
        let stored: Vec<i64> = sqlx::query("SELECT n FROM panic_probe ORDER BY n")
            .fetch_all(&db.pool)
            .await
            .unwrap()
            .iter()
            .map(|r| r.get::<i64, _>(0))
            .collect();
        assert_eq!(stored, [2, 3], "the panicking write left nothing");
    })
    .await;
}
