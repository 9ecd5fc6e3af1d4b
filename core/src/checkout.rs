//! The checkout code the wallet shows at the till: a TOTP-like proof that the phone holds the
//! card's secret now, made offline and verified by the server (`../shared/DESIGN.md`).
//!
//! Scanned form: `TSR1.<card number>.<step>.<MAC>`, where the MAC is HMAC-SHA256(secret,
//! `TSR1|<program>|<card number>|<step>`) truncated to 80 bits in RFC 4648 base32 (16 characters).
//! Every character is in the QR alphanumeric set (digits, `A-Z`, `.`), so the QR stays small
//! (alphanumeric mode: 5.5 bits a character, against 8 in byte mode).
//!
//! Typed form, for when the camera fails: the card number and six digits derived (HOTP-style
//! dynamic truncation) from a MAC over a separate message, `TSR1|typed|<program>|<card>|<step>`, so
//! one form cannot be turned into the other. Six digits are guessable, so the server limits typed
//! attempts per card.
//!
//! A card number is ten digits, the last a Luhn check digit, so a mistyped number is caught before
//! it costs an attempt. Steps are 30 seconds of unix time; the server accepts the current step and
//! the adjacent ones (clock skew), and only a step later than the last one it accepted for the card.

use hmac::{Hmac, Mac};
use sha2::Sha256;

/// The format's version tag.
pub const PREFIX: &str = "TSR1";
/// A code's lifetime.
pub const STEP_MS: i64 = 30_000;
/// Bytes of a card secret.
pub const SECRET_BYTES: usize = 32;
/// Bytes of the truncated MAC in the scanned form.
const MAC_BYTES: usize = 10;
/// Digits of a card number, check digit included.
pub const CARD_NUMBER_DIGITS: usize = 10;
/// Digits of the one-time part of the typed form.
pub const TYPED_DIGITS: u32 = 6;

/// The secret behind one card's codes on one device session.
#[derive(Clone, PartialEq, Eq)]
pub struct CardSecret(pub [u8; SECRET_BYTES]);

impl CardSecret {
    /// Reads the 64 hex digits the server hands out (either case); `None` for anything else.
    pub fn from_hex(hex: &str) -> Option<Self> {
        let digits = hex.as_bytes();
        if digits.len() != SECRET_BYTES * 2 {
            return None;
        }
        let nibble = |d: u8| (d as char).to_digit(16).map(|v| v as u8);
        let mut bytes = [0u8; SECRET_BYTES];
        for (byte, pair) in bytes.iter_mut().zip(digits.chunks(2)) {
            *byte = nibble(pair[0])? << 4 | nibble(pair[1])?;
        }
        Some(Self(bytes))
    }
}

impl std::fmt::Debug for CardSecret {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("CardSecret(..)")
    }
}

/// Why a code was refused, before any database state is consulted.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum CodeError {
    /// Not a code of this format (or a card number with a wrong check digit).
    Malformed,
    /// The step is too far from now: an old screenshot, or a phone clock far off.
    Stale,
    /// The proof does not match the card's secret.
    Forged,
}

/// A parsed code: which card and step it claims, and its proof.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Claim {
    /// The card number it names.
    pub card_number: String,
    /// The time step it claims, when scanned; `None` for the typed form (any adjacent step).
    pub step: Option<i64>,
    proof: Proof,
}

#[derive(Clone, Debug, PartialEq, Eq)]
enum Proof {
    Scanned([u8; MAC_BYTES]),
    Typed(u32),
}

/// The time step of `unix_ms`.
pub fn step_at(unix_ms: i64) -> i64 {
    unix_ms.div_euclid(STEP_MS)
}

/// Milliseconds until the step of `unix_ms` ends (for the wallet's countdown).
pub fn ms_left(unix_ms: i64) -> i64 {
    STEP_MS - unix_ms.rem_euclid(STEP_MS)
}

/// The Luhn check digit for `digits` (ASCII digits).
fn luhn_digit(digits: &str) -> u8 {
    let sum: u32 = digits
        .bytes()
        .rev()
        .enumerate()
        .map(|(i, b)| {
            let d = u32::from(b - b'0');
            if i % 2 == 0 {
                let doubled = d * 2;
                if doubled > 9 {
                    doubled - 9
                } else {
                    doubled
                }
            } else {
                d
            }
        })
        .sum();
    ((10 - sum % 10) % 10) as u8
}

