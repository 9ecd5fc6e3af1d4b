//! The wallet's languages: their tables written into `dist/locales/` under the names the
//! wallet's build compiled in (both lay them out by `locales/catalog.rs`), and the tests that
//! every language has every key, placeholder and plural category.

use anyhow::{bail, Context, Result};
use std::path::Path;

// The build script uses all of it; xtask does not lay out slots but in its tests.
#[allow(dead_code)]
#[path = "../../locales/catalog.rs"]
mod catalog;

pub use catalog::Audience;

fn read(root: &Path, tag: &str) -> Result<catalog::Messages> {
    let path = root.join(format!("locales/{tag}.json"));
    let text = std::fs::read_to_string(&path).with_context(|| format!("{}", path.display()))?;
    catalog::parse(&text).map_err(|e| anyhow::anyhow!("{}: {e}", path.display()))
}

/// Where the pages' language script (`partials/head.html`) takes the tables' names: a meta
/// element's content, which the minifier leaves as it is.
const TABLES_SLOT: &str = "__TESSERA_LOCALE_TABLES__";

/// Writes each language's tables (other than English, which the wallet carries) into
/// `dist/locales/`, a customer's and the console's, refusing an incomplete language, and their
/// names into every page built with the language script (`dist/**/index.html`), which fetches
/// the chosen one's.
pub fn write_tables(root: &Path, dist: &Path) -> Result<()> {
    let english = read(root, "en")?;
    let dir = dist.join("locales");
    std::fs::create_dir_all(&dir)?;
    let (mut customer, mut console) = (serde_json::Map::new(), serde_json::Map::new());
    for (tag, _) in &catalog::LANGUAGES[1..] {
        let messages = read(root, tag)?;
        let problems = catalog::problems(tag, &english, &messages);
        if !problems.is_empty() {
            bail!("{}", problems.join("\n"));
        }
        for (audience, names) in [
            (Audience::Customer, &mut customer),
            (Audience::Console, &mut console),
        ] {
            let table = catalog::table(&english, &messages, audience);
            let name = catalog::file_name(tag, audience, &table);
            std::fs::write(dir.join(&name), table)?;
            names.insert((*tag).to_owned(), name.into());
        }
    }
    let mut filled = 0;
    for (page, audience) in crate::wallet::PAGES {
        let names = match audience {
            Audience::Customer => &customer,
            Audience::Console => &console,
        };
        // As an attribute's value, quoted or not: no spaces, quotes or angle brackets.
        let names = serde_json::Value::Object(names.clone())
            .to_string()
            .replace('&', "&amp;")
            .replace('"', "&quot;");
        let path = dist.join(page);
        let Ok(html) = std::fs::read_to_string(&path) else {
            continue;
        };
        if html.contains(TABLES_SLOT) {
            std::fs::write(&path, html.replace(TABLES_SLOT, &names))?;
            filled += 1;
        }
    }
    if filled == 0 {
        bail!(
            "no page of {} has the language script's {TABLES_SLOT}",
            dist.display()
        );
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::catalog::{self, Message, Messages};

    fn messages(json: &str) -> Messages {
        catalog::parse(json).expect("valid language file")
    }

    #[test]
    fn every_language_has_every_key_placeholder_and_plural_category() {
        let root = crate::root();
        let english = super::read(&root, "en").unwrap();
        let mut problems = Vec::new();
        for (tag, _) in &catalog::LANGUAGES[1..] {
            problems.extend(catalog::problems(
                tag,
                &english,
                &super::read(&root, tag).unwrap(),
            ));
        }
        assert_eq!(problems, Vec::<String>::new());
    }

    #[test]
    fn english_plural_messages_have_one_and_other() {
        let english = super::read(&crate::root(), "en").unwrap();
        for (key, message) in &english {
            if let Message::Plural(forms) = message {
                let categories: Vec<&str> = forms.keys().map(String::as_str).collect();
                assert_eq!(categories, ["one", "other"], "{key}");
            }
        }
    }

    const ENGLISH: &str =
        r#"{"a": {"b": "Hello {name}"}, "left": {"one": "{count} left", "other": "{count} left"}}"#;

    #[test]
    fn a_missing_key_is_a_problem() {
        let problems = catalog::problems(
            "bg",
            &messages(ENGLISH),
            &messages(r#"{"left": {"one": "{count}", "other": "{count}"}}"#),
        );
        assert_eq!(problems, ["bg: `a.b` is missing"]);
    }

    #[test]
    fn a_placeholder_that_differs_is_a_problem() {
        let problems = catalog::problems(
            "bg",
            &messages(ENGLISH),
            &messages(
                r#"{"a": {"b": "Здравей {име}"}, "left": {"one": "{count}", "other": "{count}"}}"#,
            ),
        );
        assert_eq!(
            problems,
            ["bg: `a.b` has the placeholders [\"име\"], English [\"name\"]"]
        );
    }

    #[test]
    fn a_plural_category_the_language_needs_is_a_problem_when_missing() {
        let problems = catalog::problems(
            "sr-Latn",
            &messages(ENGLISH),
            &messages(
                r#"{"a": {"b": "Zdravo {name}"}, "left": {"one": "{count}", "other": "{count}"}}"#,
            ),
        );
        assert_eq!(
            problems,
            ["sr-Latn: `left` lacks the plural category `few`"]
        );
    }

    #[test]
    fn a_table_has_six_slots_per_plural_message_in_category_order() {
        let english = messages(ENGLISH);
        let latvian = messages(
            r#"{"a": {"b": "Sveiki {name}"}, "left": {"zero": "{count} nulle", "one": "{count} viens", "other": "{count} citi"}}"#,
        );
        assert_eq!(catalog::slots(&english), [("a.b", 0), ("left", 1)]);
        assert_eq!(
            catalog::table(&english, &latvian, catalog::Audience::Customer),
            r#"["Sveiki {name}","{count} nulle","{count} viens","","","","{count} citi"]"#
        );
    }

    #[test]
    fn a_table_file_name_changes_with_its_texts() {
        let name = |table| catalog::file_name("ka", catalog::Audience::Customer, table);
        let one = name("[\"a\"]");
        assert!(one.starts_with("ka.") && one.ends_with(".json"), "{one}");
        assert_ne!(one, name("[\"b\"]"));
        assert_eq!(one, name("[\"a\"]"));
    }

    #[test]
    fn a_customers_table_leaves_the_consoles_screens_out() {
        let english = messages(
            r#"{"till": {"scan": {"title": "Next customer"}, "sign_in": {"title": "Till sign-in"}}}"#,
        );
        let bulgarian = messages(
            r#"{"till": {"scan": {"title": "Следващ клиент"}, "sign_in": {"title": "Вход в касата"}}}"#,
        );
        assert_eq!(
            catalog::table(&english, &bulgarian, catalog::Audience::Customer),
            r#"["","Вход в касата"]"#
        );
        assert_eq!(
            catalog::table(&english, &bulgarian, catalog::Audience::Console),
            r#"["Следващ клиент","Вход в касата"]"#
        );
    }
}
