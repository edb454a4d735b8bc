//! Sessions in Redis, shared by every Carteiro instance that points at the same server.
//!
//! A record lives under `carteiro:session:<store key>` with the idle timeout as its TTL,
//! renewed on every read (`GETEX`), so Redis forgets idle sessions by itself. The store key is
//! already `HMAC(secret, id)` and the password is sealed with the cookie's key: a dump of this
//! Redis yields neither a cookie nor a password, exactly as with the in-process store.

use std::time::Duration;

use base64::Engine;
use futures::future::BoxFuture;
use redis::aio::ConnectionManager;

use super::store::{SessionRecord, SessionStore, StoreError};

/// Sessions kept in Redis.
pub struct RedisStore {
    conn: ConnectionManager,
    idle: Duration,
}

/// Connects to Redis (once; the connection manager reconnects by itself afterwards).
pub async fn connect(url: &str) -> Result<ConnectionManager, redis::RedisError> {
    let client = redis::Client::open(url)?;
    ConnectionManager::new(client).await
}

impl RedisStore {
    pub fn new(conn: ConnectionManager, idle: Duration) -> RedisStore {
        RedisStore { conn, idle }
    }
}

fn key(store_key: &str) -> String {
    format!("carteiro:session:{store_key}")
}

fn unavailable(e: redis::RedisError) -> StoreError {
    StoreError(format!("redis: {e}"))
}

/// `v2 \n created_at \n csrf_token \n language \n base64(sealed_password) \n username` (the
/// user name last, so whatever it contains cannot shift the other fields; `language` empty
/// for none).
fn encode(record: &SessionRecord) -> String {
    let sealed = base64::engine::general_purpose::STANDARD.encode(&record.sealed_password);
    format!(
        "v2\n{}\n{}\n{}\n{sealed}\n{}",
        record.created_at,
        record.csrf_token,
        record.language.as_deref().unwrap_or(""),
        record.username
    )
}

/// Reads a record; one written before records had a language (no `v2` line) still reads,
/// with no language, so sessions survive an upgrade.
fn decode(text: &str) -> Option<SessionRecord> {
    let (text, versioned) = match text.strip_prefix("v2\n") {
        Some(rest) => (rest, true),
        None => (text, false),
    };
    let mut fields = text.splitn(if versioned { 5 } else { 4 }, '\n');
    let created_at = fields.next()?.parse().ok()?;
    let csrf_token = fields.next()?.to_string();
    let language = if versioned {
        Some(fields.next()?.to_string()).filter(|l| !l.is_empty())
    } else {
        None
    };
    let sealed_password = base64::engine::general_purpose::STANDARD
        .decode(fields.next()?)
        .ok()?;
    let username = fields.next()?.to_string();
    Some(SessionRecord {
        username,
        sealed_password,
        csrf_token,
        created_at,
        language,
    })
}

impl SessionStore for RedisStore {
    fn get<'a>(
        &'a self,
        key_: &'a str,
    ) -> BoxFuture<'a, Result<Option<SessionRecord>, StoreError>> {
        Box::pin(async move {
            let mut conn = self.conn.clone();
            let text: Option<String> = redis::cmd("GETEX")
                .arg(key(key_))
                .arg("EX")
                .arg(self.idle.as_secs().max(1))
                .query_async(&mut conn)
                .await
                .map_err(unavailable)?;
            Ok(text.as_deref().and_then(decode))
        })
    }

    fn put<'a>(
        &'a self,
        key_: &'a str,
        record: SessionRecord,
    ) -> BoxFuture<'a, Result<(), StoreError>> {
        Box::pin(async move {
            let mut conn = self.conn.clone();
            redis::cmd("SET")
                .arg(key(key_))
                .arg(encode(&record))
                .arg("EX")
                .arg(self.idle.as_secs().max(1))
                .query_async::<()>(&mut conn)
                .await
                .map_err(unavailable)
        })
    }

    fn remove<'a>(&'a self, key_: &'a str) -> BoxFuture<'a, Result<(), StoreError>> {
        Box::pin(async move {
            let mut conn = self.conn.clone();
            redis::cmd("DEL")
                .arg(key(key_))
                .query_async::<()>(&mut conn)
                .await
                .map_err(unavailable)
        })
    }

    fn housekeeping(&self) -> BoxFuture<'_, ()> {
        // Redis expires idle records itself.
        Box::pin(async {})
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn records_survive_the_round_trip_whatever_the_user_name_holds() {
        for language in [None, Some("pt-BR".to_string())] {
            let record = SessionRecord {
                username: "ana\nmaria@example.test".into(),
                sealed_password: vec![0, 1, 2, 255],
                csrf_token: "tok".into(),
                created_at: 1_700_000_000,
                language,
            };
            let back = decode(&encode(&record)).unwrap();
            assert_eq!(back.username, record.username);
            assert_eq!(back.sealed_password, record.sealed_password);
            assert_eq!(back.csrf_token, record.csrf_token);
            assert_eq!(back.created_at, record.created_at);
            assert_eq!(back.language, record.language);
        }
        assert!(decode("garbage").is_none());
        assert!(decode("v2\ngarbage").is_none());
    }

    #[test]
    fn a_record_from_before_languages_still_reads() {
        let old = "1700000000\ntok\nAAEC/w==\nana\nmaria@example.test";
        let back = decode(old).unwrap();
        assert_eq!(back.username, "ana\nmaria@example.test");
        assert_eq!(back.sealed_password, vec![0, 1, 2, 255]);
        assert_eq!(back.language, None);
    }
}
