//! The program configuration file (TOML): the terms and the programs. Strict: an unknown key or an
//! invalid value stops the server at start with a message naming it.

use serde::Deserialize;
use std::collections::HashSet;
use std::path::Path;
use tessera_core::catalog::{is_id, Known, Reward, Text};
use tessera_core::club::{Club, Entry};
use tessera_core::discount::DiscountRule;
use tessera_core::points::EarningRules;
use tessera_core::tier::TierRules;
use tessera_core::Currency;

/// The whole configuration file.
#[derive(Clone, Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ProgramConfig {
    pub terms: TermsConfig,
    /// The privacy notice (`/privacy` in the wallet).
    pub privacy: PrivacyConfig,
    /// Whom customers ask for help (the sign-in screen names them when passwords cannot be
    /// reset by e-mail here).
    pub support: Option<SupportConfig>,
    #[serde(default)]
    pub programs: Vec<Program>,
    /// Till staff accounts.
    #[serde(default)]
    pub staff: Vec<StaffAccount>,
}

pub use tessera_core::api::StaffRole;

/// A till account (`[[staff]]`): signs in at `/till`, works for one program, optionally at one
/// location.
#[derive(Clone, Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct StaffAccount {
    /// Sign-in e-mail (compared in lower case).
    pub email: String,
    /// Shown on the console and recorded with what the account does.
    pub name: String,
    /// An argon2id PHC string; make one with `tessera-server hash-password`.
    pub password_hash: String,
    pub role: StaffRole,
    /// The program's id.
    pub program: String,
    /// The partner (brand) the account works for: required when the program has partners.
    pub partner: Option<String>,
    /// The store, recorded as the place of purchases: one of the partner's locations when the
    /// program has partners.
    pub location: Option<String>,
}

/// A brand of a coalition program (`[[programs.partners]]`): points earned at one are spent at
/// another, unless a reward is limited to some partners.
#[derive(Clone, Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Partner {
    /// 1-40 lowercase letters, digits or dashes; unique in the program.
    pub id: String,
    pub name: String,
    /// Its stores, by name; a staff account works at one.
    pub locations: Vec<String>,
}

/// The terms customers accept when joining.
#[derive(Clone, Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct TermsConfig {
    pub version: String,
    /// `YYYY-MM-DD`.
    pub updated: String,
    pub url: String,
    /// The text the wallet shows at `/terms` (per language where given; English the fallback).
    pub text: Text,
}

/// Whom customers ask for help.
#[derive(Clone, Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct SupportConfig {
    /// In words, e.g. "the staff at any till, or help@example.com".
    pub contact: String,
}

/// The privacy notice: what is kept, why, for how long, and the customer's rights.
#[derive(Clone, Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct PrivacyConfig {
    pub version: String,
    /// `YYYY-MM-DD`.
    pub updated: String,
    /// The text the wallet shows at `/privacy` (per language where given; English the fallback).
    pub text: Text,
}

/// Whether new customers are enrolled automatically.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Enrolment {
    Open,
    Closed,
}

/// One loyalty program.
#[derive(Clone, Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Program {
    pub id: String,
    pub name: String,
    pub currency: Currency,
    pub point_name: String,
    pub time_zone: String,
    pub enrolment: Enrolment,
    /// What applying to a closed program asks (questions, an invitation code, approval); a
    /// closed program needs it, an open one has none.
    pub entry: Option<Entry>,
    /// What the program is, in a few words (the wallet shows it to those who may apply).
    pub description: Option<Text>,
    pub terms_version: String,
    /// When the program's terms were last updated (`YYYY-MM-DD`): the wallet shows it when it
    /// asks a member to accept a new `terms_version`.
    pub terms_updated: Option<String>,
    /// Where the program's terms are published.
    pub terms_url: Option<String>,
    /// Earning, pending and expiry of points; without it the program earns nothing.
    pub earning: Option<EarningRules>,
    /// Levels; without it everyone is on one level.
    pub tiers: Option<TierRules>,
    /// The discount; without it, none.
    #[serde(default = "no_discount")]
    pub discount: DiscountRule,
    /// What one point is worth as payment at the till, in minor units; without it points are
    /// not taken as payment.
    pub point_value_minor: Option<i64>,
    /// The language of the program's texts, and the fallback of their per-language variants.
    #[serde(default = "english")]
    pub language: String,
    /// The brands of a coalition; without them the program is one brand, and its staff name
    /// no partner.
    #[serde(default)]
    pub partners: Vec<Partner>,
    /// The rewards catalog.
    #[serde(default)]
    pub rewards: Vec<Reward>,
    /// Clubs: open, paid or closed (`tessera_core::club`).
    #[serde(default)]
    pub clubs: Vec<Club>,
}

