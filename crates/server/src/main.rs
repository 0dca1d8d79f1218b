//! `localsecrets`: parses the configuration, opens the state, listens, and serves until
//! SIGINT or SIGTERM.

use clap::Parser;
use localsecrets_server::config::Command;
use localsecrets_server::fixtures::{self, AtStart};
use localsecrets_server::guard::Guard;
use localsecrets_server::{healthcheck, listener, App, Config};
use std::io::IsTerminal;
use std::process::ExitCode;
use std::sync::Arc;
use tokio::signal::unix::{signal, SignalKind};
use tracing::{error, info};
use tracing_subscriber::EnvFilter;

fn main() -> ExitCode {
    let config = Config::parse();
    if config.command == Some(Command::Healthcheck) {
        return healthcheck::run(&config.host, config.port);
    }
    tracing_subscriber::fmt()
        .with_env_filter(EnvFilter::new(&config.log_level))
        .with_writer(std::io::stderr)
        .with_ansi(std::io::stderr().is_terminal())
        .init();
    let runtime = match tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
    {
        Ok(rt) => rt,
        Err(e) => {
            error!("cannot start the async runtime: {e}");
            return ExitCode::FAILURE;
        }
    };
    match runtime.block_on(run(config)) {
        Ok(()) => ExitCode::SUCCESS,
        Err(message) => {
            error!("{message}");
            ExitCode::FAILURE
        }
    }
}

async fn run(config: Config) -> Result<(), String> {
    // Installed before the port opens, so a signal right after startup is a clean stop.
    let mut terminate =
        signal(SignalKind::terminate()).map_err(|e| format!("cannot watch SIGTERM: {e}"))?;
    let mut interrupt =
        signal(SignalKind::interrupt()).map_err(|e| format!("cannot watch SIGINT: {e}"))?;

    let app = App::from_config(&config).map_err(|e| format!("cannot open state: {e}"))?;
    match config.data_path() {
        Some(path) => info!("state in {}", path.display()),
        None => info!("state in memory (lost on exit; use --data PATH to keep it)"),
    }
    if let Some(path) = config.fixtures_path() {
        match fixtures::load_at_start(&app, path)? {
            AtStart::Loaded(files) if files.is_empty() => {
                info!("no fixture files in {}", path.display())
            }
            AtStart::Loaded(files) => {
                for f in files {
                    info!(source = %f.source, secrets = f.secrets, records = f.records, "fixtures loaded");
                }
            }
            AtStart::Skipped { existing } => info!(
                "fixtures in {} not loaded: the stored state already holds {existing} secrets",
                path.display()
            ),
        }
    }
    let listener = tokio::net::TcpListener::bind((config.host.as_str(), config.port))
        .await
        .map_err(|e| format!("cannot listen on {}:{}: {e}", config.host, config.port))?;
    let addr = listener
        .local_addr()
        .map_err(|e| format!("cannot read the bound address: {e}"))?;
    info!("localsecrets listening on http://{addr}");
    let mut app = app;
    app.guard = Guard::new(
        addr.ip().is_loopback(),
        &config.allowed_hosts,
        config.admin_token.clone(),
    );
    if config.admin_token.as_deref().is_some_and(|t| !t.is_empty()) {
        info!("admin API requires the admin token");
    }
    let app = Arc::new(app);
    // Functions call back on loopback when the server listens on every address.
    let callback = if addr.ip().is_unspecified() {
        std::net::SocketAddr::new([127, 0, 0, 1].into(), addr.port())
    } else {
        addr
    };
    app.functions.set_endpoint(format!("http://{callback}"));
    tokio::spawn(app.scheduler.clone().run(app.clone()));

    let shutdown = async move {
        tokio::select! {
            _ = terminate.recv() => info!("SIGTERM received, shutting down"),
            _ = interrupt.recv() => info!("SIGINT received, shutting down"),
        }
    };
    listener::serve(listener, app, shutdown).await;
    info!("stopped");
    Ok(())
}