/// A card number from nine digits of randomness (`0..1_000_000_000`): those digits and the Luhn
/// check digit.
pub fn card_number(random: u32) -> String {
    let body = format!("{:09}", random % 1_000_000_000);
    let check = luhn_digit(&body);
    format!("{body}{check}")
}

/// Whether `number` is ten digits with a correct check digit.
pub fn is_card_number(number: &str) -> bool {
    number.len() == CARD_NUMBER_DIGITS
        && number.bytes().all(|b| b.is_ascii_digit())
        && luhn_digit(&number[..CARD_NUMBER_DIGITS - 1])
            == number.as_bytes()[CARD_NUMBER_DIGITS - 1] - b'0'
}

fn mac(secret: &CardSecret, message: &str) -> Hmac<Sha256> {
    let mut mac = Hmac::<Sha256>::new_from_slice(&secret.0).expect("HMAC takes any key length");
    mac.update(message.as_bytes());
    mac
}

fn scanned_message(program: &str, card_number: &str, step: i64) -> String {
    format!("{PREFIX}|{program}|{card_number}|{step}")
}

fn typed_message(program: &str, card_number: &str, step: i64) -> String {
    format!("{PREFIX}|typed|{program}|{card_number}|{step}")
}

/// What a step's two codes are made from: HMAC-SHA256 tags of these messages under the card's
/// secret. A device that keeps the secret where scripts cannot read it (a WebCrypto key) signs
/// them itself and turns the tags into codes with [`Step::scanned_code`] and [`Step::typed_code`].
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Step {
    /// The card number the codes name.
    pub card_number: String,
    /// The 30-second step.
    pub step: i64,
    /// The message of the scanned form's tag.
    pub scanned_message: String,
    /// The message of the typed form's tag.
    pub typed_message: String,
}

impl Step {
    /// The messages of `card_number` of `program` at `step`.
    pub fn new(program: &str, card_number: &str, step: i64) -> Self {
        Self {
            card_number: card_number.to_owned(),
            step,
            scanned_message: scanned_message(program, card_number, step),
            typed_message: typed_message(program, card_number, step),
        }
    }

    /// The scanned form from the full tag of [`Step::scanned_message`]; `None` for a tag shorter
    /// than HMAC-SHA256's.
    pub fn scanned_code(&self, tag: &[u8]) -> Option<String> {
        let tag = tag.get(..MAC_BYTES).filter(|_| tag.len() == TAG_BYTES)?;
        Some(format!(
            "{PREFIX}.{}.{}.{}",
            self.card_number,
            self.step,
            base32(tag)
        ))
    }

    /// The typed form, grouped in fours for reading aloud (`4821 0937 5555 2190`), from the full
    /// tag of [`Step::typed_message`]; `None` for a tag shorter than HMAC-SHA256's.
    pub fn typed_code(&self, tag: &[u8]) -> Option<String> {
        let tag: &[u8; TAG_BYTES] = tag.try_into().ok()?;
        let digits = format!(
            "{}{:0width$}",
            self.card_number,
            otp(tag),
            width = TYPED_DIGITS as usize
        );
        let groups: Vec<&str> = digits
            .as_bytes()
            .chunks(4)
            .map(|c| std::str::from_utf8(c).unwrap_or_default())
            .collect();
        Some(groups.join(" "))
    }
}

/// Bytes of an HMAC-SHA256 tag.
const TAG_BYTES: usize = 32;

fn tag(secret: &CardSecret, message: &str) -> [u8; TAG_BYTES] {
    mac(secret, message).finalize().into_bytes().into()
}

/// RFC 4226 dynamic truncation of a tag to the typed form's digits.
fn otp(tag: &[u8; TAG_BYTES]) -> u32 {
    let offset = usize::from(tag[TAG_BYTES - 1] & 0x0f);
    let bin = u32::from_be_bytes([
        tag[offset] & 0x7f,
        tag[offset + 1],
        tag[offset + 2],
        tag[offset + 3],
    ]);
    bin % 10_u32.pow(TYPED_DIGITS)
}

/// The scanned form for `card_number` of `program` at `step`.
pub fn scanned_code(secret: &CardSecret, program: &str, card_number: &str, step: i64) -> String {
    let step = Step::new(program, card_number, step);
    let code = step.scanned_code(&tag(secret, &step.scanned_message));
    code.unwrap_or_default()
}

