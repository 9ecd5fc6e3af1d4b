//! The customer's sessions over HTTP on both engines: the list (device, this one marked),
//! ending one (another customer's is unreachable) or every other, and "I lost my phone" from a
//! signed-in device and from the sign-in screen: the lost phone's session, its codes and the
//! tickets a till made from them are refused from then on.

use crate::common::*;
use crate::till::{cashier, identified_by_code, identify_by_code, member, now_step, till_write};
use axum::http::{Method, StatusCode};
use serde_json::{json, Value};
use tessera_core::api::{CheckoutSecret, ErrorCode, Session, Sessions, SessionsEnded};
use tessera_core::checkout::{scanned_code, CardSecret};

const PIXEL: &str = "Mozilla/5.0 (Linux; Android 14; Pixel 8) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/131.0.0.0 Mobile Safari/537.36";
const MAC: &str =
    "Mozilla/5.0 (Macintosh; Intel Mac OS X 10.15; rv:133.0) Gecko/20100101 Firefox/133.0";

/// Signs `email` in (password of `registration`) from a browser saying `agent`; the token.
async fn sign_in_from(t: &TestApp, path: &str, email: &str, agent: &str) -> Reply {
    let body = json!({ "email": email, "password": registration(email)["password"] });
    let mut req = request(
        Method::POST,
        path,
        None,
        body.to_string().into(),
        Some("application/json"),
    );
    req.headers_mut()
        .insert("user-agent", agent.parse().unwrap());
    t.send(req).await
}

async fn token_from(t: &TestApp, email: &str, agent: &str) -> String {
    sign_in_from(t, "/api/v1/auth/login", email, agent)
        .await
        .decode::<Session>(StatusCode::OK)
        .token
}

async fn sessions(t: &TestApp, token: &str) -> Sessions {
    t.get("/api/v1/me/sessions", Some(token))
        .await
        .decode(StatusCode::OK)
}

async fn end(t: &TestApp, token: &str, id: &str) -> Reply {
    t.send(request(
        Method::DELETE,
        &format!("/api/v1/me/sessions/{id}"),
        Some(token),
        axum::body::Body::empty(),
        None,
    ))
    .await
}

/// Whether `token` still opens the customer's endpoints.
async fn signed_in(t: &TestApp, token: &str) -> bool {
    match t.get("/api/v1/me", Some(token)).await.status {
        StatusCode::OK => true,
        StatusCode::UNAUTHORIZED => false,
        other => panic!("/me answered {other}"),
    }
}

#[tokio::test]
async fn the_list_names_each_sessions_device_and_marks_this_one() {
    each_engine(|t| async move {
        t.register("two@example.com").await;
        let phone = token_from(&t, "two@example.com", PIXEL).await;
        let laptop = token_from(&t, "two@example.com", MAC).await;
        let listed = sessions(&t, &laptop).await.sessions;
        // Joining's session (no user agent), the phone's and the laptop's, the last used first.
        assert_eq!(listed.len(), 3, "{listed:?}");
        let devices: Vec<(Option<&str>, Option<&str>, bool)> = listed
            .iter()
            .map(|s| (s.browser.as_deref(), s.system.as_deref(), s.current))
            .collect();
        assert!(devices.contains(&(Some("Firefox"), Some("macOS"), true)));
        assert!(devices.contains(&(Some("Chrome"), Some("Android"), false)));
        assert!(devices.contains(&(None, None, false)));
        assert_eq!(listed.iter().filter(|s| s.current).count(), 1);
        assert!(listed
            .windows(2)
            .all(|w| w[0].last_used_at >= w[1].last_used_at));
        // Another customer sees only their own.
        let other = t.register("other@example.com").await;
        assert_eq!(sessions(&t, &other).await.sessions.len(), 1);
        assert!(signed_in(&t, &phone).await);
        let anonymous = t.get("/api/v1/me/sessions", None).await;
        assert_eq!(anonymous.status, StatusCode::UNAUTHORIZED);
    })
    .await;
}

#[tokio::test]
async fn ending_a_session_signs_it_out_and_another_customers_is_unreachable() {
    each_engine(|t| async move {
        let first = t.register("owner@example.com").await;
        let phone = token_from(&t, "owner@example.com", PIXEL).await;
        let stranger = t.register("stranger@example.com").await;
        let phones_id = sessions(&t, &phone)
            .await
            .sessions
            .into_iter()
            .find(|s| s.current)
            .unwrap()
            .id;
        // The stranger cannot end it, and learns nothing: the same answer as an unknown id.
        let refused = end(&t, &stranger, &phones_id).await;
        assert_eq!(
            refused.refusal(),
            (StatusCode::NOT_FOUND, ErrorCode::NotFound)
        );
        let unknown = end(&t, &stranger, "0123456789abcdef0123456789abcdef").await;
        assert_eq!(unknown.refusal(), refused.refusal());
        assert!(signed_in(&t, &phone).await);

        assert_eq!(
            end(&t, &first, &phones_id).await.status,
            StatusCode::NO_CONTENT
        );
        assert!(
            !signed_in(&t, &phone).await,
            "the ended session's token is refused"
        );
        assert!(signed_in(&t, &first).await);
        assert_eq!(
            end(&t, &first, &phones_id).await.status,
            StatusCode::NOT_FOUND
        );
    })
    .await;
}

