//! The harness for server tests: the real `app()` over a real database, once on SQLite and once on
//! PostgreSQL. PostgreSQL is mandatory when `CI` is set; elsewhere its absence is reported as skipped.

#![allow(dead_code)]

use axum::body::Body;
use axum::extract::ConnectInfo;
use axum::http::{header, HeaderMap, Method, Request, StatusCode};
use axum::Router;
use http_body_util::BodyExt;
use serde::de::DeserializeOwned;
use serde_json::{json, Value};
use sqlx::Connection;
use std::future::Future;
use std::net::SocketAddr;
use std::sync::Arc;
use tessera_core::api::{ErrorBody, ErrorCode, FieldError, Wallet};
use tessera_server::auth::password::Passwords;
use tessera_server::config::ProgramConfig;
use tessera_server::state::{AppState, SessionPolicy};
use tessera_server::store::{Engine, SqliteSync, Store};
use tessera_server::wallet_files::WalletFiles;
use tower::ServiceExt;

pub const DEMO_CONFIG: &str = include_str!("../../../../config/demo.toml");
pub const TERMS: &str = "2026-11-01";
const DEFAULT_POSTGRES: &str = "postgres://postgres@127.0.0.1:5432/test";

/// One server under test.
pub struct TestApp {
    pub state: AppState,
    pub app: Router,
    pub engine: Engine,
    /// The client address requests appear to come from.
    pub address: SocketAddr,
    pub _dir: Arc<tempfile::TempDir>,
}

/// A response: status, headers, and the body as JSON (`Null` when empty or not JSON).
pub struct Reply {
    pub status: StatusCode,
    pub headers: HeaderMap,
    pub body: Value,
    pub text: String,
}

impl Reply {
    pub fn error_code(&self) -> &str {
        self.body["error"].as_str().unwrap_or("")
    }

    /// The body as a response type of `tessera_core::api`, once the status is `status`.
    pub fn decode<T: DeserializeOwned>(&self, status: StatusCode) -> T {
        assert_eq!(self.status, status, "{}", self.text);
        serde_json::from_str(&self.text)
            .unwrap_or_else(|e| panic!("not a {}: {e}: {}", std::any::type_name::<T>(), self.text))
    }

    /// The error body of a refused request.
    pub fn error_body(&self) -> ErrorBody {
        serde_json::from_str(&self.text)
            .unwrap_or_else(|e| panic!("not an error body: {e}: {}", self.text))
    }

    /// A refusal as its status and error code, to compare with the expected pair.
    pub fn refusal(&self) -> (StatusCode, ErrorCode) {
        (self.status, self.error_body().error)
    }

    /// The fields a validation refusal (422 `validation`) names, in order, once it is one.
    pub fn invalid_fields(&self) -> Vec<FieldError> {
        assert_eq!(
            self.refusal(),
            (StatusCode::UNPROCESSABLE_ENTITY, ErrorCode::Validation),
            "{}",
            self.text
        );
        self.error_body().fields
    }

    /// The names of [`Reply::invalid_fields`].
    pub fn named_fields(&self) -> Vec<String> {
        self.invalid_fields().into_iter().map(|f| f.field).collect()
    }
}

/// Both sign-ins, the customer's and the till's: they check e-mails alike.
pub const SIGN_IN_PATHS: [&str; 2] = ["/api/v1/auth/login", "/api/v1/till/auth/login"];

/// Options for building a test server.
#[derive(Clone)]
pub struct Setup {
    pub config: String,
    pub session_idle_ms: i64,
    pub wallet_dir: Option<std::path::PathBuf>,
    /// Proxies in front of the server whose `X-Forwarded-For` entries are trusted (0: none).
    pub trust_proxy_hops: usize,
    /// Password hashing's (workers, waiting places); `None`: the test default.
    pub hashing: Option<(usize, usize)>,
    /// The places for exports at once.
    pub exports: tessera_server::export::Exports,
    /// The mail server for reset links (none: resetting is off).
    pub mail: Option<Arc<tessera_server::mail::Mailer>>,
}

impl Default for Setup {
    fn default() -> Self {
        Self {
            config: DEMO_CONFIG.to_owned(),
            session_idle_ms: 30 * 24 * 3_600_000,
            wallet_dir: None,
            trust_proxy_hops: 0,
            hashing: None,
            exports: tessera_server::export::Exports::default(),
            mail: None,
        }
    }
}

/// Runs a test body once per engine with the default setup.
pub async fn each_engine<F, Fut>(test: F)
where
    F: Fn(TestApp) -> Fut,
    Fut: Future<Output = ()>,
{
    each_engine_with(Setup::default(), test).await
}

