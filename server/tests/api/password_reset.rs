//! A forgotten password over HTTP on both engines, with a real SMTP conversation: the link
//! arrives at a mail sink the test runs, sets a new password once (every session ends), and
//! stops working when used or expired; an address without an account gets the same answer and
//! no mail; asking is counted; without a mail server resetting is off and says whom to ask.

use crate::common::*;
use axum::http::StatusCode;
use serde_json::json;
use std::sync::{Arc, Mutex};
use std::time::Duration;
use tessera_core::api::{ErrorCode, PasswordResetInfo};
use tessera_server::mail::Mailer;
use tokio::io::{AsyncBufReadExt, AsyncWriteExt, BufReader};

const PASSWORD: &str = "correct horse battery";
const NEW_PASSWORD: &str = "a brand new passphrase";

/// An SMTP server that keeps what it is sent (each message's text), on a free local port.
struct MailSink {
    url: String,
    messages: Arc<Mutex<Vec<String>>>,
}

impl MailSink {
    async fn start() -> MailSink {
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
        let url = format!("smtp://{}", listener.local_addr().unwrap());
        let messages = Arc::new(Mutex::new(Vec::new()));
        let kept = messages.clone();
        tokio::spawn(async move {
            while let Ok((stream, _)) = listener.accept().await {
                tokio::spawn(converse(stream, kept.clone()));
            }
        });
        MailSink { url, messages }
    }

