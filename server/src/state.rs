//! What every handler can reach.

use crate::auth::password::Passwords;
use crate::auth::session::SessionPolicy;
use crate::config::ProgramConfig;
use crate::db::Db;
use crate::wallet_files::WalletFiles;
use std::sync::Arc;

#[derive(Clone)]
pub struct AppState {
    pub db: Db,
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
}
