//! Keys for encryption at rest: the operator's [`MasterKey`], the per-case data keys it wraps,
//! and the [`IndexKey`] of the blind indexes. What is encrypted with which key, what stays in
//! clear and why, and the threat model are in `docs/data-protection.md`.
//!
//! # The keys
//!
//! - The **master key** is 32 bytes the operator provides: a file of 64 hexadecimal digits
//!   (white space around them ignored) named by [`MASTER_KEY_ENV`] (`SIPROC_MASTER_KEY_FILE`)
//!   or passed explicitly ([`MasterKey::from_file`]). It never touches the database. Only keys
//!   derived from it with HKDF-SHA-256 are used: a *wrapping key* (info `siproc/v1/wrap`)
//!   and a *check value* (info `siproc/v1/check`), which the database keeps to tell the right
//!   key from a wrong one without holding anything that helps to find it.
//! - Each case has its own random 32-byte **data key**, kept in the store only wrapped
//!   (encrypted) by the wrapping key, bound to its case id. Every sealed value of the case
//!   (`salt` and `value` of each [`crate::history::Sealed`]) is encrypted with it, bound to its
//!   commitment. Destroying the wrapped data key makes every value of the case unreadable for
//!   good (crypto-shredding).
//! - The **store secret**: 32 random bytes made when a store is first encrypted, kept wrapped
//!   like a data key. The [`IndexKey`] is derived from it with HKDF (info `siproc/v1/index`), so
//!   that rotating the master key re-wraps it with the data keys and leaves the blind indexes
//!   (and the audit log's keyed hashes made with the index key) valid.
//!
//! # Why these crates
//!
//! - `chacha20poly1305` (RustCrypto, audited by NCC Group) for **XChaCha20-Poly1305**, rather
//!   than AES-GCM: its 192-bit nonces can be drawn at random for every value, by any number of
//!   processes writing the same database, with no counter to keep and no practical risk of a
//!   nonce repeating (AES-GCM's 96-bit random nonces are limited to about 2^32 messages per
//!   key); and it is constant-time in software on machines without AES instructions (older
//!   consular laptops, WebAssembly). Nonces and keys come from the same generator as salts
//!   ([`rand::rng`], see [`crate::history`]), which also works in WebAssembly.
//! - `hkdf` (RustCrypto) for HKDF-SHA-256 (RFC 5869): one master secret, independent keys per
//!   purpose.
//! - `zeroize`: key bytes are wiped from memory when a key is dropped.
//!
//! Keys never appear in errors, logs or `Debug` output: their `Debug` prints the type's name
//! only.

// Wrapping and data keys serve the SQL stores only; a build without them (WebAssembly) reads
// key files and nothing more.
#![cfg_attr(not(any(feature = "sqlite", feature = "postgres")), allow(dead_code))]

use std::path::Path;

use chacha20poly1305::aead::{Aead, KeyInit, Payload};
use chacha20poly1305::{XChaCha20Poly1305, XNonce};
use hkdf::Hkdf;
use sha2::Sha256;
use zeroize::Zeroizing;

use crate::hex::{from_hex, to_hex};
use crate::store::StoreError;

/// The environment variable naming the master key file.
pub const MASTER_KEY_ENV: &str = "SIPROC_MASTER_KEY_FILE";

/// The length of every key, in bytes.
pub const KEY_BYTES: usize = 32;

/// The length of an XChaCha20-Poly1305 nonce, in bytes.
const NONCE_BYTES: usize = 24;

/// 32 secret bytes, wiped on drop.
type Secret = Zeroizing<[u8; KEY_BYTES]>;

fn random_secret() -> Secret {
    let mut bytes = Zeroizing::new([0_u8; KEY_BYTES]);
    rand::fill(&mut bytes[..]);
    bytes
}

/// HKDF-SHA-256 of `ikm` for `info`.
fn derive(ikm: &[u8], info: &str) -> Secret {
    let mut out = Zeroizing::new([0_u8; KEY_BYTES]);
    // 32 bytes are far below HKDF-SHA-256's limit (255 × 32), so `expand` cannot fail.
    let _ = Hkdf::<Sha256>::new(None, ikm).expand(info.as_bytes(), &mut out[..]);
    out
}

fn key_file_error(reason: &'static str) -> StoreError {
    StoreError::KeyFile { reason }
}

/// Encrypts `plaintext` under `key` with a fresh random nonce, bound to `aad`: nonce ‖
/// ciphertext ‖ tag.
fn seal(key: &Secret, aad: &[u8], plaintext: &[u8]) -> Vec<u8> {
    let cipher = XChaCha20Poly1305::new((&**key).into());
    let mut nonce = [0_u8; NONCE_BYTES];
    rand::fill(&mut nonce);
    let mut out = nonce.to_vec();
    // Encryption fails only for messages beyond 256 GiB.
    if let Ok(ct) = cipher.encrypt(
        XNonce::from_slice(&nonce),
        Payload {
            msg: plaintext,
            aad,
        },
    ) {
        out.extend_from_slice(&ct);
    }
    out
}

