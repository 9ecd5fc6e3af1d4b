use crate::common::*;
use axum::http::StatusCode;
use tessera_core::api::{ErrorCode, Wallet};

#[tokio::test]
async fn joining_enrols_in_every_open_program_once() {
    let config = format!(
        "{DEMO_CONFIG}\n[[programs]]\nid = \"bakery\"\nname = \"Bakery\"\ncurrency = \"EUR\"\n\
         point_name = \"stamps\"\ntime_zone = \"Europe/Riga\"\nenrolment = \"closed\"\nentry = {{ approval = true }}\nterms_version = \"v2\"\n"
    );
    let setup = Setup {
        config,
        ..Setup::default()
    };
    each_engine_with(setup, |t| async move {
        let token = t.register("cards@example.com").await;
        let r = t.get("/api/v1/wallet", Some(&token)).await;
        assert_eq!(r.status, StatusCode::OK, "{}", r.text);
        let cards = r.body["cards"].as_array().unwrap();
        assert_eq!(cards.len(), 1, "closed programs do not enrol: {cards:?}");
        let card = &cards[0];
        assert_eq!(card["program_id"], "mziuri");
        assert_eq!(card["program_name"], "Mziuri Coffee");
        assert_eq!(card["point_name"], "points");
        assert_eq!(card["currency"], "GEL");
        assert_eq!(card["balance"], 0);
        assert_eq!(card["terms_version"], "2026-11-01");
        assert!(card["enrolled_at"].as_i64().unwrap() > 0);

        let id = card["id"].as_str().unwrap();
        let one = t.get(&format!("/api/v1/cards/{id}"), Some(&token)).await;
        assert_eq!(one.status, StatusCode::OK);
        assert_eq!(&one.body, card);
    })
    .await;
}

#[tokio::test]
async fn another_customers_card_is_not_found() {
    each_engine(|t| async move {
        let (_, alice_card) = t.customer("alice@example.com").await;
        let bob = t.register("bob@example.com").await;

        let r = t
            .get(&format!("/api/v1/cards/{alice_card}"), Some(&bob))
            .await;
        assert_eq!(r.refusal(), (StatusCode::NOT_FOUND, ErrorCode::NotFound));
        let unknown = t.get("/api/v1/cards/no-such-card", Some(&bob)).await;
        assert_eq!(unknown.status, StatusCode::NOT_FOUND);
        assert_eq!(
            r.body, unknown.body,
            "someone else's card looks like no card"
        );

        let bobs: Wallet = t
            .get("/api/v1/wallet", Some(&bob))
            .await
            .decode(StatusCode::OK);
        assert!(bobs.cards.iter().all(|c| c.id != alice_card));
        assert_eq!(bobs.cards.len(), 1);
    })
    .await;
}

#[tokio::test]
async fn card_endpoints_need_a_session() {
    each_engine(|t| async move {
        assert_eq!(
            t.get("/api/v1/wallet", None).await.status,
            StatusCode::UNAUTHORIZED
        );
        assert_eq!(
            t.get("/api/v1/cards/x", None).await.status,
            StatusCode::UNAUTHORIZED
        );
    })
    .await;
}
