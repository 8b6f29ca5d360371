//! Encryption at rest in the SQL stores ([`crate::keys`] holds the keys and says why these
//! ciphers): what an encrypted database remembers about its key, the per-case data keys
//! (`cases.data_key`), event bodies whose sealed values are ciphertexts, and blind index terms.
//!
//! # What is written
//!
//! - `siproc_meta`: `key_check`, the master key's check value (HKDF output that identifies the
//!   key and reveals nothing of it), and `store_secret`, the store secret wrapped by the master
//!   key (the [`IndexKey`] is derived from it). A database with a `key_check` is encrypted and
//!   opens only with its key: without one it is `store.key_required`, with another
//!   `store.wrong_key`.
//! - `cases.data_key`, `cases.key_id`: each case's data key, wrapped by the master key for that
//!   case id, in the case's own row (NULL once an erasure destroyed it); `key_id` names the
//!   master key that wrapped it (rotation resumes from it). Until schema version 16 they were
//!   the rows of a table of their own, `case_keys`: a row and two index entries more to write
//!   for every case.
//! - `events.body`: the event's canonical JSON as before, except that each sealed value
//!   `{"commitment", "salt", "value"}` is written `{"commitment", "sealed"}`: nonce ‖
//!   XChaCha20-Poly1305 of the canonical JSON of `{"salt", "value"}`, bound to the commitment,
//!   in unpadded URL-safe base64. Bodies written before 2026-12-07 hold the same bytes in hex
//!   under `"ciphertext"`, and are read as they are (base64 is two thirds of hex's length: a
//!   third less to write, keep and read for every sealed value). The hash of an event covers
//!   commitments only, so every stored hash, the chain and archives verify exactly as before,
//!   with no key.
//! - `case_names.term`, `case_documents.term`: [`IndexKey::name_term`] and
//!   [`IndexKey::document_term`] of the words and document keys, never the words.

use std::sync::Arc;

use base64::Engine as _;
use serde_json::{Map, Value};
use uuid::Uuid;

use super::conn::{Conn, Param};
use super::rows::corrupt;
use crate::hex::{from_hex, to_hex};
use crate::history::{
    Event, HistoryError, SEALED_MEMBER, Sealer, Tamper, canonical_json, canonical_json_sealing,
};
use crate::keys::{DataKey, IndexKey, MasterKey};
use crate::store::{IndexTerms, StoreError};

/// The `siproc_meta` entry of a key rotation or conversion under way
/// ([`crate::store::rotate_master_key`], [`crate::store::encrypt_store`]).
pub(crate) const KEY_CHANGE: &str = "key_change";

/// The member that held a stored sealed value's ciphertext in hex in bodies written before
/// [`SEALED_MEMBER`] (base64) (still read).
const SEALED_HEX: &str = "ciphertext";

/// The base64 of [`SEALED_MEMBER`]: URL-safe, unpadded (no character JSON must escape).
const COMPACT: base64::engine::GeneralPurpose = base64::engine::general_purpose::URL_SAFE_NO_PAD;

/// The owner name the store secret is wrapped for.
const STORE_SECRET_OWNER: &str = "store";

/// The keys an encrypted store was opened with: the master key and the index key derived from
/// the store secret.
pub(crate) struct StoreKeys {
    master: MasterKey,
    index: IndexKey,
    credentials: DataKey,
}

/// How a sealed second-factor secret starts in `user_credentials.totp_secret` (then the hex of
/// nonce ‖ XChaCha20-Poly1305 ciphertext); a clear one is 40 hex digits and nothing else.
const SEALED_SECRET: &str = "sealed:";

fn totp_aad(user_id: &str) -> Vec<u8> {
    format!("siproc/v1/totp/{user_id}").into_bytes()
}

impl StoreKeys {
    fn of(master: &MasterKey, secret: &DataKey) -> StoreKeys {
        StoreKeys {
            master: master.clone(),
            index: secret.index_key(),
            credentials: secret.credentials_key(),
        }
    }

