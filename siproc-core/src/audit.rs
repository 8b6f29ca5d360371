//! The security audit log: what people and programs did that is not a read of one case —
//! searches by personal values, sign-ins, changes to accounts and credentials, exports.
//!
//! A read of a case is an [`crate::access::AccessEntry`] (one case, one line); an
//! [`AuditEntry`] is everything else an auditor must be able to reconstruct. It never holds a
//! secret (password, code, token, session id, key) nor a personal value of a case: search terms
//! and clients are kept as keyed hashes, so equal terms are recognisable and none is readable.
//! The store keeps them in the cases' database ([`crate::store::Records::log_audit`]).
//!
//! Keyed hashes are HMAC-SHA-256 ([`keyed_hash`]) from RustCrypto's `hmac` crate (the MAC the
//! `sha2` hashes here already belong to; nothing hand-written).

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

use hmac::{Hmac, Mac};
use sha2::Sha256;

use crate::accounts::UserState;
use crate::accounts::sessions::SignInMethod;
use crate::accounts::tokens::Scope;
use crate::actor::{Actor, Role};

/// A value (a search term, a client address) as the audit log keeps it: the first 16 bytes of
/// HMAC-SHA-256 under `key`, in hex. The same value under the same key is the same hash, so an
/// auditor can match entries; without the key no value can be recovered or confirmed.
pub fn keyed_hash(key: &[u8; 32], value: &str) -> String {
    // HMAC's key is a block (64 bytes for SHA-256): the 32-byte key, padded with zeros as
    // RFC 2104 pads a shorter key.
    let mut block = [0_u8; 64];
    block.iter_mut().zip(key).for_each(|(b, k)| *b = *k);
    let mut mac = <Hmac<Sha256> as hmac::digest::KeyInit>::new(&block.into());
    mac.update(value.as_bytes());
    let tag: Vec<u8> = mac.finalize().into_bytes().into_iter().take(16).collect();
    crate::hex::to_hex(&tag)
}

/// One line of the audit log.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, schemars::JsonSchema)]
pub struct AuditEntry {
    /// When.
    pub at: DateTime<Utc>,
    /// The user who acted, when one is known (a failed sign-in of an unknown login has none).
    pub user_id: Option<String>,
    /// Their role, when known.
    pub role: Option<Role>,
    /// The office they acted from, when they have one.
    pub office: Option<String>,
    /// The client (its address) as a keyed hash, or null.
    pub client: Option<String>,
    /// What happened.
    pub event: AuditEvent,
}

impl AuditEntry {
    /// The entry for `actor` doing `event` now.
    pub fn by(actor: &Actor, event: AuditEvent) -> AuditEntry {
        AuditEntry {
            at: Utc::now(),
            user_id: Some(actor.user_id.clone()),
            role: Some(actor.role),
            office: Some(actor.office.clone()).filter(|o| !o.is_empty()),
            client: None,
            event,
        }
    }

    /// The same entry with the client's keyed hash.
    pub fn from_client(mut self, client: Option<String>) -> AuditEntry {
        self.client = client;
        self
    }
}