/// The plaintext of what [`seal`] made under `key` for `aad`; `None` if the key, the `aad` or a
/// byte is wrong.
fn open(key: &Secret, aad: &[u8], sealed: &[u8]) -> Option<Zeroizing<Vec<u8>>> {
    if sealed.len() < NONCE_BYTES + 16 {
        return None;
    }
    let (nonce, ct) = sealed.split_at(NONCE_BYTES);
    XChaCha20Poly1305::new((&**key).into())
        .decrypt(XNonce::from_slice(nonce), Payload { msg: ct, aad })
        .ok()
        .map(Zeroizing::new)
}

/// The operator's master key (see the module docs). `Debug` shows nothing of it.
#[derive(Clone)]
pub struct MasterKey {
    wrap: Secret,
    check: Secret,
}

impl std::fmt::Debug for MasterKey {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("MasterKey(..)")
    }
}

impl MasterKey {
    fn from_bytes(bytes: &[u8; KEY_BYTES]) -> MasterKey {
        MasterKey {
            wrap: derive(bytes, "siproc/v1/wrap"),
            check: derive(bytes, "siproc/v1/check"),
        }
    }

    /// A key from its 64 hexadecimal digits (white space around them ignored);
    /// `store.key_file` otherwise (the error never quotes the text).
    pub fn from_hex(text: &str) -> Result<MasterKey, StoreError> {
        let text = Zeroizing::new(text.trim().to_ascii_lowercase());
        if text.len() != 2 * KEY_BYTES {
            return Err(key_file_error(
                "a master key is 64 hexadecimal digits (32 bytes)",
            ));
        }
        let bytes = Zeroizing::new(
            from_hex::<KEY_BYTES>(&text)
                .ok_or_else(|| key_file_error("the master key is not hexadecimal"))?,
        );
        if bytes.iter().all(|b| *b == 0) {
            return Err(key_file_error("the master key is all zeros"));
        }
        Ok(MasterKey::from_bytes(&bytes))
    }

    /// The key in the file at `path` ([`MasterKey::from_hex`]); an unreadable file is
    /// `store.key_file` too (the error names neither the path nor the content).
    pub fn from_file(path: impl AsRef<Path>) -> Result<MasterKey, StoreError> {
        let text = Zeroizing::new(
            std::fs::read_to_string(path.as_ref())
                .map_err(|_| key_file_error("the master key file cannot be read"))?,
        );
        MasterKey::from_hex(&text)
    }

    /// The key in the file [`MASTER_KEY_ENV`] names, or `None` when the variable is unset or
    /// empty.
    pub fn from_env() -> Result<Option<MasterKey>, StoreError> {
        match std::env::var_os(MASTER_KEY_ENV) {
            Some(path) if !path.is_empty() => MasterKey::from_file(path).map(Some),
            _ => Ok(None),
        }
    }

    /// A new random key and its 64 hexadecimal digits (to write to a key file).
    pub fn generate() -> (MasterKey, Zeroizing<String>) {
        let bytes = random_secret();
        (
            MasterKey::from_bytes(&bytes),
            Zeroizing::new(to_hex(&*bytes)),
        )
    }

    /// Writes a new random key to `path` (created, never overwritten; readable by its owner
    /// only on Unix) and returns it: for demonstrations and first installations.
    pub fn create_file(path: impl AsRef<Path>) -> Result<MasterKey, StoreError> {
        use std::io::Write;
        let (key, hex) = MasterKey::generate();
        let mut options = std::fs::OpenOptions::new();
        options.write(true).create_new(true);
        #[cfg(unix)]
        std::os::unix::fs::OpenOptionsExt::mode(&mut options, 0o600);
        let mut file = options
            .open(path.as_ref())
            .map_err(|_| key_file_error("the master key file cannot be created"))?;
        file.write_all(format!("{}\n", &*hex).as_bytes())
            .and_then(|()| file.sync_all())
            .map_err(|_| key_file_error("the master key file cannot be written"))?;
        Ok(key)
    }

    /// The value a store keeps to recognise this key: HKDF output for its own purpose, which
    /// reveals nothing about the key or the keys derived for other purposes.
    pub(crate) fn check_value(&self) -> String {
        to_hex(&*self.check)
    }