    /// The second-factor secret of `user_id` as the store keeps it: sealed with the key
    /// derived from the store secret, bound to the user.
    pub(crate) fn seal_totp_secret(&self, user_id: &str, secret: &[u8]) -> String {
        let sealed = self.credentials.encrypt(&totp_aad(user_id), secret);
        format!("{SEALED_SECRET}{}", to_hex(&sealed))
    }
    /// The index key of the blind indexes.
    pub(crate) fn index(&self) -> &IndexKey {
        &self.index
    }

    /// A new data key for the case `case_id`, and how the case's row keeps it.
    pub(crate) fn new_case_key(&self, case_id: &str) -> (DataKey, CaseKeyRow) {
        let key = DataKey::generate();
        let row = CaseKeyRow {
            key_id: self.master.key_id(),
            wrapped: self.master.wrap(case_id, &key),
        };
        (key, row)
    }

    /// The data key of the stored case `case_id`: `None` once destroyed by an erasure
    /// (crypto-shredding, [`crate::erasure`]); `store.corrupt` if it does not unwrap.
    pub(crate) fn case_key(
        &self,
        c: &mut dyn Conn,
        case_id: &str,
    ) -> Result<Option<DataKey>, StoreError> {
        let Some(wrapped) = c
            .query_opt(
                "SELECT data_key FROM cases WHERE id = ?1",
                &[Param::Str(case_id)],
            )?
            .map(|mut row| row.opt_blob(0))
            .transpose()?
            .flatten()
        else {
            return Ok(None);
        };
        self.master
            .unwrap(case_id, &wrapped)
            .map(Some)
            .ok_or_else(|| corrupt("a case's data key does not unwrap with the master key"))
    }
}

/// Destroys the data key of the case `id` (crypto-shredding: what it encrypted can no longer be
/// read, wherever a copy of it lies).
pub(crate) fn destroy_case_key(c: &mut dyn Conn, id: &str) -> Result<(), StoreError> {
    c.execute(
        "UPDATE cases SET key_id = NULL, data_key = NULL WHERE id = ?1",
        &[Param::Str(id)],
    )?;
    Ok(())
}

/// A case's data key as its row keeps it (`cases.key_id`, `cases.data_key`).
pub(crate) struct CaseKeyRow {
    pub key_id: String,
    pub wrapped: Vec<u8>,
}

/// Gives the stored case `id` the data key `row` (in place of any it had).
pub(crate) fn set_case_key(c: &mut dyn Conn, id: &str, row: &CaseKeyRow) -> Result<(), StoreError> {
    c.execute(
        "UPDATE cases SET key_id = ?2, data_key = ?3 WHERE id = ?1",
        &[
            Param::Str(id),
            Param::Str(&row.key_id),
            Param::Blob(&row.wrapped),
        ],
    )?;
    Ok(())
}

pub(crate) fn meta(c: &mut dyn Conn, key: &str) -> Result<Option<String>, StoreError> {
    c.query_opt(
        "SELECT value FROM siproc_meta WHERE key = ?1",
        &[Param::Str(key)],
    )?
    .map(|mut r| r.text(0))
    .transpose()
}

pub(crate) fn set_meta(c: &mut dyn Conn, key: &str, value: &str) -> Result<(), StoreError> {
    c.execute(
        "INSERT INTO siproc_meta (key, value) VALUES (?1, ?2) \
         ON CONFLICT (key) DO UPDATE SET value = excluded.value",
        &[Param::Str(key), Param::Str(value)],
    )?;
    Ok(())
}

/// Removes the `siproc_meta` entry `key`.
pub(crate) fn clear_meta(c: &mut dyn Conn, key: &str) -> Result<(), StoreError> {
    c.execute("DELETE FROM siproc_meta WHERE key = ?1", &[Param::Str(key)])?;
    Ok(())
}

