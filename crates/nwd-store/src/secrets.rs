//! The server's secret key: held outside the database, so that someone who can read or write
//! the database — a stolen backup, a compromised database role — cannot use what it holds
//! against the people in it. From it come two keys:
//!
//! - the **audit MAC key**: each audit entry's chain hash is also authenticated with
//!   HMAC-SHA-256 (`audit_log.mac`), so re-chaining altered entries with plain SHA-256 no longer
//!   passes `audit verify` (issue 15);
//! - the **TOTP sealing key**: second-factor secrets are stored encrypted with
//!   ChaCha20-Poly1305 (RFC 8439; RustCrypto `chacha20poly1305`), the user id as associated
//!   data, so a copy of the `users` table does not give away anyone's codes.
//!
//! The key is 32 random bytes written as 64 hexadecimal characters in a file the database never
//! sees (`NWD_SECRET_KEY_FILE`); the two keys are derived from it with HMAC-SHA-256 under fixed
//! labels. For an SQLite database with no key file configured, the key lives beside the
//! database file (`<database>.key`, created with mode 0600 on first start) — for the demo and
//! tests; production keeps it elsewhere (docs/security.md). Losing the key loses nothing but
//! the ability to check MACs and read TOTP secrets: accounts then re-enrol their second factor.

use std::path::Path;

use chacha20poly1305::aead::{Aead, KeyInit, Payload};
use chacha20poly1305::{ChaCha20Poly1305, Nonce};
use hmac::{Hmac, Mac};
use rand::RngCore;
use sha2::Sha256;

use crate::StoreError;

/// What a sealed TOTP secret begins with (format version 1): then hex(nonce ‖ ciphertext).
pub const SEALED_PREFIX: &str = "sealed1:";

/// The server's secret key and the keys derived from it. `Debug` shows nothing of them.
#[derive(Clone)]
pub struct SecretKey {
    audit_mac: [u8; 32],
    totp_seal: [u8; 32],
    /// The first audit entry that must carry a MAC (1 unless the key was introduced into a
    /// database that already had entries: they are covered by the MACs of the later entries,
    /// whose hashes chain over them).
    audit_keyed_from: u64,
}

impl std::fmt::Debug for SecretKey {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("SecretKey(redacted)")
    }
}

#[expect(clippy::expect_used, reason = "HMAC accepts a key of any length")]
fn hmac(key: &[u8]) -> Hmac<Sha256> {
    <Hmac<Sha256> as Mac>::new_from_slice(key).expect("HMAC accepts a key of any length")
}

fn derive(master: &[u8], label: &str) -> [u8; 32] {
    let mut mac = hmac(master);
    mac.update(label.as_bytes());
    mac.finalize().into_bytes().into()
}

fn key_error(path: &Path, message: impl std::fmt::Display) -> StoreError {
    StoreError::SecretKey(format!("{}: {message}", path.display()))
}

impl SecretKey {
    /// The keys derived from 32 bytes of master key.
    pub fn from_bytes(master: &[u8; 32]) -> SecretKey {
        SecretKey {
            audit_mac: derive(master, "nwd audit mac v1"),
            totp_seal: derive(master, "nwd totp seal v1"),
            audit_keyed_from: 1,
        }
    }

    /// The first audit entry that must carry a MAC.
    pub fn audit_keyed_from(&self) -> u64 {
        self.audit_keyed_from
    }

    /// A fresh random key (tests).
    pub fn generate() -> SecretKey {
        let mut master = [0u8; 32];
        rand::rngs::OsRng.fill_bytes(&mut master);
        SecretKey::from_bytes(&master)
    }

    /// Reads a key file: a first line of 64 hexadecimal characters (32 random bytes), and
    /// optionally a line `audit_keyed_from = N` (the first audit entry written with the key;
    /// default 1: every entry).
    pub fn from_file(path: &Path) -> Result<SecretKey, StoreError> {
        let text = std::fs::read_to_string(path).map_err(|e| key_error(path, e))?;
        let mut lines = text.lines().map(str::trim).filter(|l| !l.is_empty());
        let bad_key = || {
            key_error(
                path,
                "the first line must be 64 hexadecimal characters (32 random bytes)",
            )
        };
        let bytes = hex::decode(lines.next().unwrap_or_default()).map_err(|_| bad_key())?;
        let master: [u8; 32] = bytes.try_into().map_err(|_| bad_key())?;
        let mut key = SecretKey::from_bytes(&master);
        for line in lines {
            match line.split_once('=').map(|(k, v)| (k.trim(), v.trim())) {
                Some(("audit_keyed_from", value)) => {
                    key.audit_keyed_from = value.parse().map_err(|_| {
                        key_error(path, "audit_keyed_from must be a whole number, e.g. 1")
                    })?;
                }
                _ => {
                    return Err(key_error(
                        path,
                        format!(
                            "unknown line {line:?}: only `audit_keyed_from = N` may follow the key"
                        ),
                    ))
                }
            }
        }
        Ok(key)
    }