fn typed_otp(secret: &CardSecret, program: &str, card_number: &str, step: i64) -> u32 {
    otp(&tag(secret, &typed_message(program, card_number, step)))
}

/// The typed form, grouped in fours for reading aloud: `4821 0937 5555 2190`.
pub fn typed_code(secret: &CardSecret, program: &str, card_number: &str, step: i64) -> String {
    let step = Step::new(program, card_number, step);
    let code = step.typed_code(&tag(secret, &step.typed_message));
    code.unwrap_or_default()
}

/// Reads a scanned or typed code. Spaces, dashes and case are forgiven (people type them).
pub fn parse(text: &str) -> Result<Claim, CodeError> {
    let text = text.trim();
    if let Some(rest) = text.strip_prefix(PREFIX).and_then(|r| r.strip_prefix('.')) {
        let mut parts = rest.split('.');
        let (Some(card), Some(step), Some(tag), None) =
            (parts.next(), parts.next(), parts.next(), parts.next())
        else {
            return Err(CodeError::Malformed);
        };
        if !is_card_number(card)
            || step.is_empty()
            || step.len() > 12
            || !step.bytes().all(|b| b.is_ascii_digit())
        {
            return Err(CodeError::Malformed);
        }
        let step: i64 = step.parse().map_err(|_| CodeError::Malformed)?;
        let tag = unbase32(tag).ok_or(CodeError::Malformed)?;
        return Ok(Claim {
            card_number: card.to_owned(),
            step: Some(step),
            proof: Proof::Scanned(tag),
        });
    }
    let digits: String = text.chars().filter(|c| !matches!(c, ' ' | '-')).collect();
    let total = CARD_NUMBER_DIGITS + TYPED_DIGITS as usize;
    if digits.len() != total || !digits.bytes().all(|b| b.is_ascii_digit()) {
        return Err(CodeError::Malformed);
    }
    let (card, otp) = digits.split_at(CARD_NUMBER_DIGITS);
    if !is_card_number(card) {
        return Err(CodeError::Malformed);
    }
    Ok(Claim {
        card_number: card.to_owned(),
        step: None,
        proof: Proof::Typed(otp.parse().map_err(|_| CodeError::Malformed)?),
    })
}

impl Claim {
    /// Whether this is the typed form (whose attempts the server limits).
    pub fn is_typed(&self) -> bool {
        matches!(self.proof, Proof::Typed(_))
    }

    /// Checks the proof against the card's secret at `now_step`: the current step or an adjacent
    /// one. Returns the step proven (the server then accepts it only if it is later than the last
    /// step it accepted for the card). MACs are compared in constant time.
    pub fn verify(
        &self,
        secret: &CardSecret,
        program: &str,
        now_step: i64,
    ) -> Result<i64, CodeError> {
        match &self.proof {
            Proof::Scanned(tag) => {
                let step = self.step.unwrap_or(i64::MIN);
                if step.abs_diff(now_step) > 1 {
                    return Err(CodeError::Stale);
                }
                mac(secret, &scanned_message(program, &self.card_number, step))
                    .verify_truncated_left(tag)
                    .map(|()| step)
                    .map_err(|_| CodeError::Forged)
            }
            Proof::Typed(otp) => {
                // Every candidate is computed, whichever matches, so timing says nothing.
                let mut proven = None;
                for step in [now_step + 1, now_step, now_step - 1] {
                    let expected = typed_otp(secret, program, &self.card_number, step);
                    if ct_eq_u32(expected, *otp) && proven.is_none() {
                        proven = Some(step);
                    }
                }
                proven.ok_or(CodeError::Forged)
            }
        }
    }
}

fn ct_eq_u32(a: u32, b: u32) -> bool {
    let diff = a ^ b;
    // Folds every bit of the difference into one without branching on the value.
    let folded = (diff | diff.wrapping_neg()) >> 31;
    folded == 0
}

const BASE32: &[u8; 32] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZ234567";

