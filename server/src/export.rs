//! "Download my data" (issue 16): `GET /me/export`, one JSON document with everything kept about
//! the customer (profile, consents, sessions, applications, and each card with its ledger,
//! purchases, vouchers and clubs), and `GET /me/export/ledger.csv`, every ledger entry as a
//! spreadsheet row.
//!
//! Written as it is read: a task reads the tables in short keyset pages (`store::export`, each
//! page its own query, so no read transaction stays open) and sends each page into a small
//! channel the response body drains, so memory stays a few pages whatever the history, and a
//! client that stops reading stops the reading ([`STALLED`] later, the export ends). At most
//! [`Exports`]' places run at once; another is refused with `server_busy` and `Retry-After`.

use crate::auth::session::CustomerSession;
use crate::error::{ApiError, ApiResult};
use crate::openapi::refusals::{refusals, SIGNED_IN};
use crate::state::AppState;
use crate::store::export::{self, Cursor, Section};
use crate::store::{Store, StoreError};
use axum::body::Body;
use axum::extract::State;
use axum::http::header;
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use axum::Router;
use bytes::Bytes;
use serde_json::{Map, Value};
use std::sync::Arc;
use std::time::Duration;
use tessera_core::api::ErrorCode;
use tokio::sync::{mpsc, OwnedSemaphorePermit, Semaphore};

pub fn router() -> Router<AppState> {
    Router::new()
        .route("/me/export", get(json))
        .route("/me/export/ledger.csv", get(ledger_csv))
}

/// Rows read per query.
const PAGE: i64 = 500;
/// Bytes gathered before they are sent on.
const CHUNK: usize = 64 * 1024;
/// How long the client may leave a chunk untaken before the export gives up on it.
const STALLED: Duration = Duration::from_secs(30);
/// The format of the JSON document, so a reader knows what it holds.
const FORMAT: &str = "tessera-export/1";

/// The places for exports running at once (one server's): each reads a customer's whole
/// history, so a burst of them must not take the database from the tills.
#[derive(Clone)]
pub struct Exports(Arc<Semaphore>);

impl Exports {
    /// At most `places` exports at once.
    pub fn new(places: usize) -> Self {
        Exports(Arc::new(Semaphore::new(places)))
    }

    fn admit(&self) -> ApiResult<OwnedSemaphorePermit> {
        self.0.clone().try_acquire_owned().map_err(|_| {
            let mut busy = ApiError::busy();
            busy.retry_after_secs = Some(10);
            busy.message = "Other downloads are running. Please try again in a moment.".into();
            busy
        })
    }
}

impl Default for Exports {
    /// Two at once.
    fn default() -> Self {
        Exports::new(2)
    }
}

refusals! {
    ExportRefusals = SIGNED_IN, &[ErrorCode::ServerBusy]
}

/// Everything kept about the signed-in customer, as one JSON document (`format`,
/// `exported_at`, `profile`, `consents`, `sessions`, `program_applications`, `cards`, each
/// card with its `ledger`, `purchases`, `vouchers`, `club_memberships`, `club_applications`,
/// `invitation_codes` and `club_fees`); times are UTC unix milliseconds, money minor units.
#[utoipa::path(get, path = "/api/v1/me/export", tag = "accounts", security(("bearer" = [])),
    responses((status = 200, content_type = "application/json", description = "The export"),
        ExportRefusals))]
pub async fn json(State(state): State<AppState>, session: CustomerSession) -> ApiResult<Response> {
    download(&state, session, Format::Json)
}

/// Every ledger entry of the signed-in customer's cards, one CSV row each (`program`, `card`,
/// `seq`, `time_utc`, `kind`, `points`, `reason`, `place`, `spend_minor`).
#[utoipa::path(get, path = "/api/v1/me/export/ledger.csv", tag = "accounts",
    security(("bearer" = [])),
    responses((status = 200, content_type = "text/csv", description = "The ledger"),
        ExportRefusals))]
pub async fn ledger_csv(
    State(state): State<AppState>,
    session: CustomerSession,
) -> ApiResult<Response> {
    download(&state, session, Format::LedgerCsv)
}

/// What an export writes.
#[derive(Clone, Copy)]
enum Format {
    Json,
    LedgerCsv,
}