impl Program {
    /// A configured text (a name, a reward's or a club's words) in the reader's `language` where
    /// the configuration has it, else in the program's.
    pub fn text(&self, language: Option<&str>, text: &Text) -> String {
        text.get(language.unwrap_or(&self.language), &self.language)
            .to_owned()
    }

    /// The program's time zone (checked when the file was loaded).
    pub fn tz(&self) -> chrono_tz::Tz {
        self.time_zone.parse().unwrap_or(chrono_tz::UTC)
    }

    /// Checks the partners and the rewards; `Err` starts with the key (`partners[0].id: ...`).
    fn validate_catalog(&self) -> Result<(), String> {
        let mut ids = HashSet::new();
        for (i, partner) in self.partners.iter().enumerate() {
            let key = |field: &str| format!("partners[{i}].{field}");
            if !is_id(&partner.id) || !ids.insert(partner.id.as_str()) {
                return Err(format!(
                    "{}: `{}` must be 1-40 lowercase letters, digits or dashes, unique in the program",
                    key("id"),
                    partner.id
                ));
            }
            non_empty(&key("name"), &partner.name)?;
            if partner.locations.is_empty() {
                return Err(format!("{}: name at least one", key("locations")));
            }
            for location in &partner.locations {
                non_empty(&key("locations"), location)?;
            }
        }
        let tiers: Vec<&str> = self
            .tiers
            .iter()
            .flat_map(|t| t.levels.iter().map(|l| l.name.as_str()))
            .collect();
        let partners: Vec<&str> = self.partners.iter().map(|p| p.id.as_str()).collect();
        let mut clubs = Vec::new();
        for (i, club) in self.clubs.iter().enumerate() {
            club.validate(&self.language)
                .map_err(|e| format!("clubs[{i}].{e}"))?;
            if clubs.contains(&club.id.as_str()) {
                return Err(format!(
                    "clubs[{i}].id: `{}` is used by another club",
                    club.id
                ));
            }
            clubs.push(club.id.as_str());
        }
        let known = Known {
            language: &self.language,
            tiers: &tiers,
            partners: &partners,
            clubs: &clubs,
        };
        let mut ids = HashSet::new();
        for (i, reward) in self.rewards.iter().enumerate() {
            reward
                .validate(&known)
                .map_err(|e| format!("rewards[{i}].{e}"))?;
            if !ids.insert(reward.id.as_str()) {
                return Err(format!(
                    "rewards[{i}].id: `{}` is used by another reward",
                    reward.id
                ));
            }
        }
        Ok(())
    }
}

fn no_discount() -> DiscountRule {
    DiscountRule::None
}

fn english() -> String {
    "en".into()
}

impl ProgramConfig {
    /// Reads and checks a configuration file.
    pub fn load(path: &Path) -> anyhow::Result<Self> {
        let text = std::fs::read_to_string(path)
            .map_err(|e| anyhow::anyhow!("cannot read config file {}: {e}", path.display()))?;
        Self::parse(&text).map_err(|e| anyhow::anyhow!("config file {}: {e}", path.display()))
    }

    /// Parses and checks configuration text; the error names the offending key.
    pub fn parse(text: &str) -> Result<Self, String> {
        let config: ProgramConfig = toml::from_str(text).map_err(|e| e.to_string())?;
        config.validate()?;
        Ok(config)
    }

