//! `Db::write`: on SQLite, work queued together shares one transaction; one piece failing must
//! cost the others nothing, and a result means the write is committed. Same contract on PostgreSQL.

use crate::common::*;
use sqlx::Row;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Arc;

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
