//! Serving the built wallet (trunk's `dist/`): files with caching headers, SPA fallback to
//! `index.html`, and the Content-Security-Policy that admits exactly the inline scripts trunk wrote.
//!
//! The wallet's other apps have pages of their own under `dist/` ([`APPS`]): the cashier console
//! (`/till` and the paths under it), the checkout code screen (`/cards/{id}/code`, `/code`) and
//! sign-in and join (`/sign-in`, `/join`, and the till's `/till/sign-in`); their paths fall back to their page, and the policy
//! admits every page's inline script.

use axum::body::Body;
use axum::extract::Request;
use axum::http::{header, HeaderValue, StatusCode};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use axum::Router;
use base64::engine::general_purpose::STANDARD;
use base64::Engine as _;
use sha2::{Digest, Sha256};
use std::path::{Path, PathBuf};
use std::sync::Arc;
use tower_http::services::ServeDir;

/// The wallet build on disk, read once at start-up.
pub struct WalletFiles {
    pub dir: PathBuf,
    index_html: Arc<[u8]>,
    /// The page of each of [`APPS`] that was built, with the paths it answers.
    apps: Vec<(Answers, Arc<[u8]>)>,
    /// The CSP for every response, with the hashes of every page's inline scripts.
    pub csp: String,
}

/// Whether an app answers a path.
type Answers = fn(&str) -> bool;

/// The wallet's apps besides the wallet itself: which paths each answers, and its page in
/// `dist/` (each optional: an API-and-wallet build without one still serves).
/// The first that answers a path serves it (the till's sign-in is the welcome app's).
const APPS: [(Answers, &str); 3] = [
    (is_welcome, "welcome/index.html"),
    (is_till, "till/index.html"),
    (is_code_screen, "code/index.html"),
];

/// Where the cashier console lives: its page and its assets.
const TILL: &str = "/till";

/// The policy for an API-only server (no wallet to run).
pub const API_ONLY_CSP: &str = "default-src 'none'; frame-ancestors 'none'; base-uri 'none'";

const NO_CACHE: &str = "no-cache";
const IMMUTABLE: &str = "public, max-age=31536000, immutable";
const SHORT: &str = "public, max-age=3600";

impl WalletFiles {
    /// Reads `index.html` from a built wallet directory.
    pub fn load(dir: &Path) -> anyhow::Result<Self> {
        let index_path = dir.join("index.html");
        let index = std::fs::read_to_string(&index_path).map_err(|e| {
            anyhow::anyhow!(
                "no built wallet at {} ({e}); build it with `cargo xtask run` or pass --wallet-dir",
                index_path.display()
            )
        })?;
        let apps: Vec<(Answers, String)> = APPS
            .iter()
            .filter_map(|(answers, page)| {
                let html = std::fs::read_to_string(dir.join(page)).ok()?;
                Some((*answers, html))
            })
            .collect();
        let pages: Vec<&str> = std::iter::once(index.as_str())
            .chain(apps.iter().map(|(_, html)| html.as_str()))
            .collect();
        Ok(Self {
            dir: dir.to_owned(),
            csp: csp_for_pages(&pages),
            index_html: index.into_bytes().into(),
            apps: apps
                .into_iter()
                .map(|(answers, html)| (answers, html.into_bytes().into()))
                .collect(),
        })
    }

    /// The router that serves the files; mounted as the app's fallback.
    pub fn router<S: Clone + Send + Sync + 'static>(self: &Arc<Self>) -> Router<S> {
        let index = self.index_html.clone();
        let apps = self.apps.clone();
        let spa = tower::service_fn(move |req: Request| {
            let path = req.uri().path();
            let page = apps
                .iter()
                .find(|(answers, _)| answers(path))
                .map_or_else(|| index.clone(), |(_, page)| page.clone());
            let response = spa_fallback(path, page);
            async move { Ok::<_, std::convert::Infallible>(response) }
        });
        // Directories are not served as their index.html: `/till` would first be redirected to
        // `/till/`; the fallback answers both with the page.
        let files = ServeDir::new(&self.dir)
            .append_index_html_on_directories(false)
            .fallback(spa);
        Router::new()
            .fallback_service(files)
            .layer(axum::middleware::from_fn(cache_headers))
    }
}

