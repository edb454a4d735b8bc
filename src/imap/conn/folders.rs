//! The folder tree: LIST (with STATUS counts where cheap), creating, renaming, deleting and
//! subscribing folders, one folder's STATUS, and the account's quota.

use std::collections::{HashMap, HashSet};

use async_imap::imap_proto::{MailboxDatum, NameAttribute, Response, StatusAttribute};

use super::connection::ImapConn;
use crate::imap::error::ImapError;
use crate::imap::private::is_private;
use crate::imap::quote;
use crate::imap::utf7;
use crate::model::{Folder, FolderChange, FolderStatus, Quota, Role};

impl ImapConn {
    /// All folders with their roles and, where cheap, message and unread counts.
    pub async fn folders(&mut self) -> Result<Vec<Folder>, ImapError> {
        let list_status = self.caps.has("LIST-STATUS");
        let special_use = self.caps.has("SPECIAL-USE");
        let command = match (list_status, special_use) {
            (true, true) => {
                r#"LIST "" "*" RETURN (SUBSCRIBED SPECIAL-USE STATUS (MESSAGES UNSEEN))"#
            }
            (true, false) => r#"LIST "" "*" RETURN (SUBSCRIBED STATUS (MESSAGES UNSEEN))"#,
            _ => r#"LIST "" "*""#,
        };
        let mut raw: Vec<RawFolder> = Vec::new();
        let mut counts: HashMap<String, (Option<u32>, Option<u32>)> = HashMap::new();
        self.command(command, |r| match r {
            Response::MailboxData(MailboxDatum::List(list)) => raw.push(RawFolder {
                wire: list.name.to_string(),
                delimiter: list.delimiter.as_ref().and_then(|d| d.chars().next()),
                noselect: list.name_attributes.iter().any(|a| {
                    matches!(a, NameAttribute::NoSelect)
                        || matches!(a, NameAttribute::Extension(e) if e.eq_ignore_ascii_case("\\NonExistent"))
                }),
                role: role_from_attributes(&list.name_attributes),
                subscribed: list.name_attributes.iter().any(|a| {
                    matches!(a, NameAttribute::Extension(e) if e.eq_ignore_ascii_case("\\Subscribed"))
                }),
            }),
            Response::MailboxData(MailboxDatum::Status { mailbox, status }) => {
                counts.insert(mailbox.to_string(), status_counts(status));
            }
            _ => {}
        })
        .await?;
        if !list_status {
            // No LIST-EXTENDED answers: subscriptions come from LSUB.
            let mut subscribed = HashSet::new();
            self.command(r#"LSUB "" "*""#, |r| {
                if let Response::MailboxData(MailboxDatum::List(list)) = r {
                    subscribed.insert(list.name.to_string());
                }
            })
            .await?;
            for folder in raw.iter_mut() {
                folder.subscribed = subscribed.contains(&folder.wire);
            }
            for folder in raw.iter().filter(|f| !f.noselect) {
                let cmd = format!("STATUS {} (MESSAGES UNSEEN)", quote::quoted(&folder.wire)?);
                let mut found = (None, None);
                // A folder that vanished between LIST and STATUS just shows no counts.
                let _ = self
                    .command(&cmd, |r| {
                        if let Response::MailboxData(MailboxDatum::Status { status, .. }) = r {
                            found = status_counts(status);
                        }
                    })
                    .await;
                if self.broken {
                    return Err(ImapError::Unavailable(
                        "connection lost during STATUS".into(),
                    ));
                }
                counts.insert(folder.wire.clone(), found);
            }
        }
        // Carteiro's own folders (contacts, settings) are not the person's mail.
        raw.retain(|f| !is_private(&utf7::decode(&f.wire), f.delimiter));
        Ok(arrange_folders(raw, &counts, special_use))
    }

    /// CREATE, RENAME, DELETE, SUBSCRIBE or UNSUBSCRIBE of a folder (names in UTF-8).
    pub async fn manage_folder(&mut self, change: &FolderChange) -> Result<(), ImapError> {
        // A folder being renamed or deleted must not stay selected.
        if self.selected.is_some() && !matches!(change, FolderChange::Create(_)) {
            let _ = self.command("UNSELECT", |_| {}).await;
            self.selected = None;
        }
        let cmd = match change {
            FolderChange::Create(name) => format!("CREATE {}", quote::mailbox(name)?),
            FolderChange::Rename(from, to) => {
                format!("RENAME {} {}", quote::mailbox(from)?, quote::mailbox(to)?)
            }
            FolderChange::Delete(name) => format!("DELETE {}", quote::mailbox(name)?),
            FolderChange::Subscribe(name) => format!("SUBSCRIBE {}", quote::mailbox(name)?),
            FolderChange::Unsubscribe(name) => format!("UNSUBSCRIBE {}", quote::mailbox(name)?),
        };
        // A renamed or deleted folder's name may come back with other messages (and a new
        // UIDVALIDITY, which revalidation catches anyway); forget it at once.
        match change {
            FolderChange::Rename(from, to) => {
                self.cache.forget_order(&self.user, from);
                self.cache.forget_order(&self.user, to);
            }
            FolderChange::Delete(name) => self.cache.forget_order(&self.user, name),
            _ => {}
        }
        self.command(&cmd, |_| {}).await?;
        if let FolderChange::Create(name) = change {
            // New folders are shown at once: subscribe them as mail clients do.
            self.command(&format!("SUBSCRIBE {}", quote::mailbox(name)?), |_| {})
                .await?;
        }
        if let FolderChange::Rename(from, to) = change {
            let _ = self
                .command(&format!("UNSUBSCRIBE {}", quote::mailbox(from)?), |_| {})
                .await;
            self.command(&format!("SUBSCRIBE {}", quote::mailbox(to)?), |_| {})
                .await?;
        }
        Ok(())
    }

    /// Storage used and allowed for the INBOX's quota root, when the server has QUOTA.
    pub async fn quota(&mut self) -> Result<Option<Quota>, ImapError> {
        if !self.caps.has("QUOTA") {
            return Ok(None);
        }
        let mut found = None;
        self.command(r#"GETQUOTAROOT "INBOX""#, |r| {
            if let Response::Quota(q) = r {
                for resource in &q.resources {
                    if matches!(
                        resource.name,
                        async_imap::imap_proto::rfc2087::QuotaResourceName::Storage
                    ) {
                        found = Some(Quota {
                            used: resource.usage.saturating_mul(1024),
                            limit: resource.limit.saturating_mul(1024),
                        });
                    }
                }
            }
        })
        .await?;
        Ok(found)
    }

    /// STATUS (MESSAGES UIDNEXT UNSEEN) of one folder, without selecting it: what a live
    /// update asks every few seconds (~0.2 ms on Dovecot). A folder that does not exist (or
    /// cannot be asked about) is [`ImapError::NotFound`].
    pub async fn status(&mut self, folder: &str) -> Result<FolderStatus, ImapError> {
        let cmd = format!(
            "STATUS {} (MESSAGES UIDNEXT UNSEEN)",
            quote::mailbox(folder)?
        );
        // The selected folder answers STATUS as this connection last saw it (Dovecot does
        // not look again until the connection syncs): NOOP first brings the view up to date.
        if self
            .selected
            .as_ref()
            .is_some_and(|(name, _)| name == folder)
        {
            self.noop().await?;
        }
        let mut found = FolderStatus::default();
        let result = self
            .command(&cmd, |r| {
                if let Response::MailboxData(MailboxDatum::Status { status, .. }) = r {
                    for s in status {
                        match s {
                            StatusAttribute::Messages(n) => found.messages = *n,
                            StatusAttribute::UidNext(n) => found.uid_next = *n,
                            StatusAttribute::Unseen(n) => found.unseen = *n,
                            _ => {}
                        }
                    }
                }
            })
            .await;
        match result {
            Ok(()) => Ok(found),
            Err(ImapError::Refused(_)) => Err(ImapError::NotFound),
            Err(e) => Err(e),
        }
    }
}

