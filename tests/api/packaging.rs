//! `carteiro healthcheck`, the command a container health check runs, against a running
//! instance of the real binary and against nothing.

use crate::helpers::{free_port, Binary};

/// Runs `carteiro healthcheck [args]` with exactly `env` (plus PATH) and returns its exit code.
async fn healthcheck(args: &[&str], env: &[(String, String)]) -> i32 {
    let output = tokio::process::Command::new(env!("CARGO_BIN_EXE_carteiro"))
        .args(args)
        .env_clear()
        .envs(env.iter().map(|(k, v)| (k.as_str(), v.as_str())))
        .output()
        .await
        .expect("healthcheck runs");
    output.status.code().expect("exited, not killed")
}

#[tokio::test]
async fn healthcheck_exits_0_against_a_running_instance_and_1_when_nothing_listens() {
    let config = std::env::temp_dir().join(format!("carteiro-health-{}.toml", free_port()));
    let mut carteiro = Binary::start(&[("CARTEIRO_BASE_PATH", "/webmail")]).await;
    // The check finds the server through the same settings, here from a file.
    std::fs::write(
        &config,
        format!(
            "listen = \"127.0.0.1:{}\"\nbase_path = \"/webmail/\"\n",
            carteiro.port
        ),
    )
    .unwrap();
    let env = vec![("CARTEIRO_CONFIG".to_string(), config.display().to_string())];
    assert_eq!(healthcheck(&["healthcheck"], &env).await, 0);
    assert_eq!(healthcheck(&["healthcheck", "--ready"], &env).await, 0);
    // Without the base path the server answers 404: the check must notice.
    let wrong = vec![(
        "CARTEIRO_LISTEN".to_string(),
        format!("127.0.0.1:{}", carteiro.port),
    )];
    assert_eq!(healthcheck(&["healthcheck"], &wrong).await, 1);

    assert!(carteiro.terminate().await.success());
    assert_eq!(
        healthcheck(&["healthcheck"], &env).await,
        1,
        "nothing listens"
    );
    let _ = std::fs::remove_file(&config);
    let broken = vec![("CARTEIRO_LISTEN".to_string(), "not-an-address".to_string())];
    assert_eq!(healthcheck(&["healthcheck"], &broken).await, 1);
}
