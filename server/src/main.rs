//! `tessera-server`: reads its settings, opens the database, loads the programs and serves.

use clap::Parser;
use std::net::SocketAddr;
use std::path::PathBuf;
use std::sync::Arc;
use tessera_server::auth::password::Passwords;
use tessera_server::auth::rate_limit::LoginLimits;
use tessera_server::auth::session::SessionPolicy;
use tessera_server::config::ProgramConfig;
use tessera_server::db::{Db, SqliteSync};
use tessera_server::state::AppState;
use tessera_server::wallet_files::WalletFiles;
use tessera_server::{app, demo};

/// Tessera loyalty wallet server: the JSON API under /api/v1 and the built wallet.
#[derive(Parser, Debug)]
#[command(version)]
struct Cli {
    /// Address to listen on.
    #[arg(long, env = "TESSERA_LISTEN", default_value = "127.0.0.1:8080")]
    listen: SocketAddr,
    /// Database URL: `sqlite://PATH` (embedded, created if missing) or `postgres://...`.
    /// DATABASE_URL is read too when TESSERA_DATABASE is unset.
    #[arg(
        long,
        env = "TESSERA_DATABASE",
        default_value = "sqlite://data/tessera.db"
    )]
    database: String,
    /// The program configuration file (TOML).
    #[arg(long, env = "TESSERA_CONFIG", default_value = "config/demo.toml")]
    config: PathBuf,
    /// Directory of the built wallet (trunk's dist/). Without it only the API is served.
    #[arg(long, env = "TESSERA_WALLET_DIR")]
    wallet_dir: Option<PathBuf>,
    /// Load the demo customer (demo@example.com / tessera-demo). Without this flag demo
    /// accounts are removed at start.
    #[arg(long, env = "TESSERA_DEMO")]
    demo: bool,
    /// SQLite durability: `normal` (WAL; survives a crash, may lose the last commits on power
    /// loss) or `full` (fsync on every commit).
    #[arg(
        long,
        env = "TESSERA_SQLITE_SYNC",
        value_enum,
        default_value = "normal"
    )]
    sqlite_sync: SqliteSync,
    /// Minutes an unused session stays valid; each use extends it.
    #[arg(long, env = "TESSERA_SESSION_IDLE_MINUTES", default_value_t = 30 * 24 * 60)]
    session_idle_minutes: i64,
    /// Take the client address for rate limits from X-Forwarded-For (only behind a proxy).
    #[arg(long, env = "TESSERA_TRUST_PROXY")]
    trust_proxy: bool,
    #[command(subcommand)]
    command: Option<Command>,
}

#[derive(clap::Subcommand, Debug)]
enum Command {
    /// Read a password from standard input and print its argon2id hash, for a `[[staff]]`
    /// entry's `password_hash`.
    HashPassword,
}

#[tokio::main]
async fn main() {
    // A start-up problem (bad config, unreachable database) is one readable line, no backtrace.
    if let Err(e) = serve().await {
        eprintln!("tessera-server: {e:#}");
        std::process::exit(2);
    }
}

async fn serve() -> anyhow::Result<()> {
    tracing_subscriber::fmt()
        .with_env_filter(
            tracing_subscriber::EnvFilter::try_from_default_env()
                .unwrap_or_else(|_| "info,tower_http=warn,sqlx=warn".into()),
        )
        .init();
    let mut cli = Cli::parse();
    if std::env::var_os("TESSERA_DATABASE").is_none() {
        if let Ok(url) = std::env::var("DATABASE_URL") {
            if !std::env::args().any(|a| a.starts_with("--database")) {
                cli.database = url;
            }
        }
    }

    if let Some(Command::HashPassword) = cli.command {
        let mut password = String::new();
        std::io::stdin().read_line(&mut password)?;
        let password = password.trim_end_matches(['\r', '\n']).to_owned();
        anyhow::ensure!(password.chars().count() >= 10, "use at least 10 characters");
        println!("{}", Passwords::production().hash(password).await?);
        return Ok(());
    }
    let config = ProgramConfig::load(&cli.config)?;
    let db = Db::connect(&cli.database, cli.sqlite_sync).await?;
    let wallet = cli
        .wallet_dir
        .as_deref()
        .map(WalletFiles::load)
        .transpose()?
        .map(Arc::new);
    let state = AppState {
        db,
        config: Arc::new(config),
        passwords: Passwords::production(),
        sessions: SessionPolicy {
            idle_ms: cli.session_idle_minutes * 60_000,
        },
        login_limits: LoginLimits::default(),
        wallet,
        trust_proxy: cli.trust_proxy,
    };
    if cli.demo {
        demo::load(&state).await?;
    } else {
        let removed = demo::remove(&state).await?;
        if removed > 0 {
            tracing::info!(
                removed,
                "removed demo accounts (start with --demo to keep them)"
            );
        }
    }

    // Matures pending points and expires due ones; also done per card before each spend.
    tokio::spawn(tessera_server::ledger::run_expiry_job(
        state.db.clone(),
        std::time::Duration::from_secs(60),
    ));
    // Deletes ended sessions, expired tickets and old idempotency keys.
    tokio::spawn(tessera_server::housekeeping::run(
        state.db.clone(),
        std::time::Duration::from_secs(600),
    ));

    let listener = tokio::net::TcpListener::bind(cli.listen).await?;
    tracing::info!(
        "serving on http://{} ({} programs, database {:?})",
        listener.local_addr()?,
        state.config.programs.len(),
        state.db.engine
    );
    if cli.demo {
        println!(
            "Tessera is ready: http://{}  (demo sign-in: {} / {})",
            listener.local_addr()?,
            demo::DEMO_EMAIL,
            demo::DEMO_PASSWORD
        );
    }
    axum::serve(
        listener,
        app(state).into_make_service_with_connect_info::<SocketAddr>(),
    )
    .with_graceful_shutdown(async {
        let _ = tokio::signal::ctrl_c().await;
    })
    .await?;
    Ok(())
}
