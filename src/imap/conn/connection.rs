//! The connection itself: what it holds, how it starts, how one command is sent and its
//! answer read, and which folder is selected.

use std::sync::Arc;
use std::time::Instant;

use async_imap::imap_proto::{MailboxDatum, Response, ResponseCode};
use futures::future::BoxFuture;
use tokio::sync::OwnedSemaphorePermit;

use crate::imap::cache::MailCache;
use crate::imap::capabilities::Capabilities;
use crate::imap::error::ImapError;
use crate::imap::private::SettingsSnapshot;
use crate::imap::quote;
use crate::imap::stream::BoxedStream;
use crate::imap::wire;
use crate::metrics::{GaugeGuard, Metrics};
use crate::model::MailboxState;

/// Room in an answer read on the raw stream for what is not a literal the command asked
/// for: BODYSTRUCTUREs, mostly. Dovecot describes at most 10,000 parts of a message; at
/// about 2 KB a part (a 2,000-character file name each, as in the hostile-mail tests) that
/// is 21 MB. A larger answer fails the command, and the callers fall back to fetching
/// without BODYSTRUCTURE. All answers together stay within the [`AnswerBudget`].
///
/// [`AnswerBudget`]: crate::imap::budget::AnswerBudget
pub(super) const STRUCTURE_ROOM: usize = 32 << 20;

/// An authenticated connection plus what it remembers between commands.
pub struct ImapConn {
    pub(super) session: async_imap::Session<BoxedStream>,
    pub(super) caps: Capabilities,
    /// The folder currently selected (UTF-8 name) and its state at selection time.
    pub(super) selected: Option<(String, MailboxState)>,
    /// Sorted orders and list rows, shared with every connection of this process.
    pub(super) cache: Arc<MailCache>,
    /// The IMAP user name, which keys this connection's entries in `cache`.
    pub(super) user: Arc<str>,
    /// Set when a command failed in a way that leaves the stream unusable.
    pub(super) broken: bool,
    /// Settings read from the private folder, on a server without METADATA.
    pub(super) settings: Option<SettingsSnapshot>,
    /// Holds one slot of the global connection limit for as long as the connection lives.
    _permit: OwnedSemaphorePermit,
    /// Counts this connection as open until it is dropped.
    _open: GaugeGuard,
    /// Times every command.
    pub(super) metrics: Arc<Metrics>,
}

impl ImapConn {
    pub(crate) async fn start(
        session: async_imap::Session<BoxedStream>,
        permit: OwnedSemaphorePermit,
        disabled: &[String],
        metrics: Arc<Metrics>,
        cache: Arc<MailCache>,
        user: &str,
    ) -> Result<ImapConn, ImapError> {
        let mut conn = ImapConn {
            session,
            caps: Capabilities::default(),
            selected: None,
            cache,
            user: Arc::from(user),
            broken: false,
            settings: None,
            _permit: permit,
            _open: metrics.imap_connection_opened(),
            metrics,
        };
        let mut caps = Capabilities::default();
        conn.command("CAPABILITY", |r| {
            if let Response::Capabilities(list) = r {
                caps = Capabilities::from_proto(list);
            }
        })
        .await?;
        for name in disabled {
            caps.remove(name);
        }
        conn.caps = caps;
        Ok(conn)
    }

    pub fn capabilities(&self) -> &Capabilities {
        &self.caps
    }

    pub fn is_broken(&self) -> bool {
        self.broken
    }

