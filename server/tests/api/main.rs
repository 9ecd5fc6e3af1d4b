//! Server integration tests: the real app over real databases (SQLite and PostgreSQL).

mod accounts;
mod cards;
mod checkout;
mod common;
mod demo;
mod errors;
mod ledger;
mod purchases;
mod serving;
mod till;
mod writes;
