//! Writing filters. Carteiro writes only its own script, `carteiro`, and follows two rules so
//! that nothing a person or another program wrote is ever lost:
//!
//! - a `carteiro` script that no longer reads back as Carteiro's (edited by hand) is renamed
//!   to `carteiro-kept-<8 hex of its SHA-256>` before a new one takes its name;
//! - another program's active script is never overwritten, deleted or deactivated unless
//!   the person confirmed that it will stop running ([`Activate::Confirmed`]); it stays on
//!   the server either way.
//!
//! The new text is checked (`CHECKSCRIPT`) and its room asked for (`HAVESPACE`) before
//! anything on the server changes, so a refusal leaves every script as it was.

use super::error::FilterError;
use super::load::{fingerprint, load, Loaded, OwnScript};
use crate::sieve::model::Filters;
use crate::sieve::script::{self, SCRIPT_NAME};
use crate::sieve::{SieveError, SieveSession};

/// Which script the server should run after a save.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Activate {
    /// Carteiro's, unless another program's is active: then nothing is saved and the person
    /// is asked ([`FilterError::OtherActive`]).
    UnlessOther,
    /// Carteiro's, even in place of another program's (the person confirmed it).
    Confirmed,
    /// Carteiro's when no script is active; otherwise leave the active one as it is
    /// (reordering rules that another program's script keeps from running).
    IfFree,
    /// Leave the active script as it is (turning the vacation reply off from the banner).
    Keep,
}

impl Activate {
    /// What a form asks for: `Confirmed` when its `confirm` field says `yes` (the person
    /// agreed that another program's script stops running), else `UnlessOther`.
    pub fn from_confirm(confirm: Option<&str>) -> Self {
        if confirm == Some("yes") {
            Activate::Confirmed
        } else {
            Activate::UnlessOther
        }
    }
}

/// What a save did besides writing the script.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Saved {
    /// The name the hand-edited `carteiro` script was kept under, if it was.
    pub kept: Option<String>,
    /// The other script that stopped running, if the person confirmed it.
    pub replaced_active: Option<String>,
}

/// The name a hand-edited `carteiro` script is kept under before it is replaced.
pub fn kept_name(text: &str) -> String {
    format!("{SCRIPT_NAME}-kept-{}", fingerprint(text))
}

/// Writes `filters` as Carteiro's script in place of what `loaded` found (read on the same
/// connection just before), and makes it the active one as `activate` says.
pub async fn save(
    sieve: &mut SieveSession,
    loaded: &Loaded,
    filters: &Filters,
    activate: Activate,
) -> Result<Saved, FilterError> {
    filters.validate().map_err(FilterError::Invalid)?;
    // Said in words the person can act on, rather than as the compile error the server
    // would give for the script.
    if let Some(missing) = filters
        .required_extensions()
        .into_iter()
        .find(|ext| !loaded.capabilities.supports(ext))
    {
        return Err(FilterError::Unsupported(missing));
    }
    write_own(sieve, loaded, &script::generate(filters), activate, true).await
}

/// Turns the out-of-office reply off, leaving everything else (and which script is active)
/// as it is. Whether there was one to turn off.
pub async fn vacation_off(sieve: &mut SieveSession) -> Result<bool, FilterError> {
    let mut loaded = load(sieve).await?;
    if loaded.own != OwnScript::Ours || !loaded.filters.vacation.enabled {
        return Ok(false);
    }
    loaded.filters.vacation.enabled = false;
    let text = script::generate(&loaded.filters);
    write_own(sieve, &loaded, &text, Activate::Keep, false).await?;
    Ok(true)
}

/// Writes a script as typed in the expert editor, under `name`: Carteiro's own, or one that
/// is already on the server (another program's, which the person chose to edit). Only
/// Carteiro's is made active, as `activate` says; another keeps its state.
pub async fn save_raw(
    sieve: &mut SieveSession,
    name: &str,
    text: &str,
    activate: Activate,
) -> Result<Saved, FilterError> {
    let loaded = load(sieve).await?;
    if name == SCRIPT_NAME {
        // Typed by the person, from the text the editor showed: no copy of it is kept.
        return write_own(sieve, &loaded, text, activate, false).await;
    }
    if !loaded.scripts.iter().any(|s| s.name == name) {
        return Err(FilterError::NoSuchScript);
    }
    sieve.check(text).await?;
    sieve.have_space(name, text.len()).await?;
    sieve.put(name, text).await?;
    Ok(Saved::default())
}

/// Puts `text` as `carteiro`. `keep_foreign`: rename a hand-edited `carteiro` out of the way
/// first.
async fn write_own(
    sieve: &mut SieveSession,
    loaded: &Loaded,
    text: &str,
    activate: Activate,
    keep_foreign: bool,
) -> Result<Saved, FilterError> {
    let other = loaded.other_active().map(str::to_string);
    if let (Some(other), Activate::UnlessOther) = (&other, activate) {
        return Err(FilterError::OtherActive(other.clone()));
    }
    sieve.check(text).await?;
    sieve.have_space(SCRIPT_NAME, text.len()).await?;
    let mut saved = Saved::default();
    if let (true, OwnScript::Foreign, Some(old)) =
        (keep_foreign, &loaded.own, loaded.own_text.as_deref())
    {
        if old != text {
            saved.kept = Some(keep(sieve, old).await?);
        }
    }
    sieve.put(SCRIPT_NAME, text).await?;
    let wanted = match activate {
        Activate::UnlessOther | Activate::Confirmed => true,
        Activate::IfFree => loaded.active.is_none(),
        Activate::Keep => false,
    };
    // A renamed active script stays active under its kept name: the new one takes its
    // place as the script that runs.
    let renamed_active = saved.kept.is_some() && loaded.ours_active();
    if (wanted && !loaded.ours_active()) || renamed_active {
        sieve.set_active(Some(SCRIPT_NAME)).await?;
        saved.replaced_active = other;
    }
    Ok(saved)
}

/// Moves the hand-edited `carteiro` (text `old`) to its kept name. Renaming, rather than
/// writing a copy, needs no room and no second compile of a script the server may no longer
/// accept; and an active script stays active under its new name until Carteiro's replaces
/// it.
async fn keep(sieve: &mut SieveSession, old: &str) -> Result<String, FilterError> {
    let name = kept_name(old);
    match sieve.rename(SCRIPT_NAME, &name).await {
        // Kept before: the same text under the same name; `carteiro` is overwritten next.
        Ok(()) | Err(SieveError::AlreadyExists) => {}
        Err(e) => return Err(e.into()),
    }
    tracing::info!(kept = %name, "a hand-edited carteiro script was kept before replacing it");
    Ok(name)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_kept_script_is_named_after_its_text() {
        assert_eq!(kept_name(""), "carteiro-kept-e3b0c442");
        assert_ne!(kept_name("a"), kept_name("b"));
    }
}
