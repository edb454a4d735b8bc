//! The container image without a container engine: the Dockerfile's final stage is read, and
//! its ENTRYPOINT and HEALTHCHECK commands are run as plain processes with its environment,
//! against the local mail stack. `carteiro healthcheck` on its own, too.
//! (`.ci/docker-check` lints the Dockerfiles and checks the Compose files.)

use std::path::Path;

use crate::helpers::{rand_u32, stack_dir, Binary};

/// Where the Dockerfile puts the binary; every command naming it runs the one cargo built.
const IMAGE_BINARY: &str = "/usr/local/bin/carteiro";

/// What the final stage of the Dockerfile says about running the image.
#[derive(Debug, Default)]
struct Image {
    env: Vec<(String, String)>,
    user: String,
    entrypoint: Vec<String>,
    healthcheck: Vec<String>,
    copied_to: Vec<String>,
}

/// Reads the last stage of a Dockerfile: ENV, USER, ENTRYPOINT and HEALTHCHECK CMD (exec
/// form), and COPY destinations. Continuation lines are joined; comments skipped.
fn read_image(dockerfile: &str) -> Image {
    let mut joined = Vec::new();
    let mut current = String::new();
    for line in dockerfile.lines() {
        let trimmed = line.trim();
        if trimmed.starts_with('#') || trimmed.is_empty() {
            continue;
        }
        match trimmed.strip_suffix('\\') {
            Some(part) => {
                current.push_str(part);
                current.push(' ');
            }
            None => {
                current.push_str(trimmed);
                joined.push(std::mem::take(&mut current));
            }
        }
    }
    let last_from = joined
        .iter()
        .rposition(|l| l.starts_with("FROM "))
        .expect("a FROM line");
    let exec_form = |text: &str| -> Vec<String> {
        serde_json::from_str(text.trim()).unwrap_or_else(|e| panic!("not exec form ({e}): {text}"))
    };
    let mut image = Image::default();
    for line in &joined[last_from..] {
        let (instruction, rest) = line.split_once(' ').unwrap_or((line, ""));
        match instruction {
            "ENV" => {
                for pair in rest.split_whitespace() {
                    let (k, v) = pair.split_once('=').expect("ENV key=value");
                    image.env.push((k.to_string(), v.to_string()));
                }
            }
            "USER" => image.user = rest.trim().to_string(),
            "ENTRYPOINT" => image.entrypoint = exec_form(rest),
            "HEALTHCHECK" => {
                let (_, command) = rest.split_once("CMD ").expect("HEALTHCHECK ... CMD [...]");
                image.healthcheck = exec_form(command);
            }
            "COPY" => image.copied_to.push(
                rest.split_whitespace()
                    .last()
                    .unwrap_or_default()
                    .to_string(),
            ),
            _ => {}
        }
    }
    image
}

/// Runs `carteiro healthcheck [args]` with exactly `env` and returns its exit code, and what
/// it said about why.
async fn healthcheck(args: &[&str], env: &[(String, String)]) -> (i32, String) {
    let output = tokio::process::Command::new(env!("CARGO_BIN_EXE_carteiro"))
        .args(args)
        .env_clear()
        .envs(env.iter().map(|(k, v)| (k.as_str(), v.as_str())))
        .output()
        .await
        .expect("healthcheck runs");
    let said = String::from_utf8_lossy(&output.stderr).to_string();
    (output.status.code().expect("exited, not killed"), said)
}

/// Asserts the exit code of `carteiro healthcheck [args]`, showing what it said otherwise.
async fn assert_health(args: &[&str], env: &[(String, String)], expected: i32, why: &str) {
    let (code, said) = healthcheck(args, env).await;
    assert_eq!(code, expected, "{why}: carteiro {args:?} said {said:?}");
}

#[tokio::test]
async fn healthcheck_exits_0_against_a_running_instance_and_1_when_nothing_listens() {
    let config = std::env::temp_dir().join(format!("carteiro-health-{:08x}.toml", rand_u32()));
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
    assert_health(&["healthcheck"], &env, 0, "serving").await;
    assert_health(&["healthcheck", "--ready"], &env, 0, "IMAP reachable").await;
    let wrong = vec![(
        "CARTEIRO_LISTEN".to_string(),
        format!("127.0.0.1:{}", carteiro.port),
    )];
    assert_health(&["healthcheck"], &wrong, 1, "without the base path: 404").await;

    assert!(carteiro.terminate().await.success());
    assert_health(&["healthcheck"], &env, 1, "nothing listens").await;
    let _ = std::fs::remove_file(&config);
    let broken = vec![("CARTEIRO_LISTEN".to_string(), "not-an-address".to_string())];
    assert_health(&["healthcheck"], &broken, 1, "a broken setting").await;
}

