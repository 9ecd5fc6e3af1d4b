//! Serving the built wallet (trunk's `dist/`): files with caching headers, SPA fallback to
//! `index.html`, and the Content-Security-Policy that admits exactly the inline script trunk wrote.

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
    /// The CSP for every response, with the hashes of `index.html`'s inline scripts.
    pub csp: String,
}

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
        Ok(Self {
            dir: dir.to_owned(),
            csp: csp_for(&index),
            index_html: index.into_bytes().into(),
        })
    }

    /// The router that serves the files; mounted as the app's fallback.
    pub fn router<S: Clone + Send + Sync + 'static>(self: &Arc<Self>) -> Router<S> {
        let index = self.index_html.clone();
        let spa = tower::service_fn(move |req: Request| {
            let index = index.clone();
            async move { Ok::<_, std::convert::Infallible>(spa_fallback(req.uri().path(), index)) }
        });
        Router::new()
            .fallback_service(ServeDir::new(&self.dir).fallback(spa))
            .layer(axum::middleware::from_fn(cache_headers))
    }
}

/// Client-side routes get `index.html`; a missing file (anything with an extension, such as an
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
    let policy = if !response.status().is_success()
        || !name.contains('.')
        || name == "index.html"
        || name == "sw.js"
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
    let hashes: String = inline_scripts(index_html)
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
    fn trunk_hashed_names_are_recognised() {
        assert!(is_hashed("tessera-wallet-0123456789abcdef_bg.wasm"));
        assert!(is_hashed("main-89abcdef01234567.css"));
        assert!(is_hashed("tessera-wallet-d77566c0a65ee84.js"));
        assert!(!is_hashed("manifest.webmanifest"));
        assert!(!is_hashed("icon-192.png"));
    }
}