/// Runs a test body once on SQLite and once on PostgreSQL, each with a fresh database.
pub async fn each_engine_with<F, Fut>(setup: Setup, test: F)
where
    F: Fn(TestApp) -> Fut,
    Fut: Future<Output = ()>,
{
    let dir = Arc::new(tempfile::tempdir().unwrap());
    let sqlite_url = format!("sqlite://{}/test.db", dir.path().display());
    test(build(&setup, &sqlite_url, dir.clone()).await).await;

    match create_postgres_database().await {
        Some((admin_url, name, url)) => {
            let app = build(&setup, &url, dir.clone()).await;
            let pool = app.state.store.pool_for_checks().clone();
            test(app).await;
            pool.close().await;
            drop_postgres_database(&admin_url, &name).await;
        }
        None if std::env::var_os("CI").is_some() => {
            panic!(
                "PostgreSQL is required in CI but not reachable at {}",
                postgres_admin_url()
            )
        }
        None => eprintln!(
            "PostgreSQL run SKIPPED: no server at {} (set TESSERA_TEST_POSTGRES)",
            postgres_admin_url()
        ),
    }
}

async fn build(setup: &Setup, url: &str, dir: Arc<tempfile::TempDir>) -> TestApp {
    let store = Store::connect(url, SqliteSync::Normal)
        .await
        .expect("test database");
    let engine = store.engine;
    let state = AppState {
        store,
        config: Arc::new(ProgramConfig::parse(&setup.config).expect("test config")),
        passwords: match setup.hashing {
            Some((workers, waiting)) => Passwords::for_tests_with(workers, waiting),
            None => Passwords::for_tests(),
        },
        sessions: SessionPolicy {
            idle_ms: setup.session_idle_ms,
        },
        wallet: setup
            .wallet_dir
            .as_deref()
            .map(|d| Arc::new(WalletFiles::load(d).expect("test wallet"))),
        trust_proxy_hops: setup.trust_proxy_hops,
        body_timeout: std::time::Duration::from_secs(30),
        exports: setup.exports.clone(),
        mail: setup.mail.clone(),
    };
    TestApp {
        app: tessera_server::app(state.clone()),
        state,
        engine,
        address: "198.51.100.7:40000".parse().unwrap(),
        _dir: dir,
    }
}

fn postgres_admin_url() -> String {
    std::env::var("TESSERA_TEST_POSTGRES").unwrap_or_else(|_| DEFAULT_POSTGRES.to_owned())
}

async fn create_postgres_database() -> Option<(String, String, String)> {
    sqlx::any::install_default_drivers();
    let admin_url = postgres_admin_url();
    let mut admin = sqlx::AnyConnection::connect(&admin_url).await.ok()?;
    let name = format!("tessera_t_{}", tessera_server::store::new_id());
    sqlx::query(&format!("CREATE DATABASE {name}"))
        .execute(&mut admin)
        .await
        .expect("create test database");
    admin.close().await.ok();
    let base = admin_url
        .rsplit_once('/')
        .map(|(b, _)| b)
        .unwrap_or(&admin_url);
    let url = format!("{base}/{name}");
    Some((admin_url, name, url))
}

async fn drop_postgres_database(admin_url: &str, name: &str) {
    if let Ok(mut admin) = sqlx::AnyConnection::connect(admin_url).await {
        let _ = sqlx::query(&format!("DROP DATABASE IF EXISTS {name} WITH (FORCE)"))
            .execute(&mut admin)
            .await;
    }
}

impl TestApp {
    /// Sends a request through the whole app, as if from [`TestApp::address`].
    pub async fn send(&self, req: Request<Body>) -> Reply {
        self.send_from(self.address, req).await
    }

    /// Sends a request through the whole app from a client at `address`.
    pub async fn send_from(&self, address: SocketAddr, mut req: Request<Body>) -> Reply {
        req.extensions_mut().insert(ConnectInfo(address));
        let res = self.app.clone().oneshot(req).await.unwrap();
        let status = res.status();
        let headers = res.headers().clone();
        let bytes = res.into_body().collect().await.unwrap().to_bytes();
        let text = String::from_utf8_lossy(&bytes).into_owned();
        let body = serde_json::from_slice(&bytes).unwrap_or(Value::Null);
        Reply {
            status,
            headers,
            body,
            text,
        }
    }

    pub async fn get(&self, path: &str, token: Option<&str>) -> Reply {
        self.send(request(Method::GET, path, token, Body::empty(), None))
            .await
    }

    pub async fn patch(&self, path: &str, token: Option<&str>, body: Value) -> Reply {
        self.send(request(
            Method::PATCH,
            path,
            token,
            body.to_string().into(),
            Some("application/json"),
        ))
        .await
    }

