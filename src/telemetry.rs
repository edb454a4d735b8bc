//! Logging set-up.
//!
//! async-imap logs the LOGIN/AUTHENTICATE lines (credentials) at trace level and lettre logs
//! SMTP dialogue at debug, so both are capped at info whatever the configured filter says.

use tracing_subscriber::EnvFilter;

/// Directives appended after the user's filter; later directives win for the same target.
const CAPS: &[&str] = &[
    "async_imap=info",
    "imap_proto=info",
    "lettre=info",
    "rustls=info",
    // html5ever warns about every odd table in hostile HTML: noise, not news.
    "html5ever=error",
];

/// Builds the filter from `CARTEIRO_LOG` (or `RUST_LOG`), defaulting to `info`, with the caps.
pub fn filter(user: Option<&str>) -> EnvFilter {
    let mut text = user.unwrap_or("info").to_string();
    for cap in CAPS {
        text.push(',');
        text.push_str(cap);
    }
    EnvFilter::try_new(&text).unwrap_or_else(|_| {
        let mut fallback = String::from("info");
        for cap in CAPS {
            fallback.push(',');
            fallback.push_str(cap);
        }
        EnvFilter::new(fallback)
    })
}

/// Installs the global subscriber (once; later calls are ignored, as tests call it often).
pub fn init() {
    let user = std::env::var("CARTEIRO_LOG")
        .or_else(|_| std::env::var("RUST_LOG"))
        .ok();
    use std::io::IsTerminal;
    let _ = tracing_subscriber::fmt()
        .with_env_filter(filter(user.as_deref()))
        // Colour codes only on a terminal: log files must stay matchable (fail2ban).
        .with_ansi(std::io::stdout().is_terminal())
        .with_target(true)
        .try_init();
}
