//! `password_command`: a program on this machine changes the password (a script around
//! `doveadm pw` and a passwd-file, an SQL update, a panel's command-line tool).
//!
//! The contract, for whoever writes the program:
//! - **Input**, on standard input: three lines, each ended by a line feed (`\n`), in UTF-8:
//!   the login (as the person signed in with), the current password, the new password.
//!   Then end of input. No field holds a line feed, carriage return or other control
//!   character: Carteiro refuses such passwords (and logins) before the program runs. Nothing
//!   secret is on the command line (which every local user can read in `ps`) or in the
//!   environment: the program gets only `PATH`, not Carteiro's own variables (which hold its
//!   secret key).
//! - **Exit status**: `0` the password was changed; `1` the current password (or the
//!   account) was not accepted; `2` the new password was refused by the program's own rules;
//!   anything else, or being killed, a failure of the program (the person is told to try
//!   again later).
//! - **Time**: [`TIMEOUT`]; a program still running then is killed and counts as failed.
//! - **Output** is not read: standard output and error go to `/dev/null`, so nothing the
//!   program prints can reach a log line (a script run with `set -x` echoes the passwords)
//!   or fill Carteiro's memory. A program that needs a log writes its own, without the
//!   passwords.

use std::path::PathBuf;
use std::process::{ExitStatus, Stdio};
use std::time::Duration;

use secrecy::{ExposeSecret, SecretString};
use tokio::io::AsyncWriteExt;
use tokio::process::Command;

use super::backend::BackendError;

/// How long the program may run.
pub const TIMEOUT: Duration = Duration::from_secs(20);

/// The only variable the program gets: where to find the usual tools.
const PATH: &str = "/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin";

/// The program the admin configured, and its arguments.
#[derive(Debug, Clone)]
pub struct PasswordCommand {
    program: PathBuf,
    args: Vec<String>,
    /// [`TIMEOUT`], shorter in tests.
    timeout: Duration,
}

/// The three lines the program reads. Fails when a field holds a control character: the
/// separator (or anything like it) inside a field would shift the lines.
pub fn input(login: &str, current: &str, new: &str) -> Option<Vec<u8>> {
    let fields = [login, current, new];
    if fields.iter().any(|f| f.chars().any(char::is_control)) {
        return None;
    }
    let mut bytes = Vec::with_capacity(fields.iter().map(|f| f.len() + 1).sum());
    for field in fields {
        bytes.extend_from_slice(field.as_bytes());
        bytes.push(b'\n');
    }
    Some(bytes)
}

/// What an exit status means.
fn outcome(status: ExitStatus) -> Result<(), BackendError> {
    match status.code() {
        Some(0) => Ok(()),
        Some(1) => Err(BackendError::CurrentRefused),
        Some(2) => Err(BackendError::NewRefused),
        Some(code) => Err(BackendError::Failed(format!(
            "the password command exited with status {code}"
        ))),
        None => Err(BackendError::Failed(
            "the password command was killed by a signal".into(),
        )),
    }
}

impl PasswordCommand {
    pub fn new(program: PathBuf, args: Vec<String>) -> PasswordCommand {
        PasswordCommand {
            program,
            args,
            timeout: TIMEOUT,
        }
    }

