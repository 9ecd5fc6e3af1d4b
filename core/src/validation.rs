//! Rules for what a customer types when joining, shared so the wallet can show a field error
//! before sending and the server enforces exactly the same rule.

use crate::api::{FieldError, RegisterRequest};

/// Shortest password accepted (NIST SP 800-63B asks for at least 8; we ask for 10).
pub const PASSWORD_MIN_CHARS: usize = 10;
/// Longest password accepted: long enough for any passphrase, short enough to bound hashing work.
pub const PASSWORD_MAX_CHARS: usize = 256;
/// Longest display name.
pub const DISPLAY_NAME_MAX_CHARS: usize = 80;
/// Longest e-mail address (RFC 5321 path limit).
pub const EMAIL_MAX_CHARS: usize = 254;

/// Field codes the wallet translates; the server sends them in `fields[].code`.
pub mod code {
    /// The field is required and was empty.
    pub const REQUIRED: &str = "required";
    /// The e-mail address is not of the form `name@domain.tld`.
    pub const EMAIL_INVALID: &str = "email_invalid";
    /// The password is shorter than [`super::PASSWORD_MIN_CHARS`].
    pub const PASSWORD_TOO_SHORT: &str = "password_too_short";
    /// The value is longer than allowed.
    pub const TOO_LONG: &str = "too_long";
    /// The phone number is not digits with an optional leading `+`.
    pub const PHONE_INVALID: &str = "phone_invalid";
    /// The terms were not accepted, or an outdated version was.
    pub const TERMS_NOT_ACCEPTED: &str = "terms_not_accepted";
    /// A number that must be above zero is not.
    pub const NOT_POSITIVE: &str = "not_positive";
    /// A number is larger than allowed (e.g. points worth more than the bill).
    pub const TOO_LARGE: &str = "too_large";
    /// The text holds a control character or a bidirectional override (see [`super::validate_text`]).
    pub const INVALID_CHARACTERS: &str = "invalid_characters";
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
pub fn validate_text(text: &str, multiline: bool) -> Option<&'static str> {
    text.chars()
        .any(|c| is_forbidden_char(c, multiline))
        .then_some(code::INVALID_CHARACTERS)
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
pub fn validate_email(email: &str) -> Option<&'static str> {
    let email = email.trim();
    if email.is_empty() {
        return Some(code::REQUIRED);
    }
    if email.chars().count() > EMAIL_MAX_CHARS {
        return Some(code::TOO_LONG);
    }
    let Some((local, domain)) = email.split_once('@') else {
        return Some(code::EMAIL_INVALID);
    };
    let domain_ok = domain.contains('.')
        && !domain.starts_with('.')
        && !domain.ends_with('.')
        && !domain.contains('@');
    if local.is_empty() || !domain_ok || email.chars().any(char::is_whitespace) {
        return Some(code::EMAIL_INVALID);
    }
    None
}

/// Checks a new password's length (counted in characters, not bytes).
pub fn validate_password(password: &str) -> Option<&'static str> {
    let chars = password.chars().count();
    if chars == 0 {
        Some(code::REQUIRED)
    } else if chars < PASSWORD_MIN_CHARS {
        Some(code::PASSWORD_TOO_SHORT)
    } else if chars > PASSWORD_MAX_CHARS {
        Some(code::TOO_LONG)
    } else {
        None
    }
}

/// Checks a display name: not blank, at most [`DISPLAY_NAME_MAX_CHARS`].
pub fn validate_display_name(name: &str) -> Option<&'static str> {
    let name = name.trim();
    if name.is_empty() {
        Some(code::REQUIRED)
    } else if name.chars().count() > DISPLAY_NAME_MAX_CHARS {
        Some(code::TOO_LONG)
    } else {
        None
    }
}

/// Checks a whole registration against the terms version currently offered; an empty list
/// means it may be submitted.
pub fn validate_registration(req: &RegisterRequest, current_terms: &str) -> Vec<FieldError> {
    let mut errors = Vec::new();
    let mut check = |field: &str, code: Option<&'static str>| {
        if let Some(code) = code {
            errors.push(FieldError {
                field: field.to_owned(),
                code: code.to_owned(),
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
    let phone = req
        .phone
        .as_deref()
        .map(str::trim)
        .filter(|p| !p.is_empty());
    check(
        "phone",
        phone.and_then(|p| {
            text(p).or_else(|| normalize_phone(p).is_none().then_some(code::PHONE_INVALID))
        }),
    );
    check(
        "accepted_terms_version",
        (req.accepted_terms_version != current_terms).then_some(code::TERMS_NOT_ACCEPTED),
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
        };
        let got: Vec<(String, String)> = validate_registration(&req, "2026-11")
            .into_iter()
            .map(|e| (e.field, e.code))
            .collect();
        let want = [
            ("email", code::EMAIL_INVALID),
            ("password", code::PASSWORD_TOO_SHORT),
            ("display_name", code::REQUIRED),
            ("phone", code::PHONE_INVALID),
            ("accepted_terms_version", code::TERMS_NOT_ACCEPTED),
        ];
        assert_eq!(got, want.map(|(f, c)| (f.to_owned(), c.to_owned())));
    }

    #[test]
    fn emails_are_checked_and_normalised() {
        assert_eq!(validate_email("a@b.co"), None);
        assert_eq!(validate_email(""), Some(code::REQUIRED));
        for bad in ["a@b", "@b.co", "a@.co", "a@b.", "a b@c.de", "a@b@c.de"] {
            assert_eq!(validate_email(bad), Some(code::EMAIL_INVALID), "{bad}");
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
        assert_eq!(validate_password("ქართული"), Some(code::PASSWORD_TOO_SHORT));
        assert_eq!(validate_password(&"x".repeat(257)), Some(code::TOO_LONG));
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
                Some(code::INVALID_CHARACTERS),
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
            Some(code::INVALID_CHARACTERS)
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
        let got: Vec<(String, String)> = validate_registration(&req, "2026-11")
            .into_iter()
            .map(|e| (e.field, e.code))
            .collect();
        let want = ["email", "display_name", "phone"]
            .map(|f| (f.to_owned(), code::INVALID_CHARACTERS.to_owned()));
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
}