/// Starts writing `format` for the customer of `session` into a response (once a place is
/// free), the task holding the place until the body ends.
fn download(state: &AppState, session: CustomerSession, format: Format) -> ApiResult<Response> {
    let permit = state.exports.admit()?;
    let (sink, body) = Sink::new();
    let store = state.store.clone();
    tokio::spawn(async move {
        // Declared after the sink, so dropped before it: the place is free once the body ends.
        let mut sink = sink;
        let _permit = permit;
        let customer = &session.customer_id;
        let written = match format {
            Format::Json => write_json(&store, customer, &mut sink).await,
            Format::LedgerCsv => write_csv(&store, customer, &mut sink).await,
        };
        if let Err(error) = written {
            sink.fail(error).await;
        }
    });
    Ok(match format {
        Format::Json => response(body, "application/json", "tessera-export.json"),
        Format::LedgerCsv => response(body, "text/csv; charset=utf-8", "tessera-ledger.csv"),
    })
}

/// A download's response: never cached, saved under `name`.
fn response(body: Body, content_type: &'static str, name: &str) -> Response {
    (
        [
            (header::CONTENT_TYPE, content_type.to_owned()),
            (
                header::CONTENT_DISPOSITION,
                format!("attachment; filename=\"{name}\""),
            ),
            (header::CACHE_CONTROL, "no-store".to_owned()),
        ],
        body,
    )
        .into_response()
}