/// The store secret, unwrapped by `master` from the `siproc_meta` entry `entry`.
pub(crate) fn store_secret(
    c: &mut dyn Conn,
    entry: &str,
    master: &MasterKey,
) -> Result<DataKey, StoreError> {
    let wrapped = meta(c, entry)?
        .and_then(|h| hex_bytes(&h))
        .ok_or_else(|| corrupt("an encrypted store has no readable store secret"))?;
    master
        .unwrap(STORE_SECRET_OWNER, &wrapped)
        .ok_or_else(|| corrupt("the store secret does not unwrap with the master key"))
}

/// The store secret wrapped by `master`, as `siproc_meta` keeps it.
pub(crate) fn wrapped_store_secret(master: &MasterKey, secret: &DataKey) -> String {
    to_hex(&master.wrap(STORE_SECRET_OWNER, secret))
}

/// The store keys of an encrypted database opened with `master`: its check value must match
/// (else `store.wrong_key`), and its store secret unwrap.
pub(crate) fn unlock(
    c: &mut dyn Conn,
    check: &str,
    master: &MasterKey,
) -> Result<StoreKeys, StoreError> {
    if check != master.check_value() {
        return Err(StoreError::WrongKey);
    }
    let secret = store_secret(c, "store_secret", master)?;
    Ok(StoreKeys::of(master, &secret))
}

/// Marks the database encrypted under `master` (a new store secret), returning its keys.
pub(crate) fn initialise(c: &mut dyn Conn, master: &MasterKey) -> Result<StoreKeys, StoreError> {
    let secret = DataKey::generate();
    set_meta(c, "store_secret", &wrapped_store_secret(master, &secret))?;
    set_meta(c, "key_check", &master.check_value())?;
    Ok(StoreKeys::of(master, &secret))
}

/// The second-factor secret `stored` for `user_id` in `user_credentials.totp_secret`: sealed
/// in an encrypted store (opened with `keys`), 40 hex digits in an unencrypted one.
/// `store.corrupt` for a sealed secret without keys or one that does not open, and for a clear
/// one in an encrypted store (the conversion, [`crate::store::encrypt_store`], seals them all).
pub(crate) fn totp_secret(
    keys: Option<&StoreKeys>,
    user_id: &str,
    stored: &str,
) -> Result<Vec<u8>, StoreError> {
    let bad = || corrupt("a second-factor secret does not read");
    match (keys, stored.strip_prefix(SEALED_SECRET)) {
        (Some(keys), Some(sealed)) => {
            let ciphertext = hex_bytes(sealed).ok_or_else(bad)?;
            let plain = keys
                .credentials
                .decrypt(&totp_aad(user_id), &ciphertext)
                .ok_or_else(bad)?;
            Ok(plain.to_vec())
        }
        (None, None) => Ok(from_hex::<{ crate::accounts::totp::SECRET_BYTES }>(stored)
            .ok_or_else(bad)?
            .to_vec()),
        _ => Err(bad()),
    }
}

/// The second-factor secret `secret` of `user_id` as `user_credentials.totp_secret` keeps it:
/// sealed when the store is encrypted, else hex.
pub(crate) fn stored_totp_secret(keys: Option<&StoreKeys>, user_id: &str, secret: &[u8]) -> String {
    match keys {
        Some(keys) => keys.seal_totp_secret(user_id, secret),
        None => to_hex(secret),
    }
}

/// Seals every second-factor secret still kept in clear (a store being converted to
/// encryption); answers how many.
pub(crate) fn seal_clear_totp_secrets(
    c: &mut dyn Conn,
    keys: &StoreKeys,
) -> Result<u64, StoreError> {
    let rows = c.query(
        "SELECT user_id, totp_secret FROM user_credentials WHERE totp_secret IS NOT NULL",
        &[],
    )?;
    let mut sealed = 0;
    for mut r in rows {
        let (user_id, stored) = (r.text(0)?, r.text(1)?);
        if stored.starts_with(SEALED_SECRET) {
            continue;
        }
        let secret = totp_secret(None, &user_id, &stored)?;
        c.execute(
            "UPDATE user_credentials SET totp_secret = ?2 WHERE user_id = ?1",
            &[
                Param::Str(&user_id),
                Param::Text(keys.seal_totp_secret(&user_id, &secret)),
            ],
        )?;
        sealed += 1;
    }
    Ok(sealed)
}

