//! The wallet's texts as the build reads them: every `locales/<tag>.json` checked against
//! English (the same keys, the same `{placeholders}`, the plural categories the language needs)
//! and laid out as one table of slots per language, which the wallet fetches by a file name that
//! carries the table's hash.
//!
//! Shared, by `#[path]`, by the wallet's `build.rs` (which compiles each key's slot and the
//! tables' file names into the wallet, and refuses an incomplete language) and by xtask (which
//! writes the tables into `dist/locales/` and tests the files), so both lay the slots out alike.

use serde_json::Value;
use sha2::{Digest, Sha256};
use std::collections::BTreeMap;

/// The languages, English first (compiled into the wallet; the others are fetched), each with
/// the CLDR plural categories its numbers need (what `Intl.PluralRules` answers for integers).
pub const LANGUAGES: [(&str, &[&str]); 5] = [
    ("en", &["one", "other"]),
    ("ka", &["one", "other"]),
    ("bg", &["one", "other"]),
    ("lv", &["zero", "one", "other"]),
    ("sr-Latn", &["one", "few", "other"]),
];

/// Every CLDR plural category, in the order of a plural message's slots.
pub const CATEGORIES: [&str; 6] = ["zero", "one", "two", "few", "many", "other"];

/// One text of a language file.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Message {
    /// A text.
    Text(String),
    /// A text per plural category (an object whose keys are all categories), chosen by a number.
    Plural(BTreeMap<String, String>),
}

/// A language file's texts by dotted key (`rewards.left`), in key order.
pub type Messages = BTreeMap<String, Message>;

/// Reads a language file's JSON.
pub fn parse(json: &str) -> Result<Messages, String> {
    let value: Value = serde_json::from_str(json).map_err(|e| e.to_string())?;
    let mut messages = Messages::new();
    flatten(&value, "", &mut messages)?;
    Ok(messages)
}

fn flatten(value: &Value, prefix: &str, into: &mut Messages) -> Result<(), String> {
    let Value::Object(map) = value else {
        return Err(format!("{prefix}: an object was expected"));
    };
    for (key, value) in map {
        let path = format!("{prefix}{key}");
        match value {
            Value::String(text) => {
                into.insert(path, Message::Text(text.clone()));
            }
            Value::Object(inner) if is_plural(inner) => {
                let forms = inner
                    .iter()
                    .map(|(category, text)| match text {
                        Value::String(text) => Ok((category.clone(), text.clone())),
                        _ => Err(format!("{path}.{category}: a text was expected")),
                    })
                    .collect::<Result<_, String>>()?;
                into.insert(path, Message::Plural(forms));
            }
            Value::Object(_) => flatten(value, &format!("{path}."), into)?,
            _ => return Err(format!("{path}: a text or an object was expected")),
        }
    }
    Ok(())
}

fn is_plural(map: &serde_json::Map<String, Value>) -> bool {
    !map.is_empty() && map.keys().all(|k| CATEGORIES.contains(&k.as_str()))
}

/// The `{name}`s of a text, sorted, each once.
pub fn placeholders(text: &str) -> Vec<&str> {
    let mut names: Vec<&str> = text
        .split('{')
        .skip(1)
        .filter_map(|rest| rest.split_once('}').map(|(name, _)| name))
        .filter(|name| !name.is_empty() && !name.contains(char::is_whitespace))
        .collect();
    names.sort_unstable();
    names.dedup();
    names
}

