use crate::common::*;
use axum::http::StatusCode;
use serde_json::Value;
use tessera_server::{calendar, demo, store::now_ms};

/// The demo card has earned, spent, expired, pending and soon-expiring points and is part way to
/// the next tier: every part of the card screen has something to show.
async fn assert_demo_card_shows_everything(t: &TestApp, token: &str, card: &Value) {
    assert!(card["balance"].as_i64().unwrap() > 500, "{card}");
    assert!(!card["pending"].as_array().unwrap().is_empty(), "{card}");
    let tz = t.state.config.programs[0].tz();
    let now = now_ms();
    let month_end = calendar::month_start(tz, calendar::month_of(tz, now) + 1);
    if month_end - now <= 30 * 86_400_000 {
        assert!(!card["expiring"].as_array().unwrap().is_empty(), "{card}");
    }
    assert_eq!(card["tier"]["name"], "Silver");
    assert_eq!(card["tier"]["next"]["name"], "Gold");
    assert!(card["tier"]["next"]["remaining"].as_i64().unwrap() > 0);
    assert_eq!(card["discount"]["rate_bp"], 500);

    let path = format!("/api/v1/cards/{}/history", card["id"].as_str().unwrap());
    let first = t.get(&path, Some(token)).await;
    assert!(first.body["next_cursor"].is_string(), "more than a page");
    let mut kinds: Vec<String> = Vec::new();
    let mut page = first.body;
    loop {
        kinds.extend(
            page["entries"]
                .as_array()
                .unwrap()
                .iter()
                .map(|e| e["kind"].as_str().unwrap().to_owned()),
        );
        let Some(next) = page["next_cursor"].as_str() else {
            break;
        };
        page = t
            .get(&format!("{path}?cursor={next}"), Some(token))
            .await
            .body;
    }
    for kind in ["earned", "welcome", "spent", "expired"] {
        assert!(
            kinds.iter().any(|k| k == kind),
            "no {kind} entry in {kinds:?}"
        );
    }
}

#[tokio::test]
async fn the_demo_customer_exists_only_while_the_demo_is_loaded() {
    each_engine(|t| async move {
        demo::load(&t.state).await.unwrap();
        demo::load(&t.state).await.unwrap(); // a second start changes nothing
        let r = t.login(demo::DEMO_EMAIL, demo::DEMO_PASSWORD).await;
        assert_eq!(r.status, StatusCode::OK, "{}", r.text);
        let token = r.body["token"].as_str().unwrap().to_owned();
        let wallet = t.get("/api/v1/wallet", Some(&token)).await;
        assert_eq!(wallet.body["cards"].as_array().unwrap().len(), 1);
        assert_demo_card_shows_everything(&t, &token, &wallet.body["cards"][0]).await;

        let real = t.register("real@example.com").await;
        assert_eq!(
            demo::remove(&t.state).await.unwrap(),
            2,
            "the customer and the friend"
        );
        assert_eq!(
            t.get("/api/v1/me", Some(&token)).await.status,
            StatusCode::UNAUTHORIZED
        );
        let r = t.login(demo::DEMO_EMAIL, demo::DEMO_PASSWORD).await;
        assert_eq!(r.status, StatusCode::UNAUTHORIZED);
        assert_eq!(
            t.get("/api/v1/me", Some(&real)).await.status,
            StatusCode::OK,
            "real accounts stay"
        );
    })
    .await;
}

#[tokio::test]
async fn the_demo_customer_is_part_way_to_the_tasters_whose_member_friend_can_invite() {
    use tessera_core::api::{ClubState, ClubWithCard, Clubs};
    use tessera_core::club::RuleKind;
    each_engine(|t| async move {
        demo::load(&t.state).await.unwrap();
        demo::load(&t.state).await.unwrap();
        let token = t.login(demo::DEMO_EMAIL, demo::DEMO_PASSWORD).await.body["token"]
            .as_str()
            .unwrap()
            .to_owned();
        let card = t.first_card(&token).await;
        let clubs: Clubs = t
            .get(&format!("/api/v1/cards/{card}/clubs"), Some(&token))
            .await
            .decode(StatusCode::OK);
        let tasters = clubs.clubs.iter().find(|c| c.id == "tasters").unwrap();
        assert_eq!(tasters.state, ClubState::NotEligible);
        // Everyday coffees every 9 days, the last two days' purchases, and one on the 20th of
        // last month when that was within 30 days: 4 or 5 of 6.
        let recent = tasters.rules[0];
        assert_eq!(
            (recent.kind, recent.required),
            (RuleKind::RecentPurchases, 6)
        );
        assert!((4..=5).contains(&recent.current), "{recent:?}");
        assert!(tasters.rules[1].met(), "GEL 200 spent long ago");

        let friend = t.login(demo::FRIEND_EMAIL, demo::DEMO_PASSWORD).await.body["token"]
            .as_str()
            .unwrap()
            .to_owned();
        let invited: ClubWithCard = t
            .post(
                "/api/v1/programs/mziuri/clubs/tasters/invitations",
                Some(&friend),
                Value::Null,
            )
            .await
            .decode(StatusCode::CREATED);
        assert_eq!(invited.club.state, ClubState::Member);
        assert_eq!(invited.club.invitations.len(), 1);
    })
    .await;
}
