//! Codes people type or scan besides the checkout code: vouchers' and clubs' invitations. Ten
//! characters of Crockford's base32 (no I, L, O or U, which read as 1, 0 or V), 50 random bits;
//! read back whatever the case, spaces or dashes.

use rand::RngCore;

/// A new random code.
pub fn random() -> String {
    const ALPHABET: &[u8; 32] = b"0123456789ABCDEFGHJKMNPQRSTVWXYZ";
    let mut bytes = [0u8; 10];
    rand::rngs::OsRng.fill_bytes(&mut bytes);
    bytes
        .iter()
        .map(|b| ALPHABET[usize::from(b & 31)] as char)
        .collect()
}

/// A code as typed or scanned: upper case, without spaces or dashes.
pub fn normalized(code: &str) -> String {
    code.chars()
        .filter(|c| !c.is_whitespace() && *c != '-')
        .map(|c| c.to_ascii_uppercase())
        .collect()
}
