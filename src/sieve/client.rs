//! The ManageSieve client (RFC 5804): [`ManageSieve`] (one per process: the server and the
//! TLS set-up) opens a [`SieveSession`] per person, authenticated with their own login and
//! password (SASL PLAIN), in which scripts are listed, read, written, checked and activated.
//!
//! Written for Carteiro rather than taken from a crate: `managesieve` 0.1 only parses (and has
//! not changed since 2022), `io-managesieve` was young and changing its API; the protocol is
//! small, and owning it lets every answer be bounded and every wait timed (see `conn.rs`).
//!
//! A `NO` is turned into a [`SieveError`] here, where the command is known: the same bare
//! `NO "…"` is a wrong password after AUTHENTICATE and a compile error after PUTSCRIPT.

use std::path::PathBuf;
use std::sync::Arc;

use base64::Engine;
use secrecy::{ExposeSecret, SecretString};

use super::conn::{self, Answer, Conn};
use super::error::{clean_text, line_of, SieveError};
use super::wire::{self, Arg, Item, Response, Status};
use crate::config::{Config, ConfigError};
use crate::upstream::Upstream;

/// What the server says it can do (its capability lines).
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Capabilities {
    /// `IMPLEMENTATION`: the server's name and version, for logs.
    pub implementation: String,
    /// `SIEVE`: the Sieve extensions scripts may `require` ("fileinto", "vacation", …).
    pub sieve_extensions: Vec<String>,
    /// `MAXREDIRECTS`: how many `redirect` actions one script may run, when limited.
    pub max_redirects: Option<u32>,
    /// `VERSION`: the protocol version ("1.0" for RFC 5804 servers; absent on old ones,
    /// which lack CHECKSCRIPT and RENAMESCRIPT).
    pub version: Option<String>,
}

impl Capabilities {
    /// Whether scripts may `require` `extension` (case-insensitive, as the server's list).
    pub fn supports(&self, extension: &str) -> bool {
        self.sieve_extensions
            .iter()
            .any(|e| e.eq_ignore_ascii_case(extension))
    }
}

/// What the greeting says beyond [`Capabilities`]: how to log in.
#[derive(Debug, Default)]
struct Greeting {
    capabilities: Capabilities,
    sasl: Vec<String>,
}

impl Greeting {
    fn read(lines: &[Vec<Item>]) -> Greeting {
        let mut greeting = Greeting::default();
        for line in lines {
            let Some((name, rest)) = line.split_first() else {
                continue;
            };
            let value = rest.first().map(Item::text).unwrap_or_default();
            let words = || value.split_whitespace().map(str::to_string).collect();
            let caps = &mut greeting.capabilities;
            match name.text().to_ascii_uppercase().as_str() {
                "IMPLEMENTATION" => caps.implementation = clean_text(value),
                "SIEVE" => caps.sieve_extensions = words(),
                "MAXREDIRECTS" => caps.max_redirects = value.trim().parse().ok(),
                "VERSION" => caps.version = Some(clean_text(value)),
                "SASL" => greeting.sasl = words(),
                _ => {}
            }
        }
        greeting
    }
}

/// One script on the server, as LISTSCRIPTS names it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ScriptInfo {
    pub name: String,
    /// The script the server runs at delivery (at most one is).
    pub active: bool,
}

/// The ManageSieve server the admin configured (`managesieve_url`).
#[derive(Clone)]
pub struct ManageSieve {
    upstream: Upstream,
    tls: Arc<rustls::ClientConfig>,
    /// `tls_ca_file`, which a failed handshake's message takes into account.
    ca_file: Option<PathBuf>,
}

impl std::fmt::Debug for ManageSieve {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("ManageSieve")
            .field("upstream", &self.upstream.to_string())
            .finish_non_exhaustive()
    }
}

impl ManageSieve {
    /// The client of `upstream` (`sieve://host:4190`: STARTTLS unless `?tls=none`), with the
    /// TLS client set-up of [`crate::tls::client_config`].
    pub fn new(
        upstream: Upstream,
        tls: rustls::ClientConfig,
        ca_file: Option<PathBuf>,
    ) -> ManageSieve {
        ManageSieve {
            upstream,
            tls: Arc::new(tls),
            ca_file,
        }
    }