    /// A short public name of this key (the first 16 digits of its check value), recorded
    /// beside every key it wraps: rotation knows which are done.
    pub fn key_id(&self) -> String {
        self.check_value()[..16].to_owned()
    }

    /// `secret` wrapped for `owner` (a case id, or the store's own name).
    pub(crate) fn wrap(&self, owner: &str, secret: &DataKey) -> Vec<u8> {
        seal(&self.wrap, &wrap_aad(owner), &*secret.0)
    }

    /// The secret [`MasterKey::wrap`] wrapped for `owner`; `None` if another key wrapped it or
    /// it was altered.
    pub(crate) fn unwrap(&self, owner: &str, wrapped: &[u8]) -> Option<DataKey> {
        let plain = open(&self.wrap, &wrap_aad(owner), wrapped)?;
        let bytes: [u8; KEY_BYTES] = plain.as_slice().try_into().ok()?;
        Some(DataKey(Zeroizing::new(bytes)))
    }
}

fn wrap_aad(owner: &str) -> Vec<u8> {
    format!("siproc/v1/wrapped/{owner}").into_bytes()
}

/// A data key: a case's (its sealed values are encrypted with it), or the store secret the
/// [`IndexKey`] is derived from. Only ever stored wrapped.
#[derive(Clone)]
pub(crate) struct DataKey(Secret);

impl std::fmt::Debug for DataKey {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("DataKey(..)")
    }
}

impl DataKey {
    /// A new random key.
    pub(crate) fn generate() -> DataKey {
        DataKey(random_secret())
    }

    /// `plaintext` encrypted, bound to `aad` (a sealed value's commitment).
    pub(crate) fn encrypt(&self, aad: &[u8], plaintext: &[u8]) -> Vec<u8> {
        seal(&self.0, aad, plaintext)
    }

    /// What [`DataKey::encrypt`] encrypted for `aad`; `None` for another key, `aad` or an
    /// altered byte.
    pub(crate) fn decrypt(&self, aad: &[u8], ciphertext: &[u8]) -> Option<Zeroizing<Vec<u8>>> {
        open(&self.0, aad, ciphertext)
    }

    /// The index key derived from this store secret.
    pub(crate) fn index_key(&self) -> IndexKey {
        IndexKey(derive(&*self.0, "siproc/v1/index"))
    }

    /// The key derived from this store secret that seals the sign-in secrets kept in the
    /// store (second-factor secrets): like the index key, it survives a master key rotation.
    pub(crate) fn credentials_key(&self) -> DataKey {
        DataKey(derive(&*self.0, "siproc/v1/credentials"))
    }
}

/// The key a case's attachments are encrypted with before they leave the process
/// ([`crate::blobs`]): the case's data key, handed out by an encrypted store
/// ([`crate::store::CaseStore::blob_key`]). Each blob is bound to its case and its SHA-256, so a
/// ciphertext copied under another name does not open. `Debug` shows nothing of it.
#[derive(Clone)]
pub struct BlobKey(DataKey);

impl std::fmt::Debug for BlobKey {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("BlobKey(..)")
    }
}

impl BlobKey {
    /// The blob key of a case whose data key is `key`.
    pub(crate) fn of(key: DataKey) -> BlobKey {
        BlobKey(key)
    }

    /// A new random key (tests and embedders that keep their own keys).
    pub fn generate() -> BlobKey {
        BlobKey(DataKey::generate())
    }

    fn aad(case_id: &uuid::Uuid, sha256: &str) -> Vec<u8> {
        format!("siproc/v1/blob/{case_id}/{sha256}").into_bytes()
    }

    /// `plaintext` (the blob of `case_id` whose SHA-256 is `sha256`) encrypted.
    pub fn encrypt(&self, case_id: &uuid::Uuid, sha256: &str, plaintext: &[u8]) -> Vec<u8> {
        self.0.encrypt(&Self::aad(case_id, sha256), plaintext)
    }

    /// What [`BlobKey::encrypt`] encrypted for the same case and digest; `None` for another
    /// key, case, digest or an altered byte.
    pub fn decrypt(
        &self,
        case_id: &uuid::Uuid,
        sha256: &str,
        ciphertext: &[u8],
    ) -> Option<Zeroizing<Vec<u8>>> {
        self.0.decrypt(&Self::aad(case_id, sha256), ciphertext)
    }
}

/// The key of the blind indexes: the search tables hold [`IndexKey::name_term`] and
/// [`IndexKey::document_term`] of the folded name words and document keys, never the words.
/// Other keyed hashes of personal values (the audit log's search terms) use it through
/// [`IndexKey::bytes`] and [`crate::audit::keyed_hash`]. `Debug` shows nothing of it.
#[derive(Clone)]
pub struct IndexKey(Secret);

