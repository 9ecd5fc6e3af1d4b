//! The rewards catalog, redeeming and vouchers, over HTTP on both engines.

use crate::common::*;
use axum::body::Body;
use axum::extract::ConnectInfo;
use axum::http::{Method, Request, StatusCode};
use http_body_util::BodyExt;
use serde_json::Value;
use tessera_core::api::{Card, ErrorCode, Rewards, VoucherStatus, VoucherWithCard, Vouchers};
use tessera_server::config::ProgramConfig;
use tessera_server::store::ledger::{self, Addition};
use tower::ServiceExt;

const DAY: i64 = 86_400_000;

/// The demo's catalog with `reward`'s line `from` made `to` (e.g. a stock of one).
fn catalog_with(from: &str, to: &str) -> Setup {
    let config = DEMO_CONFIG.replace(from, to);
    assert_ne!(config, DEMO_CONFIG, "{from} is in the demo file");
    ProgramConfig::parse(&config).unwrap();
    Setup {
        config,
        ..Setup::default()
    }
}

/// Gives the card `points` spendable now, expiring at `expires_at` (a goodwill gift: no
/// purchase).
pub(crate) async fn give(
    t: &TestApp,
    card: &str,
    points: i64,
    reference: &str,
    expires_at: Option<i64>,
) {
    let now = tessera_server::store::now_ms();
    let mut tx = t.state.store.pool_for_checks().begin().await.unwrap();
    let gift = Addition {
        kind: tessera_core::points::EntryKind::Adjusted,
        points,
        reason: "goodwill",
        reference,
        available_at: now - DAY,
        expires_at,
        place: None,
        spend_minor: None,
    };
    ledger::add(&mut tx, card, &gift, now - DAY).await.unwrap();
    tx.commit().await.unwrap();
}

fn redeem_request(token: &str, reward: &str, key: &str) -> Request<Body> {
    let mut req = request(
        Method::POST,
        &format!("/api/v1/programs/mziuri/rewards/{reward}/redeem"),
        Some(token),
        Body::empty(),
        None,
    );
    req.headers_mut()
        .insert("idempotency-key", key.parse().unwrap());
    req
}

async fn redeem(t: &TestApp, token: &str, reward: &str, key: &str) -> Reply {
    t.send(redeem_request(token, reward, key)).await
}

/// The requests sent at once, each on its own task: their statuses and bodies.
async fn at_once(t: &TestApp, requests: Vec<Request<Body>>) -> Vec<(StatusCode, Value)> {
    let mut tasks = tokio::task::JoinSet::new();
    for mut req in requests {
        req.extensions_mut().insert(ConnectInfo(t.address));
        let app = t.app.clone();
        tasks.spawn(async move {
            let res = app.oneshot(req).await.unwrap();
            let status = res.status();
            let bytes = res.into_body().collect().await.unwrap().to_bytes();
            (
                status,
                serde_json::from_slice(&bytes).unwrap_or(Value::Null),
            )
        });
    }
    tasks.join_all().await
}

async fn vouchers(t: &TestApp, token: &str) -> Vouchers {
    t.get("/api/v1/vouchers", Some(token))
        .await
        .decode(StatusCode::OK)
}

async fn card(t: &TestApp, token: &str, card: &str) -> Card {
    t.get(&format!("/api/v1/cards/{card}"), Some(token))
        .await
        .decode(StatusCode::OK)
}

#[tokio::test]
async fn the_catalog_puts_what_the_member_can_redeem_first_and_says_why_not_for_the_rest() {
    each_engine(|t| async move {
        let (token, card) = t.customer("browser@example.com").await;
        give(&t, &card, 160, "gift", None).await;
        let rewards: Rewards = t
            .get("/api/v1/programs/mziuri/rewards", Some(&token))
            .await
            .decode(StatusCode::OK);
        let line = |id: &str| rewards.rewards.iter().find(|r| r.id == id).unwrap();
        let order: Vec<&str> = rewards.rewards.iter().map(|r| r.id.as_str()).collect();
        assert_eq!(
            &order[..3],
            ["extra-shot", "croissant", "coffee"],
            "{order:?}"
        );
        assert_eq!(line("coffee").refusal, None);
        assert_eq!(
            line("five-off").refusal,
            Some(ErrorCode::InsufficientPoints)
        );
        assert_eq!(line("five-off").missing_points, 90);
        assert_eq!(line("tasting").refusal, Some(ErrorCode::NotEligible));
        assert_eq!(line("mug").refusal, Some(ErrorCode::OutOfStock));
        assert_eq!(line("mug").stock_left, Some(0));
        assert_eq!(line("croissant").partners, ["Mziuri Bakery"]);
        assert_eq!(line("croissant").picture, "/rewards/croissant.svg");
        assert_eq!(rewards.partners.len(), 2);

        // Only a program the member has a card in.
        let other = t.get("/api/v1/programs/cinema/rewards", Some(&token)).await;
        assert_eq!(
            other.refusal(),
            (StatusCode::NOT_FOUND, ErrorCode::NotFound)
        );
    })
    .await;
}

