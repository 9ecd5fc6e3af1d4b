//! Rules for what a customer types when joining, shared so the wallet can show a field error
//! before sending and the server enforces exactly the same rule.

use crate::api::{FieldError, ProfileChange, RegisterRequest};
use serde::{Deserialize, Serialize};

/// Shortest password accepted (NIST SP 800-63B asks for at least 8; we ask for 10).
pub const PASSWORD_MIN_CHARS: usize = 10;
/// Longest password accepted: long enough for any passphrase, short enough to bound hashing work.
pub const PASSWORD_MAX_CHARS: usize = 256;
/// Longest display name.
pub const DISPLAY_NAME_MAX_CHARS: usize = 80;
/// Longest e-mail address (RFC 5321 path limit).
pub const EMAIL_MAX_CHARS: usize = 254;

/// The languages of the wallet, as `preferred_language` takes them.
pub const LANGUAGES: [&str; 5] = ["en", "ka", "bg", "lv", "sr-Latn"];

/// The wallet's language (one of [`LANGUAGES`]) for a BCP 47 tag: the tag itself in any case,
/// else by its language subtag (`ka-GE` is `ka`; `sr` and `sr-Cyrl-RS` are Serbian, which the
/// wallet writes in Latin script); `None` for a language it does not speak.
pub fn known_language(tag: &str) -> Option<&'static str> {
    let tag = tag.trim();
    let language = tag.split(['-', '_']).next().unwrap_or_default();
    let own = |l: &str| {
        l.split('-')
            .next()
            .is_some_and(|l| l.eq_ignore_ascii_case(language))
    };
    LANGUAGES
        .into_iter()
        .find(|l| l.eq_ignore_ascii_case(tag))
        .or_else(|| LANGUAGES.into_iter().find(|l| own(l)))
}

/// Why a field was refused (`fields[].code` of a `validation` error, and the wallet's and the
/// console's own checks before sending): snake_case on the wire; a code newer than this build
/// reads as [`FieldCode::Unknown`], so an older wallet survives a newer server.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "snake_case")]
pub enum FieldCode {
    /// The field is required and was empty.
    Required,
    /// The e-mail address is not of the form `name@domain.tld`.
    EmailInvalid,
    /// The password is shorter than [`PASSWORD_MIN_CHARS`].
    PasswordTooShort,
    /// The value is longer than allowed.
    TooLong,
    /// The phone number is not digits with an optional leading `+`.
    PhoneInvalid,
    /// The terms were not accepted, or an outdated version was.
    TermsNotAccepted,
    /// A number that must be above zero is not.
    NotPositive,
    /// A number is larger than allowed (e.g. points worth more than the bill).
    TooLarge,
    /// The text holds a control character or a bidirectional override (see [`validate_text`]).
    InvalidCharacters,
    /// Not a value the field takes: not a number (the console's own check of a typed amount),
    /// a language the wallet does not have.
    Invalid,
    /// More decimals than the currency has (the console's own check).
    TooManyDecimals,
    /// A code newer than this build.
    #[serde(other)]
    Unknown,
}

/// Whether a character may not appear in stored text: C0 and C1 control characters (tab and
/// newline only in multi-line fields), and the bidirectional embeddings, overrides and isolates
/// that make text display other than it is stored (`gnp.exe` shown as `exe.png`).
pub fn is_forbidden_char(c: char, multiline: bool) -> bool {
    match c {
        '\t' | '\n' => !multiline,
        '\u{0}'..='\u{1F}' | '\u{7F}'..='\u{9F}' => true,
        '\u{202A}'..='\u{202E}' | '\u{2066}'..='\u{2069}' => true,
        _ => false,
    }
}

/// Checks that text holds no [forbidden character](is_forbidden_char); both engines then store
/// it alike (PostgreSQL refuses NUL, SQLite keeps it) and it shows as it was typed.
pub fn validate_text(text: &str, multiline: bool) -> Option<FieldCode> {
    text.chars()
        .any(|c| is_forbidden_char(c, multiline))
        .then_some(FieldCode::InvalidCharacters)
}