#[tokio::test]
async fn ending_every_other_session_keeps_this_one() {
    each_engine(|t| async move {
        let here = t.register("many@example.com").await;
        let a = token_from(&t, "many@example.com", PIXEL).await;
        let b = token_from(&t, "many@example.com", MAC).await;
        let other = t.register("bystander@example.com").await;
        let ended: SessionsEnded = t
            .post("/api/v1/me/sessions/end-others", Some(&here), Value::Null)
            .await
            .decode(StatusCode::OK);
        assert_eq!(ended.ended, 2);
        assert!(!signed_in(&t, &a).await && !signed_in(&t, &b).await);
        assert!(signed_in(&t, &here).await);
        assert!(
            signed_in(&t, &other).await,
            "another customer's sessions stay"
        );
        assert_eq!(sessions(&t, &here).await.sessions.len(), 1);
    })
    .await;
}

#[tokio::test]
async fn a_lost_phones_code_and_its_tickets_are_refused_once_reported() {
    each_engine(|t| async move {
        // The phone that will be lost holds a checkout secret; a till scanned it a moment ago.
        let lost = member(&t, "lost@example.com").await;
        let till = cashier(&t).await;
        let found = identified_by_code(&t, &till, &lost.code(now_step() - 1)).await;
        let here = token_from(&t, "lost@example.com", MAC).await;
        // This device, in the customer's hand, keeps its own secret.
        let kept: CheckoutSecret = t
            .post(
                &format!("/api/v1/cards/{}/checkout-secret", lost.card),
                Some(&here),
                Value::Null,
            )
            .await
            .decode(StatusCode::OK);
        let key = CardSecret(hex::decode(&kept.secret).unwrap().try_into().unwrap());

        let ended: SessionsEnded = t
            .post("/api/v1/me/lost-phone", Some(&here), Value::Null)
            .await
            .decode(StatusCode::OK);
        assert_eq!(ended.ended, 1);
        assert_eq!(ended.secrets_revoked, 1);
        assert!(!signed_in(&t, &lost.token).await);
        assert!(signed_in(&t, &here).await);
        // Its next code is refused, and so is the ticket the till made from its last one.
        let scanned = identify_by_code(&t, &till, &lost.code(now_step())).await;
        assert_eq!(
            scanned.error_body().error,
            ErrorCode::CodeInvalid,
            "{}",
            scanned.text
        );
        let sale = json!({ "ticket": found.ticket, "amount_minor": 1_000, "points": 0 });
        let bought = till_write(&t, "/api/v1/till/purchases", &till, Some("after"), sale).await;
        assert_eq!(
            bought.error_body().error,
            ErrorCode::TicketInvalid,
            "{}",
            bought.text
        );
        let own = scanned_code(&key, "mziuri", &kept.card_number, now_step() + 1);
        identified_by_code(&t, &till, &own).await;
    })
    .await;
}

#[tokio::test]
async fn the_sign_in_screens_lost_phone_needs_the_password_and_signs_this_device_in() {
    each_engine(|t| async move {
        let lost = member(&t, "gone@example.com").await;
        let till = cashier(&t).await;
        let wrong = {
            let body = json!({ "email": "gone@example.com", "password": "not the password" });
            t.post("/api/v1/auth/lost-phone", None, body).await
        };
        assert_eq!(
            wrong.refusal(),
            (StatusCode::UNAUTHORIZED, ErrorCode::InvalidCredentials)
        );
        assert!(
            signed_in(&t, &lost.token).await,
            "a wrong password changes nothing"
        );

        let session: Session =
            sign_in_from(&t, "/api/v1/auth/lost-phone", "gone@example.com", PIXEL)
                .await
                .decode(StatusCode::OK);
        assert!(signed_in(&t, &session.token).await);
        assert!(!signed_in(&t, &lost.token).await);
        let listed = sessions(&t, &session.token).await.sessions;
        assert_eq!(listed.len(), 1);
        assert_eq!(listed[0].browser.as_deref(), Some("Chrome"));
        let scanned = identify_by_code(&t, &till, &lost.code(now_step())).await;
        assert_eq!(
            scanned.error_body().error,
            ErrorCode::CodeInvalid,
            "{}",
            scanned.text
        );
    })
    .await;
}
