//! Folders: what the folder list shows, a folder's counts and its state once selected, and
//! the changes a person can make to the folder tree.

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

/// A folder's counts from STATUS, compared between polls to notice new or removed mail.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct FolderStatus {
    pub messages: u32,
    pub unseen: u32,
    /// The UID the next message will get: grows with every arrival, even one read at once.
    pub uid_next: u32,
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

/// A change to the folder tree.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum FolderChange {
    Create(String),
    Rename(String, String),
    Delete(String),
    Subscribe(String),
    Unsubscribe(String),
}
