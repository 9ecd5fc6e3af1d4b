//! `tessera-server`: reads its settings, opens the database, loads the programs and serves.

use clap::Parser;
use std::net::SocketAddr;
use std::path::PathBuf;
use std::sync::Arc;
use std::time::Duration;
use tessera_server::auth::password::Passwords;
use tessera_server::config::ProgramConfig;
use tessera_server::connections::{self, ConnectionLimits};
use tessera_server::state::{AppState, SessionPolicy};
use tessera_server::store::{SqliteSync, Store};
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
    /// Behind N proxies of yours, take the client address for attempt limits from the N-th
    /// `X-Forwarded-For` entry from the right (each proxy appends the address it saw; entries
    /// further left are the client's own). 0: the socket's peer.
    #[arg(
        long,
        env = "TESSERA_TRUST_PROXY",
        default_value_t = 0,
        value_name = "N"
    )]
    trust_proxy: usize,
    /// How long a client may take to send a request's headers, from connecting or from the
    /// previous response (so also how long an idle keep-alive connection stays open).
    #[arg(long, env = "TESSERA_HEADER_TIMEOUT", default_value = "10s", value_parser = humantime::parse_duration)]
    header_timeout: Duration,
    /// How long a request body may take to arrive.
    #[arg(long, env = "TESSERA_BODY_TIMEOUT", default_value = "30s", value_parser = humantime::parse_duration)]
    body_timeout: Duration,
    /// A response the client stops reading is given up (the connection closed) after this long
    /// without progress.
    #[arg(long, env = "TESSERA_SEND_TIMEOUT", default_value = "60s", value_parser = humantime::parse_duration)]
    send_timeout: Duration,
    /// Most client connections open at once; lowered to fit the open-files limit if need be.
    #[arg(long, env = "TESSERA_MAX_CONNECTIONS", default_value_t = 1024)]
    max_connections: usize,
    /// The SMTP server for password reset links: `smtp://host:port` (in the clear: a local
    /// relay), `smtp://user:password@host:587?tls=required` or `smtps://...`. Without it,
    /// passwords cannot be reset by e-mail (the sign-in screen names `[support] contact`).
    #[arg(long, env = "TESSERA_SMTP_URL", requires_all = ["mail_from", "public_url"])]
    smtp_url: Option<String>,
    /// The sender of the e-mails, e.g. `Tessera <no-reply@example.com>`.
    #[arg(long, env = "TESSERA_MAIL_FROM")]
    mail_from: Option<String>,
    /// Where customers open the wallet, e.g. `https://wallet.example.com`: the links in e-mails.
    #[arg(long, env = "TESSERA_PUBLIC_URL")]
    public_url: Option<String>,
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
        println!("{}", Passwords::production().hash_now(password).await?);
        return Ok(());
    }
    let config = ProgramConfig::load(&cli.config)?;
    let store = Store::connect(&cli.database, cli.sqlite_sync).await?;
    let wallet = cli
        .wallet_dir
        .as_deref()
        .map(WalletFiles::load)
        .transpose()?
        .map(Arc::new);
    let mail = match (&cli.smtp_url, &cli.mail_from, &cli.public_url) {
        (Some(url), Some(from), Some(public)) => Some(std::sync::Arc::new(
            tessera_server::mail::Mailer::new(url, from, public)?,
        )),
        _ => None,
    };
    let state = AppState {
        store,
        config: Arc::new(config),
        passwords: Passwords::production(),
        sessions: SessionPolicy {
            idle_ms: cli.session_idle_minutes * 60_000,
        },
        wallet,
        trust_proxy_hops: cli.trust_proxy,
        body_timeout: cli.body_timeout,
        exports: tessera_server::export::Exports::default(),
        mail,
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
    tokio::spawn(tessera_server::jobs::expiry(
        state.store.clone(),
        std::time::Duration::from_secs(60),
    ));
    // Renews (with points, when chosen) or lapses paid club memberships at their end date.
    tokio::spawn(tessera_server::jobs::clubs(
        state.store.clone(),
        state.config.clone(),
        std::time::Duration::from_secs(300),
    ));
    // Deletes ended sessions, expired tickets and old idempotency keys.
    tokio::spawn(tessera_server::jobs::housekeeping(
        state.store.clone(),
        std::time::Duration::from_secs(600),
    ));

    let open_files = connections::raise_open_files_limit();
    let limits = ConnectionLimits {
        header_timeout: cli.header_timeout,
        send_timeout: cli.send_timeout,
        max_connections: cli.max_connections,
    }
    .within_open_files(open_files);
    if limits.max_connections < cli.max_connections {
        tracing::warn!(
            open_files,
            max_connections = limits.max_connections,
            "fewer connections than asked for, to stay within the open-files limit"
        );
    }
    let listener = tokio::net::TcpListener::bind(cli.listen).await?;
    tracing::info!(
        "serving on http://{} ({} programs, database {:?}, at most {} connections)",
        listener.local_addr()?,
        state.config.programs.len(),
        state.store.engine,
        limits.max_connections
    );
    if cli.demo {
        println!(
            "Tessera is ready: http://{}  (demo sign-in: {} / {})",
            listener.local_addr()?,
            demo::DEMO_EMAIL,
            demo::DEMO_PASSWORD
        );
    }
    connections::serve(listener, app(state), limits, async {
        let _ = tokio::signal::ctrl_c().await;
    })
    .await;
    Ok(())
}
