//! Load test: 1,000 signed-in sessions browsing for a minute against the local Dovecot.
//!
//! `scripts/loadtest.sh` runs it (`cargo bench --bench load`); the mail stack must be up
//! (`scripts/mailstack.sh up`). Settings come from the environment: `LOAD_SESSIONS` (1000),
//! `LOAD_USERS` (20; Dovecot allows 500 connections per user and address), `LOAD_MESSAGES`
//! per user (200), `LOAD_SECONDS` (60), `LOAD_CONCURRENCY` requests in flight (64),
//! `LOAD_MAX_IMAP` Carteiro's `max_imap_connections` (800), `LOAD_ROUND_ROBIN=1` to take
//! sessions in strict turns rather than at random (the worst case for reclaiming). Exits non-zero on any error
//! or if the IMAP connections ever exceeded the limit. Figures: docs/performance.md.

mod driver;

use std::path::PathBuf;
use std::time::Duration;

fn setting(name: &str, default: usize) -> usize {
    std::env::var(name)
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(default)
}

fn main() {
    // `cargo bench` passes `--bench`; nothing to filter.
    let plan = driver::Plan {
        users: setting("LOAD_USERS", 20),
        sessions: setting("LOAD_SESSIONS", 1000),
        messages_per_user: setting("LOAD_MESSAGES", 200),
        duration: Duration::from_secs(setting("LOAD_SECONDS", 60) as u64),
        concurrency: setting("LOAD_CONCURRENCY", 64),
        max_imap_connections: setting("LOAD_MAX_IMAP", 800),
        round_robin: setting("LOAD_ROUND_ROBIN", 0) == 1,
    };
    let stack_dir = std::env::var("CARTEIRO_STACK_DIR")
        .map(PathBuf::from)
        .unwrap_or_else(|_| PathBuf::from("/tmp/carteiro-stack"));
    let binary = PathBuf::from(env!("CARGO_BIN_EXE_carteiro"));
    let tag = format!(
        "{}-{}",
        std::process::id(),
        std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .map(|d| d.as_secs())
            .unwrap_or(0)
    );
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
        .expect("runtime");
    let report = runtime.block_on(driver::full_run(&binary, &stack_dir, &plan, &tag));
    report.print(&plan);
    let mut failed = false;
    if report.errors() > 0 {
        eprintln!("FAIL: {} requests failed", report.errors());
        failed = true;
    }
    if report.peak_imap_connections > plan.max_imap_connections {
        eprintln!(
            "FAIL: {} IMAP connections open at once, over the limit of {}",
            report.peak_imap_connections, plan.max_imap_connections
        );
        failed = true;
    }
    if failed {
        std::process::exit(1);
    }
}
