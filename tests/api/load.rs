//! A short run of the load generator behind `cargo bench --bench load` (docs/performance.md):
//! 50 sessions over 5 users browse for 5 s with only 20 IMAP connections allowed, so idle
//! connections are reclaimed all along. No request may fail and the process may never hold
//! more connections than allowed. Nothing is timed.

#[allow(dead_code)]
#[path = "../../benches/load/driver.rs"]
mod driver;

use std::time::Duration;

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn fifty_sessions_browse_with_no_error_within_the_connection_limit() {
    let plan = driver::Plan {
        users: 5,
        sessions: 50,
        messages_per_user: 60,
        duration: Duration::from_secs(5),
        concurrency: 8,
        max_imap_connections: 20,
        round_robin: false,
    };
    let tag = crate::helpers::fresh_user("load").replace('@', "-at-");
    let report = driver::full_run(
        std::path::Path::new(env!("CARGO_BIN_EXE_carteiro")),
        &crate::helpers::stack_dir(),
        &plan,
        &tag,
    )
    .await;
    report.print(&plan);
    assert!(report.requests > 0);
    assert_eq!(report.errors(), 0, "{report:?}");
    assert!(
        report.peak_imap_connections <= plan.max_imap_connections,
        "{report:?}"
    );
    assert!(report.peak_imap_connections > 0, "the sampler sees them");
}
