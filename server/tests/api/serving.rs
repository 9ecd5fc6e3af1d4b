use crate::common::*;
use axum::body::Body;
use axum::http::{header, Method, Request, StatusCode};
use tessera_core::api::ErrorCode;

const INDEX: &str = r#"<!doctype html><html><head><link rel="stylesheet" href="/main-0123456789abcdef.css"><script type="module">import init from '/tessera-wallet-0123456789abcdef.js';init();</script></head><body>shell</body></html>"#;

/// The `Cache-Control` a reply was served with.
fn cache_control(r: &Reply) -> &str {
    r.headers[header::CACHE_CONTROL].to_str().unwrap()
}

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
    std::fs::create_dir_all(dir.path().join("till")).unwrap();
    std::fs::write(dir.path().join("till/tessera-decoder.js"), "wasm_bindgen;").unwrap();
    std::fs::write(dir.path().join("till/tessera-decoder_bg.wasm"), "\0asm").unwrap();
    std::fs::create_dir_all(dir.path().join("code")).unwrap();
    for file in ["tessera-code.js", "tessera-code_bg.wasm", "code.css"] {
        std::fs::write(dir.path().join("code").join(file), "/* code */").unwrap();
    }
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
            assert_eq!(cache_control(&r), "no-cache", "{path}");
        }
        let js = t.get("/tessera-wallet-0123456789abcdef.js", None).await;
        assert_eq!(js.status, StatusCode::OK);
        assert_eq!(cache_control(&js), "public, max-age=31536000, immutable");
        let sw = t.get("/sw.js", None).await;
        assert_eq!(cache_control(&sw), "no-cache");
        // The till's decoder worker is named at run time, without a hash: revalidated, so a
        // new script never meets an old wasm.
        // So is the code screen's app, which the wallet's page imports by name.
        for path in [
            "/till/tessera-decoder.js",
            "/till/tessera-decoder_bg.wasm",
            "/code/tessera-code.js",
            "/code/tessera-code_bg.wasm",
            "/code/code.css",
        ] {
            let r = t.get(path, None).await;
            assert_eq!(r.status, StatusCode::OK, "{path}");
            assert_eq!(cache_control(&r), "no-cache", "{path}");
        }
        let manifest = t.get("/manifest.webmanifest", None).await;
        assert_eq!(cache_control(&manifest), "public, max-age=3600");

        // A missing asset is a 404, never the page; an API path never falls back to the page.
        let gone = t.get("/tessera-wallet-fedcba9876543210.js", None).await;
        assert_eq!(gone.status, StatusCode::NOT_FOUND);
        assert!(!gone.text.contains("shell"));
        let api = t.get("/api/v2/wallet", None).await;
        assert_eq!(api.refusal(), (StatusCode::NOT_FOUND, ErrorCode::NotFound));
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

const TILL_INDEX: &str = r#"<!doctype html><html><head><script type="module">import init from '/till/tessera-till-0123456789abcdef.js';init();</script></head><body>till console</body></html>"#;

/// A build with the cashier console in `till/`, as `cargo xtask` makes it.
fn wallet_dir_with_till() -> tempfile::TempDir {
    let dir = wallet_dir();
    let till = dir.path().join("till");
    std::fs::create_dir_all(&till).unwrap();
    std::fs::write(till.join("index.html"), TILL_INDEX).unwrap();
    std::fs::write(
        till.join("tessera-till-0123456789abcdef.js"),
        "export default function(){}",
    )
    .unwrap();
    dir
}

/// The SHA-256 CSP source of an inline script body.
fn script_hash(body: &str) -> String {
    use base64::Engine as _;
    use sha2::Digest as _;
    let digest = sha2::Sha256::digest(body.as_bytes());
    format!(
        "'sha256-{}'",
        base64::engine::general_purpose::STANDARD.encode(digest)
    )
}

