#![cfg(target_arch = "wasm32")]
//! Part (a) of `cargo xtask bench checkout`: checkout codes made per second in the browser, by the
//! same wasm code the code screen runs (`tessera_core::checkout` and `tessera_core::qr`).
//! Ignored in the test suite; the bench runs it in release mode with `--include-ignored` and reads
//! the lines it logs.

use qrcode::{EcLevel, QrCode};
use tessera_core::checkout::{scanned_code, step_at, typed_code, CardSecret};
use wasm_bindgen_test::*;
use web_sys::js_sys::Date;

wasm_bindgen_test_configure!(run_in_browser);

/// How many times `f` runs in about `ms` milliseconds, per second.
fn per_second(ms: f64, mut f: impl FnMut(i64)) -> f64 {
    let start = Date::now();
    let mut n: i64 = 0;
    while Date::now() - start < ms {
        for _ in 0..100 {
            f(n);
            n += 1;
        }
    }
    n as f64 * 1000.0 / (Date::now() - start)
}

#[wasm_bindgen_test]
#[ignore]
fn codes_per_second() {
    let secret = CardSecret([7; 32]);
    let step = step_at(Date::now() as i64);
    let mut sink = 0usize;
    // The scanned form: what the QR carries (HMAC-SHA256, truncated, base32).
    let codes = per_second(2000.0, |i| {
        sink += scanned_code(&secret, "mziuri", "1234567897", step + i).len();
    });
    // The typed form too, as the screen makes both each step.
    let both = per_second(2000.0, |i| {
        sink += scanned_code(&secret, "mziuri", "1234567897", step + i).len();
        sink += typed_code(&secret, "mziuri", "1234567897", step + i).len();
    });
    let text = scanned_code(&secret, "mziuri", "1234567897", step);
    let qr = per_second(2000.0, |_| {
        sink += QrCode::with_error_correction_level(&text, EcLevel::M).map_or(0, |q| q.width());
    });
    assert!(sink > 0);
    console_log!("codes generated per second (browser, wasm): {codes:.0}");
    console_log!("codes generated per second, scanned and typed forms (browser, wasm): {both:.0}");
    console_log!("QR codes encoded per second (browser, wasm): {qr:.0}");
}
