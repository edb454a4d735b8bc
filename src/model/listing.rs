//! Pages of a folder: messages newest first, or conversations most recently active first.

use super::folder::MailboxState;
use super::message::Summary;

/// One page of a folder, newest first.
#[derive(Debug, Clone)]
pub struct Page {
    pub state: MailboxState,
    /// Number of messages in the folder.
    pub total: u32,
    pub rows: Vec<Summary>,
}

/// One page of conversations.
#[derive(Debug, Clone)]
pub struct ThreadPage {
    /// Number of conversations in the folder.
    pub total: u32,
    pub rows: Vec<ThreadRow>,
}

/// A conversation in a list: its newest message stands for it.
#[derive(Debug, Clone)]
pub struct ThreadRow {
    pub newest: Summary,
    pub count: usize,
    pub unread: usize,
}