    fn validate(&self) -> Result<(), String> {
        is_date(&self.terms.updated).then_some(()).ok_or_else(|| {
            format!(
                "terms.updated: `{}` is not a YYYY-MM-DD date",
                self.terms.updated
            )
        })?;
        non_empty("terms.version", &self.terms.version)?;
        self.terms
            .text
            .validate("en")
            .map_err(|e| format!("terms.text: {e}"))?;
        is_date(&self.privacy.updated)
            .then_some(())
            .ok_or_else(|| {
                format!(
                    "privacy.updated: `{}` is not a YYYY-MM-DD date",
                    self.privacy.updated
                )
            })?;
        non_empty("privacy.version", &self.privacy.version)?;
        self.privacy
            .text
            .validate("en")
            .map_err(|e| format!("privacy.text: {e}"))?;
        let mut ids = HashSet::new();
        for (i, p) in self.programs.iter().enumerate() {
            let key = |field: &str| format!("programs[{i}].{field}");
            let id_ok = !p.id.is_empty()
                && p.id.len() <= 40
                && p.id
                    .bytes()
                    .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'-');
            if !id_ok {
                return Err(format!(
                    "{}: `{}` must be 1-40 lowercase letters, digits or dashes",
                    key("id"),
                    p.id
                ));
            }
            if !ids.insert(p.id.as_str()) {
                return Err(format!(
                    "{}: `{}` is used by another program",
                    key("id"),
                    p.id
                ));
            }
            non_empty(&key("name"), &p.name)?;
            non_empty(&key("point_name"), &p.point_name)?;
            non_empty(&key("terms_version"), &p.terms_version)?;
            if let Some(updated) = p.terms_updated.as_deref().filter(|d| !is_date(d)) {
                return Err(format!(
                    "{}: `{updated}` is not a YYYY-MM-DD date",
                    key("terms_updated")
                ));
            }
            if p.time_zone.parse::<chrono_tz::Tz>().is_err() {
                return Err(format!(
                    "{}: `{}` is not an IANA time zone (e.g. Asia/Tbilisi)",
                    key("time_zone"),
                    p.time_zone
                ));
            }
            if let Some(earning) = &p.earning {
                earning
                    .validate()
                    .map_err(|e| format!("{}.{e}", key("earning")))?;
            }
            if let Some(tiers) = &p.tiers {
                tiers
                    .validate()
                    .map_err(|e| format!("{}.{e}", key("tiers")))?;
            }
            if p.point_value_minor.is_some_and(|v| v <= 0) {
                return Err(format!("{}: must be at least 1", key("point_value_minor")));
            }
            p.discount
                .validate()
                .map_err(|e| format!("{}.{e}", key("discount")))?;
            if p.discount == DiscountRule::Tier && p.tiers.is_none() {
                return Err(format!(
                    "{}: `tier` needs a [programs.tiers] table",
                    key("discount.kind")
                ));
            }
            non_empty(&key("language"), &p.language)?;
            match (p.enrolment, &p.entry) {
                (Enrolment::Closed, Some(entry)) => entry
                    .validate_for_program(&p.language)
                    .map_err(|e| format!("{}.{e}", key("entry")))?,
                (Enrolment::Closed, None) => {
                    return Err(format!(
                        "{}: a closed program needs what applying asks (questions, invitations or approval)",
                        key("entry")
                    ))
                }
                (Enrolment::Open, Some(_)) => {
                    return Err(format!(
                        "{}: only a closed program has an entry",
                        key("entry")
                    ))
                }
                (Enrolment::Open, None) => {}
            }
            if let Some(description) = &p.description {
                description
                    .validate(&p.language)
                    .map_err(|e| format!("{}: {e}", key("description")))?;
            }
            p.validate_catalog()
                .map_err(|e| format!("{}{e}", key("")))?;
        }
        let mut emails = HashSet::new();
        for (i, staff) in self.staff.iter().enumerate() {
            let key = |field: &str| format!("staff[{i}].{field}");
            let email = tessera_core::validation::normalize_email(&staff.email);
            if tessera_core::validation::validate_email(&email).is_some() {
                return Err(format!(
                    "{}: `{}` is not an e-mail address",
                    key("email"),
                    staff.email
                ));
            }
            if !emails.insert(email) {
                return Err(format!(
                    "{}: `{}` is used by another account",
                    key("email"),
                    staff.email
                ));
            }
            non_empty(&key("name"), &staff.name)?;
            let is_argon2id = argon2::PasswordHash::new(&staff.password_hash)
                .is_ok_and(|h| h.algorithm.as_str() == "argon2id");
            if !is_argon2id {
                return Err(format!(
                    "{}: not an argon2id hash (make one with `tessera-server hash-password`)",
                    key("password_hash")
                ));
            }
            if self.program(&staff.program).is_none() {
                return Err(format!(
                    "{}: no program `{}`",
                    key("program"),
                    staff.program
                ));
            }
            if let Some(location) = &staff.location {
                non_empty(&key("location"), location)?;
            }
            let program = self.program(&staff.program).expect("checked above");
            match (&staff.partner, program.partners.is_empty()) {
                (None, true) => {}
                (Some(_), true) => {
                    return Err(format!(
                        "{}: program `{}` has no partners",
                        key("partner"),
                        program.id
                    ))
                }
                (None, false) => {
                    return Err(format!(
                        "{}: program `{}` has partners: name the account's",
                        key("partner"),
                        program.id
                    ))
                }
                (Some(partner), false) => {
                    let Some(found) = program.partners.iter().find(|p| &p.id == partner) else {
                        return Err(format!("{}: no partner `{partner}`", key("partner")));
                    };
                    let at = staff.location.as_deref().unwrap_or_default();
                    if !found.locations.iter().any(|l| l == at) {
                        return Err(format!(
                            "{}: `{at}` is not one of {}'s locations",
                            key("location"),
                            found.name
                        ));
                    }
                }
            }
        }
        Ok(())
    }

    /// The staff account with this e-mail (normalised).
    pub fn staff(&self, normalized_email: &str) -> Option<&StaffAccount> {
        self.staff
            .iter()
            .find(|s| tessera_core::validation::normalize_email(&s.email) == normalized_email)
    }

    /// The program with this id.
    pub fn program(&self, id: &str) -> Option<&Program> {
        self.programs.iter().find(|p| p.id == id)
    }
}