    /// The messages received to `to`, once there are `count` of them (within 10 s).
    async fn received(&self, to: &str, count: usize) -> Vec<String> {
        for _ in 0..200 {
            let to_them: Vec<String> = self
                .messages
                .lock()
                .unwrap()
                .iter()
                .filter(|m| m.contains(&format!("To: {to}")))
                .cloned()
                .collect();
            if to_them.len() >= count {
                return to_them;
            }
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
        panic!(
            "no {count} message(s) to {to}: {:?}",
            self.messages.lock().unwrap()
        );
    }

    fn all(&self) -> Vec<String> {
        self.messages.lock().unwrap().clone()
    }
}

/// One SMTP conversation (RFC 5321's few commands a client sends), keeping each message.
async fn converse(stream: tokio::net::TcpStream, kept: Arc<Mutex<Vec<String>>>) {
    let (read, mut write) = stream.into_split();
    let mut lines = BufReader::new(read).lines();
    let _ = write.write_all(b"220 sink ESMTP\r\n").await;
    while let Ok(Some(line)) = lines.next_line().await {
        let command = line.to_ascii_uppercase();
        let reply: &[u8] = if command.starts_with("EHLO") || command.starts_with("HELO") {
            b"250 sink\r\n"
        } else if command.starts_with("DATA") {
            let _ = write.write_all(b"354 go on\r\n").await;
            let mut message = String::new();
            while let Ok(Some(line)) = lines.next_line().await {
                if line == "." {
                    break;
                }
                message.push_str(&line);
                message.push('\n');
            }
            kept.lock().unwrap().push(message);
            b"250 kept\r\n"
        } else if command.starts_with("QUIT") {
            let _ = write.write_all(b"221 bye\r\n").await;
            return;
        } else {
            b"250 ok\r\n"
        };
        if write.write_all(reply).await.is_err() {
            return;
        }
    }
}

/// A setup with the sink as the mail server.
fn with_mail(sink: &MailSink) -> Setup {
    Setup {
        mail: Some(Arc::new(
            Mailer::new(
                &sink.url,
                "Tessera <no-reply@tessera.example>",
                "https://wallet.test/",
            )
            .unwrap(),
        )),
        ..Setup::default()
    }
}

/// The token in a reset message's link (the body is quoted-printable: long lines are broken
/// with `=` at their end, and `=` itself is written `=3D`).
fn token_in(message: &str) -> String {
    let message = message.replace("=\n", "").replace("=3D", "=");
    let link = message
        .split_whitespace()
        .find(|w| w.starts_with("https://wallet.test/reset#token="))
        .unwrap_or_else(|| panic!("no link in {message}"));
    link.trim_start_matches("https://wallet.test/reset#token=")
        .to_owned()
}

async fn ask(t: &TestApp, email: &str) -> Reply {
    t.post(
        "/api/v1/auth/password-reset",
        None,
        json!({ "email": email }),
    )
    .await
}

async fn confirm(t: &TestApp, token: &str) -> Reply {
    t.post(
        "/api/v1/auth/password-reset/confirm",
        None,
        json!({ "token": token, "new_password": NEW_PASSWORD }),
    )
    .await
}

#[tokio::test]
async fn a_link_by_email_sets_a_new_password_once_and_ends_every_session() {
    let sink = &MailSink::start().await;
    each_engine_with(with_mail(sink), |t| async move {
        let email = format!("nino-{:?}@example.com", t.engine).to_lowercase();
        let token = t.register(&email).await;
        assert_eq!(ask(&t, &email).await.status, StatusCode::ACCEPTED);
        let message = sink.received(&email, 1).await.remove(0);
        assert!(
            message.contains("Subject: Set a new Tessera password"),
            "{message}"
        );
        let link = token_in(&message);

        assert_eq!(confirm(&t, &link).await.status, StatusCode::NO_CONTENT);
        assert_eq!(
            t.get("/api/v1/me", Some(&token)).await.status,
            StatusCode::UNAUTHORIZED
        );
        assert_eq!(
            t.login(&email, PASSWORD).await.refusal().1,
            ErrorCode::InvalidCredentials
        );
        assert_eq!(t.login(&email, NEW_PASSWORD).await.status, StatusCode::OK);
        // Used once.
        assert_eq!(
            confirm(&t, &link).await.refusal(),
            (
                StatusCode::UNPROCESSABLE_ENTITY,
                ErrorCode::ResetLinkInvalid
            )
        );
    })
    .await;
}

#[tokio::test]
async fn an_expired_or_made_up_link_is_refused() {
    let sink = &MailSink::start().await;
    each_engine_with(with_mail(sink), |t| async move {
        let email = format!("late-{:?}@example.com", t.engine).to_lowercase();
        t.register(&email).await;
        ask(&t, &email).await;
        let link = token_in(&sink.received(&email, 1).await[0]);
        sqlx::query("UPDATE password_resets SET expires_at = 0")
            .execute(t.state.store.pool_for_checks())
            .await
            .unwrap();
        assert_eq!(
            confirm(&t, &link).await.refusal().1,
            ErrorCode::ResetLinkInvalid
        );
        assert_eq!(
            confirm(&t, "made-up").await.refusal().1,
            ErrorCode::ResetLinkInvalid
        );
        assert_eq!(
            t.login(&email, PASSWORD).await.status,
            StatusCode::OK,
            "unchanged"
        );
    })
    .await;
}

#[tokio::test]
async fn an_address_without_an_account_gets_the_same_answer_and_no_mail() {
    let sink = &MailSink::start().await;
    each_engine_with(with_mail(sink), |t| async move {
        let known = format!("known-{:?}@example.com", t.engine).to_lowercase();
        let stranger = format!("nobody-{:?}@example.com", t.engine).to_lowercase();
        t.register(&known).await;
        let unknown = ask(&t, &stranger).await;
        assert_eq!(unknown.status, StatusCode::ACCEPTED);
        assert_eq!(ask(&t, &known).await.status, StatusCode::ACCEPTED);
        // The known address's mail arrives; none went to the stranger's, asked first.
        sink.received(&known, 1).await;
        assert!(!sink.all().iter().any(|m| m.contains(&stranger)));
    })
    .await;
}

#[tokio::test]
async fn asking_for_one_address_is_counted() {
    let sink = &MailSink::start().await;
    each_engine_with(with_mail(sink), |t| async move {
        let email = format!("busy-{:?}@example.com", t.engine).to_lowercase();
        let statuses: Vec<StatusCode> =
            futures_util::future::join_all((0..5).map(|_| ask(&t, &email)))
                .await
                .into_iter()
                .map(|r| r.status)
                .collect();
        assert_eq!(
            statuses
                .iter()
                .filter(|s| **s == StatusCode::ACCEPTED)
                .count(),
            3,
            "{statuses:?}"
        );
        assert_eq!(
            statuses
                .iter()
                .filter(|s| **s == StatusCode::TOO_MANY_REQUESTS)
                .count(),
            2
        );
    })
    .await;
}

#[tokio::test]
async fn without_a_mail_server_resetting_is_off_and_says_whom_to_ask() {
    each_engine(|t| async move {
        let info: PasswordResetInfo = t
            .get("/api/v1/auth/password-reset", None)
            .await
            .decode(StatusCode::OK);
        assert!(!info.available);
        assert!(info.contact.unwrap().contains("help@tessera.example"));
        assert_eq!(
            ask(&t, "nino@example.com").await.refusal().1,
            ErrorCode::NotFound
        );
    })
    .await;
}
