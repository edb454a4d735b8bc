//! The session cookie and the sealing of stored credentials.
//!
//! The cookie carries a random session id and a random key. The store is indexed by
//! HMAC(secret, id), and the password is sealed with the cookie's key, so a dump of the store
//! (memory, Redis) yields neither a usable cookie nor a password: both halves are needed, and
//! only the browser holds the key.

use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use base64::Engine;
use chacha20poly1305::aead::{Aead, KeyInit, Payload};
use chacha20poly1305::{ChaCha20Poly1305, Key, Nonce};
use hmac::{Hmac, Mac};
use secrecy::{ExposeSecret, SecretString};
use sha2::Sha256;

const ID_LEN: usize = 16;
const KEY_LEN: usize = 32;
const NONCE_LEN: usize = 12;

/// What the browser's session cookie holds.
#[derive(Clone)]
pub struct SessionCookie {
    id: [u8; ID_LEN],
    key: [u8; KEY_LEN],
}

impl SessionCookie {
    /// A fresh, random session (a new one at every login, so fixation is impossible).
    pub fn generate() -> SessionCookie {
        SessionCookie {
            id: rand::random(),
            key: rand::random(),
        }
    }

    /// The cookie value: base64url of id and key.
    pub fn encode(&self) -> String {
        let mut raw = [0u8; ID_LEN + KEY_LEN];
        raw[..ID_LEN].copy_from_slice(&self.id);
        raw[ID_LEN..].copy_from_slice(&self.key);
        URL_SAFE_NO_PAD.encode(raw)
    }

    /// Parses a cookie value; anything malformed is simply not a session.
    pub fn decode(value: &str) -> Option<SessionCookie> {
        let raw = URL_SAFE_NO_PAD.decode(value.as_bytes()).ok()?;
        if raw.len() != ID_LEN + KEY_LEN {
            return None;
        }
        let mut cookie = SessionCookie {
            id: [0; ID_LEN],
            key: [0; KEY_LEN],
        };
        cookie.id.copy_from_slice(&raw[..ID_LEN]);
        cookie.key.copy_from_slice(&raw[ID_LEN..]);
        Some(cookie)
    }

    /// The key the server stores this session under.
    pub fn store_key(&self, secret: &[u8]) -> String {
        let mut mac =
            <Hmac<Sha256> as Mac>::new_from_slice(secret).expect("HMAC takes any key length");
        mac.update(b"carteiro-session-v1");
        mac.update(&self.id);
        hex::encode(mac.finalize().into_bytes())
    }

    /// Encrypts the password for the store, bound to this session's store key.
    pub fn seal(&self, store_key: &str, password: &SecretString) -> Vec<u8> {
        let cipher = ChaCha20Poly1305::new(Key::from_slice(&self.key));
        let nonce: [u8; NONCE_LEN] = rand::random();
        let ciphertext = cipher
            .encrypt(
                Nonce::from_slice(&nonce),
                Payload {
                    msg: password.expose_secret().as_bytes(),
                    aad: store_key.as_bytes(),
                },
            )
            .expect("encryption of a short buffer cannot fail");
        let mut out = nonce.to_vec();
        out.extend_from_slice(&ciphertext);
        out
    }

    /// Decrypts a sealed password; `None` if the record was not sealed with this cookie.
    pub fn open(&self, store_key: &str, sealed: &[u8]) -> Option<SecretString> {
        if sealed.len() < NONCE_LEN {
            return None;
        }
        let cipher = ChaCha20Poly1305::new(Key::from_slice(&self.key));
        let plain = cipher
            .decrypt(
                Nonce::from_slice(&sealed[..NONCE_LEN]),
                Payload {
                    msg: &sealed[NONCE_LEN..],
                    aad: store_key.as_bytes(),
                },
            )
            .ok()?;
        String::from_utf8(plain).ok().map(SecretString::from)
    }
}

/// A random token for forms (CSRF) and similar uses.
pub fn random_token() -> String {
    URL_SAFE_NO_PAD.encode(rand::random::<[u8; 24]>())
}

/// The CSRF token as a page carries it: `base64url(pad ‖ pad XOR token)` with a fresh random
/// pad each time. Every response then holds different bytes, so a compressed page does not
/// let an attacker who reflects text into it guess the token byte by byte (BREACH).
pub fn mask_token(token: &str) -> String {
    let token = token.as_bytes();
    let pad: Vec<u8> = (0..token.len()).map(|_| rand::random::<u8>()).collect();
    let mut out = pad.clone();
    out.extend(pad.iter().zip(token).map(|(p, t)| p ^ t));
    URL_SAFE_NO_PAD.encode(out)
}

/// Recovers the token from [`mask_token`]'s output; `None` for anything malformed.
pub fn unmask_token(masked: &str) -> Option<String> {
    let bytes = URL_SAFE_NO_PAD.decode(masked.trim()).ok()?;
    if bytes.is_empty() || bytes.len() % 2 != 0 {
        return None;
    }
    let (pad, xored) = bytes.split_at(bytes.len() / 2);
    let token: Vec<u8> = pad.iter().zip(xored).map(|(p, x)| p ^ x).collect();
    String::from_utf8(token).ok()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sealed_password_opens_only_with_the_same_cookie_and_key() {
        let secret = [7u8; 32];
        let cookie = SessionCookie::generate();
        let key = cookie.store_key(&secret);
        let password = SecretString::from("Senha-çé-123".to_string());
        let sealed = cookie.seal(&key, &password);
        assert!(!String::from_utf8_lossy(&sealed).contains("Senha"));
        let again = SessionCookie::decode(&cookie.encode()).unwrap();
        assert_eq!(
            again.open(&key, &sealed).unwrap().expose_secret(),
            "Senha-çé-123"
        );
        assert!(SessionCookie::generate().open(&key, &sealed).is_none());
        assert!(cookie.open("other-key", &sealed).is_none());
    }

    #[test]
    fn malformed_cookies_are_rejected() {
        assert!(SessionCookie::decode("").is_none());
        assert!(SessionCookie::decode("not base64 !!").is_none());
        assert!(SessionCookie::decode(&URL_SAFE_NO_PAD.encode([1u8; 20])).is_none());
    }

    #[test]
    fn masked_tokens_differ_every_time_and_unmask_to_the_token() {
        let token = random_token();
        let (a, b) = (mask_token(&token), mask_token(&token));
        assert_ne!(a, b);
        assert_eq!(unmask_token(&a).as_deref(), Some(token.as_str()));
        assert_eq!(unmask_token(&b).as_deref(), Some(token.as_str()));
        assert!(unmask_token("").is_none());
        assert!(unmask_token("!!").is_none());
    }
}
