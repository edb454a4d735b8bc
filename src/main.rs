//! The `carteiro` binary: read the configuration, start the server; or, as
//! `carteiro healthcheck`, ask a running one whether it is healthy.

use std::process::ExitCode;

use carteiro::config::Config;
use carteiro::healthcheck::{self, Probe};
use carteiro::startup::Application;

const USAGE: &str = "\
usage: carteiro                       serve (configured by CARTEIRO_* variables or CARTEIRO_CONFIG)
       carteiro healthcheck [--ready] exit 0 if the server on the configured listen address
                                      answers /healthz (--ready: /readyz), 1 if not
       carteiro --version";

fn main() -> ExitCode {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let args: Vec<&str> = args.iter().map(String::as_str).collect();
    match args.as_slice() {
        [] => serve(),
        ["healthcheck"] => health(Probe::Live),
        ["healthcheck", "--ready"] => health(Probe::Ready),
        ["--version" | "-V"] => {
            println!("carteiro {}", env!("CARGO_PKG_VERSION"));
            ExitCode::SUCCESS
        }
        ["--help" | "-h" | "help"] => {
            println!("{USAGE}");
            ExitCode::SUCCESS
        }
        _ => {
            eprintln!("{USAGE}");
            ExitCode::from(2)
        }
    }
}

/// Exit status 1 for every failure, configuration included: Docker reserves 2.
fn health(probe: Probe) -> ExitCode {
    let result = Config::listen_from_env()
        .map_err(|e| format!("configuration error: {}", e.report()))
        .and_then(|(listen, base_path)| healthcheck::check(listen, &base_path, probe));
    match result {
        Ok(()) => ExitCode::SUCCESS,
        Err(reason) => {
            eprintln!("unhealthy: {reason}");
            ExitCode::FAILURE
        }
    }
}

#[tokio::main]
async fn serve() -> ExitCode {
    carteiro::telemetry::init();
    let (config, notes) = match Config::from_env() {
        Ok(loaded) => loaded,
        Err(e) => {
            tracing::error!("configuration error: {}", e.report());
            return ExitCode::from(2);
        }
    };
    for note in notes {
        tracing::warn!("{note}");
    }
    let app = match Application::build(config.clone()).await {
        Ok(app) => app,
        Err(e) => {
            tracing::error!("cannot start: {}", e.report());
            return ExitCode::from(2);
        }
    };
    app.check_upstream().await;
    // The address actually bound: with port 0 the system picks one.
    let bound = std::net::SocketAddr::new(config.listen.ip(), app.port());
    tracing::info!("Carteiro listening on http://{bound}{}/", config.base_path);
    let shutdown = async {
        wait_for_stop_signal().await;
        tracing::info!("shutting down: finishing requests in flight");
    };
    match app.run_until(shutdown).await {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            tracing::error!("server error: {e}");
            ExitCode::FAILURE
        }
    }
}

/// Ctrl-C, or SIGTERM (what `docker stop` and systemd send).
async fn wait_for_stop_signal() {
    #[cfg(unix)]
    {
        use tokio::signal::unix::{signal, SignalKind};
        match signal(SignalKind::terminate()) {
            Ok(mut term) => {
                tokio::select! {
                    _ = tokio::signal::ctrl_c() => {}
                    _ = term.recv() => {}
                }
            }
            Err(_) => {
                let _ = tokio::signal::ctrl_c().await;
            }
        }
    }
    #[cfg(not(unix))]
    {
        let _ = tokio::signal::ctrl_c().await;
    }
}