/// RFC 4648 base32 without padding, for a length that is a multiple of 5 bytes.
fn base32(bytes: &[u8]) -> String {
    let mut out = String::with_capacity(bytes.len() * 8 / 5);
    for chunk in bytes.chunks(5) {
        let mut buf = [0u8; 5];
        buf[..chunk.len()].copy_from_slice(chunk);
        let n = buf.iter().fold(0u64, |acc, b| acc << 8 | u64::from(*b));
        for i in (0..8).rev() {
            out.push(BASE32[((n >> (i * 5)) & 31) as usize] as char);
        }
    }
    out
}

fn unbase32(text: &str) -> Option<[u8; MAC_BYTES]> {
    if text.len() != MAC_BYTES * 8 / 5 {
        return None;
    }
    let mut out = [0u8; MAC_BYTES];
    for (i, chunk) in text.as_bytes().chunks(8).enumerate() {
        let mut n = 0u64;
        for c in chunk {
            let v = BASE32.iter().position(|b| b == &c.to_ascii_uppercase())?;
            n = n << 5 | v as u64;
        }
        out[i * 5..i * 5 + 5].copy_from_slice(&n.to_be_bytes()[3..]);
    }
    Some(out)
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    const PROGRAM: &str = "mziuri";

    fn secret(seed: u8) -> CardSecret {
        CardSecret([seed; SECRET_BYTES])
    }

    #[test]
    fn card_numbers_carry_a_luhn_check_digit() {
        let number = card_number(482_109_375);
        assert_eq!(number.len(), 10);
        assert!(is_card_number(&number));
        assert_eq!(luhn_digit("7992739871"), 3, "the classic Luhn example");
        let mut typo = number.clone().into_bytes();
        typo[3] = if typo[3] == b'9' { b'0' } else { typo[3] + 1 };
        assert!(!is_card_number(std::str::from_utf8(&typo).unwrap()));
        assert!(!is_card_number("79927398"));
    }

    #[test]
    fn secrets_read_from_hex_exactly() {
        let hex = "00ff10AB".repeat(8);
        let secret = CardSecret::from_hex(&hex).unwrap();
        assert_eq!(secret.0[..4], [0x00, 0xff, 0x10, 0xab]);
        assert!(CardSecret::from_hex(&hex[1..]).is_none());
        assert!(CardSecret::from_hex(&hex.replace('f', "g")).is_none());
        assert!(CardSecret::from_hex(&format!("{hex}00")).is_none());
    }

    #[test]
    fn the_scanned_form_is_qr_alphanumeric_and_round_trips() {
        let card = card_number(123_456_789);
        let code = scanned_code(&secret(1), PROGRAM, &card, 59_666_666);
        assert!(
            code.starts_with(&format!("TSR1.{card}.59666666.")),
            "{code}"
        );
        assert!(code
            .bytes()
            .all(|b| b.is_ascii_digit() || b.is_ascii_uppercase() || b == b'.'));
        let claim = parse(&code).unwrap();
        assert_eq!(claim.step, Some(59_666_666));
        assert!(!claim.is_typed());
        assert_eq!(
            claim.verify(&secret(1), PROGRAM, 59_666_666),
            Ok(59_666_666)
        );
    }

    #[test]
    fn the_typed_form_is_sixteen_digits_in_fours() {
        let card = card_number(123_456_789);
        let typed = typed_code(&secret(1), PROGRAM, &card, 59_666_666);
        assert_eq!(typed.len(), 19, "{typed}");
        assert!(typed.starts_with("1234 5678 9"));
        let claim = parse(&typed.replace(' ', "-")).unwrap();
        assert!(claim.is_typed());
        assert_eq!(
            claim.verify(&secret(1), PROGRAM, 59_666_667),
            Ok(59_666_666)
        );
    }

    #[test]
    fn codes_match_hmac_sha256_computed_elsewhere() {
        // Worked out with Python's hmac module: what WebCrypto's HMAC signs for the wallet.
        let card = card_number(123_456_789);
        assert_eq!(
            scanned_code(&secret(1), PROGRAM, &card, 59_666_666),
            "TSR1.1234567897.59666666.RP3DQZAAHWJ7KYY5"
        );
        assert_eq!(
            typed_code(&secret(1), PROGRAM, &card, 59_666_666),
            "1234 5678 9738 8160"
        );
    }

    #[test]
    fn a_step_makes_codes_only_from_whole_tags() {
        let step = Step::new(PROGRAM, &card_number(123_456_789), 59_666_666);
        assert_eq!(step.scanned_message, "TSR1|mziuri|1234567897|59666666");
        assert_eq!(step.typed_message, "TSR1|typed|mziuri|1234567897|59666666");
        let whole = tag(&secret(1), &step.scanned_message);
        assert_eq!(
            step.scanned_code(&whole).as_deref(),
            Some("TSR1.1234567897.59666666.RP3DQZAAHWJ7KYY5")
        );
        assert_eq!(step.scanned_code(&whole[..10]), None);
        assert_eq!(step.typed_code(&whole[..31]), None);
    }

    #[test]
    fn malformed_codes_are_named_so() {
        for text in [
            "",
            "TSR1",
            "TSR1.1.2.3",
            "TSR2.7992739871.1.AAAAAAAAAAAAAAAA",
            "TSR1.7992739872.1.AAAAAAAAAAAAAAAA",
            "TSR1.7992739871.x.AAAAAAAAAAAAAAAA",
            "TSR1.7992739871.1.AAAA",
            "TSR1.7992739871.1.AAAAAAAAAAAAAAA1",
            "1234",
            "7992739872123456",
        ] {
            assert_eq!(parse(text), Err(CodeError::Malformed), "{text}");
        }
    }

    proptest! {
        #[test]
        fn a_code_verifies_in_its_step_and_the_adjacent_ones_only(
            seed in any::<u8>(), random in 0u32..1_000_000_000, step in 1i64..100_000_000, offset in -5i64..=5,
        ) {
            let card = card_number(random);
            for typed in [false, true] {
                let code = if typed { typed_code(&secret(seed), PROGRAM, &card, step) } else { scanned_code(&secret(seed), PROGRAM, &card, step) };
                let result = parse(&code).unwrap().verify(&secret(seed), PROGRAM, step + offset);
                if offset.abs() <= 1 {
                    prop_assert_eq!(result, Ok(step));
                } else {
                    prop_assert!(result.is_err());
                }
            }
        }

        #[test]
        fn any_changed_character_fails(seed in any::<u8>(), random in 0u32..1_000_000_000, step in 1i64..100_000_000,
            at in any::<prop::sample::Index>(), with in any::<prop::sample::Index>()) {
            let card = card_number(random);
            let code = scanned_code(&secret(seed), PROGRAM, &card, step);
            let i = at.index(code.len());
            let alphabet = b"0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ.";
            let c = alphabet[with.index(alphabet.len())];
            prop_assume!(code.as_bytes()[i] != c);
            let mut changed = code.into_bytes();
            changed[i] = c;
            let changed = String::from_utf8(changed).unwrap();
            let result = parse(&changed).and_then(|claim| {
                // A changed card number must name the same card to count as an attack on it.
                claim.verify(&secret(seed), PROGRAM, step)
            });
            prop_assert!(result.is_err(), "{} verified", changed);
        }

        #[test]
        fn a_code_for_one_card_or_secret_never_verifies_for_another(
            seed in any::<u8>(), other_seed in any::<u8>(), a in 0u32..1_000_000_000, b in 0u32..1_000_000_000, step in 1i64..100_000_000,
        ) {
            prop_assume!(a != b && seed != other_seed);
            let (card_a, card_b) = (card_number(a), card_number(b));
            let code = scanned_code(&secret(seed), PROGRAM, &card_a, step);
            // Claimed for card B (the server looks the secret up by the number in the code).
            let forged = code.replace(&card_a, &card_b);
            prop_assert!(parse(&forged).unwrap().verify(&secret(seed), PROGRAM, step).is_err());
            // Another session's secret for the same card.
            prop_assert_eq!(parse(&code).unwrap().verify(&secret(other_seed), PROGRAM, step), Err(CodeError::Forged));
            // Another program.
            prop_assert_eq!(parse(&code).unwrap().verify(&secret(seed), "other", step), Err(CodeError::Forged));
            let typed = typed_code(&secret(seed), PROGRAM, &card_a, step);
            // Six digits collide about once in a million secrets at each of the three steps a code
            // is accepted at (the step before, its own, the one after); the scanned form's MAC
            // does not.
            let collides = (step - 1..=step + 1)
                .any(|s| typed == typed_code(&secret(other_seed), PROGRAM, &card_a, s));
            let other = parse(&typed).unwrap().verify(&secret(other_seed), PROGRAM, step);
            prop_assert!(other.is_err() || collides);
        }
    }
}