#[tokio::test]
async fn the_till_console_is_served_at_till_with_a_csp_admitting_its_loader() {
    let dir = wallet_dir_with_till();
    each_engine_with(serving(&dir), |t| async move {
        let till_loader =
            script_hash("import init from '/till/tessera-till-0123456789abcdef.js';init();");
        let wallet_loader =
            script_hash("import init from '/tessera-wallet-0123456789abcdef.js';init();");
        for path in ["/till", "/till/", "/till/anything"] {
            let r = t.get(path, None).await;
            assert_eq!(r.status, StatusCode::OK, "{path}");
            assert!(r.text.contains("till console"), "{path}: {}", r.text);
            assert_eq!(cache_control(&r), "no-cache", "{path}");
            let csp = r.headers[header::CONTENT_SECURITY_POLICY].to_str().unwrap();
            assert!(csp.contains(&till_loader), "{path}: {csp}");
            assert!(!csp.contains("unsafe-inline"));
            // The camera is this origin's to ask for.
            let permissions = r.headers["permissions-policy"].to_str().unwrap();
            assert!(permissions.contains("camera=(self)"), "{permissions}");
        }
        // One policy for the origin: the wallet's page still runs under it.
        let wallet = t.get("/", None).await;
        assert!(wallet.text.contains("shell"));
        let csp = wallet.headers[header::CONTENT_SECURITY_POLICY]
            .to_str()
            .unwrap();
        assert!(
            csp.contains(&wallet_loader) && csp.contains(&till_loader),
            "{csp}"
        );
        // Not the console's: the wallet's page.
        for path in ["/tills", "/cards/till"] {
            let r = t.get(path, None).await;
            assert!(r.text.contains("shell"), "{path}");
        }

        // The console's hashed assets are files; a missing one is a 404, never the page.
        let js = t.get("/till/tessera-till-0123456789abcdef.js", None).await;
        assert_eq!(js.status, StatusCode::OK);
        assert_eq!(cache_control(&js), "public, max-age=31536000, immutable");
        let gone = t.get("/till/tessera-till-fedcba9876543210.js", None).await;
        assert_eq!(gone.status, StatusCode::NOT_FOUND);
        assert!(!gone.text.contains("till console"));
    })
    .await;
}

#[tokio::test]
async fn without_a_till_build_till_paths_get_the_wallet() {
    let dir = wallet_dir();
    each_engine_with(serving(&dir), |t| async move {
        let r = t.get("/till", None).await;
        assert_eq!(r.status, StatusCode::OK);
        assert!(r.text.contains("shell"));
    })
    .await;
}

const WELCOME_INDEX: &str = r#"<!doctype html><html><head><script type="module">import init from '/welcome/tessera-welcome-0123456789abcdef.js';init();</script></head><body>sign in or join</body></html>"#;

const CODE_INDEX: &str = r#"<!doctype html><html><head><script type="module">import init from '/code/tessera-code.js';init();</script></head><body>checkout code</body></html>"#;

#[tokio::test]
async fn sign_in_join_and_the_code_screen_get_their_own_pages_under_one_csp() {
    let dir = wallet_dir();
    for (page, html) in [
        ("welcome/index.html", WELCOME_INDEX),
        ("code/index.html", CODE_INDEX),
    ] {
        let file = dir.path().join(page);
        std::fs::create_dir_all(file.parent().unwrap()).unwrap();
        std::fs::write(file, html).unwrap();
    }
    each_engine_with(serving(&dir), |t| async move {
        let loaders = [
            script_hash("import init from '/welcome/tessera-welcome-0123456789abcdef.js';init();"),
            script_hash("import init from '/code/tessera-code.js';init();"),
            script_hash("import init from '/tessera-wallet-0123456789abcdef.js';init();"),
        ];
        for (path, shows) in [
            ("/sign-in", "sign in or join"),
            ("/join", "sign in or join"),
            ("/cards/c-1/code", "checkout code"),
            ("/code", "checkout code"),
            ("/", "shell"),
            ("/settings", "shell"),
            ("/sign-in/more", "shell"),
        ] {
            let r = t.get(path, None).await;
            assert_eq!(r.status, StatusCode::OK, "{path}");
            assert!(r.text.contains(shows), "{path}: {}", r.text);
            assert_eq!(cache_control(&r), "no-cache", "{path}");
            let csp = r.headers["content-security-policy"].to_str().unwrap();
            for loader in &loaders {
                assert!(csp.contains(loader.as_str()), "{path}: {csp}");
            }
        }
    })
    .await;
}