    /// Reads the key file at `path`, or creates one with a new random key (mode 0600 on Unix)
    /// when there is none, recording `next_audit_entry` as the first entry keyed.
    pub fn load_or_create(path: &Path, next_audit_entry: u64) -> Result<SecretKey, StoreError> {
        if path.exists() {
            return SecretKey::from_file(path);
        }
        let mut master = [0u8; 32];
        rand::rngs::OsRng.fill_bytes(&mut master);
        let mut options = std::fs::OpenOptions::new();
        options.write(true).create_new(true);
        #[cfg(unix)]
        {
            use std::os::unix::fs::OpenOptionsExt;
            options.mode(0o600);
        }
        let mut file = options.open(path).map_err(|e| key_error(path, e))?;
        let text = format!(
            "{}\naudit_keyed_from = {next_audit_entry}\n",
            hex::encode(master)
        );
        std::io::Write::write_all(&mut file, text.as_bytes())
            .and_then(|()| file.sync_all())
            .map_err(|e| key_error(path, e))?;
        let mut key = SecretKey::from_bytes(&master);
        key.audit_keyed_from = next_audit_entry;
        Ok(key)
    }

    /// The MAC of an audit entry: HMAC-SHA-256 over its position and chain hash, hex.
    pub fn audit_mac(&self, seq: u64, hash: &str) -> String {
        let mut mac = hmac(&self.audit_mac);
        mac.update(format!("{seq}:{hash}").as_bytes());
        hex::encode(mac.finalize().into_bytes())
    }

    /// Whether `mac` is the MAC of (`seq`, `hash`), compared in constant time.
    pub fn audit_mac_matches(&self, seq: u64, hash: &str, mac: &str) -> bool {
        let Ok(given) = hex::decode(mac) else {
            return false;
        };
        let mut expected = hmac(&self.audit_mac);
        expected.update(format!("{seq}:{hash}").as_bytes());
        expected.verify_slice(&given).is_ok()
    }

    /// Seals a TOTP secret for `user_id` (the associated data: a sealed secret moved to
    /// another account does not open).
    pub fn seal_totp(&self, user_id: &str, secret: &str) -> Result<String, StoreError> {
        let cipher = ChaCha20Poly1305::new((&self.totp_seal).into());
        let mut nonce = [0u8; 12];
        rand::rngs::OsRng.fill_bytes(&mut nonce);
        let sealed = cipher
            .encrypt(
                Nonce::from_slice(&nonce),
                Payload {
                    msg: secret.as_bytes(),
                    aad: user_id.as_bytes(),
                },
            )
            .map_err(|_| StoreError::SecretKey("could not seal a TOTP secret".into()))?;
        let mut out = nonce.to_vec();
        out.extend_from_slice(&sealed);
        Ok(format!("{SEALED_PREFIX}{}", hex::encode(out)))
    }

    /// Opens a sealed TOTP secret of `user_id`.
    pub fn open_totp(&self, user_id: &str, stored: &str) -> Result<String, StoreError> {
        let unreadable = || {
            StoreError::Corrupt("stored TOTP secret does not open with this server's key".into())
        };
        let hex_text = stored.strip_prefix(SEALED_PREFIX).ok_or_else(unreadable)?;
        let bytes = hex::decode(hex_text).map_err(|_| unreadable())?;
        if bytes.len() < 12 {
            return Err(unreadable());
        }
        let (nonce, sealed) = bytes.split_at(12);
        let cipher = ChaCha20Poly1305::new((&self.totp_seal).into());
        let plain = cipher
            .decrypt(
                Nonce::from_slice(nonce),
                Payload {
                    msg: sealed,
                    aad: user_id.as_bytes(),
                },
            )
            .map_err(|_| unreadable())?;
        String::from_utf8(plain).map_err(|_| unreadable())
    }
}

/// Whether a stored TOTP secret is sealed (else it is a plain base32 secret from before).
pub fn is_sealed(stored: &str) -> bool {
    stored.starts_with(SEALED_PREFIX)
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;

    #[test]
    fn sealed_secrets_open_only_for_their_account_and_key() {
        let key = SecretKey::generate();
        let sealed = key.seal_totp("user-1", "JBSWY3DPEHPK3PXP").unwrap();
        assert!(is_sealed(&sealed));
        assert!(!sealed.contains("JBSWY3DPEHPK3PXP"));
        assert_eq!(
            key.open_totp("user-1", &sealed).unwrap(),
            "JBSWY3DPEHPK3PXP"
        );
        assert!(key.open_totp("user-2", &sealed).is_err());
        assert!(SecretKey::generate().open_totp("user-1", &sealed).is_err());
    }

    #[test]
    fn the_audit_mac_depends_on_the_key_and_the_entry() {
        let key = SecretKey::from_bytes(&[7; 32]);
        let mac = key.audit_mac(3, "abc");
        assert!(key.audit_mac_matches(3, "abc", &mac));
        assert!(!key.audit_mac_matches(4, "abc", &mac));
        assert!(!key.audit_mac_matches(3, "abd", &mac));
        assert!(!SecretKey::from_bytes(&[8; 32]).audit_mac_matches(3, "abc", &mac));
    }
}
