//! The `carteiro` binary: read the configuration, start the server.

use carteiro::app::Application;
use carteiro::config::Config;

#[tokio::main]
async fn main() -> std::process::ExitCode {
    carteiro::telemetry::init();
    let (config, notes) = match Config::from_env() {
        Ok(loaded) => loaded,
        Err(e) => {
            tracing::error!("configuration error: {e}");
            return std::process::ExitCode::from(2);
        }
    };
    for note in notes {
        tracing::warn!("{note}");
    }
    let app = match Application::build(config.clone()).await {
        Ok(app) => app,
        Err(e) => {
            tracing::error!("cannot start: {e}");
            return std::process::ExitCode::from(2);
        }
    };
    app.check_upstream().await;
    tracing::info!(
        "Carteiro listening on http://{}{}/",
        config.listen,
        config.base_path
    );
    let shutdown = async {
        wait_for_stop_signal().await;
        tracing::info!("shutting down: finishing requests in flight");
    };
    match app.run_until(shutdown).await {
        Ok(()) => std::process::ExitCode::SUCCESS,
        Err(e) => {
            tracing::error!("server error: {e}");
            std::process::ExitCode::FAILURE
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
