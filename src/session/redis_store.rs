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
use crate::prefs::Preferences;
use crate::upstream_map::Upstreams;

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

/// `v4 \n created_at \n csrf_token \n preferences \n upstreams \n base64(sealed_password)
/// \n username` (the user name last, so whatever it contains cannot shift the other fields;
/// preferences in [`Preferences::encode`]'s one-line form, upstreams in
/// [`Upstreams::encode`]'s, or `-` without a map).
fn encode(record: &SessionRecord) -> String {
    let sealed = base64::engine::general_purpose::STANDARD.encode(&record.sealed_password);
    let upstreams = record
        .upstreams
        .as_ref()
        .map_or_else(|| "-".to_string(), Upstreams::encode);
    format!(
        "v4\n{}\n{}\n{}\n{upstreams}\n{sealed}\n{}",
        record.created_at,
        record.csrf_token,
        record.prefs.encode(),
        record.username
    )
}

/// Reads a record. Older layouts still read, so sessions survive an upgrade: `v2` had the
/// language tag where v3 has the preferences, and the first layout had neither.
fn decode(text: &str) -> Option<SessionRecord> {
    let (text, version) = if let Some(rest) = text.strip_prefix("v4\n") {
        (rest, 4)
    } else if let Some(rest) = text.strip_prefix("v3\n") {
        (rest, 3)
    } else if let Some(rest) = text.strip_prefix("v2\n") {
        (rest, 2)
    } else {
        (text, 1)
    };
    let mut fields = text.splitn(
        match version {
            4 => 6,
            2 | 3 => 5,
            _ => 4,
        },
        '\n',
    );
    let created_at = fields.next()?.parse().ok()?;
    let csrf_token = fields.next()?.to_string();
    let prefs = match version {
        3 | 4 => Preferences::decode(fields.next()?),
        2 => Preferences {
            language: crate::i18n::Lang::from_tag(fields.next()?).map(|l| l.tag()),
            ..Preferences::default()
        },
        _ => Preferences::default(),
    };
    // A session of a mapped domain whose servers no longer read is not reopened elsewhere.
    let upstreams = match version {
        4 => match fields.next()? {
            "-" => None,
            line => Some(Upstreams::decode(line)?),
        },
        _ => None,
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
        prefs,
        upstreams,
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
    use crate::prefs::Theme;

    #[test]
    fn records_survive_the_round_trip_whatever_the_user_name_holds() {
        let chosen = Preferences {
            language: Some("pt-BR".into()),
            theme: Theme::Dark,
            page_size: 100,
            known_images: true,
            display_name: Some("Ana\nMaria".into()),
        };
        let mapped = Upstreams::decode(
            "imaps://mail.b.test:993 smtp://mail.b.test:587 sieve://mail.b.test:4190",
        );
        assert!(mapped.is_some());
        for (prefs, upstreams) in [(Preferences::default(), None), (chosen, mapped)] {
            let record = SessionRecord {
                username: "ana\nmaria@example.test".into(),
                sealed_password: vec![0, 1, 2, 255],
                csrf_token: "tok".into(),
                created_at: 1_700_000_000,
                prefs,
                upstreams,
            };
            let back = decode(&encode(&record)).unwrap();
            assert_eq!(back.username, record.username);
            assert_eq!(back.sealed_password, record.sealed_password);
            assert_eq!(back.csrf_token, record.csrf_token);
            assert_eq!(back.created_at, record.created_at);
            // The display name is cleaned to one line on the way in, like any stored value.
            assert_eq!(back.prefs.theme, record.prefs.theme);
            assert_eq!(back.prefs.page_size, record.prefs.page_size);
            assert_eq!(back.prefs.language, record.prefs.language);
            assert_eq!(back.upstreams, record.upstreams);
        }
        assert!(decode("garbage").is_none());
        assert!(decode("v2\ngarbage").is_none());
    }

    #[test]
    fn records_from_older_versions_still_read() {
        let old = "1700000000\ntok\nAAEC/w==\nana\nmaria@example.test";
        let back = decode(old).unwrap();
        assert_eq!(back.username, "ana\nmaria@example.test");
        assert_eq!(back.sealed_password, vec![0, 1, 2, 255]);
        assert_eq!(back.prefs, Preferences::default());
        let v2 = "v2\n1700000000\ntok\npt-BR\nAAEC/w==\nana@example.test";
        let back = decode(v2).unwrap();
        assert_eq!(back.prefs.language.as_deref(), Some("pt-BR"));
        assert_eq!(back.username, "ana@example.test");
    }
}
