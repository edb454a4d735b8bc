//! The signed-in person's account as the workflows see it: their IMAP session, their login
//! and their folders, found by role.

use super::error::MailError;
use crate::imap::ImapHandle;
use crate::model::{Folder, Role};

/// What a workflow needs of the person's account. Owned, so a send can run in a task of its
/// own after the request that started it has gone.
#[derive(Clone)]
pub struct Account {
    /// The session's IMAP actor.
    pub imap: ImapHandle,
    /// The login, which is also the address mail is sent from when it is one.
    pub username: String,
    /// The account's folders, as listed for the page that starts the workflow.
    pub folders: Vec<Folder>,
}

impl Account {
    /// The name of the folder with a special use, or why there is none.
    pub fn folder(&self, role: Role) -> Result<&str, MailError> {
        self.folders
            .iter()
            .find(|f| f.role == Some(role))
            .map(|f| f.name.as_str())
            .ok_or(MailError::NoFolder(role))
    }
}
