use crate::common::*;
use axum::body::Body;
use axum::http::{header, Method, Request, StatusCode};

const INDEX: &str = r#"<!doctype html><html><head><link rel="stylesheet" href="/main-0123456789abcdef.css"><script type="module">import init from '/tessera-wallet-0123456789abcdef.js';init();</script></head><body>shell</body></html>"#;

fn wallet_dir() -> tempfile::TempDir {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(dir.path().join("index.html"), INDEX).unwrap();
    std::fs::write(
        dir.path().join("tessera-wallet-0123456789abcdef.js"),
        "export default function(){}\n".repeat(50),
    )
    .unwrap();
    std::fs::write(dir.path().join("main-0123456789abcdef.css"), "body{}").unwrap();
    std::fs::write(
        dir.path().join("sw.js"),
        "self.addEventListener('fetch',()=>{})",
    )
    .unwrap();
    std::fs::write(dir.path().join("manifest.webmanifest"), "{}").unwrap();
    dir
}

fn serving(dir: &tempfile::TempDir) -> Setup {
    Setup {
        wallet_dir: Some(dir.path().to_owned()),
        ..Setup::default()
    }
}

#[tokio::test]
async fn the_wallet_is_served_with_spa_fallback_and_caching_headers() {
    let dir = wallet_dir();
    each_engine_with(serving(&dir), |t| async move {
        for path in ["/", "/sign-in", "/cards/abc"] {
            let r = t.get(path, None).await;
            assert_eq!(r.status, StatusCode::OK, "{path}");
            assert!(r.text.contains("shell"), "{path}");
            assert_eq!(r.headers[header::CACHE_CONTROL], "no-cache", "{path}");
        }
        let js = t.get("/tessera-wallet-0123456789abcdef.js", None).await;
        assert_eq!(js.status, StatusCode::OK);
        assert_eq!(
            js.headers[header::CACHE_CONTROL],
            "public, max-age=31536000, immutable"
        );
        let sw = t.get("/sw.js", None).await;
        assert_eq!(sw.headers[header::CACHE_CONTROL], "no-cache");
        let manifest = t.get("/manifest.webmanifest", None).await;
        assert_eq!(
            manifest.headers[header::CACHE_CONTROL],
            "public, max-age=3600"
        );

        // A missing asset is a 404, never the page; an API path never falls back to the page.
        let gone = t.get("/tessera-wallet-fedcba9876543210.js", None).await;
        assert_eq!(gone.status, StatusCode::NOT_FOUND);
        assert!(!gone.text.contains("shell"));
        let api = t.get("/api/v2/wallet", None).await;
        assert_eq!(api.status, StatusCode::NOT_FOUND);
        assert_eq!(api.error_code(), "not_found");
    })
    .await;
}

#[tokio::test]
async fn every_response_carries_a_strict_csp_admitting_the_inline_loader() {
    let dir = wallet_dir();
    each_engine_with(serving(&dir), |t| async move {
        let expected = tessera_server::wallet_files::csp_for(INDEX);
        for path in ["/", "/api/v1/health"] {
            let r = t.get(path, None).await;
            let csp = r.headers[header::CONTENT_SECURITY_POLICY].to_str().unwrap();
            assert_eq!(csp, expected);
            assert!(csp.contains("'wasm-unsafe-eval'") && csp.contains("'sha256-"));
            assert!(!csp.contains("unsafe-inline"));
            assert_eq!(r.headers[header::X_CONTENT_TYPE_OPTIONS], "nosniff");
            assert_eq!(r.headers[header::X_FRAME_OPTIONS], "DENY");
            assert_eq!(r.headers[header::REFERRER_POLICY], "no-referrer");
        }
    })
    .await;
}

#[tokio::test]
async fn responses_are_compressed_when_the_browser_accepts_it() {
    let dir = wallet_dir();
    each_engine_with(serving(&dir), |t| async move {
        let req = Request::builder()
            .method(Method::GET)
            .uri("/tessera-wallet-0123456789abcdef.js")
            .header(header::ACCEPT_ENCODING, "gzip")
            .body(Body::empty())
            .unwrap();
        let r = t.send(req).await;
        assert_eq!(r.status, StatusCode::OK);
        assert_eq!(r.headers[header::CONTENT_ENCODING], "gzip");
    })
    .await;
}