/// What is wrong with language `tag`'s `messages` against English: each problem in words, none
/// when the language is complete.
pub fn problems(tag: &str, english: &Messages, messages: &Messages) -> Vec<String> {
    let needs = LANGUAGES
        .iter()
        .find(|(t, _)| *t == tag)
        .map_or(&[][..], |(_, needs)| *needs);
    let mut problems = Vec::new();
    for (key, theirs) in english {
        let Some(ours) = messages.get(key) else {
            problems.push(format!("{tag}: `{key}` is missing"));
            continue;
        };
        let want = match theirs {
            Message::Text(text) => placeholders(text),
            Message::Plural(forms) => placeholders(forms.get("other").map_or("", String::as_str)),
        };
        match (theirs, ours) {
            (Message::Text(_), Message::Text(text)) => {
                if text.trim().is_empty() {
                    problems.push(format!("{tag}: `{key}` is empty"));
                }
                if placeholders(text) != want {
                    problems.push(format!(
                        "{tag}: `{key}` has the placeholders {:?}, English {want:?}",
                        placeholders(text)
                    ));
                }
            }
            (Message::Plural(_), Message::Plural(forms)) => {
                let categories: Vec<&str> = forms.keys().map(String::as_str).collect();
                for need in needs {
                    if !categories.contains(need) {
                        problems.push(format!("{tag}: `{key}` lacks the plural category `{need}`"));
                    }
                }
                for (category, text) in forms {
                    if !needs.contains(&category.as_str()) {
                        problems.push(format!(
                            "{tag}: `{key}` has `{category}`, which {tag} never uses"
                        ));
                    }
                    if text.trim().is_empty() {
                        problems.push(format!("{tag}: `{key}.{category}` is empty"));
                    }
                    if placeholders(text) != want {
                        problems.push(format!(
                            "{tag}: `{key}.{category}` has the placeholders {:?}, English {want:?}",
                            placeholders(text)
                        ));
                    }
                }
            }
            (Message::Text(_), Message::Plural(_)) => problems.push(format!(
                "{tag}: `{key}` has plural forms, English has one text"
            )),
            (Message::Plural(_), Message::Text(_)) => {
                problems.push(format!("{tag}: `{key}` needs plural forms"))
            }
        }
    }
    for key in messages.keys().filter(|k| !english.contains_key(*k)) {
        problems.push(format!("{tag}: `{key}` is not an English key"));
    }
    problems
}

/// Each English key with its first slot: a text takes one, a plural message one per
/// [`CATEGORIES`] entry.
pub fn slots(english: &Messages) -> Vec<(&str, usize)> {
    let mut next = 0;
    english
        .iter()
        .map(|(key, message)| {
            let slot = next;
            next += match message {
                Message::Text(_) => 1,
                Message::Plural(_) => CATEGORIES.len(),
            };
            (key.as_str(), slot)
        })
        .collect()
}

/// The keys only the cashier console shows (its screens after sign-in), left out of the table a
/// customer's phone fetches; the till's sign-in (in the sign-in app) and its messages stay in.
pub const CONSOLE_ONLY: [&str; 6] = [
    "till.bar.",
    "till.scan.",
    "till.member.",
    "till.checkout.",
    "till.done.",
    "till.clubs.",
];

/// Which pages a table is for.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Audience {
    /// The wallet's pages (the wallet, the code screen, sign-in and join): no [`CONSOLE_ONLY`] key.
    Customer,
    /// The cashier console's page: every key.
    Console,
}

impl Audience {
    /// Whether `key`'s text is in this audience's table.
    pub fn reads(self, key: &str) -> bool {
        self == Audience::Console || !CONSOLE_ONLY.iter().any(|p| key.starts_with(p))
    }
}

/// A language's table for `audience`: a JSON array with a text per slot of [`slots`] (empty where
/// the language has none or the audience never reads it, so the wallet shows the English).
pub fn table(english: &Messages, messages: &Messages, audience: Audience) -> String {
    let mut texts: Vec<&str> = Vec::new();
    for (key, message) in english {
        let translated = messages.get(key).filter(|_| audience.reads(key));
        match (message, translated) {
            (Message::Text(_), Some(Message::Text(text))) => texts.push(text),
            (Message::Text(_), _) => texts.push(""),
            (Message::Plural(_), forms) => {
                for category in CATEGORIES {
                    texts.push(match forms {
                        Some(Message::Plural(forms)) => {
                            forms.get(category).map_or("", String::as_str)
                        }
                        _ => "",
                    });
                }
            }
        }
    }
    serde_json::to_string(&texts).unwrap_or_default()
}

/// The file name a table is served by: the language, the audience (the console's is
/// `<tag>-console`) and the first 16 hex digits of the table's SHA-256, so a changed table is a
/// new file and an unchanged one stays cached.
pub fn file_name(tag: &str, audience: Audience, table: &str) -> String {
    let hash = Sha256::digest(table.as_bytes());
    let hex: String = hash[..8].iter().map(|b| format!("{b:02x}")).collect();
    match audience {
        Audience::Customer => format!("{tag}.{hex}.json"),
        Audience::Console => format!("{tag}-console.{hex}.json"),
    }
}
