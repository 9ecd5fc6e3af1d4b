//! The reader's language: configured texts (clubs, rewards, a closed program's questionnaire)
//! in the language a request asks for (`Accept-Language`, which the wallet sets to its own),
//! the program's where the configuration has none; and the language kept on the account.

use crate::common::*;
use axum::body::Body;
use axum::http::{header, Method, StatusCode};
use serde_json::json;
use tessera_core::api::{Clubs, FieldCode, Profile, Rewards, SignedIn};

/// `GET path` asking for `language`.
async fn get_in(t: &TestApp, path: &str, token: &str, language: &str) -> Reply {
    let mut req = request(Method::GET, path, Some(token), Body::empty(), None);
    req.headers_mut()
        .insert(header::ACCEPT_LANGUAGE, language.parse().unwrap());
    t.send(req).await
}

async fn clubs_in(t: &TestApp, token: &str, language: &str) -> Clubs {
    let card = t.first_card(token).await;
    get_in(t, &format!("/api/v1/cards/{card}/clubs"), token, language)
        .await
        .decode(StatusCode::OK)
}

fn named<'a>(clubs: &'a Clubs, id: &str) -> (&'a str, &'a str) {
    let club = clubs.clubs.iter().find(|c| c.id == id).unwrap();
    (&club.name, &club.description)
}

#[tokio::test]
async fn clubs_are_listed_in_the_readers_language_else_the_programs() {
    each_engine(|t| async move {
        let token = t.register("nino@example.com").await;
        let georgian = clubs_in(&t, &token, "ka-GE,ka;q=0.9,en;q=0.8").await;
        assert_eq!(
            named(&georgian, "morning"),
            (
                "დილის კლუბი",
                "ადრე ამდგარებისთვის: ნამცხვარი ყოველ ყავასთან ცხრა საათამდე."
            )
        );
        // The Bean subscription's description has no Georgian: the program's English.
        assert!(named(&georgian, "beans").1.starts_with("A bag of beans"));
        let german = clubs_in(&t, &token, "de-DE").await;
        assert_eq!(named(&german, "morning").0, "Morning club");
    })
    .await;
}

#[tokio::test]
async fn the_catalog_is_in_the_readers_language() {
    each_engine(|t| async move {
        let token = t.register("nino@example.com").await;
        let title = |rewards: &Rewards, id: &str| {
            rewards
                .rewards
                .iter()
                .find(|r| r.id == id)
                .map(|r| r.title.clone())
                .unwrap()
        };
        let path = "/api/v1/programs/mziuri/rewards";
        let georgian: Rewards = get_in(&t, path, &token, "ka").await.decode(StatusCode::OK);
        assert_eq!(title(&georgian, "croissant"), "კარაქის კრუასანი");
        let english: Rewards = t.get(path, Some(&token)).await.decode(StatusCode::OK);
        assert_eq!(title(&english, "croissant"), "A butter croissant");
    })
    .await;
}

#[tokio::test]
async fn the_language_joined_in_is_kept_and_given_back_at_sign_in() {
    each_engine(|t| async move {
        let mut body = registration("nino@example.com");
        body["preferred_language"] = json!("sr-Latn");
        let joined: SignedIn = t.join(body).await.decode(StatusCode::CREATED);
        assert_eq!(joined.preferred_language.as_deref(), Some("sr-Latn"));
        let signed_in: SignedIn = t
            .login("nino@example.com", "correct horse battery")
            .await
            .decode(StatusCode::OK);
        assert_eq!(signed_in.preferred_language.as_deref(), Some("sr-Latn"));
        let profile: Profile = t
            .get("/api/v1/me/profile", Some(&signed_in.token))
            .await
            .decode(StatusCode::OK);
        assert_eq!(profile.preferred_language.as_deref(), Some("sr-Latn"));
    })
    .await;
}

#[tokio::test]
async fn a_language_the_wallet_does_not_speak_is_refused_at_joining() {
    each_engine(|t| async move {
        let mut body = registration("nino@example.com");
        body["preferred_language"] = json!("tlh");
        let reply = t.join(body).await;
        assert_eq!(reply.status, StatusCode::UNPROCESSABLE_ENTITY);
        assert!(reply
            .invalid_fields()
            .iter()
            .any(|f| f.field == "preferred_language" && f.code == FieldCode::Invalid));
    })
    .await;
}