    /// Sends one command and hands every untagged response to `on_data` until the tagged
    /// answer arrives. NO/BAD become [`ImapError::Refused`]; I/O and parse failures mark the
    /// connection broken, since the stream position is then unknown.
    pub async fn command(
        &mut self,
        command: &str,
        mut on_data: impl FnMut(&Response<'_>),
    ) -> Result<(), ImapError> {
        self.ensure_usable()?;
        let started = Instant::now();
        let result = self.exchange(command, &mut on_data).await;
        self.metrics.imap_command(command, started.elapsed());
        self.checked(result)
    }

    /// Writes `command` through async-imap and reads its answer response by response
    /// ([`wire::step`]).
    async fn exchange(
        &mut self,
        command: &str,
        on_data: &mut impl FnMut(&Response<'_>),
    ) -> Result<(), ImapError> {
        let tag = self
            .session
            .run_command(command)
            .await
            .map_err(|e| ImapError::Unavailable(format!("write failed: {e}")))?;
        loop {
            let response = self
                .session
                .read_response()
                .await
                .map_err(wire::read_error)?
                .ok_or_else(|| ImapError::Unavailable("the server closed the connection".into()))?;
            match wire::step(response.parsed(), &tag.0, on_data) {
                wire::Step::Done(result) => return result,
                wire::Step::Bye => self.mark_broken(),
                wire::Step::Data => {}
            }
        }
    }

    /// [`Self::command`] for answers that can be long (BODYSTRUCTURE): read whole on the raw
    /// stream, then parsed once (see [`wire`] for why). `literal_bytes`: at most how many
    /// bytes of literals the command asks for (header fields, a body), to which the answer
    /// may add [`STRUCTURE_ROOM`].
    pub async fn command_long(
        &mut self,
        command: &str,
        literal_bytes: usize,
        mut on_data: impl FnMut(&Response<'_>),
    ) -> Result<(), ImapError> {
        self.ensure_usable()?;
        let started = Instant::now();
        let limit = literal_bytes.saturating_add(STRUCTURE_ROOM);
        let answer = self.raw_answer(command, limit).await;
        self.metrics.imap_command(command, started.elapsed());
        let result = answer.and_then(|answer| {
            let dispatched = wire::dispatch(&answer, &mut on_data);
            if dispatched.bye {
                self.mark_broken();
            }
            dispatched.result
        });
        self.checked(result)
    }

    /// [`Self::command`] for a command cut into pieces by synchronizing literals (a search
    /// text that is not ASCII, on a server without LITERAL+): written piece by piece as the
    /// server asks for them ([`wire::exchange_literals`]), the answer read whole and parsed
    /// once. `command` holds [`crate::imap::search::LITERAL_CUT`] where it is cut.
    pub async fn command_literals(
        &mut self,
        command: &str,
        mut on_data: impl FnMut(&Response<'_>),
    ) -> Result<(), ImapError> {
        self.ensure_usable()?;
        let started = Instant::now();
        let pieces: Vec<&str> = command.split(crate::imap::search::LITERAL_CUT).collect();
        let budget = self.cache.answers();
        let answer =
            wire::exchange_literals(self.session.get_mut(), &pieces, STRUCTURE_ROOM, budget).await;
        self.metrics.imap_command(command, started.elapsed());
        let result = answer.and_then(|answer| {
            let dispatched = wire::dispatch(&answer, &mut on_data);
            if dispatched.bye {
                self.mark_broken();
            }
            dispatched.result
        });
        self.checked(result)
    }

    /// Writes `command` on the raw stream and reads its whole answer, of at most `limit`
    /// bytes, within the shared answer budget ([`wire::exchange`]). The caller marks the
    /// connection broken on error.
    pub(super) async fn raw_answer(
        &mut self,
        command: &str,
        limit: usize,
    ) -> Result<wire::Answer, ImapError> {
        let budget = self.cache.answers();
        wire::exchange(self.session.get_mut(), command, limit, budget).await
    }

    /// Refuses to send anything on a connection already known to be unusable.
    pub(super) fn ensure_usable(&self) -> Result<(), ImapError> {
        if self.broken {
            return Err(ImapError::Unavailable("connection already broken".into()));
        }
        Ok(())
    }

    /// Marks the connection unusable: the stream is at an unknown position or the server is
    /// closing it. The actor drops it after the job and reconnects for the next one.
    pub(super) fn mark_broken(&mut self) {
        self.broken = true;
    }

    /// Passes `result` on, marking the connection broken first when the error leaves the
    /// stream unusable ([`ImapError::breaks_connection`]).
    pub(super) fn checked<T>(&mut self, result: Result<T, ImapError>) -> Result<T, ImapError> {
        if let Err(e) = &result {
            if e.breaks_connection() {
                self.mark_broken();
            }
        }
        result
    }

    /// NOOP: cheap check that the connection is still alive.
    pub async fn noop(&mut self) -> Result<(), ImapError> {
        self.command("NOOP", |_| {}).await
    }

    /// LOGOUT, ignoring errors: the connection is going away either way.
    pub async fn logout(mut self) {
        let _ = self.command("LOGOUT", |_| {}).await;
    }

    /// Selects `folder` (read-write, so reading can set `\Seen`).
    pub async fn select(&mut self, folder: &str) -> Result<MailboxState, ImapError> {
        let condstore = if self.caps.has("CONDSTORE") {
            " (CONDSTORE)"
        } else {
            ""
        };
        let cmd = format!("SELECT {}{condstore}", quote::mailbox(folder)?);
        let mut state = MailboxState::default();
        self.selected = None;
        let result = self
            .command(&cmd, |r| match r {
                Response::MailboxData(MailboxDatum::Exists(n)) => state.exists = *n,
                Response::Data { outcome, .. } => match outcome.code {
                    Some(ResponseCode::UidValidity(v)) => state.uid_validity = v,
                    Some(ResponseCode::UidNext(v)) => state.uid_next = v,
                    Some(ResponseCode::HighestModSeq(v)) => state.highest_modseq = Some(v),
                    _ => {}
                },
                _ => {}
            })
            .await;
        match result {
            Ok(()) => {
                self.selected = Some((folder.to_string(), state));
                Ok(state)
            }
            // SELECT of a folder that does not exist (or cannot be selected) is a NO.
            Err(ImapError::Refused(_)) => Err(ImapError::NotFound),
            Err(e) => Err(e),
        }
    }

    /// The folder's UIDVALIDITY: from the selection in place, else from a SELECT. No message
    /// is fetched (conditional downloads answer 304 from this alone).
    pub async fn uid_validity(&mut self, folder: &str) -> Result<u32, ImapError> {
        self.ensure_selected(folder).await?;
        match &self.selected {
            Some((name, state)) if name == folder => Ok(state.uid_validity),
            _ => Err(ImapError::NotFound),
        }
    }

    /// Selects `folder` unless it is already the selected one; `true` when it already was.
    pub(super) async fn ensure_selected(&mut self, folder: &str) -> Result<bool, ImapError> {
        match &self.selected {
            Some((name, _)) if name == folder => Ok(true),
            _ => self.select(folder).await.map(|_| false),
        }
    }

    /// Runs `op` (an operation on one message) in `folder`, selecting it first unless it is
    /// the selected one already. In that case a [`ImapError::NotFound`] selects it again and
    /// runs `op` once more: a message that arrived after the folder was selected is not in
    /// this connection's view until the folder is synchronised again. A folder selected just
    /// now is in sync, so its NotFound stands.
    pub(super) async fn with_reselect<T, F>(
        &mut self,
        folder: &str,
        mut op: F,
    ) -> Result<T, ImapError>
    where
        F: for<'c> FnMut(&'c mut ImapConn) -> BoxFuture<'c, Result<T, ImapError>>,
    {
        let was_selected = self.ensure_selected(folder).await?;
        match op(self).await {
            Err(ImapError::NotFound) if was_selected => {
                self.select(folder).await?;
                op(self).await
            }
            other => other,
        }
    }

    /// The selected folder's name and UIDVALIDITY, which key the shared caches' entries.
    pub(super) fn selected_key(&self) -> Option<(Arc<str>, u32)> {
        self.selected
            .as_ref()
            .map(|(folder, state)| (Arc::<str>::from(folder.as_str()), state.uid_validity))
    }
}