    /// Runs the program for `login`, from `current` to `new`.
    pub async fn change(
        &self,
        login: &str,
        current: &SecretString,
        new: &SecretString,
    ) -> Result<(), BackendError> {
        let Some(input) = input(login, current.expose_secret(), new.expose_secret()) else {
            return Err(BackendError::Unusable);
        };
        let mut child = Command::new(&self.program)
            .args(&self.args)
            .env_clear()
            .env("PATH", PATH)
            .current_dir("/")
            .stdin(Stdio::piped())
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            // A request that goes away (or a timeout) must not leave the program running.
            .kill_on_drop(true)
            .spawn()
            .map_err(|e| {
                BackendError::Failed(format!(
                    "the password command {} cannot be started: {e}",
                    self.program.display()
                ))
            })?;
        let run = async {
            if let Some(mut stdin) = child.stdin.take() {
                // A program that exits without reading everything closes the pipe: its exit
                // status says what happened, not the failed write.
                let _ = stdin.write_all(&input).await;
                let _ = stdin.shutdown().await;
            }
            child.wait().await
        };
        let finished = tokio::time::timeout(self.timeout, run).await;
        drop(input);
        match finished {
            Ok(Ok(status)) => outcome(status),
            Ok(Err(e)) => Err(BackendError::Failed(format!(
                "waiting for the password command failed: {e}"
            ))),
            Err(_) => {
                let _ = child.kill().await;
                Err(BackendError::Failed(format!(
                    "the password command did not finish within {} ms and was killed",
                    self.timeout.as_millis()
                )))
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_input_is_three_lines_and_refuses_fields_that_would_shift_them() {
        let bytes = input("ana@example.com", "velha senha", "nova-senha-çé").unwrap();
        assert_eq!(
            bytes,
            "ana@example.com\nvelha senha\nnova-senha-çé\n".as_bytes()
        );
        assert!(input("ana", "a\nb", "c").is_none());
        assert!(input("ana", "a", "c\r").is_none());
        assert!(input("ana\0x", "a", "c").is_none());
    }

    /// A script standing in for the admin's program: it answers with the exit status the
    /// test asks for, after checking it read exactly the three lines.
    async fn run(script: &str) -> Result<(), BackendError> {
        let command = PasswordCommand::new(
            "/bin/sh".into(),
            vec!["-c".into(), script.into(), "password-test".into()],
        );
        command
            .change(
                "ana@example.com",
                &SecretString::from("velha senha"),
                &SecretString::from("nova-senha-çé"),
            )
            .await
    }

    #[tokio::test]
    async fn exit_statuses_mean_changed_current_refused_new_refused_or_failed() {
        let reads = r#"IFS= read -r login && IFS= read -r old && IFS= read -r new && [ "$login" = ana@example.com ] && [ "$old" = "velha senha" ] && [ "$new" = "nova-senha-çé" ] || exit 9"#;
        assert_eq!(run(&format!("{reads}; exit 0")).await, Ok(()));
        assert_eq!(
            run(&format!("{reads}; exit 1")).await,
            Err(BackendError::CurrentRefused)
        );
        assert_eq!(
            run(&format!("{reads}; exit 2")).await,
            Err(BackendError::NewRefused)
        );
        let Err(BackendError::Failed(why)) = run(&format!("{reads}; exit 3")).await else {
            panic!("status 3 is a failure");
        };
        assert!(why.contains("status 3"), "{why}");
        let Err(BackendError::Failed(why)) = run("kill -9 $$").await else {
            panic!("a signal is a failure");
        };
        assert!(why.contains("signal"), "{why}");
    }

    #[tokio::test]
    async fn the_program_sees_no_secret_of_carteiro_in_its_environment() {
        // Only PATH (and the PWD the shell sets itself).
        let script = r#"[ "$(env | grep -vc '^PWD=')" -eq 1 ] && [ -n "$PATH" ] && [ -z "$HOME" ] && exit 0; exit 3"#;
        assert_eq!(run(script).await, Ok(()));
    }

    #[tokio::test]
    async fn a_program_that_hangs_is_killed_and_counts_as_failed() {
        let mut command =
            PasswordCommand::new("/bin/sh".into(), vec!["-c".into(), "exec sleep 30".into()]);
        command.timeout = Duration::from_millis(200);
        let result = command
            .change("ana", &SecretString::from("a"), &SecretString::from("b"))
            .await;
        let Err(BackendError::Failed(why)) = result else {
            panic!("a hung program is a failure: {result:?}");
        };
        assert!(why.contains("killed"), "{why}");
    }

    #[tokio::test]
    async fn a_program_that_cannot_start_is_a_failure() {
        let command = PasswordCommand::new("/no/such/program".into(), Vec::new());
        let result = command
            .change("ana", &SecretString::from("a"), &SecretString::from("b"))
            .await;
        assert!(matches!(result, Err(BackendError::Failed(_))), "{result:?}");
    }
}
