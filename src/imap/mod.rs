//! Everything that speaks IMAP.
//!
//! - [`connect`] dials the server (TLS, STARTTLS or plain) and authenticates.
//! - [`conn::ImapConn`] wraps one authenticated connection and offers typed operations.
//! - [`limit`] caps the connections open at once and reclaims idle ones at the cap.
//! - [`actor`] owns a session's connection inside one task; handlers only hold an
//!   [`actor::ImapHandle`], so a dropped request can never leave half-read responses behind.
//! - [`cache`] holds what every session shares: folders' sorted orders and list rows.
//! - [`structure`] turns BODYSTRUCTURE into the part list the views use.

pub mod actor;
pub mod cache;
pub mod conn;
pub mod connect;
pub mod limit;
pub mod quote;
pub mod search;
pub mod structure;
pub mod threads;
pub mod utf7;

pub use actor::ImapHandle;
pub use conn::{FolderChange, Selection};
pub use search::SearchQuery;
pub use structure::{PartInfo, TransferEncoding};

/// What can go wrong talking to the IMAP server, sorted by what the user should see.
#[derive(Debug, Clone, thiserror::Error)]
pub enum ImapError {
    /// The server rejected the username or password.
    #[error("authentication failed")]
    AuthFailed,
    /// The server cannot be reached, the connection broke, or it timed out.
    #[error("mail server unavailable: {0}")]
    Unavailable(String),
    /// Carteiro's limit on open IMAP connections is reached.
    #[error("connection limit reached")]
    Busy,
    /// The folder or message does not exist.
    #[error("not found")]
    NotFound,
    /// The server answered NO or BAD to a command.
    #[error("server refused: {0}")]
    Refused(String),
    /// The server said something we could not understand; the connection is unusable.
    #[error("protocol error: {0}")]
    Protocol(String),
    /// Carteiro did not send the command: the request cannot be done on this server, or is
    /// malformed. The web layer says why in the person's language.
    #[error("declined: {0}")]
    Declined(Declined),
}

/// Why Carteiro declined a request before asking the server.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum Declined {
    /// A search date that is not `YYYY-MM-DD`.
    #[error("“{0}” is not a date (use YYYY-MM-DD)")]
    NotADate(String),
    /// Non-ASCII search text, and the server takes no literals in a command (no LITERAL+).
    #[error("this mail server cannot search for accented or non-Latin text")]
    SearchText,
    /// The server cannot store settings (no METADATA, or no LITERAL+ to send them).
    #[error("this mail server cannot store settings (no METADATA)")]
    NoSettings,
}

impl ImapError {
    /// Whether the connection this came from can no longer be used.
    pub fn breaks_connection(&self) -> bool {
        matches!(self, ImapError::Unavailable(_) | ImapError::Protocol(_))
    }
}

/// The role of a special-use folder (RFC 6154), or of INBOX.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum Role {
    Inbox,
    Drafts,
    Sent,
    Archive,
    Junk,
    Trash,
}

impl Role {
    /// The message id of the label shown instead of the folder's own name.
    pub fn label_id(self) -> &'static str {
        match self {
            Role::Inbox => "role-inbox",
            Role::Drafts => "role-drafts",
            Role::Sent => "role-sent",
            Role::Archive => "role-archive",
            Role::Junk => "role-junk",
            Role::Trash => "role-trash",
        }
    }

    /// A short name for CSS classes and icons.
    pub fn slug(self) -> &'static str {
        match self {
            Role::Inbox => "inbox",
            Role::Drafts => "drafts",
            Role::Sent => "sent",
            Role::Archive => "archive",
            Role::Junk => "junk",
            Role::Trash => "trash",
        }
    }
}

/// One folder of the account, as the folder list shows it.
#[derive(Debug, Clone)]
pub struct Folder {
    /// Full name in UTF-8 (what URLs carry), e.g. `Projetos/Obra`.
    pub name: String,
    /// The last path component, shown in the tree.
    pub leaf: String,
    /// Nesting depth (0 for top level).
    pub depth: usize,
    pub role: Option<Role>,
    /// `\Noselect` folders exist only as parents.
    pub selectable: bool,
    pub messages: Option<u32>,
    pub unseen: Option<u32>,
    /// Subscribed (shown in the sidebar); INBOX always counts as subscribed.
    pub subscribed: bool,
    /// The hierarchy delimiter, to build the names of new subfolders.
    pub delimiter: Option<char>,
}

/// Storage use and limit, in bytes, from the QUOTA extension.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Quota {
    pub used: u64,
    pub limit: u64,
}

/// State of a selected folder, from SELECT's answer.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct MailboxState {
    pub uid_validity: u32,
    pub uid_next: u32,
    pub exists: u32,
    pub highest_modseq: Option<u64>,
}

/// The flags a list or a message view cares about.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Flags {
    pub seen: bool,
    pub flagged: bool,
    pub answered: bool,
    pub draft: bool,
    pub forwarded: bool,
}

impl Flags {
    pub fn from_names<'a>(names: impl IntoIterator<Item = &'a str>) -> Flags {
        let mut flags = Flags::default();
        for name in names {
            match name.to_ascii_lowercase().as_str() {
                "\\seen" => flags.seen = true,
                "\\flagged" => flags.flagged = true,
                "\\answered" => flags.answered = true,
                "\\draft" => flags.draft = true,
                "$forwarded" => flags.forwarded = true,
                _ => {}
            }
        }
        flags
    }
}

/// One row of a message list, before its headers are decoded.
#[derive(Debug, Clone)]
pub struct Summary {
    pub uid: u32,
    pub flags: Flags,
    pub size: u32,
    /// INTERNALDATE as the server sent it (`17-Jul-1996 02:44:25 -0700`).
    pub internal_date: Option<String>,
    /// The raw From/To/Cc/Subject/Date header block, decoded by the mime module.
    pub headers: Vec<u8>,
    pub has_attachment: bool,
    /// The start of the message's text, for the list (see [`crate::mime::snippet`]).
    pub snippet: Option<String>,
}

impl Summary {
    /// What of this row stays true for as long as the message exists (all but the flags).
    pub fn to_cached(&self) -> cache::CachedRow {
        cache::CachedRow {
            size: self.size,
            internal_date: self.internal_date.clone(),
            headers: self.headers.clone(),
            has_attachment: self.has_attachment,
            snippet: self.snippet.clone(),
        }
    }

    /// A row from its cached part and fresh flags.
    pub fn from_cached(uid: u32, flags: Flags, row: &cache::CachedRow) -> Summary {
        Summary {
            uid,
            flags,
            size: row.size,
            internal_date: row.internal_date.clone(),
            headers: row.headers.clone(),
            has_attachment: row.has_attachment,
            snippet: row.snippet.clone(),
        }
    }
}

/// One page of a folder, newest first.
#[derive(Debug, Clone)]
pub struct Page {
    pub state: MailboxState,
    /// Number of messages in the folder.
    pub total: u32,
    pub rows: Vec<Summary>,
}

/// A message as fetched for the message view.
#[derive(Debug, Clone)]
pub struct FetchedMessage {
    pub uid: u32,
    pub flags: Flags,
    pub size: u32,
    /// The parts as the server describes them, when BODYSTRUCTURE could be read.
    pub parts: Option<Vec<PartInfo>>,
    /// The message bytes, whole when `size` is within the limit asked for, else the start.
    pub bytes: Vec<u8>,
}

impl FetchedMessage {
    pub fn is_complete(&self) -> bool {
        self.bytes.len() as u64 >= u64::from(self.size)
    }
}