impl std::fmt::Debug for IndexKey {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("IndexKey(..)")
    }
}

impl IndexKey {
    /// The key's bytes, for [`crate::audit::keyed_hash`].
    pub fn bytes(&self) -> &[u8; KEY_BYTES] {
        &self.0
    }

    /// The blind-index term of a folded name word ([`crate::store::name_terms`]).
    pub fn name_term(&self, word: &str) -> String {
        crate::audit::keyed_hash(&self.0, &format!("name:{word}"))
    }

    /// The blind-index term of a document key ([`crate::store::document_key`]).
    pub fn document_term(&self, key: &str) -> String {
        crate::audit::keyed_hash(&self.0, &format!("document:{key}"))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const HEX: &str = "000102030405060708090a0b0c0d0e0f101112131415161718191a1b1c1d1e1f";

    #[test]
    fn key_files_read_and_refuse_without_quoting() {
        let key = MasterKey::from_hex(&format!("  {}\n", HEX.to_uppercase())).unwrap();
        assert_eq!(key.key_id(), MasterKey::from_hex(HEX).unwrap().key_id());
        for bad in [
            "",
            "abc",
            &HEX[2..],
            &format!("{}zz", &HEX[2..]),
            &"0".repeat(64),
        ] {
            let err = MasterKey::from_hex(bad).unwrap_err();
            assert_eq!(err.code(), "store.key_file");
            assert!(bad.len() < 8 || !err.to_string().contains(&bad[..8]));
        }
        assert_eq!(format!("{key:?}"), "MasterKey(..)");
        assert_eq!(format!("{:?}", DataKey::generate()), "DataKey(..)");
        assert_eq!(
            format!("{:?}", DataKey::generate().index_key()),
            "IndexKey(..)"
        );
        let err = MasterKey::from_file("/nonexistent/siproc.key").unwrap_err();
        assert_eq!(err.code(), "store.key_file");
        assert!(!err.to_string().contains("nonexistent"));
    }

    #[test]
    fn created_files_read_back_and_are_never_overwritten() {
        let dir = std::env::temp_dir().join(format!("siproc-key-{}", uuid::Uuid::now_v7()));
        std::fs::create_dir_all(&dir).unwrap();
        let path = dir.join("master.key");
        let made = MasterKey::create_file(&path).unwrap();
        assert_eq!(MasterKey::from_file(&path).unwrap().key_id(), made.key_id());
        assert_eq!(
            MasterKey::create_file(&path).unwrap_err().code(),
            "store.key_file"
        );
        #[cfg(unix)]
        {
            use std::os::unix::fs::PermissionsExt;
            let mode = std::fs::metadata(&path).unwrap().permissions().mode();
            assert_eq!(mode & 0o777, 0o600);
        }
        std::fs::remove_dir_all(&dir).unwrap();
    }

    #[test]
    fn wrapping_binds_key_and_owner() {
        let a = MasterKey::from_hex(HEX).unwrap();
        let (b, _) = MasterKey::generate();
        assert_ne!(a.check_value(), b.check_value());
        let data = DataKey::generate();
        let wrapped = a.wrap("case-1", &data);
        let back = a.unwrap("case-1", &wrapped).unwrap();
        assert_eq!(*back.0, *data.0);
        assert!(a.unwrap("case-2", &wrapped).is_none());
        assert!(b.unwrap("case-1", &wrapped).is_none());
        let mut altered = wrapped.clone();
        altered[30] ^= 1;
        assert!(a.unwrap("case-1", &altered).is_none());
        assert!(a.unwrap("case-1", &wrapped[..10]).is_none());
    }

    #[test]
    fn values_are_bound_to_their_commitment() {
        let key = DataKey::generate();
        let ct = key.encrypt(b"c1", b"Ana Pena");
        assert!(!ct.windows(8).any(|w| w == b"Ana Pena"));
        assert_eq!(key.decrypt(b"c1", &ct).unwrap().as_slice(), b"Ana Pena");
        assert!(key.decrypt(b"c2", &ct).is_none());
        assert!(DataKey::generate().decrypt(b"c1", &ct).is_none());
        // Fresh nonces: the same value encrypts differently each time.
        assert_ne!(key.encrypt(b"c1", b"Ana Pena"), ct);
    }

    #[test]
    fn index_terms_are_keyed_and_separated_by_kind() {
        let secret = DataKey::generate();
        let k = secret.index_key();
        assert_eq!(k.name_term("pena"), secret.index_key().name_term("pena"));
        assert_ne!(k.name_term("pena"), k.document_term("pena"));
        assert_ne!(
            k.name_term("pena"),
            DataKey::generate().index_key().name_term("pena")
        );
        assert!(!k.name_term("pena").contains("pena"));
    }
}
