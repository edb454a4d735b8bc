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

/// `created_at \n csrf_token \n base64(sealed_password) \n username` (the user name last, so
/// whatever it contains cannot shift the other fields).
fn encode(record: &SessionRecord) -> String {
    let sealed = base64::engine::general_purpose::STANDARD.encode(&record.sealed_password);
    format!(
        "{}\n{}\n{sealed}\n{}",
        record.created_at, record.csrf_token, record.username
    )
}

fn decode(text: &str) -> Option<SessionRecord> {
    let mut fields = text.splitn(4, '\n');
    let created_at = fields.next()?.parse().ok()?;
    let csrf_token = fields.next()?.to_string();
    let sealed_password = base64::engine::general_purpose::STANDARD
        .decode(fields.next()?)
        .ok()?;
    let username = fields.next()?.to_string();
    Some(SessionRecord {
        username,
        sealed_password,
        csrf_token,
        created_at,
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
        let record = SessionRecord {
            username: "ana\nmaria@example.test".into(),
            sealed_password: vec![0, 1, 2, 255],
            csrf_token: "tok".into(),
            created_at: 1_700_000_000,
        };
        let back = decode(&encode(&record)).unwrap();
        assert_eq!(back.username, record.username);
        assert_eq!(back.sealed_password, record.sealed_password);
        assert_eq!(back.csrf_token, record.csrf_token);
        assert_eq!(back.created_at, record.created_at);
        assert!(decode("garbage").is_none());
    }
}
