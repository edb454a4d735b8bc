//! Logging set-up, and [`untrusted`] for writing what a client typed into a log line.
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

/// How log lines are written, from `CARTEIRO_LOG_FORMAT`.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Format {
    /// One human-readable line per event (the default).
    Text,
    /// One JSON object per line, for log collectors: the event's fields at the top level,
    /// the enclosing spans (the request's id, method and route) under `spans`.
    Json,
}

impl Format {
    /// Reads a `CARTEIRO_LOG_FORMAT` value; `None` when it is neither `text` nor `json`.
    pub fn parse(text: &str) -> Option<Format> {
        match text.trim().to_ascii_lowercase().as_str() {
            "" | "text" => Some(Format::Text),
            "json" => Some(Format::Json),
            _ => None,
        }
    }
}

/// Installs the global subscriber (once; later calls are ignored, as tests call it often).
///
/// Logging is set up from the environment alone, before the configuration is read, so that a
/// configuration error is itself logged in the chosen format.
pub fn init() {
    let user = std::env::var("CARTEIRO_LOG")
        .or_else(|_| std::env::var("RUST_LOG"))
        .ok();
    let format_text = std::env::var("CARTEIRO_LOG_FORMAT").unwrap_or_default();
    let format = Format::parse(&format_text);
    use std::io::IsTerminal;
    let builder = tracing_subscriber::fmt()
        .with_env_filter(filter(user.as_deref()))
        .with_target(true);
    let installed = match format.unwrap_or(Format::Text) {
        Format::Json => builder
            .json()
            .flatten_event(true)
            .with_current_span(false)
            .with_span_list(true)
            .try_init(),
        // Colour codes only on a terminal: log files must stay matchable (fail2ban).
        Format::Text => builder
            .with_ansi(std::io::stdout().is_terminal())
            .try_init(),
    };
    if installed.is_ok() && format.is_none() {
        tracing::warn!(
            "CARTEIRO_LOG_FORMAT={format_text:?} is not understood: use text or json; writing text"
        );
    }
}

/// For the integration tests, which build many applications in one process: text lines
/// written through the test harness, so each test's lines are shown only when it fails.
pub fn init_for_tests() {
    let user = std::env::var("CARTEIRO_LOG").ok();
    let _ = tracing_subscriber::fmt()
        .with_env_filter(filter(user.as_deref()))
        .with_test_writer()
        .try_init();
}

/// An error and every cause under it, on one line (`cannot read …: No such file or
/// directory`): what a log line or an admin reads.
pub fn error_chain(error: &dyn std::error::Error) -> String {
    let mut line = error.to_string();
    let mut cause = error.source();
    while let Some(error) = cause {
        line.push_str(": ");
        line.push_str(&error.to_string());
        cause = error.source();
    }
    line
}

/// Text a client chose (a user name), for a log field: control and other invisible
/// characters are written as escapes (`\n`, `\u{2028}`), so the text stays on its line. A
/// name holding a line break would otherwise write a line of its own, one that a fail2ban
/// filter reads like any other. Unlike `?` (Debug), it adds no quotes, so JSON logs keep the
/// plain value.
pub fn untrusted(text: &str) -> tracing::field::DisplayValue<Untrusted<'_>> {
    tracing::field::display(Untrusted(text))
}

/// See [`untrusted`].
pub struct Untrusted<'a>(&'a str);

impl std::fmt::Display for Untrusted<'_> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        for c in self.0.chars() {
            if c == '"' || c == '\\' || c == '\'' {
                // Kept as they are: they cannot start a line.
                write!(f, "{c}")?;
            } else {
                write!(f, "{}", c.escape_debug())?;
            }
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn log_formats_are_text_or_json() {
        assert_eq!(Format::parse(""), Some(Format::Text));
        assert_eq!(Format::parse("JSON "), Some(Format::Json));
        assert_eq!(Format::parse("logfmt"), None);
    }

    #[test]
    fn untrusted_text_stays_on_one_line_and_ordinary_names_are_unchanged() {
        let shown =
            Untrusted("x\nWARN login failed ip=1.2.3.4\r\u{2028}\u{85}\u{1b}[31m").to_string();
        assert!(
            !shown.contains(['\n', '\r', '\u{2028}', '\u{85}', '\u{1b}']),
            "{shown}"
        );
        assert_eq!(
            shown,
            "x\\nWARN login failed ip=1.2.3.4\\r\\u{2028}\\u{85}\\u{1b}[31m"
        );
        assert_eq!(
            Untrusted("ana.lima@exemplo.com.br").to_string(),
            "ana.lima@exemplo.com.br"
        );
        assert_eq!(Untrusted("joão").to_string(), "joão");
    }
}
