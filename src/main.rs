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
        let _ = tokio::signal::ctrl_c().await;
        tracing::info!("shutting down");
    };
    match app.run_until(shutdown).await {
        Ok(()) => std::process::ExitCode::SUCCESS,
        Err(e) => {
            tracing::error!("server error: {e}");
            std::process::ExitCode::FAILURE
        }
    }
}
