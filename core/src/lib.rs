//! Tessera's domain: the rules of loyalty programs and the types both the server and the wallet use.
//!
//! Nothing here does I/O, so the same code runs natively on the server (the authority) and in the
//! wallet compiled to wasm32 (to show progress and, later, make checkout codes offline).

pub mod aging;
pub mod api;
pub mod bill;
pub mod catalog;
pub mod checkout;
pub mod club;
pub mod device;
pub mod discount;
pub mod money;
pub mod points;
pub mod tier;
pub mod validation;

pub use money::{Currency, Money};
