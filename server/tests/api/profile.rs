//! The customer's own details over HTTP on both engines: changing name, phone, language and the
//! marketing choice (`PATCH /me`), the consent history that keeps every change with its time and
//! version, and changing the password (the current one checked; other sessions end).

use crate::common::*;
use axum::http::StatusCode;
use serde_json::json;
use tessera_core::api::{Consent, ConsentKind, Consents, ErrorCode, Profile};
use tessera_core::validation::FieldCode;

const PASSWORD: &str = "correct horse battery";

async fn consents(t: &TestApp, token: &str) -> Vec<Consent> {
    t.get("/api/v1/me/consents", Some(token))
        .await
        .decode::<Consents>(StatusCode::OK)
        .consents
}

/// The kinds and choices of `history`, the newest first.
fn choices(history: &[Consent]) -> Vec<(ConsentKind, bool)> {
    history.iter().map(|c| (c.kind, c.granted)).collect()
}

#[tokio::test]
async fn each_given_field_changes_and_the_others_stay() {
    each_engine(|t| async move {
        let token = t.register("nino@example.com").await;
        let me: Profile = t
            .patch(
                "/api/v1/me",
                Some(&token),
                json!({ "display_name": "  Nino B. ", "preferred_language": "ka" }),
            )
            .await
            .decode(StatusCode::OK);
        assert_eq!(me.display_name, "Nino B.");
        assert_eq!(me.preferred_language.as_deref(), Some("ka"));
        assert_eq!(me.phone.as_deref(), Some("+995555123456"), "untouched");

        let me: Profile = t
            .patch(
                "/api/v1/me",
                Some(&token),
                json!({ "phone": "(+371) 2000-0000", "preferred_language": "" }),
            )
            .await
            .decode(StatusCode::OK);
        assert_eq!(me.phone.as_deref(), Some("+37120000000"));
        assert_eq!(me.preferred_language, None, "back to the device's");
        assert_eq!(me.display_name, "Nino B.");

        let me: Profile = t
            .patch("/api/v1/me", Some(&token), json!({ "phone": " " }))
            .await
            .decode(StatusCode::OK);
        assert_eq!(me.phone, None, "removed");
        let read: Profile = t
            .get("/api/v1/me/profile", Some(&token))
            .await
            .decode(StatusCode::OK);
        assert_eq!(read, me);
    })
    .await;
}

#[tokio::test]
async fn an_invalid_field_is_named_and_nothing_changes() {
    each_engine(|t| async move {
        let token = t.register("nino@example.com").await;
        let r = t
            .patch(
                "/api/v1/me",
                Some(&token),
                json!({ "display_name": "Someone else", "phone": "call me", "preferred_language": "xx" }),
            )
            .await;
        assert_eq!(r.refusal(), (StatusCode::UNPROCESSABLE_ENTITY, ErrorCode::Validation));
        let fields: Vec<(String, FieldCode)> =
            r.invalid_fields().into_iter().map(|f| (f.field, f.code)).collect();
        assert_eq!(
            fields,
            [
                ("phone".to_owned(), FieldCode::PhoneInvalid),
                ("preferred_language".to_owned(), FieldCode::Invalid)
            ]
        );
        let me: Profile = t.get("/api/v1/me/profile", Some(&token)).await.decode(StatusCode::OK);
        assert_eq!(me.display_name, "Nino");

        let blank = t
            .patch("/api/v1/me", Some(&token), json!({ "display_name": "   " }))
            .await;
        assert_eq!(blank.invalid_fields()[0].code, FieldCode::Required);
        let typed = t
            .patch("/api/v1/me", Some(&token), json!({ "marketing_opt_in": "yes" }))
            .await;
        assert_eq!(typed.refusal(), (StatusCode::UNPROCESSABLE_ENTITY, ErrorCode::InvalidBody));
        let anonymous = t.patch("/api/v1/me", None, json!({ "display_name": "X" })).await;
        assert_eq!(anonymous.refusal().1, ErrorCode::Unauthenticated);
    })
    .await;
}

#[tokio::test]
async fn joining_keeps_the_terms_and_choices_accepted_with_their_versions() {
    each_engine(|t| async move {
        let token = t.register("nino@example.com").await;
        let history = consents(&t, &token).await;
        let account = history
            .iter()
            .find(|c| c.kind == ConsentKind::AccountTerms)
            .expect("Tessera's terms");
        assert_eq!(account.version.as_deref(), Some(TERMS));
        let program = history
            .iter()
            .find(|c| c.kind == ConsentKind::ProgramTerms)
            .expect("the open program's terms");
        assert_eq!(program.program_id.as_deref(), Some("mziuri"));
        assert_eq!(program.program_name.as_deref(), Some("Mziuri Coffee"));
        assert!(program.version.is_some());
        assert!(history.contains(&Consent {
            kind: ConsentKind::Marketing,
            program_id: None,
            program_name: None,
            version: None,
            granted: false,
            at: account.at,
        }));
    })
    .await;
}