/// What an audit entry records. Each kind says what it keeps; none keeps a secret or a value
/// of a case.
#[derive(
    Debug, Clone, PartialEq, Eq, Serialize, Deserialize, schemars::JsonSchema, strum::IntoStaticStr,
)]
#[serde(tag = "kind", rename_all = "snake_case")]
#[strum(serialize_all = "snake_case")]
pub enum AuditEvent {
    /// A search of cases by personal values: which fields were searched, the terms as keyed
    /// hashes, and how many cases answered.
    CaseSearch {
        /// The fields searched (`name`, `document_number`, `case_number`, …).
        fields: Vec<String>,
        /// The terms, each as a keyed hash.
        terms: Vec<String>,
        /// How many cases the search found (that the user may see).
        results: u32,
    },
    /// A break-the-glass grant ended before it expired, by a supervisor of the case's office
    /// or the directorate (the acting user is the entry's).
    GrantEnded {
        /// The grant's number.
        grant: u64,
        /// The case it opened.
        case_id: uuid::Uuid,
        /// The user who held it.
        holder: String,
    },
    /// A directorate user asked to export every case (four eyes: another must approve).
    ExportRequested {
        /// The request's number.
        request: u64,
    },
    /// Another directorate user approved an export request.
    ExportApproved {
        /// The request's number.
        request: u64,
        /// Who asked for it.
        requester: String,
    },
    /// Every case was exported: once for an approved request, or encrypted to the recipient
    /// configured on the server (whose key it does not hold).
    ExportDownloaded {
        /// The approved request, or null for an encrypted export.
        request: Option<u64>,
        /// Whether the archive was encrypted to the configured recipient.
        encrypted: bool,
    },
    /// The directorate erased one case's personal data ([`crate::erasure::erase_case`]; the
    /// reason is in the case's `personal_data_erased` event).
    PersonalDataErased {
        /// The case.
        case_id: uuid::Uuid,
        /// How many values the case now shows as erased.
        values: u32,
    },
    /// A subject access report was exported ([`crate::subject_access`]): which fields were
    /// searched and counts only, never a searched value or a value of a case.
    SubjectAccess {
        /// The fields searched (`document_number`, `name`).
        fields: Vec<String>,
        /// The format exported (`json`, `pdf`).
        format: String,
        /// Cases reported.
        cases: u32,
        /// Access-log entries reported.
        reads: u32,
        /// Referrals (shares with partners) reported.
        shares: u32,
    },
    /// A run of `erase --due` ([`crate::erasure::erase_due`]): counts only.
    RetentionErasure {
        /// Closed and archived cases looked at.
        checked: u64,
        /// Cases whose retention ran out.
        due: u64,
        /// Cases erased.
        erased: u64,
    },
    /// A user was created (by the entry's user).
    UserCreated {
        /// The new user's id (login).
        target: String,
        /// Their role.
        role: Role,
        /// Their office, if their role has one.
        office: Option<String>,
    },
    /// A user was changed: disabled, re-enabled, given another role, office or name.
    UserChanged {
        /// The user changed.
        target: String,
        /// The fields that changed (`display_name`, `role`, `office`, `state`).
        fields: Vec<String>,
        /// Their role after the change.
        role: Role,
        /// Their office after the change.
        office: Option<String>,
        /// Their state after the change.
        state: UserState,
    },
    /// An API token was made (never its secret).
    TokenCreated {
        /// The token's id.
        token_id: String,
        /// Its owner.
        owner: String,
        /// Its scopes.
        scopes: Vec<Scope>,
        /// When it expires.
        expires_at: DateTime<Utc>,
    },
    /// An API token was revoked.
    TokenRevoked {
        /// The token's id.
        token_id: String,
        /// Its owner.
        owner: String,
    },
    /// A person signed in (the entry's user): how, and the session's public id (never its
    /// secret).
    SignedIn {
        /// Password and code, password and recovery code, or a passkey.
        method: SignInMethod,
        /// The session's public id.
        session_id: String,
    },
    /// A sign-in was refused. The entry's user is the account's when the login exists; the
    /// login itself is kept as a keyed hash (it may be a password typed in the wrong field).
    SignInFailed {
        /// The login as a keyed hash.
        login: String,
        /// Why (`unknown_login`, `not_enrolled`, `disabled`, `wrong_password`, `wrong_code`,
        /// `code_used`, `waiting`; for OpenID Connect also `bad_state`, `provider_refused`,
        /// `token_invalid`, `no_claim`; with a passkey `unknown_passkey`, `passkey_rejected`,
        /// `ceremony_unknown`): for the auditor only, never told to the client.
        reason: String,
        /// The method tried, when it is known before the credentials are checked (`oidc`);
        /// absent for a password sign-in (whose second factor decides its method).
        #[serde(default, skip_serializing_if = "Option::is_none")]
        method: Option<SignInMethod>,
    },
    /// Sessions were ended by their user: one (sign out) or all of them (everywhere).
    SignedOut {
        /// The session signed out, or null for sign out everywhere.
        session_id: Option<String>,
        /// How many sessions were open and are now ended.
        ended: u64,
    },
    /// A single-use enrolment link was issued for a user (at the shell, by `user create` or
    /// `user enrol`): their credentials are (re)set when they use it.
    EnrolmentIssued {
        /// The user.
        target: String,
        /// Until when the link works.
        expires_at: DateTime<Utc>,
    },
    /// A user enrolled through their link: a password, a second factor and new recovery
    /// codes (never any of them).
    Enrolled {
        /// The user.
        target: String,
    },
    /// The entry's user added a passkey to their account (never its key).
    PasskeyAdded {
        /// The passkey's public id.
        passkey_id: String,
    },
    /// The entry's user removed one of their passkeys.
    PasskeyRemoved {
        /// The passkey's public id.
        passkey_id: String,
    },
    /// The entry's user proved it is them again in a session, before changing a credential
    /// ([`crate::accounts::sessions::check_reauthenticated`]).
    Reauthenticated {
        /// Password and code, password and recovery code, or a passkey.
        method: SignInMethod,
        /// The session's public id.
        session_id: String,
    },
    /// A re-authentication was refused (counted in the sign-in's backoff).
    ReauthFailed {
        /// Why (`wrong_password`, `wrong_code`, `not_enrolled`, `unknown_passkey`,
        /// `passkey_rejected`, `ceremony_unknown`): for the auditor only.
        reason: String,
        /// The session's public id.
        session_id: String,
    },
    /// The entry's user changed their password; their other sessions ended.
    PasswordChanged {
        /// How many other sessions were open and are now ended.
        sessions_ended: u64,
    },
    /// The entry's user replaced their second factor's secret; their other sessions ended.
    SecondFactorChanged {
        /// How many other sessions were open and are now ended.
        sessions_ended: u64,
    },
    /// The entry's user replaced their recovery codes with ten new ones (never the codes).
    RecoveryCodesRenewed,
}

impl AuditEvent {
    /// The wire name of the kind (`case_search`, …): the `kind` field of its JSON.
    pub fn kind(&self) -> &'static str {
        self.into()
    }
}

/// Which audit entries to read.
#[derive(Debug, Clone, Default)]
pub struct AuditFilter {
    /// One user's.
    pub user_id: Option<String>,
    /// One kind (a wire name, see [`AuditEvent::kind`]).
    pub kind: Option<String>,
    /// From this moment on.
    pub since: Option<DateTime<Utc>>,
    /// At most this many (newest first).
    pub limit: u32,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn keyed_hashes_depend_on_key_and_value() {
        let (a, b) = ([1_u8; 32], [2_u8; 32]);
        assert_eq!(keyed_hash(&a, "Pérez"), keyed_hash(&a, "Pérez"));
        assert_ne!(keyed_hash(&a, "Pérez"), keyed_hash(&b, "Pérez"));
        assert_ne!(keyed_hash(&a, "Pérez"), keyed_hash(&a, "Perez"));
        assert_eq!(keyed_hash(&a, "x").len(), 32);
    }

    #[test]
    fn the_kind_is_the_wire_tag() {
        let event = AuditEvent::CaseSearch {
            fields: vec!["name".into()],
            terms: vec!["ab12".into()],
            results: 0,
        };
        let json = serde_json::to_value(&event).unwrap();
        assert_eq!(json["kind"], event.kind());
        assert_eq!(event.kind(), "case_search");
    }
}