/// What opening a database with `master` (or none) means, checked in the transaction that
/// migrated it: an encrypted database needs its key (`store.key_required`,
/// `store.wrong_key`); an empty unencrypted one given a key becomes encrypted; one holding
/// clear cases given a key is `store.unencrypted` (convert it first).
pub(crate) fn open_keys(
    c: &mut dyn Conn,
    master: Option<&MasterKey>,
) -> Result<Option<Arc<StoreKeys>>, StoreError> {
    if meta(c, KEY_CHANGE)?.is_some() {
        return Err(StoreError::KeyChangeUnfinished);
    }
    match (meta(c, "key_check")?, master) {
        (Some(check), Some(master)) => unlock(c, &check, master).map(|k| Some(Arc::new(k))),
        (Some(_), None) => Err(StoreError::KeyRequired),
        (None, None) => Ok(None),
        (None, Some(master)) => {
            let cases = c.query_one("SELECT COUNT(*) FROM cases", &[])?.int(0)?;
            if cases > 0 {
                return Err(StoreError::Unencrypted);
            }
            initialise(c, master).map(|k| Some(Arc::new(k)))
        }
    }
}

fn hex_bytes(text: &str) -> Option<Vec<u8>> {
    if !text.len().is_multiple_of(2) {
        return None;
    }
    (0..text.len())
        .step_by(2)
        .map(|i| u8::from_str_radix(text.get(i..i + 2)?, 16).ok())
        .collect()
}

/// The stored body of `event`: its canonical JSON, with every sealed value encrypted under
/// `key` when there is one.
pub(crate) fn event_body(event: &Event, key: Option<&DataKey>) -> Result<String, HistoryError> {
    match key {
        None => canonical_json(event),
        Some(key) => canonical_json_sealing(event, &CaseSealer(key)),
    }
}

/// A case's data key sealing the salt and value of each sealed value of its events' bodies
/// ([`crate::history::Sealer`]): XChaCha20-Poly1305 bound to the commitment, in [`COMPACT`]
/// base64.
struct CaseSealer<'a>(&'a DataKey);

impl Sealer for CaseSealer<'_> {
    fn seal(&self, commitment: &str, plain: &[u8]) -> String {
        COMPACT.encode(self.0.encrypt(commitment.as_bytes(), plain))
    }
}

/// Puts the salt and value of every encrypted sealed value under `value` back; `false` if a
/// ciphertext does not open with `key` (or there is none to open it with).
fn decrypt_sealed(value: &mut Value, key: Option<&DataKey>) -> bool {
    match value {
        Value::Object(map) if map.contains_key("commitment") => {
            let ct = match (map.remove(SEALED_MEMBER), map.remove(SEALED_HEX)) {
                (Some(Value::String(b64)), None) => COMPACT.decode(b64).ok(),
                (None, Some(Value::String(hex))) => hex_bytes(&hex),
                (None, None) => return true,
                _ => None,
            };
            let (Some(key), Some(ct)) = (key, ct) else {
                return false;
            };
            let commitment = map.get("commitment").and_then(Value::as_str).unwrap_or("");
            let Some(plain) = key.decrypt(commitment.as_bytes(), &ct) else {
                return false;
            };
            match serde_json::from_slice::<Map<String, Value>>(&plain) {
                Ok(members) => {
                    map.extend(members);
                    true
                }
                Err(_) => false,
            }
        }
        Value::Object(map) => map.values_mut().all(|v| decrypt_sealed(v, key)),
        Value::Array(items) => items.iter_mut().all(|v| decrypt_sealed(v, key)),
        _ => true,
    }
}

