//! Authentication primitives: password hashing, session tokens, sessions and sign-in limits.

pub mod password;
pub mod rate_limit;
pub mod session;
pub mod token;
