//! What a person is shown of their own account's security events (ASVS 2.2.3): siproc sends
//! no e-mail, so the notice is in the application itself. The events are the audit log's
//! ([`crate::audit`]), read for one user ([`crate::store::Records::user_audit`]):
//!
//! - the account page lists the user's recent sign-ins, refused sign-ins and
//!   re-authentications, sign-outs and credential changes ([`SECURITY_KINDS`]), each with when
//!   and how, never a secret (the audit log holds none);
//! - at sign-in, [`changed_since_last_sign_in`] says when a credential changed since the
//!   user's previous sign-in (a password, the second factor, the recovery codes, an enrolment,
//!   a passkey added or removed): the page tells them, so that a change they did not make is
//!   noticed at once.

use chrono::{DateTime, Utc};

use crate::audit::{AuditEntry, AuditEvent};

/// The audit kinds a person sees of their own account.
pub const SECURITY_KINDS: &[&str] = &[
    "signed_in",
    "sign_in_failed",
    "signed_out",
    "reauthenticated",
    "reauth_failed",
    "enrolled",
    "password_changed",
    "second_factor_changed",
    "recovery_codes_renewed",
    "passkey_added",
    "passkey_removed",
    "token_created",
    "token_revoked",
];

/// Most events the account page lists.
pub const MAX_EVENTS: u32 = 50;

/// Whether `event` changed how its user signs in.
pub fn is_credential_change(event: &AuditEvent) -> bool {
    matches!(
        event,
        AuditEvent::Enrolled { .. }
            | AuditEvent::PasswordChanged { .. }
            | AuditEvent::SecondFactorChanged { .. }
            | AuditEvent::RecoveryCodesRenewed
            | AuditEvent::PasskeyAdded { .. }
            | AuditEvent::PasskeyRemoved { .. }
    )
}

/// When the latest credential change in `recent` (a user's entries, newest first, read before
/// their new sign-in is logged) happened after their previous sign-in, if one did. A first
/// sign-in (no earlier one in `recent`) has nothing to tell.
pub fn changed_since_last_sign_in(recent: &[AuditEntry]) -> Option<DateTime<Utc>> {
    let mut change = None;
    for entry in recent {
        match entry.event {
            AuditEvent::SignedIn { .. } => return change,
            ref event if change.is_none() && is_credential_change(event) => change = Some(entry.at),
            _ => {}
        }
    }
    None
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::accounts::sessions::SignInMethod;
    use crate::actor::{Actor, Role};

    fn entry(seconds: i64, event: AuditEvent) -> AuditEntry {
        let mut e = AuditEntry::by(&Actor::new("ana", Role::Officer, "TAP"), event);
        e.at = DateTime::from_timestamp(1_790_000_000 + seconds, 0).unwrap_or_default();
        e
    }

    fn signed_in(seconds: i64) -> AuditEntry {
        let event = AuditEvent::SignedIn {
            method: SignInMethod::Passkey,
            session_id: "s".into(),
        };
        entry(seconds, event)
    }

    #[test]
    fn a_change_after_the_last_sign_in_is_told_once() {
        let changed = entry(20, AuditEvent::PasswordChanged { sessions_ended: 1 });
        let renewed = entry(30, AuditEvent::RecoveryCodesRenewed);
        // Newest first: renewed, changed, then the previous sign-in.
        let recent = [renewed.clone(), changed, signed_in(10)];
        assert_eq!(changed_since_last_sign_in(&recent), Some(renewed.at));
        // After the next sign-in, nothing new.
        let later = [signed_in(40), renewed, signed_in(10)];
        assert_eq!(changed_since_last_sign_in(&later), None);
        // Only credential changes count; a first sign-in tells nothing.
        let quiet = [
            entry(
                30,
                AuditEvent::SignedOut {
                    session_id: None,
                    ended: 1,
                },
            ),
            signed_in(10),
        ];
        assert_eq!(changed_since_last_sign_in(&quiet), None);
        let first = [entry(
            5,
            AuditEvent::Enrolled {
                target: "ana".into(),
            },
        )];
        assert_eq!(changed_since_last_sign_in(&first), None);
    }

    #[test]
    fn the_kinds_shown_are_audit_kinds() {
        let kinds = [
            AuditEvent::RecoveryCodesRenewed.kind(),
            AuditEvent::PasswordChanged { sessions_ended: 0 }.kind(),
            AuditEvent::SecondFactorChanged { sessions_ended: 0 }.kind(),
            AuditEvent::ReauthFailed {
                reason: String::new(),
                session_id: String::new(),
            }
            .kind(),
        ];
        for kind in kinds {
            assert!(SECURITY_KINDS.contains(&kind), "{kind}");
        }
    }
}