/// Lower-cases and trims an e-mail address so one mailbox is one account.
pub fn normalize_email(email: &str) -> String {
    email.trim().to_lowercase()
}

/// Normalises a phone number to `+` and digits, dropping spaces, dashes, dots and brackets.
/// Returns `None` when what remains is not 6 to 15 digits (E.164) with an optional leading `+`.
pub fn normalize_phone(phone: &str) -> Option<String> {
    let kept: String = phone
        .trim()
        .chars()
        .filter(|c| !matches!(c, ' ' | '-' | '.' | '(' | ')'))
        .collect();
    let digits = kept.strip_prefix('+').unwrap_or(&kept);
    let valid = (6..=15).contains(&digits.len()) && digits.bytes().all(|b| b.is_ascii_digit());
    valid.then_some(kept)
}

/// Checks an e-mail address: one `@`, a non-empty local part and a dotted domain, no spaces.
pub fn validate_email(email: &str) -> Option<FieldCode> {
    let email = email.trim();
    if email.is_empty() {
        return Some(FieldCode::Required);
    }
    if email.chars().count() > EMAIL_MAX_CHARS {
        return Some(FieldCode::TooLong);
    }
    let Some((local, domain)) = email.split_once('@') else {
        return Some(FieldCode::EmailInvalid);
    };
    let domain_ok = domain.contains('.')
        && !domain.starts_with('.')
        && !domain.ends_with('.')
        && !domain.contains('@');
    if local.is_empty() || !domain_ok || email.chars().any(char::is_whitespace) {
        return Some(FieldCode::EmailInvalid);
    }
    None
}

/// Checks a new password's length (counted in characters, not bytes).
pub fn validate_password(password: &str) -> Option<FieldCode> {
    let chars = password.chars().count();
    if chars == 0 {
        Some(FieldCode::Required)
    } else if chars < PASSWORD_MIN_CHARS {
        Some(FieldCode::PasswordTooShort)
    } else if chars > PASSWORD_MAX_CHARS {
        Some(FieldCode::TooLong)
    } else {
        None
    }
}

/// Checks a display name: not blank, at most [`DISPLAY_NAME_MAX_CHARS`].
pub fn validate_display_name(name: &str) -> Option<FieldCode> {
    let name = name.trim();
    if name.is_empty() {
        Some(FieldCode::Required)
    } else if name.chars().count() > DISPLAY_NAME_MAX_CHARS {
        Some(FieldCode::TooLong)
    } else {
        None
    }
}

/// Checks a profile change: each field given is checked as joining checks it; an empty phone
/// or language removes it.
pub fn validate_profile_change(change: &ProfileChange) -> Vec<FieldError> {
    let mut errors = Vec::new();
    let mut check = |field: &str, code: Option<FieldCode>| {
        if let Some(code) = code {
            errors.push(FieldError {
                field: field.to_owned(),
                code,
            });
        }
    };
    if let Some(name) = &change.display_name {
        check(
            "display_name",
            validate_text(name, false).or_else(|| validate_display_name(name)),
        );
    }
    check("phone", change.phone.as_deref().and_then(validate_phone));
    if let Some(language) = change.preferred_language.as_deref().map(str::trim) {
        let known = language.is_empty() || LANGUAGES.contains(&language);
        check("preferred_language", (!known).then_some(FieldCode::Invalid));
    }
    errors
}

/// Checks a typed phone number (blank is no number, which is allowed).
pub fn validate_phone(phone: &str) -> Option<FieldCode> {
    let phone = phone.trim();
    if phone.is_empty() {
        return None;
    }
    validate_text(phone, false).or_else(|| {
        normalize_phone(phone)
            .is_none()
            .then_some(FieldCode::PhoneInvalid)
    })
}