#[tokio::test]
async fn redeeming_spends_the_points_and_issues_a_voucher_the_member_sees() {
    each_engine(|t| async move {
        let (token, card_id) = t.customer("redeemer@example.com").await;
        give(&t, &card_id, 100, "gift", None).await;
        let redeemed: VoucherWithCard = redeem(&t, &token, "extra-shot", "r-1")
            .await
            .decode(StatusCode::CREATED);
        assert_eq!(redeemed.card.balance, 25);
        let voucher = &redeemed.voucher;
        assert_eq!(voucher.status, VoucherStatus::Active);
        assert_eq!(voucher.code.len(), 10);
        assert_eq!(
            (voucher.cost, voucher.title.as_str()),
            (75, "An extra shot")
        );
        assert!(voucher.expires_at > voucher.issued_at + 30 * DAY);
        // Shown at the till as a QR code the wallet keeps with the answer.
        assert!(voucher
            .qr
            .as_deref()
            .is_some_and(|qr| qr.starts_with("data:image/svg+xml;base64,")));
        assert_eq!(
            vouchers(&t, &token).await.vouchers,
            std::slice::from_ref(voucher)
        );
        assert_eq!(card(&t, &token, &card_id).await.balance, 25);

        // Not enough left for another; the refusal says how many are missing.
        let again = redeem(&t, &token, "extra-shot", "r-2").await;
        assert_eq!(
            again.refusal(),
            (
                StatusCode::UNPROCESSABLE_ENTITY,
                ErrorCode::InsufficientPoints
            )
        );
        assert!(
            again.error_body().message.contains("50 more points"),
            "{}",
            again.text
        );
    })
    .await;
}

#[tokio::test]
async fn a_double_tapped_redeem_issues_one_voucher() {
    each_engine(|t| async move {
        let (token, card_id) = t.customer("tapper@example.com").await;
        give(&t, &card_id, 500, "gift", None).await;
        let answers = at_once(
            &t,
            (0..3)
                .map(|_| redeem_request(&token, "extra-shot", "tap-1"))
                .collect(),
        )
        .await;
        assert!(
            answers.iter().all(|(s, _)| *s == StatusCode::CREATED),
            "{answers:?}"
        );
        assert!(answers.iter().all(|(_, body)| body == &answers[0].1));
        assert_eq!(vouchers(&t, &token).await.vouchers.len(), 1);
        assert_eq!(card(&t, &token, &card_id).await.balance, 425);
    })
    .await;
}

#[tokio::test]
async fn the_last_one_in_stock_goes_to_exactly_one_of_twenty_concurrent_redeemers() {
    let setup = catalog_with("stock = 0\n", "stock = 1\n");
    each_engine_with(setup, |t| async move {
        let mut requests = Vec::new();
        let mut tokens = Vec::new();
        for i in 0..20 {
            let (token, card) = t.customer(&format!("rush{i}@example.com")).await;
            give(&t, &card, 1_000, "gift", None).await;
            requests.push(redeem_request(&token, "mug", "mug-1"));
            tokens.push(token);
        }
        let answers = at_once(&t, requests).await;
        let issued = answers
            .iter()
            .filter(|(s, _)| *s == StatusCode::CREATED)
            .count();
        let refused = answers
            .iter()
            .filter(|(s, body)| *s == StatusCode::CONFLICT && body["error"] == "out_of_stock")
            .count();
        assert_eq!((issued, refused), (1, 19), "{answers:?}");
        let mut held = 0;
        for token in &tokens {
            held += vouchers(&t, token).await.vouchers.len();
        }
        assert_eq!(held, 1, "vouchers issued against a stock of one");
    })
    .await;
}

#[tokio::test]
async fn the_members_monthly_limit_holds_under_concurrent_redeems() {
    each_engine(|t| async move {
        let (token, card_id) = t.customer("limited@example.com").await;
        give(&t, &card_id, 2_000, "gift", None).await;
        // Any coffee: twice a month.
        let requests = (0..6)
            .map(|i| redeem_request(&token, "coffee", &format!("coffee-{i}")))
            .collect();
        let answers = at_once(&t, requests).await;
        let issued = answers
            .iter()
            .filter(|(s, _)| *s == StatusCode::CREATED)
            .count();
        let limited = answers
            .iter()
            .filter(|(_, body)| body["error"] == "limit_reached")
            .count();
        assert_eq!((issued, limited), (2, 4), "{answers:?}");
        assert_eq!(card(&t, &token, &card_id).await.balance, 2_000 - 2 * 150);
    })
    .await;
}