fn non_empty(key: &str, value: &str) -> Result<(), String> {
    if value.trim().is_empty() {
        Err(format!("{key}: must not be empty"))
    } else {
        Ok(())
    }
}

fn is_date(s: &str) -> bool {
    chrono::NaiveDate::parse_from_str(s, "%Y-%m-%d").is_ok()
}

#[cfg(test)]
mod tests {
    use super::*;

    const DEMO: &str = include_str!("../../config/demo.toml");

    #[test]
    fn the_shipped_demo_file_loads() {
        let config = ProgramConfig::parse(DEMO).unwrap();
        assert_eq!(config.programs.len(), 2);
        assert_eq!(config.programs[1].enrolment, Enrolment::Closed);
        assert_eq!(config.programs[0].currency.code(), "GEL");
        assert!(config.programs[0].earning.is_some());
        assert_eq!(config.programs[0].tiers.as_ref().unwrap().levels.len(), 3);
        assert_eq!(config.programs[0].discount, DiscountRule::Tier);
    }

    fn error_for(edit: impl Fn(&str) -> String) -> String {
        ProgramConfig::parse(&edit(DEMO)).unwrap_err()
    }

    #[test]
    fn an_unknown_key_is_named() {
        let err = error_for(|t| t.replace("point_name =", "colour = \"red\"\npoint_name ="));
        assert!(err.contains("unknown field `colour`"), "{err}");
    }

    /// Each `(from, to, named)`: the demo file with `from` replaced by `to` is refused by an
    /// error that says `named`.
    fn assert_each_edit_is_refused_naming(edits: &[(&str, &str, &str)]) {
        for (from, to, named) in edits {
            let err = error_for(|t| t.replace(from, to));
            assert!(err.contains(named), "{from} -> {to}: {err}");
        }
    }

    #[test]
    fn invalid_values_are_named() {
        let err = error_for(|t| t.replace("\"GEL\"", "\"lari\""));
        assert!(err.contains("currency") || err.contains("lari"), "{err}");
        assert_each_edit_is_refused_naming(&[
            ("Asia/Tbilisi", "Mars/Olympus", "programs[0].time_zone"),
            ("\"open\"", "\"maybe\"", "maybe"),
            (
                "id = \"mziuri\"",
                "id = \"Mziuri Coffee\"",
                "programs[0].id",
            ),
            (
                "updated = \"2026-11-01\"",
                "updated = \"soon\"",
                "terms.updated",
            ),
            (
                "threshold = 50000",
                "threshold = 0",
                "programs[0].tiers.levels",
            ),
            (
                "per_minor = 100",
                "per_minor = 0",
                "programs[0].earning.rate",
            ),
            ("\"after_month_end\"", "\"soon\"", "soon"),
        ]);
    }

    #[test]
    fn staff_accounts_are_checked() {
        let config = ProgramConfig::parse(DEMO).unwrap();
        assert_eq!(
            config.staff("till@example.com").unwrap().role,
            StaffRole::Cashier
        );
        assert_each_edit_is_refused_naming(&[
            (
                "program = \"mziuri\"",
                "program = \"bakery\"",
                "staff[0].program",
            ),
            (
                "password_hash = \"$argon2id",
                "password_hash = \"$2b$10",
                "staff[0].password_hash",
            ),
            ("\"till@example.com\"", "\"till\"", "staff[0].email"),
            ("role = \"cashier\"", "role = \"boss\"", "boss"),
        ]);
        let start = DEMO.find("[[staff]]").unwrap();
        let twice = format!("{DEMO}\n{}", &DEMO[start..]);
        let err = ProgramConfig::parse(&twice).unwrap_err();
        assert!(err.contains("staff[4].email"), "{err}");
    }