/// Whether `path` is the cashier console's (`/till`, `/till/...`).
fn is_till(path: &str) -> bool {
    path.strip_prefix(TILL)
        .is_some_and(|rest| rest.is_empty() || rest.starts_with('/'))
}

/// Whether `path` is the checkout code screen: a card's (`/cards/{id}/code`), or the card used
/// last (`/code`, the home-screen shortcut's).
fn is_code_screen(path: &str) -> bool {
    path == "/code"
        || path
            .strip_prefix("/cards/")
            .and_then(|rest| rest.strip_suffix("/code"))
            .is_some_and(|id| !id.is_empty() && !id.contains('/'))
}

/// Whether `path` is sign-in's, join's, a published text's, or the till's sign-in (`crate::welcome` in the wallet
/// crate).
fn is_welcome(path: &str) -> bool {
    matches!(
        path,
        "/sign-in"
            | "/join"
            | "/forgot"
            | "/reset"
            | "/lost-phone"
            | "/terms"
            | "/privacy"
            | "/till/sign-in"
    )
}

/// Client-side routes get their app's `index.html`; a missing file (anything with an extension, such as an
/// asset of an older build) is a real 404, never the page, so the browser does not cache HTML as
/// JavaScript.
fn spa_fallback(path: &str, index: Arc<[u8]>) -> Response {
    if path == "/api" || path.starts_with("/api/") {
        return crate::error::ApiError::not_found().into_response();
    }
    let last = path.rsplit('/').next().unwrap_or("");
    if last.contains('.') {
        return (StatusCode::NOT_FOUND, "Not found").into_response();
    }
    Response::builder()
        .header(header::CONTENT_TYPE, "text/html; charset=utf-8")
        .body(Body::from(index.to_vec()))
        .expect("static response")
}

async fn cache_headers(req: Request, next: Next) -> Response {
    let path = req.uri().path().to_owned();
    let mut response = next.run(req).await;
    let name = path.rsplit('/').next().unwrap_or("");
    // Code and styles without a hash in their names (the sw, the till's decoder worker, which
    // the console names at run time, the code screen's app, which the wallet's page imports by
    // name) are revalidated on every load, so script, wasm and styles always match.
    let unhashed_code = [".js", ".wasm", ".css"]
        .iter()
        .any(|kind| name.ends_with(kind))
        && !is_hashed(name);
    let policy = if !response.status().is_success()
        || !name.contains('.')
        || name == "index.html"
        || unhashed_code
    {
        NO_CACHE
    } else if is_hashed(name) {
        IMMUTABLE
    } else {
        SHORT
    };
    response
        .headers_mut()
        .insert(header::CACHE_CONTROL, HeaderValue::from_static(policy));
    response
}

/// Trunk names built assets `name-<hash>` (`tessera-wallet-0123456789abcdef_bg.wasm`), the hash
/// a 64-bit number in unpadded hex, so usually 16 digits and sometimes fewer.
fn is_hashed(name: &str) -> bool {
    name.split(['-', '.', '_'])
        .any(|part| (10..=16).contains(&part.len()) && part.bytes().all(|b| b.is_ascii_hexdigit()))
}

/// A strict policy: scripts only from this origin plus the inline scripts of `index.html` by
/// hash, WebAssembly compilation allowed, no inline styles, nothing from other origins.
pub fn csp_for(index_html: &str) -> String {
    csp_for_pages(&[index_html])
}