#[tokio::test]
async fn a_reward_for_other_members_or_unknown_is_refused_and_spends_nothing() {
    each_engine(|t| async move {
        let (token, card_id) = t.customer("red@example.com").await;
        give(&t, &card_id, 1_000, "gift", None).await;
        let gold = redeem(&t, &token, "tasting", "t-1").await;
        assert_eq!(
            gold.refusal(),
            (StatusCode::FORBIDDEN, ErrorCode::NotEligible)
        );
        let unknown = redeem(&t, &token, "yacht", "t-2").await;
        assert_eq!(
            unknown.refusal(),
            (StatusCode::NOT_FOUND, ErrorCode::NotFound)
        );
        let no_key = t
            .post(
                "/api/v1/programs/mziuri/rewards/coffee/redeem",
                Some(&token),
                Value::Null,
            )
            .await;
        assert_eq!(
            no_key.refusal(),
            (StatusCode::BAD_REQUEST, ErrorCode::IdempotencyKeyRequired)
        );
        assert_eq!(card(&t, &token, &card_id).await.balance, 1_000);
        assert!(vouchers(&t, &token).await.vouchers.is_empty());
    })
    .await;
}

#[tokio::test]
async fn cancelling_a_voucher_gives_its_points_back_with_their_expiry_and_returns_its_stock() {
    let setup = catalog_with("stock = 0\n", "stock = 1\n");
    each_engine_with(setup, |t| async move {
        let (token, card_id) = t.customer("canceller@example.com").await;
        let soon = tessera_server::store::now_ms() + 10 * DAY;
        give(&t, &card_id, 600, "soon", Some(soon)).await;
        give(&t, &card_id, 600, "later", None).await;
        let before = card(&t, &token, &card_id).await;
        let redeemed: VoucherWithCard = redeem(&t, &token, "mug", "m-1")
            .await
            .decode(StatusCode::CREATED);
        // The points that expire soonest went first.
        assert_eq!(redeemed.card.balance, 300);
        assert!(
            redeemed.card.expiring.is_empty(),
            "{:?}",
            redeemed.card.expiring
        );

        let path = format!("/api/v1/vouchers/{}/cancel", redeemed.voucher.id);
        // Another member's voucher is not found.
        let (stranger, _) = t.customer("stranger@example.com").await;
        let theirs = t.post(&path, Some(&stranger), Value::Null).await;
        assert_eq!(
            theirs.refusal(),
            (StatusCode::NOT_FOUND, ErrorCode::NotFound)
        );

        let cancelled: VoucherWithCard = t
            .post(&path, Some(&token), Value::Null)
            .await
            .decode(StatusCode::OK);
        assert_eq!(cancelled.voucher.status, VoucherStatus::Cancelled);
        assert_eq!(
            cancelled.voucher.qr, None,
            "an ended voucher has no code to show"
        );
        assert_eq!(cancelled.card.balance, before.balance);
        assert_eq!(
            cancelled.card.expiring, before.expiring,
            "back with their expiry"
        );
        let twice = t.post(&path, Some(&token), Value::Null).await;
        assert_eq!(
            twice.refusal(),
            (StatusCode::CONFLICT, ErrorCode::VoucherCancelled)
        );
        // Its stock is back: the mug can be redeemed again.
        let again = redeem(&t, &token, "mug", "m-2").await;
        assert_eq!(again.status, StatusCode::CREATED, "{}", again.text);
    })
    .await;
}

#[tokio::test]
async fn a_card_shows_the_cheapest_reward_the_member_can_work_towards() {
    each_engine(|t| async move {
        let (token, card_id) = t.customer("saver@example.com").await;
        let goal = card(&t, &token, &card_id).await.next_reward.unwrap();
        assert_eq!(
            (goal.name.as_str(), goal.points, goal.remaining),
            ("An extra shot", 75, 75)
        );
        give(&t, &card_id, 100, "gift", None).await;
        let goal = card(&t, &token, &card_id).await.next_reward.unwrap();
        assert_eq!(
            (goal.name.as_str(), goal.remaining),
            ("A butter croissant", 20)
        );
        // Nothing the member may redeem is out of reach: no goal (Gold's tasting is not theirs,
        // the mug is out of stock).
        give(&t, &card_id, 1_000, "more", None).await;
        assert_eq!(card(&t, &token, &card_id).await.next_reward, None);
    })
    .await;
}
