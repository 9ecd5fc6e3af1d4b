//! The points ledger on storage: concurrency, idempotence, maturing and expiry, on both engines.

use crate::common::*;
use sqlx::Row;
use tessera_core::points::EntryKind;
use tessera_server::store::ledger::{self, Addition, Applied, Deduction, LedgerError};

const DAY: i64 = 86_400_000;
const T0: i64 = 1_790_000_000_000;

/// A new customer's card id.
async fn card_of(t: &TestApp, email: &str) -> String {
    t.customer(email).await.1
}

fn earned<'a>(
    points: i64,
    reference: &'a str,
    available_at: i64,
    expires_at: Option<i64>,
) -> Addition<'a> {
    Addition {
        kind: EntryKind::Earned,
        points,
        reason: "purchase",
        reference,
        available_at,
        expires_at,
        place: None,
        spend_minor: None,
    }
}

async fn add(t: &TestApp, card: &str, addition: Addition<'_>, now: i64) -> Applied {
    let mut tx = t.state.store.pool_for_checks().begin().await.unwrap();
    let applied = ledger::add(&mut tx, card, &addition, now).await.unwrap();
    tx.commit().await.unwrap();
    applied
}

async fn take(
    t: &TestApp,
    card: &str,
    points: i64,
    reference: &str,
    now: i64,
) -> Result<Applied, LedgerError> {
    spend(
        t.state.store.pool_for_checks(),
        card,
        points,
        reference,
        now,
    )
    .await
}

async fn spend(
    pool: &sqlx::AnyPool,
    card: &str,
    points: i64,
    reference: &str,
    now: i64,
) -> Result<Applied, LedgerError> {
    let mut tx = pool.begin().await.unwrap();
    let deduction = Deduction {
        kind: EntryKind::Spent,
        points,
        reason: "reward",
        reference,
        place: None,
    };
    let result = ledger::take(&mut tx, card, &deduction, now).await;
    if result.is_ok() {
        tx.commit().await.unwrap();
    }
    result
}

/// (balance, pending, sum of entries, sum of lots' remaining points).
async fn books(t: &TestApp, card: &str) -> (i64, i64, i64, i64) {
    let pool = t.state.store.pool_for_checks();
    let row = sqlx::query("SELECT balance, pending FROM cards WHERE id = $1")
        .bind(card)
        .fetch_one(pool)
        .await
        .unwrap();
    let sum = |sql: &'static str| async move {
        sqlx::query(sql)
            .bind(card)
            .fetch_one(pool)
            .await
            .unwrap()
            .get::<i64, _>(0)
    };
    // The expiry buckets always sum the spendable lots that expire.
    assert_eq!(
        sum("SELECT CAST(COALESCE(SUM(points), 0) AS BIGINT) FROM expiry_buckets WHERE card_id = $1").await,
        sum("SELECT CAST(COALESCE(SUM(remaining), 0) AS BIGINT) FROM point_lots
             WHERE card_id = $1 AND pending = 0 AND expires_at IS NOT NULL").await,
        "expiry buckets"
    );
    (
        row.get(0),
        row.get(1),
        sum("SELECT CAST(COALESCE(SUM(amount), 0) AS BIGINT) FROM ledger_entries WHERE card_id = $1").await,
        sum("SELECT CAST(COALESCE(SUM(remaining), 0) AS BIGINT) FROM point_lots WHERE card_id = $1").await,
    )
}

/// One pass of the expiry job at `now` (a batch of 100): how many cards it settled.
async fn settled(t: &TestApp, now: i64) -> usize {
    tessera_server::jobs::settle_due(&t.state.store, now, 100)
        .await
        .unwrap()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn fifty_concurrent_spends_succeed_exactly_as_often_as_the_balance_allows() {
    each_engine(|t| async move {
        let card = card_of(&t, "spender@example.com").await;
        add(&t, &card, earned(60, "p1", T0, None), T0).await;
        add(&t, &card, earned(40, "p2", T0, Some(T0 + 300 * DAY)), T0).await;

        let mut spends = tokio::task::JoinSet::new();
        for i in 0..50 {
            let (pool, card) = (t.state.store.pool_for_checks().clone(), card.clone());
            spends
                .spawn(async move { spend(&pool, &card, 7, &format!("spend-{i}"), T0 + 1).await });
        }
        let results = spends.join_all().await;
        let won = results
            .iter()
            .filter(|r| matches!(r, Ok(Applied::New(_))))
            .count();
        for r in &results {
            assert!(
                matches!(
                    r,
                    Ok(Applied::New(_)) | Err(LedgerError::Insufficient { .. })
                ),
                "{r:?}"
            );
        }
        assert_eq!(won, 14, "100 points pay for 14 spends of 7");
        assert_eq!(books(&t, &card).await, (2, 0, 2, 2));
    })
    .await;
}

#[tokio::test]
async fn the_same_reference_applies_once() {
    each_engine(|t| async move {
        let card = card_of(&t, "retry@example.com").await;
        let first = add(&t, &card, earned(30, "till-1", T0, None), T0).await;
        assert!(matches!(first, Applied::New(_)));
        assert_eq!(
            add(&t, &card, earned(30, "till-1", T0, None), T0).await,
            Applied::Already(1)
        );
        let spent = take(&t, &card, 10, "r-1", T0).await.unwrap();
        assert_eq!(
            take(&t, &card, 10, "r-1", T0).await.unwrap(),
            match spent {
                Applied::New(seq) => Applied::Already(seq),
                other => panic!("{other:?}"),
            }
        );
        assert_eq!(books(&t, &card).await, (20, 0, 20, 20));
        assert!(matches!(
            take(&t, &card, 21, "r-2", T0).await,
            Err(LedgerError::Insufficient { spendable: 20 })
        ));
        assert!(matches!(
            take(&t, "no-such-card", 1, "r-3", T0).await,
            Err(LedgerError::CardNotFound)
        ));
    })
    .await;
}

#[tokio::test]
async fn pending_points_mature_and_due_points_expire_once() {
    each_engine(|t| async move {
        let card = card_of(&t, "expiry@example.com").await;
        add(&t, &card, earned(50, "soon", T0, Some(T0 + 10 * DAY)), T0).await;
        add(
            &t,
            &card,
            earned(30, "later", T0 + 3 * DAY, Some(T0 + 40 * DAY)),
            T0,
        )
        .await;
        assert_eq!(books(&t, &card).await, (50, 30, 80, 80));
        // Pending points cannot be spent yet.
        assert!(matches!(
            take(&t, &card, 60, "too-early", T0 + DAY).await,
            Err(LedgerError::Insufficient { spendable: 50 })
        ));
        take(&t, &card, 20, "coffee", T0 + DAY).await.unwrap();

        assert_eq!(settled(&t, T0 + 2 * DAY).await, 0, "nothing due");
        assert_eq!(settled(&t, T0 + 3 * DAY).await, 1, "30 mature");
        assert_eq!(books(&t, &card).await, (60, 0, 60, 60));
        // The 30 left of the first lot expire on day 10; spent points are not expired again.
        assert_eq!(settled(&t, T0 + 10 * DAY).await, 1);
        assert_eq!(settled(&t, T0 + 10 * DAY).await, 0, "idempotent");
        assert_eq!(books(&t, &card).await, (30, 0, 30, 30));
        let expired: i64 = sqlx::query(
            "SELECT amount FROM ledger_entries WHERE card_id = $1 AND kind = 'expired'",
        )
        .bind(&card)
        .fetch_one(t.state.store.pool_for_checks())
        .await
        .unwrap()
        .get(0);
        assert_eq!(expired, -30);
    })
    .await;
}