/// [`csp_for`] admitting the inline scripts of every page in `pages` (the wallet's and the
/// console's; one policy for the whole origin).
pub fn csp_for_pages(pages: &[&str]) -> String {
    let hashes: String = pages
        .iter()
        .flat_map(|page| inline_scripts(page))
        .map(|s| {
            format!(
                " 'sha256-{}'",
                STANDARD.encode(Sha256::digest(s.as_bytes()))
            )
        })
        .collect();
    format!(
        "default-src 'self'; script-src 'self' 'wasm-unsafe-eval'{hashes}; style-src 'self'; \
         img-src 'self' data: blob:; connect-src 'self'; manifest-src 'self'; worker-src 'self'; \
         media-src 'self' blob:; object-src 'none'; base-uri 'none'; form-action 'self'; frame-ancestors 'none'"
    )
}

/// The bodies of `<script>` elements without a `src` attribute.
fn inline_scripts(html: &str) -> impl Iterator<Item = &str> {
    html.match_indices("<script").filter_map(move |(start, _)| {
        let open_end = start + html[start..].find('>')?;
        let tag = &html[start..open_end];
        let close = open_end + 1 + html[open_end + 1..].find("</script>")?;
        (!tag.contains("src=")).then(|| &html[open_end + 1..close])
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn csp_hashes_only_inline_scripts() {
        let html = r#"<script type="module">import init from '/a.js';init();</script><script src="/x.js"></script>"#;
        let expected = STANDARD.encode(Sha256::digest(b"import init from '/a.js';init();"));
        let csp = csp_for(html);
        assert!(csp.contains(&format!("'sha256-{expected}'")), "{csp}");
        assert_eq!(csp.matches("sha256-").count(), 1);
        assert!(!csp.contains("unsafe-inline"));
    }

    #[test]
    fn csp_admits_the_inline_scripts_of_every_page() {
        let wallet = r#"<script type="module">wallet();</script>"#;
        let till = r#"<script type="module">till();</script>"#;
        let csp = csp_for_pages(&[wallet, till]);
        for body in ["wallet();", "till();"] {
            let hash = STANDARD.encode(Sha256::digest(body.as_bytes()));
            assert!(csp.contains(&format!("'sha256-{hash}'")), "{csp}");
        }
        assert_eq!(csp_for_pages(&[wallet]), csp_for(wallet));
    }

    #[test]
    fn code_screen_paths_are_recognised() {
        assert!(is_code_screen("/cards/c-123/code"));
        assert!(is_code_screen("/code"));
        for path in [
            "/cards/c-123",
            "/cards//code",
            "/cards/a/b/code",
            "/code/",
            "/codes",
            "/cards/c/codes",
        ] {
            assert!(!is_code_screen(path), "{path}");
        }
    }

    #[test]
    fn sign_in_and_join_paths_are_recognised() {
        assert!(is_welcome("/sign-in"));
        assert!(is_welcome("/join"));
        assert!(is_welcome("/terms"));
        assert!(is_welcome("/reset"));
        assert!(is_welcome("/privacy"));
        for path in ["/", "/sign-in/", "/joins", "/settings", "/cards/join"] {
            assert!(!is_welcome(path), "{path}");
        }
    }

    #[test]
    fn the_tills_sign_in_is_served_by_the_sign_in_app_and_the_rest_by_the_console() {
        let page = |path: &str| APPS.iter().find(|(answers, _)| answers(path)).map(|a| a.1);
        assert_eq!(page("/till/sign-in"), Some("welcome/index.html"));
        assert_eq!(page("/till"), Some("till/index.html"));
        assert_eq!(page("/till/sign-in/x"), Some("till/index.html"));
    }

    #[test]
    fn till_paths_are_recognised() {
        for path in ["/till", "/till/", "/till/anything"] {
            assert!(is_till(path), "{path}");
        }
        for path in ["/", "/tills", "/tillx/a", "/cards/till"] {
            assert!(!is_till(path), "{path}");
        }
    }

    #[test]
    fn trunk_hashed_names_are_recognised() {
        assert!(is_hashed("tessera-wallet-0123456789abcdef_bg.wasm"));
        assert!(is_hashed("main-89abcdef01234567.css"));
        assert!(is_hashed("tessera-wallet-d77566c0a65ee84.js"));
        assert!(!is_hashed("manifest.webmanifest"));
        assert!(!is_hashed("icon-192.png"));
    }
}
