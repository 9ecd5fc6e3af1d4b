use crate::common::*;
use axum::http::StatusCode;
use tessera_server::demo;

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
        eprintln!("{}", serde_json::to_string_pretty(&wallet.body).unwrap());

        let real = t.register("real@example.com").await;
        assert_eq!(demo::remove(&t.state).await.unwrap(), 1);
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
