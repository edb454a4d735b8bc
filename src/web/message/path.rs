//! The message's UID as the URL carries it.

use crate::web::error::AppError;

/// A UID from the path: a positive number, else the message is not found.
pub fn parse_uid(uid: &str) -> Result<u32, AppError> {
    uid.parse::<u32>()
        .ok()
        .filter(|&u| u > 0)
        .ok_or(AppError::NotFound)
}