/// Why an export stopped before its end.
#[derive(Debug, thiserror::Error)]
enum Stopped {
    #[error(transparent)]
    Store(#[from] StoreError),
    /// The client went away, or took nothing for [`STALLED`].
    #[error("the client stopped reading")]
    Gone,
    #[error("csv: {0}")]
    Csv(#[from] csv::Error),
}

/// The response body's writing end: bytes gathered into chunks and sent to the body.
struct Sink {
    buffer: Vec<u8>,
    sender: mpsc::Sender<Result<Bytes, std::io::Error>>,
}

impl Sink {
    fn new() -> (Sink, Body) {
        // Two chunks in flight: the reading waits for the client beyond that.
        let (sender, receiver) = mpsc::channel(2);
        let body = Body::from_stream(tokio_stream::wrappers::ReceiverStream::new(receiver));
        let sink = Sink {
            buffer: Vec::with_capacity(CHUNK),
            sender,
        };
        (sink, body)
    }

    async fn write(&mut self, bytes: &[u8]) -> Result<(), Stopped> {
        self.buffer.extend_from_slice(bytes);
        if self.buffer.len() >= CHUNK {
            self.flush().await?;
        }
        Ok(())
    }

    async fn flush(&mut self) -> Result<(), Stopped> {
        if self.buffer.is_empty() {
            return Ok(());
        }
        let chunk = Bytes::from(std::mem::replace(
            &mut self.buffer,
            Vec::with_capacity(CHUNK),
        ));
        match tokio::time::timeout(STALLED, self.sender.send(Ok(chunk))).await {
            Ok(Ok(())) => Ok(()),
            _ => Err(Stopped::Gone),
        }
    }

    /// Ends the body with an error, so the client sees a broken download, not a short one
    /// that looks whole (the status was sent already).
    async fn fail(self, error: Stopped) {
        if !matches!(error, Stopped::Gone) {
            tracing::error!(%error, "export failed");
        }
        let broken = std::io::Error::other("export failed");
        let _ = tokio::time::timeout(STALLED, self.sender.send(Err(broken))).await;
    }
}

async fn write_json(store: &Store, customer_id: &str, sink: &mut Sink) -> Result<(), Stopped> {
    let head = serde_json::json!({
        "format": FORMAT,
        "exported_at": crate::store::now_ms(),
    })
    .to_string();
    // The head's fields, then one field per section.
    sink.write(head.trim_end_matches('}').as_bytes()).await?;
    sink.write(b",\"profile\":").await?;
    let profile = export::page(
        store,
        &export::PROFILE,
        customer_id,
        &mut Cursor::default(),
        1,
    )
    .await?
    .pop()
    .map_or(Value::Null, Value::Object);
    sink.write(profile.to_string().as_bytes()).await?;
    for section in &export::OF_CUSTOMER {
        sink.write(format!(",\"{}\":", section.name).as_bytes())
            .await?;
        write_array(store, section, customer_id, sink).await?;
    }
    sink.write(b",\"cards\":[").await?;
    let mut cards = Cursor::default();
    let mut first = true;
    loop {
        let page = export::page(store, &export::CARDS, customer_id, &mut cards, PAGE).await?;
        if page.is_empty() {
            break;
        }
        for card in page {
            let id = card_id(&card)?;
            let mut fields = Value::Object(card).to_string();
            fields.pop(); // its closing brace: the card's sections follow
            sink.write(if first { b"" } else { b"," }).await?;
            first = false;
            sink.write(fields.as_bytes()).await?;
            for section in &export::OF_CARD {
                sink.write(format!(",\"{}\":", section.name).as_bytes())
                    .await?;
                write_array(store, section, &id, sink).await?;
            }
            sink.write(b"}").await?;
        }
    }
    sink.write(b"]}").await?;
    sink.flush().await
}

/// The card's id, from its row.
fn card_id(card: &Map<String, Value>) -> Result<String, Stopped> {
    card.get(export::CARD_ID)
        .and_then(Value::as_str)
        .map(str::to_owned)
        .ok_or_else(|| StoreError::Invariant("a card without an id".into()).into())
}

/// Every row of `section` owned by `owner`, as a JSON array, page by page.
async fn write_array(
    store: &Store,
    section: &Section,
    owner: &str,
    sink: &mut Sink,
) -> Result<(), Stopped> {
    sink.write(b"[").await?;
    let mut cursor = Cursor::default();
    let mut first = true;
    loop {
        let page = export::page(store, section, owner, &mut cursor, PAGE).await?;
        if page.is_empty() {
            break;
        }
        for row in page {
            sink.write(if first { b"" } else { b"," }).await?;
            first = false;
            sink.write(Value::Object(row).to_string().as_bytes())
                .await?;
        }
    }
    sink.write(b"]").await
}

async fn write_csv(store: &Store, customer_id: &str, sink: &mut Sink) -> Result<(), Stopped> {
    let mut header = csv::Writer::from_writer(Vec::new());
    header.write_record([
        "program",
        "card",
        "seq",
        "time_utc",
        "kind",
        "points",
        "reason",
        "place",
        "spend_minor",
    ])?;
    sink.write(
        &header
            .into_inner()
            .map_err(|e| csv::Error::from(e.into_error()))?,
    )
    .await?;
    let mut cards = Cursor::default();
    loop {
        let page = export::page(store, &export::CARDS, customer_id, &mut cards, PAGE).await?;
        if page.is_empty() {
            break;
        }
        for card in page {
            let id = card_id(&card)?;
            let text = |row: &Map<String, Value>, name: &str| match row.get(name) {
                Some(Value::String(s)) => s.clone(),
                Some(Value::Number(n)) => n.to_string(),
                _ => String::new(),
            };
            let (program, number) = (text(&card, "program_id"), text(&card, "number"));
            let mut entries = Cursor::default();
            loop {
                let rows = export::page(store, &export::LEDGER, &id, &mut entries, PAGE).await?;
                if rows.is_empty() {
                    break;
                }
                let mut out = csv::Writer::from_writer(Vec::new());
                for row in &rows {
                    let at = row.get("created_at").and_then(Value::as_i64).unwrap_or(0);
                    out.write_record([
                        program.clone(),
                        number.clone(),
                        text(row, "seq"),
                        utc(at),
                        text(row, "kind"),
                        text(row, "amount"),
                        cell(&text(row, "reason")),
                        cell(&text(row, "place")),
                        text(row, "spend_minor"),
                    ])?;
                }
                sink.write(
                    &out.into_inner()
                        .map_err(|e| csv::Error::from(e.into_error()))?,
                )
                .await?;
            }
        }
    }
    sink.flush().await
}

/// A time as the spreadsheet shows it: ISO 8601 in UTC.
fn utc(unix_ms: i64) -> String {
    chrono::DateTime::from_timestamp_millis(unix_ms)
        .map(|t| t.format("%Y-%m-%dT%H:%M:%SZ").to_string())
        .unwrap_or_default()
}

/// Text a spreadsheet shows as text: one that would start a formula (`=`, `+`, `-`, `@`, a tab
/// or a carriage return) gets a leading apostrophe (OWASP's advice on CSV injection).
fn cell(text: &str) -> String {
    match text.chars().next() {
        Some('=' | '+' | '-' | '@' | '\t' | '\r') => format!("'{text}"),
        _ => text.to_owned(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn text_that_would_start_a_formula_stays_text() {
        assert_eq!(cell("=HYPERLINK(\"x\")"), "'=HYPERLINK(\"x\")");
        assert_eq!(cell("@SUM(A1)"), "'@SUM(A1)");
        assert_eq!(cell("Croissant"), "Croissant");
        assert_eq!(cell(""), "");
    }

    #[test]
    fn times_are_written_in_utc() {
        assert_eq!(utc(1_764_547_200_000), "2025-12-01T00:00:00Z");
    }
}
