//! Generates the wallet's translations: leptos_i18n's module of the English texts
//! (`OUT_DIR/i18n/mod.rs`), and `OUT_DIR/i18n/slots.rs`, each key's slot in the other languages'
//! tables (`locales/catalog.rs`; xtask writes the tables into `dist/locales/`). A language that
//! lacks a key, a placeholder or a plural category it needs fails the build.
use leptos_i18n_build::{Config, ParseOptions, TranslationsInfos};
use std::error::Error;
use std::fmt::Write as _;
use std::path::PathBuf;

// The tables themselves are xtask's to write.
#[allow(dead_code)]
#[path = "locales/catalog.rs"]
mod catalog;

fn main() -> Result<(), Box<dyn Error>> {
    println!("cargo::rerun-if-changed=build.rs");
    println!("cargo::rerun-if-changed=Cargo.toml");
    println!("cargo::rerun-if-changed=locales");
    let out = PathBuf::from(std::env::var_os("OUT_DIR").ok_or("OUT_DIR is not set")?).join("i18n");
    // English only: the other languages are tables fetched at start (see `slots.rs`), so a
    // build carries one language's texts, not five.
    let cfg = Config::new("en")?
        // Lets `t_string!` interpolate (e.g. the seconds of a rate limit).
        .parse_options(ParseOptions::default().interpolate_display(true));
    let infos = TranslationsInfos::parse(cfg)?;
    infos.emit_diagnostics();
    infos.rerun_if_locales_changed();
    infos.generate_i18n_module(out.clone())?;
    std::fs::write(out.join("slots.rs"), slots_module()?)?;
    Ok(())
}

/// `pub mod keys { pub mod rewards { pub const left: u16 = 412; ... } }`.
fn slots_module() -> Result<String, Box<dyn Error>> {
    let read = |tag: &str| -> Result<catalog::Messages, Box<dyn Error>> {
        let text = std::fs::read_to_string(format!("locales/{tag}.json"))?;
        Ok(catalog::parse(&text).map_err(|e| format!("locales/{tag}.json: {e}"))?)
    };
    let english = read("en")?;
    for (tag, _) in &catalog::LANGUAGES[1..] {
        let problems = catalog::problems(tag, &english, &read(tag)?);
        if !problems.is_empty() {
            return Err(problems.join("\n").into());
        }
    }
    let mut keys = String::new();
    let mut open: Vec<&str> = Vec::new();
    for (key, slot) in catalog::slots(&english) {
        let parts: Vec<&str> = key.split('.').collect();
        let (modules, name) = parts.split_at(parts.len() - 1);
        let common = open.iter().zip(modules).take_while(|(a, b)| a == b).count();
        while open.len() > common {
            open.pop();
            keys.push_str("}\n");
        }
        for module in &modules[common..] {
            writeln!(keys, "pub mod {} {{", ident(module))?;
            open.push(module);
        }
        writeln!(keys, "pub const {}: u16 = {slot};", ident(name[0]))?;
    }
    keys.push_str(&"}\n".repeat(open.len()));
    Ok(format!(
        "/// Each key's first slot in a language's table (a plural message has one per CLDR category).\n\
         #[allow(non_upper_case_globals, dead_code)]\npub mod keys {{\n{keys}}}\n"
    ))
}

/// `name` as a Rust identifier (a raw one where it is a keyword).
fn ident(name: &str) -> String {
    const KEYWORDS: [&str; 12] = [
        "as", "box", "fn", "for", "if", "in", "loop", "match", "move", "ref", "type", "use",
    ];
    if KEYWORDS.contains(&name) {
        format!("r#{name}")
    } else {
        name.to_owned()
    }
}
