//! What every handler can reach.

use crate::auth::password::Passwords;
use crate::config::ProgramConfig;
use crate::store::Store;
use crate::wallet_files::WalletFiles;
use std::sync::Arc;

/// How long an unused customer session lives.
#[derive(Clone, Copy, Debug)]
pub struct SessionPolicy {
    pub idle_ms: i64,
}

#[derive(Clone)]
pub struct AppState {
    pub store: Store,
    pub config: Arc<ProgramConfig>,
    pub passwords: Passwords,
    pub sessions: SessionPolicy,
    /// The built wallet, when there is one to serve.
    pub wallet: Option<Arc<WalletFiles>>,
    /// How many proxies of ours stand in front, whose `X-Forwarded-For` entries are trusted
    /// (0: none; see [`crate::client_address`]).
    pub trust_proxy_hops: usize,
    /// The longest a request body may take to arrive.
    pub body_timeout: std::time::Duration,
    /// The places for customers' exports running at once.
    pub exports: crate::export::Exports,
    /// The mail server for password reset links; `None`: resetting by e-mail is off.
    pub mail: Option<std::sync::Arc<crate::mail::Mailer>>,
}
