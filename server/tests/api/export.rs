//! "Download my data" over HTTP on both engines: the JSON export holds exactly the customer's
//! rows (every ledger entry, purchases, vouchers, consents) and no one else's, and no secret;
//! the ledger's CSV has a row per entry, with text that would start a spreadsheet formula kept
//! as text; more exports at once than there are places are refused with `server_busy`.

use crate::common::*;
use crate::till::{bought, checkout, count, Checkout};
use axum::body::Body;
use axum::http::{Method, StatusCode};
use serde_json::Value;
use tessera_core::api::ErrorCode;
use tower::ServiceExt;

/// A customer with two purchases at the till and a goodwill entry whose reason would start a
/// formula: their checkout and session token.
async fn shopper(t: &TestApp, email: &str) -> (Checkout, String) {
    let at = checkout(t, email).await;
    bought(t, &at, &format!("{email}-1"), 1_500).await;
    bought(t, &at, &format!("{email}-2"), 2_500).await;
    let now = tessera_server::store::now_ms();
    let mut tx = t.state.store.pool_for_checks().begin().await.unwrap();
    let odd = tessera_server::store::ledger::Addition {
        kind: tessera_core::points::EntryKind::Adjusted,
        points: 7,
        reason: "=HYPERLINK(\"http://x\")",
        reference: "odd",
        available_at: now,
        expires_at: None,
        place: None,
        spend_minor: None,
    };
    tessera_server::store::ledger::add(&mut tx, &at.card, &odd, now)
        .await
        .unwrap();
    tx.commit().await.unwrap();
    let token = t.login(email, "correct horse battery").await.body["token"]
        .as_str()
        .unwrap()
        .to_owned();
    (at, token)
}

#[tokio::test]
async fn the_export_holds_every_row_of_the_customer_and_no_one_elses() {
    each_engine(|t| async move {
        let (mine, token) = shopper(&t, "nino@example.com").await;
        let (theirs, _) = shopper(&t, "other@example.com").await;
        let reply = t.get("/api/v1/me/export", Some(&token)).await;
        assert_eq!(reply.status, StatusCode::OK, "{}", reply.text);
        assert!(reply.headers["content-disposition"]
            .to_str()
            .unwrap()
            .starts_with("attachment"));
        let export: Value = serde_json::from_str(&reply.text).expect("one JSON document");
        assert_eq!(export["format"], "tessera-export/1");
        assert_eq!(export["profile"]["email"], "nino@example.com");
        let cards = export["cards"].as_array().unwrap();
        assert_eq!(cards.len(), 1);
        assert_eq!(cards[0]["id"], mine.card.as_str());
        let entries = count(
            &t,
            "SELECT COUNT(*) FROM ledger_entries WHERE card_id = $1",
            &mine.card,
        )
        .await;
        assert_eq!(cards[0]["ledger"].as_array().unwrap().len() as i64, entries);
        assert_eq!(cards[0]["purchases"].as_array().unwrap().len(), 2);
        assert!(!export["consents"].as_array().unwrap().is_empty());
        assert!(!export["sessions"].as_array().unwrap().is_empty());
        // Nobody else's, and no secret.
        for absent in [
            theirs.card.as_str(),
            "other@example.com",
            "password",
            "token",
            "secret",
        ] {
            assert!(!reply.text.contains(absent), "the export holds {absent}");
        }
    })
    .await;
}

#[tokio::test]
async fn the_ledger_csv_has_a_row_per_entry_and_formulas_stay_text() {
    each_engine(|t| async move {
        let (mine, token) = shopper(&t, "nino@example.com").await;
        let reply = t.get("/api/v1/me/export/ledger.csv", Some(&token)).await;
        assert_eq!(reply.status, StatusCode::OK, "{}", reply.text);
        assert!(reply.headers["content-type"]
            .to_str()
            .unwrap()
            .starts_with("text/csv"));
        let lines: Vec<&str> = reply.text.lines().collect();
        assert_eq!(
            lines[0],
            "program,card,seq,time_utc,kind,points,reason,place,spend_minor"
        );
        let entries = count(
            &t,
            "SELECT COUNT(*) FROM ledger_entries WHERE card_id = $1",
            &mine.card,
        )
        .await;
        assert_eq!(lines.len() as i64 - 1, entries);
        assert!(
            lines
                .iter()
                .any(|l| l.contains("\"'=HYPERLINK(\"\"http://x\"\")\"")),
            "{}",
            reply.text
        );
    })
    .await;
}

#[tokio::test]
async fn an_export_needs_a_session() {
    each_engine(|t| async move {
        for path in ["/api/v1/me/export", "/api/v1/me/export/ledger.csv"] {
            assert_eq!(
                t.get(path, None).await.refusal().1,
                ErrorCode::Unauthenticated
            );
        }
    })
    .await;
}

#[tokio::test]
async fn more_exports_at_once_than_places_are_refused_as_busy() {
    let setup = Setup {
        exports: tessera_server::export::Exports::new(1),
        ..Setup::default()
    };
    each_engine_with(setup, |t| async move {
        let (_, token) = shopper(&t, "nino@example.com").await;
        let export = || {
            request(
                Method::GET,
                "/api/v1/me/export",
                Some(&token),
                Body::empty(),
                None,
            )
        };
        // The first is answered and its body not read yet: it holds the one place.
        let held = t.app.clone().oneshot(export()).await.unwrap();
        assert_eq!(held.status(), StatusCode::OK);
        let busy = t.send(export()).await;
        assert_eq!(
            busy.refusal(),
            (StatusCode::SERVICE_UNAVAILABLE, ErrorCode::ServerBusy)
        );
        assert!(busy.headers.contains_key("retry-after"));
        // Read to its end, it gives the place back.
        let body = http_body_util::BodyExt::collect(held.into_body())
            .await
            .unwrap();
        serde_json::from_slice::<Value>(&body.to_bytes()).expect("the whole document");
        let again = t.send(export()).await;
        assert_eq!(again.status, StatusCode::OK, "{}", again.text);
    })
    .await;
}
