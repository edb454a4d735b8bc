//! The error every configuration step returns: a setting that cannot work, in the words an
//! admin needs to fix it.

use crate::mailapps::AppsUrlError;
use crate::upstream::UpstreamUrlError;

/// A setting that cannot work, with the words an admin needs to fix it.
#[derive(Debug, thiserror::Error)]
#[error("{0}")]
pub struct ConfigError(pub String);

impl From<UpstreamUrlError> for ConfigError {
    fn from(e: UpstreamUrlError) -> Self {
        ConfigError(e.0)
    }
}

impl From<AppsUrlError> for ConfigError {
    fn from(e: AppsUrlError) -> Self {
        ConfigError(e.0)
    }
}