/// LIST output before arranging into a tree.
struct RawFolder {
    wire: String,
    delimiter: Option<char>,
    noselect: bool,
    role: Option<Role>,
    subscribed: bool,
}

fn role_from_attributes(attrs: &[NameAttribute<'_>]) -> Option<Role> {
    attrs.iter().find_map(|a| match a {
        NameAttribute::Drafts => Some(Role::Drafts),
        NameAttribute::Sent => Some(Role::Sent),
        NameAttribute::Archive => Some(Role::Archive),
        NameAttribute::Junk => Some(Role::Junk),
        NameAttribute::Trash => Some(Role::Trash),
        _ => None,
    })
}

/// Role guessed from the name, for servers without SPECIAL-USE (English and Portuguese names).
fn role_from_name(name: &str) -> Option<Role> {
    match name.to_lowercase().as_str() {
        "drafts" | "draft" | "rascunhos" => Some(Role::Drafts),
        "sent" | "sent items" | "sent messages" | "sent mail" | "enviados" | "itens enviados" => {
            Some(Role::Sent)
        }
        "archive" | "archives" | "arquivo" | "arquivados" => Some(Role::Archive),
        "junk" | "spam" | "junk e-mail" | "lixo eletrônico" => Some(Role::Junk),
        "trash" | "deleted items" | "deleted messages" | "lixeira" | "itens excluídos" => {
            Some(Role::Trash)
        }
        _ => None,
    }
}

fn status_counts(status: &[StatusAttribute]) -> (Option<u32>, Option<u32>) {
    let mut out = (None, None);
    for s in status {
        match s {
            StatusAttribute::Messages(n) => out.0 = Some(*n),
            StatusAttribute::Unseen(n) => out.1 = Some(*n),
            _ => {}
        }
    }
    out
}

/// Orders folders the way mail clients do: INBOX, then special-use folders, then the rest
/// alphabetically, each followed by its children.
fn arrange_folders(
    raw: Vec<RawFolder>,
    counts: &HashMap<String, (Option<u32>, Option<u32>)>,
    special_use: bool,
) -> Vec<Folder> {
    let mut folders: Vec<(Vec<String>, Folder)> = raw
        .into_iter()
        .map(|r| {
            let name = utf7::decode(&r.wire);
            let parts: Vec<String> = match r.delimiter {
                Some(d) => name.split(d).map(str::to_string).collect(),
                None => vec![name.clone()],
            };
            let is_inbox = name.eq_ignore_ascii_case("INBOX");
            let role = if is_inbox {
                Some(Role::Inbox)
            } else if special_use {
                r.role
            } else if parts.len() == 1 {
                r.role.or_else(|| role_from_name(&name))
            } else if parts.len() == 2 && parts[0].eq_ignore_ascii_case("INBOX") {
                // Courier keeps every folder under INBOX (`INBOX.Sent`, delimiter `.`), as
                // does Cyrus without altnamespace: there, INBOX's children are the top level.
                r.role.or_else(|| role_from_name(&parts[1]))
            } else {
                None
            };
            let (messages, unseen) = counts.get(&r.wire).copied().unwrap_or((None, None));
            let folder = Folder {
                leaf: parts.last().cloned().unwrap_or_default(),
                depth: parts.len().saturating_sub(1),
                name: if is_inbox { "INBOX".into() } else { name },
                role,
                selectable: !r.noselect,
                messages,
                unseen,
                subscribed: r.subscribed || is_inbox,
                delimiter: r.delimiter,
            };
            (parts, folder)
        })
        .collect();
    // Sort key per path component: top-level role folders first in role order, then names.
    let rank_of_top: HashMap<String, (u8, String)> = folders
        .iter()
        .filter(|(p, _)| p.len() == 1)
        .map(|(p, f)| {
            let rank = match f.role {
                Some(role) => role as u8,
                None => 100,
            };
            (p[0].clone(), (rank, p[0].to_lowercase()))
        })
        .collect();
    folders.sort_by(|(a, _), (b, _)| {
        let key = |p: &Vec<String>| {
            let top = rank_of_top
                .get(&p[0])
                .cloned()
                .unwrap_or((100, p[0].to_lowercase()));
            let rest: Vec<String> = p[1..].iter().map(|s| s.to_lowercase()).collect();
            (top, rest)
        };
        key(a).cmp(&key(b))
    });
    folders.into_iter().map(|(_, f)| f).collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::collections::HashMap;

    #[test]
    fn folders_are_ordered_inbox_roles_then_names_with_children() {
        let raw = |wire: &str, role| RawFolder {
            wire: wire.into(),
            delimiter: Some('/'),
            noselect: false,
            role,
            subscribed: true,
        };
        let folders = arrange_folders(
            vec![
                raw("Zeta", None),
                raw("Trash", Some(Role::Trash)),
                raw("Projetos/Obra", None),
                raw("INBOX", None),
                raw("Projetos", None),
                raw("Fam&AO0-lia", None),
                raw("Sent", Some(Role::Sent)),
            ],
            &HashMap::new(),
            true,
        );
        let names: Vec<&str> = folders.iter().map(|f| f.name.as_str()).collect();
        assert_eq!(
            names,
            [
                "INBOX",
                "Sent",
                "Trash",
                "Família",
                "Projetos",
                "Projetos/Obra",
                "Zeta"
            ]
        );
        assert_eq!(folders[5].depth, 1);
        assert_eq!(folders[5].leaf, "Obra");
    }

    #[test]
    fn without_special_use_folders_under_inbox_get_their_roles_by_name() {
        // Courier's layout: everything under "INBOX.", no SPECIAL-USE.
        let raw = |wire: &str| RawFolder {
            wire: wire.into(),
            delimiter: Some('.'),
            noselect: false,
            role: None,
            subscribed: true,
        };
        let folders = arrange_folders(
            vec![
                raw("INBOX"),
                raw("INBOX.Sent"),
                raw("INBOX.Trash"),
                raw("INBOX.Projetos"),
                raw("INBOX.Projetos.Sent"),
            ],
            &HashMap::new(),
            false,
        );
        let role = |name: &str| folders.iter().find(|f| f.name == name).unwrap().role;
        assert_eq!(role("INBOX.Sent"), Some(Role::Sent));
        assert_eq!(role("INBOX.Trash"), Some(Role::Trash));
        assert_eq!(role("INBOX.Projetos"), None);
        assert_eq!(role("INBOX.Projetos.Sent"), None);
    }
}