    /// The client for `config.managesieve`, or `None` when no ManageSieve server is
    /// configured. TLS follows the same settings as IMAP (`tls_ca_file`, `tls_insecure`).
    ///
    /// With `upstream_map`, there is always one: the TLS set-up every mapped domain's
    /// server is reached with ([`ManageSieve::with_upstream`]); its own upstream is then the
    /// template's example, or a placeholder, and is never dialled.
    pub fn from_config(config: &Config) -> Result<Option<ManageSieve>, ConfigError> {
        let mapped = config.upstream_map.as_ref().map(|_| Upstream {
            protocol: crate::upstream::Protocol::Sieve,
            host: "localhost".into(),
            port: 4190,
            security: crate::upstream::Security::StartTls,
        });
        let Some(upstream) = config.managesieve.clone().or(mapped) else {
            return Ok(None);
        };
        Ok(Some(ManageSieve::new(
            upstream,
            crate::tls::client_config(config.tls_ca_file.as_deref(), config.tls_insecure)?,
            config.tls_ca_file.clone(),
        )))
    }

    /// The same client for another server: a mapped domain's.
    pub fn with_upstream(&self, upstream: Upstream) -> ManageSieve {
        ManageSieve {
            upstream,
            ..self.clone()
        }
    }

    /// The server, as configured.
    pub fn upstream(&self) -> &Upstream {
        &self.upstream
    }

    /// Greeting, STARTTLS, then AUTHENTICATE PLAIN with the person's login and password
    /// (base64, so any UTF-8 password works).
    pub async fn connect(
        &self,
        login: &str,
        password: &SecretString,
    ) -> Result<SieveSession, SieveError> {
        let (mut conn, lines) =
            conn::open(&self.upstream, &self.tls, self.ca_file.as_deref()).await?;
        let greeting = Greeting::read(&lines);
        if !greeting
            .sasl
            .iter()
            .any(|m| m.eq_ignore_ascii_case("PLAIN"))
        {
            tracing::warn!(server = %self.upstream, offered = ?greeting.sasl, "ManageSieve server offers no SASL PLAIN");
            conn.logout().await;
            return Err(SieveError::Server {
                message: "the server does not accept SASL PLAIN logins".into(),
            });
        }
        if login.contains('\0') || password.expose_secret().contains('\0') {
            // PLAIN separates its fields with NUL: such a login can never be right.
            conn.logout().await;
            return Err(SieveError::Auth);
        }
        let plain = base64::engine::general_purpose::STANDARD
            .encode(format!("\0{login}\0{}", password.expose_secret()));
        let answer = conn
            .command(&wire::encode(
                "AUTHENTICATE",
                &[Arg::Str("PLAIN"), Arg::Str(&plain)],
            ))
            .await?;
        match answer.done.status {
            Status::Ok => Ok(SieveSession {
                conn,
                capabilities: greeting.capabilities,
            }),
            _ => {
                conn.logout().await;
                Err(SieveError::Auth)
            }
        }
    }

    /// Greeting (and STARTTLS, so a certificate problem shows) and capabilities only: the
    /// start-up check.
    pub async fn probe(&self) -> Result<Capabilities, SieveError> {
        let (conn, lines) = conn::open(&self.upstream, &self.tls, self.ca_file.as_deref()).await?;
        conn.logout().await;
        Ok(Greeting::read(&lines).capabilities)
    }
}

/// One person's authenticated connection. Commands run one at a time (`&mut self`); one
/// that did not finish leaves the session unusable ([`SieveError::Unreachable`] after it).
#[derive(Debug)]
pub struct SieveSession {
    conn: Conn,
    capabilities: Capabilities,
}

impl SieveSession {
    /// What the server said it can do after STARTTLS.
    pub fn capabilities(&self) -> &Capabilities {
        &self.capabilities
    }