/// Checks a whole registration against the terms version currently offered; an empty list
/// means it may be submitted.
pub fn validate_registration(req: &RegisterRequest, current_terms: &str) -> Vec<FieldError> {
    let mut errors = Vec::new();
    let mut check = |field: &str, code: Option<FieldCode>| {
        if let Some(code) = code {
            errors.push(FieldError {
                field: field.to_owned(),
                code,
            });
        }
    };
    let text = |t: &str| validate_text(t, false);
    check(
        "email",
        text(&req.email).or_else(|| validate_email(&req.email)),
    );
    // A password is never stored or shown: any character is its owner's choice.
    check("password", validate_password(&req.password));
    check(
        "display_name",
        text(&req.display_name).or_else(|| validate_display_name(&req.display_name)),
    );
    check("phone", req.phone.as_deref().and_then(validate_phone));
    check(
        "preferred_language",
        req.preferred_language
            .as_deref()
            .is_some_and(|l| !LANGUAGES.contains(&l))
            .then_some(FieldCode::Invalid),
    );
    check(
        "accepted_terms_version",
        (req.accepted_terms_version != current_terms).then_some(FieldCode::TermsNotAccepted),
    );
    errors
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    fn request() -> RegisterRequest {
        RegisterRequest {
            email: "Nino@Example.ge".into(),
            password: "correct horse".into(),
            display_name: "Nino".into(),
            phone: Some("+995 555 12-34-56".into()),
            accepted_terms_version: "2026-11".into(),
            marketing_opt_in: false,
            preferred_language: Some("ka".into()),
        }
    }

    #[test]
    fn a_tag_finds_the_wallets_language_by_itself_or_its_language() {
        assert_eq!(known_language("ka"), Some("ka"));
        assert_eq!(known_language("KA-ge"), Some("ka"));
        assert_eq!(known_language("sr-latn"), Some("sr-Latn"));
        assert_eq!(known_language("sr-Cyrl-RS"), Some("sr-Latn"));
        assert_eq!(known_language("lv_LV"), Some("lv"));
        assert_eq!(known_language("de"), None);
        assert_eq!(known_language(""), None);
        assert_eq!(known_language("*"), None);
    }

    #[test]
    fn a_profile_change_checks_only_the_fields_given() {
        assert_eq!(validate_profile_change(&ProfileChange::default()), vec![]);
        let change = ProfileChange {
            display_name: Some(" ".into()),
            phone: Some("".into()),
            preferred_language: Some("klingon".into()),
            marketing_opt_in: Some(true),
        };
        let fields: Vec<(String, FieldCode)> = validate_profile_change(&change)
            .into_iter()
            .map(|e| (e.field, e.code))
            .collect();
        assert_eq!(
            fields,
            [
                ("display_name".to_owned(), FieldCode::Required),
                ("preferred_language".to_owned(), FieldCode::Invalid)
            ],
            "a blank phone removes it; a blank name is no name"
        );
        for language in LANGUAGES.iter().chain(&[""]) {
            let change = ProfileChange {
                preferred_language: Some((*language).into()),
                ..ProfileChange::default()
            };
            assert_eq!(validate_profile_change(&change), vec![], "{language}");
        }
    }

    #[test]
    fn a_complete_registration_has_no_errors() {
        assert_eq!(validate_registration(&request(), "2026-11"), vec![]);
    }

    #[test]
    fn each_bad_field_is_named_with_its_code() {
        let req = RegisterRequest {
            email: "nino.example.ge".into(),
            password: "short".into(),
            display_name: "   ".into(),
            phone: Some("call me".into()),
            accepted_terms_version: "2025-01".into(),
            marketing_opt_in: true,
            preferred_language: Some("sr".into()),
        };
        let got: Vec<(String, FieldCode)> = validate_registration(&req, "2026-11")
            .into_iter()
            .map(|e| (e.field, e.code))
            .collect();
        let want = [
            ("email", FieldCode::EmailInvalid),
            ("password", FieldCode::PasswordTooShort),
            ("display_name", FieldCode::Required),
            ("phone", FieldCode::PhoneInvalid),
            ("preferred_language", FieldCode::Invalid),
            ("accepted_terms_version", FieldCode::TermsNotAccepted),
        ];
        assert_eq!(got, want.map(|(f, c)| (f.to_owned(), c)));
    }

    #[test]
    fn emails_are_checked_and_normalised() {
        assert_eq!(validate_email("a@b.co"), None);
        assert_eq!(validate_email(""), Some(FieldCode::Required));
        for bad in ["a@b", "@b.co", "a@.co", "a@b.", "a b@c.de", "a@b@c.de"] {
            assert_eq!(validate_email(bad), Some(FieldCode::EmailInvalid), "{bad}");
        }
        assert_eq!(normalize_email("  Nino@Example.GE "), "nino@example.ge");
    }

    #[test]
    fn phone_numbers_keep_plus_and_digits_only() {
        assert_eq!(
            normalize_phone("+995 (555) 12-34.56").as_deref(),
            Some("+995555123456")
        );
        assert_eq!(normalize_phone("12345"), None);
        assert_eq!(normalize_phone("+1234567890123456"), None);
        assert_eq!(normalize_phone("555-CALL"), None);
    }

    #[test]
    fn password_length_counts_characters_not_bytes() {
        assert_eq!(validate_password("ქართულიპაროლი"), None);
        assert_eq!(
            validate_password("ქართული"),
            Some(FieldCode::PasswordTooShort)
        );
        assert_eq!(
            validate_password(&"x".repeat(257)),
            Some(FieldCode::TooLong)
        );
    }

    #[test]
    fn control_characters_and_bidi_overrides_are_refused() {
        for bad in [
            "a\u{0}b",
            "a\u{1B}b",
            "a\u{7F}",
            "\u{85}",
            "x\u{202E}gnp.exe",
            "\u{2066}x",
            "a\tb",
        ] {
            assert_eq!(
                validate_text(bad, false),
                Some(FieldCode::InvalidCharacters),
                "{bad:?}"
            );
        }
        for good in [
            "Nino",
            "ნინო",
            "Ни\u{301}но",
            "O'Brien & Söhne",
            "\u{200D}👩\u{200D}🍳",
            "",
        ] {
            assert_eq!(validate_text(good, false), None, "{good:?}");
        }
        assert_eq!(validate_text("two\nlines\twith a tab", true), None);
        assert_eq!(
            validate_text("two\nlines\u{0}", true),
            Some(FieldCode::InvalidCharacters)
        );
    }

    #[test]
    fn a_registration_names_each_field_with_forbidden_characters() {
        let req = RegisterRequest {
            email: "ni\u{0}no@example.ge".into(),
            password: "tab\tin a password is fine".into(),
            display_name: "Nino\u{202E}".into(),
            phone: Some("+995\u{85}555123456".into()),
            ..request()
        };
        let got: Vec<(String, FieldCode)> = validate_registration(&req, "2026-11")
            .into_iter()
            .map(|e| (e.field, e.code))
            .collect();
        let want = ["email", "display_name", "phone"]
            .map(|f| (f.to_owned(), FieldCode::InvalidCharacters));
        assert_eq!(got, want);
    }

    proptest! {
        #[test]
        fn normalised_phone_is_stable(raw in "[+]?[0-9 ()-]{0,24}") {
            if let Some(once) = normalize_phone(&raw) {
                prop_assert_eq!(normalize_phone(&once), Some(once.clone()));
            }
        }
    }

    #[test]
    fn a_field_code_is_sent_in_snake_case_and_a_newer_one_reads_as_unknown() {
        let name = |code| serde_json::to_string(&code).unwrap();
        assert_eq!(name(FieldCode::PasswordTooShort), "\"password_too_short\"");
        assert_eq!(name(FieldCode::TooManyDecimals), "\"too_many_decimals\"");
        let read = |text: &str| serde_json::from_str::<FieldCode>(text).unwrap();
        assert_eq!(read("\"invalid_characters\""), FieldCode::InvalidCharacters);
        assert_eq!(read("\"a_rule_from_a_newer_server\""), FieldCode::Unknown);
    }
}
