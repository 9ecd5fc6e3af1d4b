//! What every handler can reach.

use crate::auth::password::Passwords;
use crate::auth::rate_limit::LoginLimits;
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
    pub login_limits: LoginLimits,
    /// The built wallet, when there is one to serve.
    pub wallet: Option<Arc<WalletFiles>>,
    /// Trust `X-Forwarded-For` for the client address (only behind a proxy that sets it).
    pub trust_proxy: bool,
}