#[tokio::test]
async fn the_images_entrypoint_and_healthcheck_work_as_plain_binaries() {
    let dockerfile =
        std::fs::read_to_string(Path::new(env!("CARGO_MANIFEST_DIR")).join("Dockerfile"))
            .expect("Dockerfile at the repository root");
    let image = read_image(&dockerfile);

    assert!(
        !image.user.is_empty() && !["root", "0", "0:0"].contains(&image.user.as_str()),
        "the image runs as an unprivileged user, not {:?}",
        image.user
    );
    assert!(
        image.copied_to.iter().any(|to| to == IMAGE_BINARY),
        "the binary is copied to {IMAGE_BINARY}: {:?}",
        image.copied_to
    );
    assert_eq!(
        image.entrypoint,
        [IMAGE_BINARY],
        "ENTRYPOINT is the binary, serving"
    );
    assert_eq!(
        image.healthcheck,
        [IMAGE_BINARY, "healthcheck"],
        "HEALTHCHECK asks the binary itself"
    );
    // Every variable the image sets is one Carteiro knows, with a value it accepts.
    let mut known = image.env.clone();
    known.push((
        "CARTEIRO_SECRET_KEY".into(),
        "MDEyMzQ1Njc4OWFiY2RlZjAxMjM0NTY3ODlhYmNkZWY=".into(),
    ));
    let (_, warnings) =
        carteiro::config::Config::load(None, &known).expect("the image's settings are valid");
    assert!(warnings.is_empty(), "{warnings:?}");

    // The container: the image's environment, with the port left to the system (the host
    // stays the image's), the data volume in a temporary directory, and the mail servers a
    // compose file would name.
    let data = std::env::temp_dir().join(format!("carteiro-image-data-{:08x}", rand_u32()));
    let listen_host = image
        .env
        .iter()
        .find(|(k, _)| k == "CARTEIRO_LISTEN")
        .and_then(|(_, v)| v.rsplit_once(':'))
        .map(|(host, _)| host.to_string())
        .expect("the image sets CARTEIRO_LISTEN");
    let mut env: Vec<(String, String)> = image
        .env
        .iter()
        .map(|(k, v)| match k.as_str() {
            "CARTEIRO_LISTEN" => (k.clone(), format!("{listen_host}:0")),
            "CARTEIRO_DATA_DIR" => (k.clone(), data.display().to_string()),
            _ => (k.clone(), v.clone()),
        })
        .collect();
    env.push(("CARTEIRO_IMAP_URL".into(), "imap://localhost:143".into()));
    env.push((
        "CARTEIRO_TLS_CA_FILE".into(),
        stack_dir().join("ca.pem").display().to_string(),
    ));
    let env_refs: Vec<(&str, &str)> = env.iter().map(|(k, v)| (k.as_str(), v.as_str())).collect();
    let args: Vec<&str> = image.entrypoint[1..].iter().map(String::as_str).collect();
    let mut container = Binary::start_isolated(&args, &env_refs).await;
    assert!(
        data.join("secret.key").is_file(),
        "the secret key is generated into the data volume"
    );

    // The health check runs in the same container, so with the same variables; only the
    // port the system picked is filled in.
    for (k, v) in env.iter_mut() {
        if k == "CARTEIRO_LISTEN" {
            *v = format!("{listen_host}:{}", container.port);
        }
    }
    let health_args: Vec<&str> = image.healthcheck[1..].iter().map(String::as_str).collect();
    assert_health(&health_args, &env, 0, "healthy while serving").await;
    // SIGTERM, as docker stop sends: a clean, graceful exit.
    assert!(
        container.terminate().await.success(),
        "{}",
        container.logs()
    );
    assert!(container.logs().contains("shutting down"));
    assert_health(&health_args, &env, 1, "unhealthy once stopped").await;
    let _ = std::fs::remove_dir_all(&data);
}
