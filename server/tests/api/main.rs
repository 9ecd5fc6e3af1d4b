//! Server integration tests: the real app over real databases (SQLite and PostgreSQL).

// Tests and benchmarks look at the tables directly (see clippy.toml).
#![allow(clippy::disallowed_methods)]

mod accounts;
mod cards;
mod checkout;
mod clubs;
mod common;
mod connections;
mod deletion;
mod demo;
mod errors;
mod export;
mod languages;
mod ledger;
mod limits;
mod password_reset;
mod profile;
mod program_entry;
mod program_terms;
mod published;
mod purchases;
mod rewards;
mod serving;
mod sessions;
mod text;
mod till;
mod writes;