#[tokio::test]
async fn every_marketing_change_is_kept_and_a_repeat_is_not_a_change() {
    each_engine(|t| async move {
        let token = t.register("nino@example.com").await;
        let before = consents(&t, &token).await.len();
        for opt_in in [true, true, false] {
            let me: Profile = t
                .patch(
                    "/api/v1/me",
                    Some(&token),
                    json!({ "marketing_opt_in": opt_in }),
                )
                .await
                .decode(StatusCode::OK);
            assert_eq!(me.marketing_opt_in, opt_in);
        }
        let history = consents(&t, &token).await;
        assert_eq!(history.len(), before + 2, "{history:?}");
        assert_eq!(
            choices(&history[..2]),
            [
                (ConsentKind::Marketing, false),
                (ConsentKind::Marketing, true)
            ]
        );
    })
    .await;
}

#[tokio::test]
async fn the_same_marketing_choice_sent_at_once_is_kept_once() {
    each_engine(|t| async move {
        let token = t.register("nino@example.com").await;
        let before = consents(&t, &token).await.len();
        let body = json!({ "marketing_opt_in": true });
        let sends = (0..6).map(|_| t.patch("/api/v1/me", Some(&token), body.clone()));
        for reply in futures_util::future::join_all(sends).await {
            assert_eq!(reply.status, StatusCode::OK, "{}", reply.text);
        }
        assert_eq!(consents(&t, &token).await.len(), before + 1);
    })
    .await;
}

#[tokio::test]
async fn a_customer_sees_only_their_own_consents() {
    each_engine(|t| async move {
        let nino = t.register("nino@example.com").await;
        let other = t.register("other@example.com").await;
        t.patch(
            "/api/v1/me",
            Some(&other),
            json!({ "marketing_opt_in": true }),
        )
        .await
        .decode::<Profile>(StatusCode::OK);
        let history = consents(&t, &nino).await;
        assert!(!history
            .iter()
            .any(|c| c.granted && c.kind == ConsentKind::Marketing));
        assert_eq!(
            t.get("/api/v1/me/consents", None).await.refusal().1,
            ErrorCode::Unauthenticated
        );
    })
    .await;
}

#[tokio::test]
async fn a_new_password_needs_the_current_one_and_ends_the_other_sessions() {
    each_engine(|t| async move {
        let here = t.register("nino@example.com").await;
        let elsewhere = t
            .login("nino@example.com", PASSWORD)
            .await
            .body["token"]
            .as_str()
            .unwrap()
            .to_owned();

        let wrong = t
            .post(
                "/api/v1/me/password",
                Some(&here),
                json!({ "current_password": "not the one", "new_password": "a new long passphrase" }),
            )
            .await;
        assert_eq!(wrong.refusal().1, ErrorCode::InvalidCredentials);
        let short = t
            .post(
                "/api/v1/me/password",
                Some(&here),
                json!({ "current_password": PASSWORD, "new_password": "short" }),
            )
            .await;
        assert_eq!(short.invalid_fields()[0].code, FieldCode::PasswordTooShort);
        assert_eq!(t.get("/api/v1/me/profile", Some(&elsewhere)).await.status, StatusCode::OK);

        let changed = t
            .post(
                "/api/v1/me/password",
                Some(&here),
                json!({ "current_password": PASSWORD, "new_password": "a new long passphrase" }),
            )
            .await;
        assert_eq!(changed.status, StatusCode::NO_CONTENT, "{}", changed.text);
        assert_eq!(t.get("/api/v1/me/profile", Some(&here)).await.status, StatusCode::OK);
        assert_eq!(
            t.get("/api/v1/me/profile", Some(&elsewhere)).await.status,
            StatusCode::UNAUTHORIZED
        );
        assert_eq!(
            t.login("nino@example.com", PASSWORD).await.refusal().1,
            ErrorCode::InvalidCredentials
        );
        assert_eq!(
            t.login("nino@example.com", "a new long passphrase").await.status,
            StatusCode::OK
        );
    })
    .await;
}

#[tokio::test]
async fn wrong_current_passwords_are_counted_like_sign_ins() {
    each_engine(|t| async move {
        let token = t.register("nino@example.com").await;
        let body =
            json!({ "current_password": "guess guess", "new_password": "a new long passphrase" });
        let mut refusals = Vec::new();
        for _ in 0..6 {
            refusals.push(
                t.post("/api/v1/me/password", Some(&token), body.clone())
                    .await
                    .refusal()
                    .1,
            );
        }
        assert!(refusals.contains(&ErrorCode::RateLimited), "{refusals:?}");
        // Five wrong guesses from one network cut it off, as five wrong sign-ins would.
        assert_eq!(
            t.login("nino@example.com", PASSWORD).await.refusal().1,
            ErrorCode::RateLimited
        );
    })
    .await;
}