    pub async fn post(&self, path: &str, token: Option<&str>, body: Value) -> Reply {
        self.post_raw(path, token, body.to_string()).await
    }

    /// Posts the JSON `body` with an `Idempotency-Key` when `key` is given (the writes that pay,
    /// apply or record).
    pub async fn post_keyed(
        &self,
        path: &str,
        token: Option<&str>,
        key: Option<&str>,
        body: Value,
    ) -> Reply {
        let mut req = request(
            Method::POST,
            path,
            token,
            body.to_string().into(),
            Some("application/json"),
        );
        if let Some(key) = key {
            req.headers_mut()
                .insert("idempotency-key", key.parse().unwrap());
        }
        self.send(req).await
    }

    pub async fn post_raw(&self, path: &str, token: Option<&str>, body: impl Into<Body>) -> Reply {
        self.send(request(
            Method::POST,
            path,
            token,
            body.into(),
            Some("application/json"),
        ))
        .await
    }

    /// Sends a registration `body` (see [`registration`]) to join.
    pub async fn join(&self, body: Value) -> Reply {
        self.join_from(self.address, body).await
    }

    /// Sends a registration `body` from a client at `address`.
    pub async fn join_from(&self, address: SocketAddr, body: Value) -> Reply {
        self.post_from(address, "/api/v1/auth/register", body).await
    }

    /// Registers a customer and returns the session token.
    pub async fn register(&self, email: &str) -> String {
        let r = self.join(registration(email)).await;
        assert_eq!(
            r.status,
            StatusCode::CREATED,
            "register {email}: {}",
            r.text
        );
        r.body["token"].as_str().unwrap().to_owned()
    }

    /// Registers a customer: the session token, and the id of their card (the demo has one open
    /// program).
    pub async fn customer(&self, email: &str) -> (String, String) {
        let token = self.register(email).await;
        let card = self.first_card(&token).await;
        (token, card)
    }

    /// The id of the first card in the wallet of the customer signed in with `token`.
    pub async fn first_card(&self, token: &str) -> String {
        let wallet: Wallet = self
            .get("/api/v1/wallet", Some(token))
            .await
            .decode(StatusCode::OK);
        wallet.cards[0].id.clone()
    }

    /// Signs in at the sign-in `path` (one of [`SIGN_IN_PATHS`]).
    pub async fn sign_in(&self, path: &str, email: &str, password: &str) -> Reply {
        self.sign_in_from(self.address, path, email, password).await
    }

    pub async fn login(&self, email: &str, password: &str) -> Reply {
        self.login_from(self.address, email, password).await
    }

    /// Signs a customer in from a client at `address`.
    pub async fn login_from(&self, address: SocketAddr, email: &str, password: &str) -> Reply {
        self.sign_in_from(address, "/api/v1/auth/login", email, password)
            .await
    }

    /// Signs a staff account in at the till from a client at `address`.
    pub async fn till_login_from(&self, address: SocketAddr, email: &str, password: &str) -> Reply {
        self.sign_in_from(address, "/api/v1/till/auth/login", email, password)
            .await
    }

    async fn sign_in_from(
        &self,
        address: SocketAddr,
        path: &str,
        email: &str,
        password: &str,
    ) -> Reply {
        let body = json!({ "email": email, "password": password });
        self.post_from(address, path, body).await
    }

    /// Posts a JSON `body` without a session from a client at `address`.
    async fn post_from(&self, address: SocketAddr, path: &str, body: Value) -> Reply {
        let body = body.to_string().into();
        let req = request(Method::POST, path, None, body, Some("application/json"));
        self.send_from(address, req).await
    }
}

pub fn request(
    method: Method,
    path: &str,
    token: Option<&str>,
    body: Body,
    content_type: Option<&str>,
) -> Request<Body> {
    let mut b = Request::builder().method(method).uri(path);
    if let Some(t) = token {
        b = b.header(header::AUTHORIZATION, format!("Bearer {t}"));
    }
    if let Some(ct) = content_type {
        b = b.header(header::CONTENT_TYPE, ct);
    }
    b.body(body).unwrap()
}

/// A valid registration body.
pub fn registration(email: &str) -> Value {
    json!({
        "email": email,
        "password": "correct horse battery",
        "display_name": "Nino",
        "phone": "+995 555 12 34 56",
        "accepted_terms_version": TERMS,
        "marketing_opt_in": false,
    })
}

/// A client address of the documentation range 198.51.100.0/24 (RFC 5737), `n` in 0..=255.
pub fn client(n: u8) -> SocketAddr {
    SocketAddr::from(([198, 51, 100, n], 40000))
}