    /// LISTSCRIPTS: every script, and which one is active.
    pub async fn list(&mut self) -> Result<Vec<ScriptInfo>, SieveError> {
        let answer = self.run("LISTSCRIPTS", &[]).await?;
        ok(&answer.done, Refusal::Other)?;
        answer
            .data
            .iter()
            .map(|line| match line.as_slice() {
                [Item::Str(name)] => Ok(ScriptInfo {
                    name: name.clone(),
                    active: false,
                }),
                [Item::Str(name), Item::Atom(mark)] if mark.eq_ignore_ascii_case("ACTIVE") => {
                    Ok(ScriptInfo {
                        name: name.clone(),
                        active: true,
                    })
                }
                _ => Err(SieveError::Protocol),
            })
            .collect()
    }

    /// GETSCRIPT: the script's text.
    pub async fn get(&mut self, name: &str) -> Result<String, SieveError> {
        let answer = self.run("GETSCRIPT", &[Arg::Str(name)]).await?;
        ok(&answer.done, Refusal::Other)?;
        match answer.data.as_slice() {
            [line] => match line.as_slice() {
                [Item::Str(script)] => Ok(script.clone()),
                _ => Err(SieveError::Protocol),
            },
            _ => Err(SieveError::Protocol),
        }
    }

    /// PUTSCRIPT: stores `script` under `name` (replacing one of that name); the server
    /// compiles it first and refuses it with [`SieveError::Invalid`] when it does not.
    pub async fn put(&mut self, name: &str, script: &str) -> Result<(), SieveError> {
        let answer = self
            .run("PUTSCRIPT", &[Arg::Str(name), Arg::Literal(script)])
            .await?;
        ok(&answer.done, Refusal::Script)
    }

    /// CHECKSCRIPT: whether `script` compiles, storing nothing.
    pub async fn check(&mut self, script: &str) -> Result<(), SieveError> {
        let answer = self.run("CHECKSCRIPT", &[Arg::Literal(script)]).await?;
        ok(&answer.done, Refusal::Script)
    }

    /// HAVESPACE: whether a script of `size` bytes may be stored as `name`
    /// ([`SieveError::Quota`] with the server's reason when not).
    pub async fn have_space(&mut self, name: &str, size: usize) -> Result<(), SieveError> {
        let size = u64::try_from(size).unwrap_or(u64::MAX);
        let answer = self
            .run("HAVESPACE", &[Arg::Str(name), Arg::Number(size)])
            .await?;
        ok(&answer.done, Refusal::Other)
    }

    /// SETACTIVE: makes `name` the script run at delivery; `None` leaves none active.
    pub async fn set_active(&mut self, name: Option<&str>) -> Result<(), SieveError> {
        let answer = self
            .run("SETACTIVE", &[Arg::Str(name.unwrap_or(""))])
            .await?;
        ok(&answer.done, Refusal::Other)
    }

    /// DELETESCRIPT ([`SieveError::Active`] for the active script).
    pub async fn delete(&mut self, name: &str) -> Result<(), SieveError> {
        let answer = self.run("DELETESCRIPT", &[Arg::Str(name)]).await?;
        ok(&answer.done, Refusal::Other)
    }

    /// RENAMESCRIPT ([`SieveError::AlreadyExists`] when `to` is taken).
    pub async fn rename(&mut self, from: &str, to: &str) -> Result<(), SieveError> {
        let answer = self
            .run("RENAMESCRIPT", &[Arg::Str(from), Arg::Str(to)])
            .await?;
        ok(&answer.done, Refusal::Other)
    }

    /// LOGOUT, without waiting long: the server may be gone.
    pub async fn logout(self) {
        self.conn.logout().await;
    }

