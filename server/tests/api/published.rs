//! The texts published to everyone over HTTP: the terms and the privacy notice, with their
//! version and date, without signing in, in the language asked for where the configuration has
//! one (English otherwise).

use crate::common::*;
use axum::http::StatusCode;
use tessera_core::api::{Privacy, Terms};

fn with_georgian_terms() -> Setup {
    let config = DEMO_CONFIG.replacen(
        "text = \"\"\"\nTessera keeps your loyalty cards",
        "text.ka = \"ტესერა ინახავს თქვენს ბარათებს.\"\ntext.en = \"\"\"\nTessera keeps your loyalty cards",
        1,
    );
    assert_ne!(config, DEMO_CONFIG, "the demo's terms text moved");
    Setup {
        config,
        ..Setup::default()
    }
}

#[tokio::test]
async fn the_terms_and_the_privacy_notice_are_read_without_signing_in() {
    each_engine(|t| async move {
        let terms: Terms = t.get("/api/v1/terms", None).await.decode(StatusCode::OK);
        assert_eq!(
            (terms.version.as_str(), terms.updated.as_str()),
            (TERMS, "2026-11-01")
        );
        assert!(
            terms.text.starts_with("Tessera keeps your loyalty cards"),
            "{}",
            terms.text
        );
        let privacy: Privacy = t.get("/api/v1/privacy", None).await.decode(StatusCode::OK);
        assert_eq!(privacy.updated, "2026-11-15");
        assert!(
            privacy.text.contains("Backups are kept for 30 days"),
            "{}",
            privacy.text
        );
    })
    .await;
}

#[tokio::test]
async fn a_text_comes_in_the_language_asked_for_else_in_english() {
    each_engine_with(with_georgian_terms(), |t| async move {
        let text = |lang: &'static str| {
            let t = &t;
            async move {
                t.get(&format!("/api/v1/terms{lang}"), None)
                    .await
                    .decode::<Terms>(StatusCode::OK)
                    .text
            }
        };
        assert_eq!(text("?lang=ka").await, "ტესერა ინახავს თქვენს ბარათებს.");
        assert!(text("?lang=lv").await.starts_with("Tessera keeps"));
        assert!(text("").await.starts_with("Tessera keeps"));
        assert!(text("?lang=%FF&lang=x").await.starts_with("Tessera keeps"));
    })
    .await;
}
