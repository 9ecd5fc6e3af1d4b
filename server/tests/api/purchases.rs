//! The purchase service and what a card shows: earning, the welcome bonus, tiers, idempotent
//! retries, pending and expiring points by day, and the paginated history, on both engines.

use crate::common::*;
use axum::http::StatusCode;
use serde_json::Value;
use std::sync::Arc;
use tessera_core::api::{Card, ErrorCode, Me, TierStatus};
use tessera_core::points::EntryKind;
use tessera_core::{Currency, Money};
use tessera_server::config::Program;
use tessera_server::purchases::{self, Purchase, PurchaseError, Recorded};
use tessera_server::store;
use tessera_server::store::ledger::{self, Addition};
use tessera_server::store::now_ms;
use tessera_server::{calendar, card_status};

const DAY: i64 = 86_400_000;

fn gel(minor: i64) -> Money {
    Money::new(minor, Currency::new("GEL").unwrap())
}

fn program(t: &TestApp) -> Program {
    t.state.config.program("mziuri").unwrap().clone()
}

async fn buy(
    pool: &sqlx::AnyPool,
    program: &Program,
    card: &str,
    amount: Money,
    reference: &str,
    at: i64,
) -> Result<Recorded, PurchaseError> {
    let purchase = Purchase {
        card_id: card,
        amount,
        points: 0,
        voucher: None,
        reference,
        place: Some("Vake Park"),
        partner: None,
        reference_is_new: false,
    };
    let mut tx = pool.begin().await.unwrap();
    let result = purchases::record(&mut tx, program, &purchase, at).await;
    if result.is_ok() {
        tx.commit().await.unwrap();
    }
    result
}

async fn card_json(t: &TestApp, token: &str, card: &str) -> Value {
    let r = t.get(&format!("/api/v1/cards/{card}"), Some(token)).await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.text);
    r.body
}

/// A card's `changes` foretell what the server itself would show at each of their instants when
/// nothing else happens, so a wallet that brings a kept card forward offline (`Card::as_of`) shows
/// the level and discount the server would: here Silver, kept by retention after its months leave
/// the window, then the first level again.
#[tokio::test]
async fn a_cards_changes_foretell_the_level_and_discount_the_server_would_show() {
    each_engine(|t| async move {
        let (token, card_id) = t.customer("foretold@example.com").await;
        let (pool, program) = (t.state.store.pool_for_checks(), program(&t));
        let now = now_ms();
        buy(pool, &program, &card_id, gel(60_000), "f-1", now - 10 * DAY)
            .await
            .unwrap();
        let card: Card = t
            .get(&format!("/api/v1/cards/{card_id}"), Some(&token))
            .await
            .decode(StatusCode::OK);
        let me: Me = t
            .get("/api/v1/me", Some(&token))
            .await
            .decode(StatusCode::OK);
        let stored = store::cards::customers(&t.state.store, &card_id, &me.id)
            .await
            .unwrap()
            .unwrap();

        assert!(card.changes.windows(2).all(|w| w[0].at < w[1].at));
        let mut conn = t.state.store.reader().await.unwrap();
        for change in &card.changes {
            let server = card_status::card(&mut conn, &program, &stored, change.at)
                .await
                .unwrap();
            let kept = card.as_of(change.at);
            assert_eq!((kept.tier, kept.discount), (server.tier, server.discount));
        }
        let rank = |tier: &Option<TierStatus>| tier.as_ref().map(|t| t.rank);
        assert_eq!(rank(&card.tier), Some(1));
        assert_eq!(rank(&card.changes.last().unwrap().tier), Some(0));
        let first_level = &program.tiers.as_ref().unwrap().levels[0];
        assert_eq!(
            card.changes.last().unwrap().discount.rate_bp,
            first_level.discount_bp
        );
    })
    .await;
}