    #[test]
    fn a_staff_account_works_for_one_of_its_programs_partners_at_one_of_its_stores() {
        let config = ProgramConfig::parse(DEMO).unwrap();
        let bakery = config.staff("bakery@example.com").unwrap();
        assert_eq!(bakery.partner.as_deref(), Some("mziuri-bakery"));
        assert_each_edit_is_refused_naming(&[
            (
                "partner = \"mziuri-coffee\"",
                "partner = \"cinema\"",
                "staff[0].partner: no partner `cinema`",
            ),
            (
                "partner = \"mziuri-coffee\"\nlocation = \"Vake Park\"",
                "partner = \"mziuri-coffee\"\nlocation = \"Airport\"",
                "staff[0].location",
            ),
            (
                "partner = \"mziuri-coffee\"\n",
                "",
                "staff[0].partner: program `mziuri` has partners",
            ),
            (
                "id = \"mziuri-bakery\"",
                "id = \"mziuri-coffee\"",
                "programs[0].partners[1].id",
            ),
        ]);
    }

    #[test]
    fn the_demo_catalog_loads_and_a_reward_is_checked_against_its_program() {
        let config = ProgramConfig::parse(DEMO).unwrap();
        let rewards = &config.programs[0].rewards;
        assert!(rewards.len() >= 6, "{}", rewards.len());
        assert!(
            rewards.iter().any(|r| r.stock == Some(0)),
            "one out of stock"
        );
        assert!(rewards.iter().any(|r| r.tiers == ["Gold"]), "one for Gold");
        assert_each_edit_is_refused_naming(&[
            ("cost = 75", "cost = 0", "programs[0].rewards[0].cost"),
            (
                "tiers = [\"Gold\"]",
                "tiers = [\"Platinum\"]",
                "programs[0].rewards[5].tiers",
            ),
            (
                "partners = [\"mziuri-bakery\"]",
                "partners = [\"cinema\"]",
                "programs[0].rewards[1].partners",
            ),
            (
                "id = \"croissant\"",
                "id = \"extra-shot\"",
                "programs[0].rewards[1].id",
            ),
            (
                "picture = \"coffee.svg\"",
                "picture = \"https://example.com/coffee.png\"",
                "programs[0].rewards[2].picture",
            ),
            (
                "voucher_days = 14\npartners",
                "voucher_days = 0\npartners",
                "voucher_days",
            ),
        ]);
    }

    #[test]
    fn the_demo_has_a_club_of_each_kind() {
        use tessera_core::club::ClubKind;
        let config = ProgramConfig::parse(DEMO).unwrap();
        let kinds: Vec<ClubKind> = config.programs[0].clubs.iter().map(|c| c.kind).collect();
        assert_eq!(kinds, [ClubKind::Open, ClubKind::Paid, ClubKind::Closed]);
    }

    #[test]
    fn a_reward_for_club_members_names_one_of_the_programs_clubs() {
        let for_members = DEMO.replacen(
            "voucher_days = 14\npartners",
            "voucher_days = 14\nclubs = [\"tasters\"]\npartners",
            1,
        );
        assert!(ProgramConfig::parse(&for_members).is_ok());
        assert_each_edit_is_refused_naming(&[
            (
                "voucher_days = 14\npartners",
                "voucher_days = 14\nclubs = [\"bakers\"]\npartners",
                "programs[0].rewards[1].clubs",
            ),
            (
                "id = \"beans\"",
                "id = \"morning\"",
                "programs[0].clubs[1].id",
            ),
            (
                "fees = { entrance = { points = 200, ",
                "fees = { entrance = { points = 0, ",
                "programs[0].clubs[1].fees.entrance",
            ),
            (
                "kind = \"closed\"",
                "kind = \"open\"",
                "programs[0].clubs[2].entry",
            ),
        ]);
    }

    #[test]
    fn a_closed_program_says_what_applying_asks_and_asks_for_no_purchases() {
        assert_each_edit_is_refused_naming(&[
            (
                "enrolment = \"open\"",
                "enrolment = \"closed\"",
                "programs[0].entry: a closed program needs",
            ),
            (
                "enrolment = \"closed\"",
                "enrolment = \"open\"",
                "programs[1].entry: only a closed program",
            ),
            (
                "[programs.entry]\n",
                "[programs.entry]\nrules = [{ kind = \"purchases\", count = 2 }]\n",
                "programs[1].entry.rules",
            ),
            (
                "invitations = { per_year = 3, valid_days = 30 }",
                "invitations = { per_year = 0, valid_days = 30 }",
                "programs[1].entry.invitations",
            ),
        ]);
    }

    #[test]
    fn duplicate_program_ids_are_refused() {
        let start = DEMO.find("[[programs]]").unwrap();
        let twice = format!("{DEMO}\n{}", &DEMO[start..]);
        let err = ProgramConfig::parse(&twice).unwrap_err();
        assert!(err.contains("programs[2].id"), "{err}");
    }
}