    async fn run(&mut self, command: &str, args: &[Arg<'_>]) -> Result<Answer, SieveError> {
        tracing::trace!(command, "ManageSieve command");
        self.conn.command(&wire::encode(command, args)).await
    }
}

/// What a bare `NO` (no response code) means for the command that got it.
#[derive(Clone, Copy)]
enum Refusal {
    /// PUTSCRIPT, CHECKSCRIPT: the script does not compile.
    Script,
    /// Anything else: the server's words.
    Other,
}

/// `Ok` for OK; the error a `NO` means, by its response code first.
fn ok(done: &Response, refusal: Refusal) -> Result<(), SieveError> {
    if done.status == Status::Ok {
        return Ok(());
    }
    let message = clean_text(done.text.as_deref().unwrap_or("no reason given"));
    Err(if done.has_code("QUOTA") {
        SieveError::Quota { message }
    } else if done.has_code("NONEXISTENT") {
        SieveError::NotFound
    } else if done.has_code("ACTIVE") {
        SieveError::Active
    } else if done.has_code("ALREADYEXISTS") {
        SieveError::AlreadyExists
    } else if done.code.is_none() || done.has_code("WARNINGS") {
        match refusal {
            Refusal::Script => SieveError::Invalid {
                line: line_of(&message),
                message,
            },
            Refusal::Other => SieveError::Server { message },
        }
    } else {
        SieveError::Server { message }
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::sieve::wire::Code;

    fn no(code: Option<&str>, text: &str) -> Response {
        Response {
            status: Status::No,
            code: code.map(|name| Code {
                name: name.into(),
                args: vec![],
            }),
            text: Some(text.into()),
        }
    }

    #[test]
    fn the_greeting_gives_the_capabilities_and_the_login_mechanisms() {
        let s = |t: &str| Item::Str(t.into());
        let lines = vec![
            vec![s("IMPLEMENTATION"), s("Dovecot Pigeonhole")],
            vec![s("SIEVE"), s("fileinto vacation copy imap4flags")],
            vec![s("NOTIFY"), s("mailto")],
            vec![s("SASL"), s("PLAIN LOGIN")],
            vec![s("STARTTLS")],
            vec![s("MAXREDIRECTS"), s("4")],
            vec![s("VERSION"), s("1.0")],
        ];
        let greeting = Greeting::read(&lines);
        let caps = &greeting.capabilities;
        assert_eq!(caps.implementation, "Dovecot Pigeonhole");
        assert_eq!(caps.max_redirects, Some(4));
        assert_eq!(caps.version.as_deref(), Some("1.0"));
        assert!(caps.supports("vacation") && caps.supports("IMAP4FLAGS"));
        assert!(!caps.supports("vacation-seconds"));
        assert_eq!(greeting.sasl, vec!["PLAIN", "LOGIN"]);
        assert_eq!(Greeting::read(&[]).capabilities, Capabilities::default());
    }

    #[test]
    fn a_no_means_what_its_code_and_its_command_say() {
        assert!(matches!(
            ok(&no(Some("QUOTA/MAXSIZE"), "Too big"), Refusal::Script),
            Err(SieveError::Quota { message }) if message == "Too big"
        ));
        assert!(matches!(
            ok(&no(Some("NONEXISTENT"), "x"), Refusal::Other),
            Err(SieveError::NotFound)
        ));
        assert!(matches!(
            ok(&no(Some("ACTIVE"), "x"), Refusal::Other),
            Err(SieveError::Active)
        ));
        assert!(matches!(
            ok(&no(Some("ALREADYEXISTS"), "x"), Refusal::Other),
            Err(SieveError::AlreadyExists)
        ));
        assert!(matches!(
            ok(&no(None, "line 4: error: unknown command 'x'.\r\nerror: validation failed."), Refusal::Script),
            Err(SieveError::Invalid { line: Some(4), message }) if message.ends_with("validation failed.")
        ));
        assert!(matches!(
            ok(&no(None, "line 4: nope"), Refusal::Other),
            Err(SieveError::Server { .. })
        ));
        assert!(matches!(
            ok(&no(Some("TRYLATER"), "busy"), Refusal::Script),
            Err(SieveError::Server { message }) if message == "busy"
        ));
        let fine = Response {
            status: Status::Ok,
            code: Some(Code {
                name: "WARNINGS".into(),
                args: vec![],
            }),
            text: None,
        };
        assert!(ok(&fine, Refusal::Script).is_ok());
    }
}