#[tokio::test]
async fn purchases_earn_at_the_tier_multiplier_and_the_welcome_bonus_comes_once() {
    each_engine(|t| async move {
        let (token, card) = t.customer("earner@example.com").await;
        let (pool, program) = (t.state.store.pool_for_checks(), program(&t));
        let now = now_ms();

        // 600 GEL at Red (3 % off, x1): 582 paid, 582 points and the welcome bonus; the window
        // now supports Silver.
        let first = buy(pool, &program, &card, gel(60_000), "r-1", now - 10 * DAY).await;
        let first = first.unwrap();
        assert_eq!(
            (first.points, first.welcome_points, first.replayed),
            (582, 50, false)
        );
        assert_eq!(
            (first.bill.discount_minor, first.bill.money_paid_minor),
            (1_800, 58_200)
        );
        // 100.99 GEL at Silver (5 % off: 5.0495 rounds to 5.05, so 95.94 paid; x1.25): 119.925,
        // rounded down once.
        let second = buy(pool, &program, &card, gel(10_099), "r-2", now - 9 * DAY).await;
        assert_eq!(second.unwrap().points, 119);

        // The till retries: the same purchase again changes nothing and says what it earned.
        let again = buy(pool, &program, &card, gel(60_000), "r-1", now - DAY).await;
        let again = again.unwrap();
        assert_eq!(
            (again.points, again.welcome_points, again.replayed),
            (582, 50, true)
        );
        assert_eq!(again.bill, first.bill);
        // The same reference for another amount is refused; so are bad amounts and currencies.
        let reused = buy(pool, &program, &card, gel(1), "r-1", now).await;
        assert!(
            matches!(reused, Err(PurchaseError::ReferenceReused)),
            "{reused:?}"
        );
        let zero = buy(pool, &program, &card, gel(0), "r-3", now).await;
        assert!(
            matches!(zero, Err(PurchaseError::InvalidAmount)),
            "{zero:?}"
        );
        let euro = Money::new(100, Currency::new("EUR").unwrap());
        let euro = buy(pool, &program, &card, euro, "r-4", now).await;
        assert!(
            matches!(euro, Err(PurchaseError::WrongCurrency)),
            "{euro:?}"
        );
        let nobody = buy(pool, &program, "no-such-card", gel(100), "r-5", now).await;
        assert!(
            matches!(nobody, Err(PurchaseError::CardNotFound)),
            "{nobody:?}"
        );

        let c = card_json(&t, &token, &card).await;
        assert_eq!(c["balance"], 582 + 50 + 119);
        assert_eq!(c["pending"], Value::Array(vec![]));
        let tier = &c["tier"];
        assert_eq!(tier["name"], "Silver");
        assert_eq!(tier["rank"], 1);
        assert_eq!(tier["multiplier_percent"], 125);
        // The money paid counts: 582.00 + 95.94.
        assert_eq!(tier["qualifying"], 67_794);
        assert_eq!(tier["perks"][0], "Free refill");
        assert_eq!(tier["next"]["name"], "Gold");
        assert_eq!(tier["next"]["remaining"], 150_000 - 67_794);
        assert_eq!(tier["keep"], Value::Null);
        assert_eq!(c["discount"]["kind"], "tier");
        assert_eq!(c["discount"]["rate_bp"], 500);
        assert_eq!(c["next_reward"], Value::Null);

        let h = t
            .get(&format!("/api/v1/cards/{card}/history"), Some(&token))
            .await;
        assert_eq!(h.status, StatusCode::OK, "{}", h.text);
        let entries = h.body["entries"].as_array().unwrap();
        let lines: Vec<(&str, i64)> = entries
            .iter()
            .map(|e| (e["kind"].as_str().unwrap(), e["points"].as_i64().unwrap()))
            .collect();
        assert_eq!(lines, [("earned", 119), ("welcome", 50), ("earned", 582)]);
        assert_eq!(entries[0]["spend_minor"], 9_594);
        assert_eq!(entries[0]["place"], "Vake Park");
        assert_eq!(entries[0]["at"], now - 9 * DAY);
        assert_eq!(h.body["next_cursor"], Value::Null);
    })
    .await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn a_purchase_retried_concurrently_is_recorded_once() {
    each_engine(|t| async move {
        let (token, card) = t.customer("retry@example.com").await;
        let program = Arc::new(program(&t));
        let now = now_ms();
        let mut retries = tokio::task::JoinSet::new();
        for _ in 0..10 {
            let (pool, program, card) = (
                t.state.store.pool_for_checks().clone(),
                program.clone(),
                card.clone(),
            );
            retries.spawn(async move {
                buy(&pool, &program, &card, gel(2_000), "till-7", now - DAY).await
            });
        }
        let results = retries.join_all().await;
        let recorded = results
            .iter()
            .filter(|r| matches!(r, Ok(r) if !r.replayed))
            .count();
        let replayed = results
            .iter()
            .filter(|r| matches!(r, Ok(r) if r.replayed))
            .count();
        assert_eq!((recorded, replayed), (1, 9), "{results:?}");
        let c = card_json(&t, &token, &card).await;
        assert_eq!(c["balance"], 0);
        // 20.00 at Red's 3 % off: 19.40 paid, 19 points.
        assert_eq!(
            c["pending"][0]["points"],
            19 + 50,
            "pending for three days: {c}"
        );
        assert_eq!(c["tier"]["qualifying"], 1_940, "the money paid, once");
    })
    .await;
}

#[tokio::test]
async fn a_card_shows_pending_and_expiring_points_by_day_as_of_now() {
    each_engine(|t| async move {
        let (token, card) = t.customer("dates@example.com").await;
        let (pool, program) = (t.state.store.pool_for_checks(), program(&t));
        let tz = program.tz();
        let now = now_ms();

        // Bought an hour ago: pending until the start of the local day three days on.
        buy(pool, &program, &card, gel(4_000), "p-1", now - 3_600_000).await.unwrap();

        let mut tx = pool.begin().await.unwrap();
        let lot = |reference, points, earned_at: i64, available_at, expires_at| {
            let addition = Addition {
                kind: EntryKind::Adjusted,
                points,
                reason: "goodwill",
                reference,
                available_at,
                expires_at,
                place: None,
                spend_minor: None,
            };
            (addition, earned_at)
        };
        let soon = calendar::day_start_after(tz, now, 5);
        for (addition, at) in [
            // Two lots ending on the same local day make one line; one after 30 days is not listed.
            lot("a", 7, now - DAY, now - DAY, Some(soon)),
            lot("b", 8, now - DAY, now - DAY, Some(soon - 2 * 3_600_000)),
            lot("c", 9, now - DAY, now - DAY, Some(calendar::day_start_after(tz, now, 40))),
            // Matured since it was written (no settlement ran): spendable now.
            lot("d", 11, now - 5 * DAY, now - DAY, None),
            // Expired since it was written: gone now.
            lot("e", 13, now - 10 * DAY, now - 10 * DAY, Some(now - DAY)),
        ] {
            ledger::add(&mut tx, &card, &addition, at).await.unwrap();
        }
        tx.commit().await.unwrap();

        let c = card_json(&t, &token, &card).await;
        assert_eq!(c["balance"], 7 + 8 + 9 + 11, "matured in, expired out: {c}");
        let pending_at = calendar::available_at(tz, now - 3_600_000, 3);
        assert_eq!(
            c["pending"],
            // 40.00 at Red's 3 % off: 38.80 paid, 38 points, and the welcome bonus.
            serde_json::json!([{ "at": pending_at, "date": calendar::day_of(tz, pending_at), "points": 38 + 50 }])
        );
        assert_eq!(
            c["expiring"],
            serde_json::json!([{ "at": soon - 2 * 3_600_000, "date": calendar::last_day_before(tz, soon), "points": 15 }])
        );
        // The wallet shows the same card.
        let w = t.get("/api/v1/wallet", Some(&token)).await;
        assert_eq!(w.body["cards"][0], c);
    })
    .await;
}

#[tokio::test]
async fn history_pages_newest_first_by_cursor_and_only_for_the_owner() {
    each_engine(|t| async move {
        let (token, card) = t.customer("history@example.com").await;
        let pool = t.state.store.pool_for_checks();
        let now = now_ms();
        let mut tx = pool.begin().await.unwrap();
        for i in 1..=45 {
            let reference = format!("h-{i}");
            let addition = Addition {
                kind: EntryKind::Adjusted,
                points: i,
                reason: "goodwill",
                reference: &reference,
                available_at: now - DAY,
                expires_at: None,
                place: None,
                spend_minor: None,
            };
            ledger::add(&mut tx, &card, &addition, now - DAY)
                .await
                .unwrap();
        }
        tx.commit().await.unwrap();

        let path = format!("/api/v1/cards/{card}/history");
        let mut seen = Vec::new();
        let mut cursor: Option<String> = None;
        let mut pages = 0;
        loop {
            let url = match &cursor {
                Some(c) => format!("{path}?cursor={c}"),
                None => path.clone(),
            };
            let page = t.get(&url, Some(&token)).await;
            assert_eq!(page.status, StatusCode::OK, "{}", page.text);
            pages += 1;
            let entries = page.body["entries"].as_array().unwrap();
            assert!(entries.len() <= 20);
            seen.extend(entries.iter().map(|e| e["points"].as_i64().unwrap()));
            match page.body["next_cursor"].as_str() {
                Some(next) => cursor = Some(next.to_owned()),
                None => break,
            }
        }
        assert_eq!(pages, 3);
        assert_eq!(
            seen,
            (1..=45).rev().collect::<Vec<i64>>(),
            "every entry once, newest first"
        );

        for bad in ["abc", "0", "-5", "1e3"] {
            let r = t.get(&format!("{path}?cursor={bad}"), Some(&token)).await;
            assert_eq!(
                r.refusal(),
                (StatusCode::BAD_REQUEST, ErrorCode::InvalidQuery),
                "{bad}: {}",
                r.text
            );
        }
        let other = t.register("other@example.com").await;
        let r = t.get(&path, Some(&other)).await;
        assert_eq!(r.status, StatusCode::NOT_FOUND, "another customer's card");
        let r = t.get("/api/v1/cards/nope/history", Some(&token)).await;
        assert_eq!(r.status, StatusCode::NOT_FOUND);
        assert_eq!(t.get(&path, None).await.status, StatusCode::UNAUTHORIZED);
    })
    .await;
}