/// An event read back from its stored body, decrypting its sealed values with `key` when there
/// is one; a body that no longer reads or decrypts is a changed event of case `case_id` at
/// position `index`.
pub(crate) fn event_of(
    body: &str,
    key: Option<&DataKey>,
    case_id: Uuid,
    index: usize,
    seq: u64,
) -> Result<Event, StoreError> {
    let changed = || StoreError::Damaged {
        case_id,
        source: HistoryError::Tampered {
            index,
            seq,
            event_id: None,
            reason: Tamper::Changed,
        },
    };
    match key {
        None => serde_json::from_str(body).map_err(|_| changed()),
        Some(_) => {
            let mut value: Value = serde_json::from_str(body).map_err(|_| changed())?;
            if !decrypt_sealed(&mut value, key) {
                return Err(changed());
            }
            serde_json::from_value(value).map_err(|_| changed())
        }
    }
}

impl IndexTerms {
    /// These terms as a blind index under `key` stores them.
    pub(crate) fn blinded(&self, key: &IndexKey) -> IndexTerms {
        IndexTerms {
            names: self
                .names
                .iter()
                .map(|words| words.iter().map(|w| key.name_term(w)).collect())
                .collect(),
            documents: self
                .documents
                .iter()
                .map(|d| key.document_term(d))
                .collect(),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::history::{EventKind, NoteData, Sealed};

    fn note(text: &str) -> Event {
        let kind = EventKind::NoteAdded(NoteData {
            text: Sealed::new(text.to_owned()).unwrap(),
            written_on: None,
        });
        Event::seal(
            Uuid::now_v7(),
            2,
            crate::history::GENESIS_HASH,
            crate::Actor {
                user_id: "u".into(),
                role: crate::Role::Officer,
                office: "TGU".into(),
            },
            chrono::Utc::now(),
            kind,
        )
        .unwrap()
    }

    #[test]
    fn bodies_hide_values_and_keep_hashes() {
        let event = note("Llamó la hermana al 9999-0000");
        let key = DataKey::generate();
        let body = event_body(&event, Some(&key)).unwrap();
        assert!(
            !body.contains("hermana") && !body.contains("salt"),
            "{body}"
        );
        // The stored body hashes as the event does, with no key.
        let stored: Value = serde_json::from_str(&body).unwrap();
        let mut expected: Value = serde_json::from_str(&canonical_json(&event).unwrap()).unwrap();
        let reduce = |v: &mut Value| {
            let text = &mut v["kind"]["data"]["text"];
            let c = text["commitment"].clone();
            *text = serde_json::json!({ "commitment": c });
        };
        let mut stored_reduced = stored.clone();
        reduce(&mut stored_reduced);
        reduce(&mut expected);
        assert_eq!(stored_reduced, expected);
        let back = event_of(&body, Some(&key), event.case_id, 0, 2).unwrap();
        assert_eq!(back, event);
        assert!(back.is_intact());
        // Another key, no key, or a changed ciphertext: a changed event.
        for k in [Some(&DataKey::generate()), None] {
            let err = event_of(&body, k, event.case_id, 0, 2).unwrap_err();
            assert_eq!(err.code(), "history.changed");
        }
        let altered = body.replacen("\"sealed\":\"", "\"sealed\":\"AA", 1);
        assert!(event_of(&altered, Some(&key), event.case_id, 0, 2).is_err());
        // A body written before in hex (`"ciphertext"`) is read as it was.
        let stored: Value = serde_json::from_str(&body).unwrap();
        let sealed = stored["kind"]["data"]["text"]["sealed"].as_str().unwrap();
        let hex = to_hex(&COMPACT.decode(sealed).unwrap());
        let older = body.replace(
            &format!("\"sealed\":\"{sealed}\""),
            &format!("\"ciphertext\":\"{hex}\""),
        );
        assert_ne!(older, body);
        assert_eq!(
            event_of(&older, Some(&key), event.case_id, 0, 2).unwrap(),
            event
        );
        // Both members, or a value that is not text: a changed event.
        let both = body.replace(
            "\"sealed\":",
            &format!("\"ciphertext\":\"{hex}\",\"sealed\":"),
        );
        assert!(event_of(&both, Some(&key), event.case_id, 0, 2).is_err());
        // Unencrypted bodies are the canonical JSON, as before.
        assert_eq!(
            event_body(&event, None).unwrap(),
            canonical_json(&event).unwrap()
        );
    }

    /// The objects under `value` that hold a `commitment`, with their JSON Pointers.
    fn sealed_values<'v>(
        value: &'v Value,
        at: String,
        found: &mut Vec<(String, &'v Map<String, Value>)>,
    ) {
        match value {
            Value::Object(map) if map.contains_key("commitment") => found.push((at, map)),
            Value::Object(map) => map
                .iter()
                .for_each(|(k, v)| sealed_values(v, format!("{at}/{k}"), found)),
            Value::Array(items) => items
                .iter()
                .enumerate()
                .for_each(|(i, v)| sealed_values(v, format!("{at}/{i}"), found)),
            _ => {}
        }
    }

    /// The strings under `value`.
    fn strings<'v>(value: &'v Value, found: &mut Vec<&'v str>) {
        match value {
            Value::String(s) => found.push(s),
            Value::Object(map) => map.values().for_each(|v| strings(v, found)),
            Value::Array(items) => items.iter().for_each(|v| strings(v, found)),
            _ => {}
        }
    }

    #[test]
    fn every_sealed_value_of_an_opening_is_encrypted_and_reads_back() {
        let samples: Value =
            serde_json::from_str(include_str!("../../../tests/fixtures/intakes.json")).unwrap();
        let catalog = crate::Catalog::honduras().unwrap();
        let actor = crate::Actor::new("officer-GUA", crate::Role::Officer, "GUA");
        let key = DataKey::generate();
        // Every sample but the file's comment.
        for (name, sample) in samples
            .as_object()
            .unwrap()
            .iter()
            .filter(|(_, s)| s.is_object())
        {
            let mut intake: crate::case::Intake = serde_json::from_value(sample.clone()).unwrap();
            intake.office = "GUA".into();
            let event = crate::workflow::open(
                &catalog,
                &actor,
                &intake,
                Uuid::now_v7(),
                chrono::Utc::now(),
            )
            .and_then(|o| o.seal("GUA-2026-000001"))
            .unwrap()
            .into_event();
            let body = event_body(&event, Some(&key)).unwrap();
            let stored: Value = serde_json::from_str(&body).unwrap();
            let clear: Value = serde_json::from_str(&canonical_json(&event).unwrap()).unwrap();
            let hashed = String::from_utf8(crate::history::hashed_form(&event).unwrap()).unwrap();
            let (mut in_store, mut in_clear) = (Vec::new(), Vec::new());
            sealed_values(&stored, String::new(), &mut in_store);
            sealed_values(&clear, String::new(), &mut in_clear);
            assert!(!in_clear.is_empty(), "{name}");
            assert_eq!(in_store.len(), in_clear.len(), "{name}");
            for ((at, kept), (at_clear, plain)) in in_store.iter().zip(&in_clear) {
                assert_eq!(at, at_clear);
                assert_eq!(kept["commitment"], plain["commitment"], "{name} {at}");
                let members: Vec<&str> = kept.keys().map(String::as_str).collect();
                assert_eq!(members, ["commitment", "sealed"], "{name} {at}");
                // No text of the value is in the body more often than in the hashed form, which
                // holds none (a short one may be there by chance, as part of a hash).
                let mut texts = Vec::new();
                strings(&plain["value"], &mut texts);
                assert!(!texts.is_empty(), "{name} {at}");
                for text in texts.into_iter().filter(|t| t.len() >= 6) {
                    assert_eq!(
                        body.matches(text).count(),
                        hashed.matches(text).count(),
                        "{name} {at}: a value is in clear"
                    );
                }
            }
            // The body is canonical JSON: written again from what it parses to, it is the same.
            assert_eq!(canonical_json(&stored).unwrap(), body, "{name}");
            let back = event_of(&body, Some(&key), event.case_id, 0, event.seq).unwrap();
            assert_eq!(back, event, "{name}");
            assert!(back.is_intact(), "{name}");
        }
    }
}
