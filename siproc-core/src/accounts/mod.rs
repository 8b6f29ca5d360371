//! Accounts: the people who use a siproc system ([`User`]), who may manage whom, and the API
//! tokens their programs carry ([`tokens`]), and the credentials people sign in with: a
//! password ([`password`]) with a second factor ([`totp`]) and recovery codes ([`recovery`]),
//! passkeys ([`passkeys`]; their ceremonies with the `passkeys` feature), or the ministry's
//! identity provider ([`oidc`]), and the sessions they open ([`sessions`]); what a person is
//! shown of their own account's security events ([`activity`]).
//!
//! A user has a login name (also their id, the `user_id` every event and access-log line
//! names), a display name, a [`Role`] (the five of the access rules), an office for the roles
//! that work at one (officers and supervisors; none for the directorate, auditors and
//! partners) and a [`UserState`]. The rules here decide; a store keeps users
//! ([`crate::store::Records::create_user`]) and a server transports:
//!
//! - the directorate (its users are the system's administrators) creates, disables, re-enables
//!   and changes any user; a supervisor does so for the officers of their own office only
//!   ([`may_manage`], [`check_create`], [`check_change`]); nobody changes their own role,
//!   office or state (so the last administrator cannot lock everybody out by mistake);
//! - a disabled user's credentials stop working at once: every request checks the user's state
//!   in the database ([`crate::store::Records::authenticate_token`]).

pub mod activity;
pub mod oidc;
pub mod passkeys;
pub mod password;
pub mod recovery;
pub mod sessions;
pub mod tokens;
pub mod totp;

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

use crate::actor::{Actor, Role};
use crate::catalog::Catalog;

/// Longest login name.
pub const MAX_LOGIN_CHARS: usize = 64;
/// Longest display name.
pub const MAX_DISPLAY_NAME_CHARS: usize = 120;
/// Longest office code.
pub const MAX_OFFICE_CHARS: usize = 16;

/// Whether a user may sign in.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, schemars::JsonSchema)]
#[serde(rename_all = "snake_case")]
pub enum UserState {
    /// Signs in; their tokens work.
    Active,
    /// Switched off: no sign-in, no session, no token works.
    Disabled,
}

impl UserState {
    /// The wire name.
    pub fn as_str(self) -> &'static str {
        match self {
            UserState::Active => "active",
            UserState::Disabled => "disabled",
        }
    }

    /// The state with this wire name.
    pub fn from_name(name: &str) -> Option<UserState> {
        [UserState::Active, UserState::Disabled]
            .into_iter()
            .find(|s| s.as_str() == name)
    }
}

/// A person who uses the system. Holds no credential.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, schemars::JsonSchema)]
pub struct User {
    /// The login name, which is also the user's id (`user_id` in events and logs).
    pub id: String,
    /// The name other people see.
    pub display_name: String,
    /// What they may do.
    pub role: Role,
    /// Their office (officers and supervisors only).
    pub office: Option<String>,
    /// Active or disabled.
    pub state: UserState,
    /// When the user was created.
    pub created_at: DateTime<Utc>,
    /// When the user was last changed.
    pub changed_at: DateTime<Utc>,
}

impl User {
    /// The actor this user acts as (no office: the empty string).
    pub fn actor(&self) -> Actor {
        Actor::new(
            self.id.clone(),
            self.role,
            self.office.clone().unwrap_or_default(),
        )
    }

    /// Whether the user may sign in and use their tokens.
    pub fn is_active(&self) -> bool {
        self.state == UserState::Active
    }
}

/// What creates a user (`POST /users`).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, schemars::JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct NewUser {
    /// The login name: 2 to 64 of `a-z 0-9 . _ -`, beginning with a letter or digit.
    pub login: String,
    /// The name other people see (1 to 120 characters); the login when absent.
    #[serde(default)]
    pub display_name: Option<String>,
    /// The role.
    pub role: Role,
    /// The office: required for officers and supervisors, refused for the other roles.
    #[serde(default)]
    pub office: Option<String>,
}

impl NewUser {
    /// The user this makes at `now` (active), if every field is valid.
    pub fn user(&self, now: DateTime<Utc>) -> Result<User, AccountError> {
        check_login(&self.login)?;
        let display_name = match &self.display_name {
            Some(name) => checked_display_name(name)?,
            None => self.login.clone(),
        };
        Ok(User {
            id: self.login.clone(),
            display_name,
            role: self.role,
            office: checked_office(self.role, self.office.as_deref())?,
            state: UserState::Active,
            created_at: now,
            changed_at: now,
        })
    }
}

/// A change to a user (`PATCH /users/{id}`): each field present is changed.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize, schemars::JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct UserChange {
    /// A new display name.
    #[serde(default)]
    pub display_name: Option<String>,
    /// A new role. A role without an office drops the user's office.
    #[serde(default)]
    pub role: Option<Role>,
    /// A new office (officers and supervisors).
    #[serde(default)]
    pub office: Option<String>,
    /// Disable or re-enable.
    #[serde(default)]
    pub state: Option<UserState>,
}

impl UserChange {
    /// `user` with the change applied at `now`, if the result is a valid user.
    pub fn apply(&self, user: &User, now: DateTime<Utc>) -> Result<User, AccountError> {
        let role = self.role.unwrap_or(user.role);
        let office = match (&self.office, has_office(role)) {
            (Some(office), _) => Some(office.as_str()),
            (None, true) => user.office.as_deref(),
            (None, false) => None,
        };
        Ok(User {
            id: user.id.clone(),
            display_name: match &self.display_name {
                Some(name) => checked_display_name(name)?,
                None => user.display_name.clone(),
            },
            role,
            office: checked_office(role, office)?,
            state: self.state.unwrap_or(user.state),
            created_at: user.created_at,
            changed_at: now,
        })
    }

    /// The names of the fields that differ between `before` and `after` (for the audit log).
    pub fn changed_fields(before: &User, after: &User) -> Vec<String> {
        [
            ("display_name", before.display_name != after.display_name),
            ("role", before.role != after.role),
            ("office", before.office != after.office),
            ("state", before.state != after.state),
        ]
        .into_iter()
        .filter(|(_, changed)| *changed)
        .map(|(name, _)| name.to_owned())
        .collect()
    }
}

/// Whether `role` works at an office (officers and supervisors).
pub fn has_office(role: Role) -> bool {
    matches!(role, Role::Officer | Role::Supervisor)
}

/// Checks a login name: 2 to [`MAX_LOGIN_CHARS`] of `a-z 0-9 . _ -`, beginning with a letter
/// or digit.
pub fn check_login(login: &str) -> Result<(), AccountError> {
    let mut chars = login.chars();
    let first_ok = chars
        .next()
        .is_some_and(|c| c.is_ascii_lowercase() || c.is_ascii_digit());
    let rest_ok = chars.all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || ".-_".contains(c));
    if first_ok && rest_ok && (2..=MAX_LOGIN_CHARS).contains(&login.len()) {
        Ok(())
    } else {
        Err(AccountError::BadLogin)
    }
}

fn checked_display_name(name: &str) -> Result<String, AccountError> {
    let name = name.trim();
    let count = name.chars().count();
    if count == 0 || count > MAX_DISPLAY_NAME_CHARS || name.chars().any(char::is_control) {
        return Err(AccountError::BadDisplayName {
            max: MAX_DISPLAY_NAME_CHARS,
        });
    }
    Ok(name.to_owned())
}

/// The office a user of `role` keeps: required (and well-formed: 2 to 16 of `A-Z 0-9`) for
/// officers and supervisors, refused for the other roles.
pub fn checked_office(role: Role, office: Option<&str>) -> Result<Option<String>, AccountError> {
    match (has_office(role), office) {
        (true, None) => Err(AccountError::OfficeRequired { role }),
        (true, Some(office)) => {
            let ok = (2..=MAX_OFFICE_CHARS).contains(&office.len())
                && office
                    .chars()
                    .all(|c| c.is_ascii_uppercase() || c.is_ascii_digit());
            if ok {
                Ok(Some(office.to_owned()))
            } else {
                Err(AccountError::BadOffice)
            }
        }
        (false, Some(_)) => Err(AccountError::OfficeNotAllowed { role }),
        (false, None) => Ok(None),
    }
}

/// Checks that the user's office, if they have one, is one of `catalog`'s.
pub fn check_office_known(user: &User, catalog: &Catalog) -> Result<(), AccountError> {
    match &user.office {
        Some(office) if catalog.office(office).is_none() => Err(AccountError::UnknownOffice),
        _ => Ok(()),
    }
}

/// Whether `manager` may create, change, disable and re-enable `user`: the directorate any
/// user, a supervisor the officers of their own office, nobody else.
pub fn may_manage(manager: &Actor, role: Role, office: Option<&str>) -> bool {
    match manager.role {
        Role::Directorate => true,
        Role::Supervisor => role == Role::Officer && office == Some(manager.office.as_str()),
        Role::Officer | Role::Partner | Role::Auditor => false,
    }
}

/// Whether `viewer` may read `user`: themselves; the directorate and auditors (who audit who
/// did what) everybody; a supervisor the users of their own office.
pub fn may_see(viewer: &Actor, user: &User) -> bool {
    viewer.user_id == user.id
        || match viewer.role {
            Role::Directorate | Role::Auditor => true,
            Role::Supervisor => user.office.as_deref() == Some(viewer.office.as_str()),
            Role::Officer | Role::Partner => false,
        }
}

/// Whether `viewer` may list users at all (the list holds those [`may_see`] allows).
pub fn may_list(viewer: &Actor) -> bool {
    matches!(
        viewer.role,
        Role::Directorate | Role::Auditor | Role::Supervisor
    )
}

/// Checks that `manager` may create `user`.
pub fn check_create(manager: &Actor, user: &User) -> Result<(), AccountError> {
    if may_manage(manager, user.role, user.office.as_deref()) {
        Ok(())
    } else {
        Err(AccountError::NotAllowed)
    }
}

/// Checks that `manager` may change `before` into `after`: they may manage the user as it is
/// and as it will be, and a change of their own role, office or state is refused (their
/// display name they may change).
pub fn check_change(manager: &Actor, before: &User, after: &User) -> Result<(), AccountError> {
    let own = manager.user_id == before.id;
    if own {
        let only_name = before.role == after.role
            && before.office == after.office
            && before.state == after.state;
        return if only_name {
            Ok(())
        } else {
            Err(AccountError::OwnAccount)
        };
    }
    if may_manage(manager, before.role, before.office.as_deref())
        && may_manage(manager, after.role, after.office.as_deref())
    {
        Ok(())
    } else {
        Err(AccountError::NotAllowed)
    }
}

/// Checks that `manager` may issue a single-use enrolment link for `user` (used, it replaces
/// the user's password and second factor): a user they manage ([`may_manage`]), never
/// themselves (their own credentials they change through their own link, from the shell).
pub fn check_enrol(manager: &Actor, user: &User) -> Result<(), AccountError> {
    if manager.user_id == user.id {
        return Err(AccountError::OwnAccount);
    }
    if may_manage(manager, user.role, user.office.as_deref()) {
        Ok(())
    } else {
        Err(AccountError::NotAllowed)
    }
}

/// An account operation refused. Never holds a login, a name or a secret.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum AccountError {
    /// The login name is not 2 to 64 of `a-z 0-9 . _ -` beginning with a letter or digit.
    #[error("a login name is 2 to 64 of a-z, 0-9, '.', '_', '-', beginning with a letter or digit")]
    BadLogin,
    /// The display name is empty, too long or holds control characters.
    #[error("a display name is 1 to {max} characters without control characters")]
    BadDisplayName {
        /// The limit.
        max: usize,
    },
    /// Officers and supervisors need an office.
    #[error("role {} needs an office", role.as_str())]
    OfficeRequired {
        /// The role.
        role: Role,
    },
    /// The other roles have none.
    #[error("role {} has no office", role.as_str())]
    OfficeNotAllowed {
        /// The role.
        role: Role,
    },
    /// The office code is not 2 to 16 of `A-Z 0-9`.
    #[error("an office code is 2 to 16 of A-Z and 0-9")]
    BadOffice,
    /// The office is not one of the country pack's.
    #[error("the office is not one of the pack's")]
    UnknownOffice,
    /// The caller may not manage this user.
    #[error("you may not manage this user")]
    NotAllowed,
    /// Nobody changes their own role, office or state.
    #[error("you may not change your own role, office or state")]
    OwnAccount,
    /// A user with that login exists.
    #[error("the login name is taken")]
    LoginTaken,
    /// A scope name that is not one of [`tokens::Scope`]'s.
    #[error("unknown scope")]
    UnknownScope,
    /// A token name is empty, too long or holds control characters.
    #[error("a token name is 1 to {max} characters without control characters")]
    BadTokenName {
        /// The limit.
        max: usize,
    },
    /// A token's lifetime outside what is allowed.
    #[error("a token lives 1 to {max_days} days")]
    BadExpiry {
        /// The longest lifetime.
        max_days: u32,
    },
    /// A password shorter than [`password::MIN_PASSWORD_CHARS`].
    #[error("a password has at least {min} characters")]
    PasswordTooShort {
        /// The limit.
        min: usize,
    },
    /// A password longer than [`password::MAX_PASSWORD_CHARS`].
    #[error("a password has at most {max} characters")]
    PasswordTooLong {
        /// The limit.
        max: usize,
    },
    /// A password that is one of the common ones shipped with siproc.
    #[error("this password is too common: choose another")]
    PasswordCommon,
    /// A password that is the login name.
    #[error("a password may not be the login name")]
    PasswordIsLogin,
    /// A credential change without a recent re-authentication of the session
    /// ([`sessions::check_reauthenticated`]).
    #[error("confirm it is you (password and code, or a passkey) before changing a credential")]
    ReauthRequired,
    /// A credential change of an account that signs in without a password (the ministry's
    /// identity provider only).
    #[error("this account has no password and second factor to change")]
    NoPassword,
}

impl AccountError {
    /// The stable machine code.
    pub fn code(&self) -> &'static str {
        match self {
            AccountError::BadLogin => "accounts.bad_login",
            AccountError::BadDisplayName { .. } => "accounts.bad_display_name",
            AccountError::OfficeRequired { .. } => "accounts.office_required",
            AccountError::OfficeNotAllowed { .. } => "accounts.office_not_allowed",
            AccountError::BadOffice => "accounts.bad_office",
            AccountError::UnknownOffice => "accounts.unknown_office",
            AccountError::NotAllowed => "accounts.not_allowed",
            AccountError::OwnAccount => "accounts.own_account",
            AccountError::LoginTaken => "accounts.login_taken",
            AccountError::UnknownScope => "accounts.unknown_scope",
            AccountError::BadTokenName { .. } => "accounts.bad_token_name",
            AccountError::BadExpiry { .. } => "accounts.bad_expiry",
            AccountError::PasswordTooShort { .. } => "accounts.password_too_short",
            AccountError::PasswordTooLong { .. } => "accounts.password_too_long",
            AccountError::PasswordCommon => "accounts.password_common",
            AccountError::PasswordIsLogin => "accounts.password_is_login",
            AccountError::ReauthRequired => "accounts.reauth_required",
            AccountError::NoPassword => "accounts.no_password",
        }
    }

    /// Whether the refusal is about who asks (403), rather than what they sent (422) or a
    /// login already taken (409).
    pub fn is_forbidden(&self) -> bool {
        matches!(
            self,
            AccountError::NotAllowed | AccountError::OwnAccount | AccountError::ReauthRequired
        )
    }
}

/// Every code an [`AccountError`] can have.
pub const ERROR_CODES: &[&str] = &[
    "accounts.bad_login",
    "accounts.bad_display_name",
    "accounts.office_required",
    "accounts.office_not_allowed",
    "accounts.bad_office",
    "accounts.unknown_office",
    "accounts.not_allowed",
    "accounts.own_account",
    "accounts.login_taken",
    "accounts.unknown_scope",
    "accounts.bad_token_name",
    "accounts.bad_expiry",
    "accounts.password_too_short",
    "accounts.password_too_long",
    "accounts.password_common",
    "accounts.password_is_login",
    "accounts.reauth_required",
    "accounts.no_password",
];

#[cfg(test)]
mod tests {
    use super::*;

    fn now() -> DateTime<Utc> {
        DateTime::from_timestamp(1_790_000_000, 0).unwrap_or_default()
    }

    fn new(login: &str, role: Role, office: Option<&str>) -> NewUser {
        NewUser {
            login: login.into(),
            display_name: None,
            role,
            office: office.map(str::to_owned),
        }
    }

    fn user(login: &str, role: Role, office: Option<&str>) -> User {
        new(login, role, office).user(now()).unwrap()
    }

    #[test]
    fn logins_are_checked() {
        for good in ["ana", "a1", "ana.perez", "j_doe-2", "007"] {
            assert_eq!(check_login(good), Ok(()), "{good}");
        }
        let long = "a".repeat(65);
        for bad in [
            "",
            "a",
            "Ana",
            ".ana",
            "-x",
            "ana pérez",
            "añа",
            "a/b",
            long.as_str(),
        ] {
            assert_eq!(check_login(bad), Err(AccountError::BadLogin), "{bad}");
        }
    }

    #[test]
    fn offices_belong_to_officers_and_supervisors_only() {
        assert_eq!(
            new("ana", Role::Officer, None).user(now()),
            Err(AccountError::OfficeRequired {
                role: Role::Officer
            })
        );
        assert_eq!(
            new("dir", Role::Directorate, Some("DGPHM")).user(now()),
            Err(AccountError::OfficeNotAllowed {
                role: Role::Directorate
            })
        );
        assert_eq!(
            new("ana", Role::Officer, Some("tap")).user(now()),
            Err(AccountError::BadOffice)
        );
        let ana = user("ana", Role::Officer, Some("TAP"));
        assert_eq!(ana.display_name, "ana");
        assert_eq!(ana.actor(), Actor::new("ana", Role::Officer, "TAP"));
        assert_eq!(user("aud", Role::Auditor, None).actor().office, "");
    }

    #[test]
    fn display_names_are_trimmed_and_bounded() {
        let mut n = new("ana", Role::Auditor, None);
        n.display_name = Some("  Ana Pérez ".into());
        assert_eq!(n.user(now()).unwrap().display_name, "Ana Pérez");
        for bad in ["", "   ", "a\u{7}b"] {
            n.display_name = Some(bad.into());
            assert!(matches!(
                n.user(now()),
                Err(AccountError::BadDisplayName { .. })
            ));
        }
        n.display_name = Some("x".repeat(121));
        assert!(n.user(now()).is_err());
    }

    #[test]
    fn the_directorate_manages_everybody_a_supervisor_their_officers() {
        let dir = Actor::new("dir", Role::Directorate, "");
        let sup = Actor::new("sup", Role::Supervisor, "TAP");
        let officer = Actor::new("ana", Role::Officer, "TAP");
        let tap_officer = user("bob", Role::Officer, Some("TAP"));
        let hou_officer = user("eva", Role::Officer, Some("HOU"));
        let tap_sup = user("sue", Role::Supervisor, Some("TAP"));
        let auditor = user("aud", Role::Auditor, None);
        for target in [&tap_officer, &hou_officer, &tap_sup, &auditor] {
            assert_eq!(check_create(&dir, target), Ok(()));
        }
        assert_eq!(check_create(&sup, &tap_officer), Ok(()));
        for target in [&hou_officer, &tap_sup, &auditor] {
            assert_eq!(check_create(&sup, target), Err(AccountError::NotAllowed));
        }
        assert_eq!(
            check_create(&officer, &tap_officer),
            Err(AccountError::NotAllowed)
        );
        // A supervisor may not promote their officer, nor move them to another office.
        let promote = UserChange {
            role: Some(Role::Supervisor),
            ..UserChange::default()
        }
        .apply(&tap_officer, now())
        .unwrap();
        assert_eq!(
            check_change(&sup, &tap_officer, &promote),
            Err(AccountError::NotAllowed)
        );
        assert_eq!(check_change(&dir, &tap_officer, &promote), Ok(()));
        let moved = UserChange {
            office: Some("HOU".into()),
            ..UserChange::default()
        }
        .apply(&tap_officer, now())
        .unwrap();
        assert_eq!(
            check_change(&sup, &tap_officer, &moved),
            Err(AccountError::NotAllowed)
        );
        let disabled = UserChange {
            state: Some(UserState::Disabled),
            ..UserChange::default()
        }
        .apply(&tap_officer, now())
        .unwrap();
        assert_eq!(check_change(&sup, &tap_officer, &disabled), Ok(()));
        assert_eq!(
            UserChange::changed_fields(&tap_officer, &disabled),
            ["state"]
        );
    }

    #[test]
    fn nobody_changes_their_own_role_office_or_state() {
        let me = user("dir", Role::Directorate, None);
        let dir = me.actor();
        let off = UserChange {
            state: Some(UserState::Disabled),
            ..UserChange::default()
        }
        .apply(&me, now())
        .unwrap();
        assert_eq!(check_change(&dir, &me, &off), Err(AccountError::OwnAccount));
        let renamed = UserChange {
            display_name: Some("La Directora".into()),
            ..UserChange::default()
        }
        .apply(&me, now())
        .unwrap();
        assert_eq!(check_change(&dir, &me, &renamed), Ok(()));
    }

    #[test]
    fn a_role_change_takes_or_drops_the_office() {
        let ana = user("ana", Role::Officer, Some("TAP"));
        let auditor = UserChange {
            role: Some(Role::Auditor),
            ..UserChange::default()
        }
        .apply(&ana, now())
        .unwrap();
        assert_eq!(auditor.office, None);
        assert_eq!(
            UserChange {
                role: Some(Role::Officer),
                ..UserChange::default()
            }
            .apply(&auditor, now()),
            Err(AccountError::OfficeRequired {
                role: Role::Officer
            })
        );
        assert_eq!(
            UserChange {
                office: Some("HOU".into()),
                ..UserChange::default()
            }
            .apply(&auditor, now()),
            Err(AccountError::OfficeNotAllowed {
                role: Role::Auditor
            })
        );
    }

    #[test]
    fn offices_are_the_packs() {
        let catalog = Catalog::honduras().unwrap();
        assert_eq!(
            check_office_known(&user("ana", Role::Officer, Some("TAP")), &catalog),
            Ok(())
        );
        assert_eq!(
            check_office_known(&user("ana", Role::Officer, Some("ZZZ")), &catalog),
            Err(AccountError::UnknownOffice)
        );
        assert_eq!(
            check_office_known(&user("dir", Role::Directorate, None), &catalog),
            Ok(())
        );
    }

    #[test]
    fn links_are_issued_for_managed_users_never_for_oneself() {
        let dir = Actor::new("dir", Role::Directorate, "");
        let sup = Actor::new("sup", Role::Supervisor, "TAP");
        let tap = user("bob", Role::Officer, Some("TAP"));
        let hou = user("eva", Role::Officer, Some("HOU"));
        assert_eq!(check_enrol(&dir, &tap), Ok(()));
        assert_eq!(check_enrol(&sup, &tap), Ok(()));
        assert_eq!(check_enrol(&sup, &hou), Err(AccountError::NotAllowed));
        let me = user("dir", Role::Directorate, None);
        assert_eq!(check_enrol(&dir, &me), Err(AccountError::OwnAccount));
    }

    #[test]
    fn who_sees_whom() {
        let sup = Actor::new("sup", Role::Supervisor, "TAP");
        let officer = Actor::new("ana", Role::Officer, "TAP");
        let ana = user("ana", Role::Officer, Some("TAP"));
        let eva = user("eva", Role::Officer, Some("HOU"));
        assert!(may_see(&sup, &ana) && !may_see(&sup, &eva));
        assert!(may_see(&officer, &ana) && !may_see(&officer, &eva));
        assert!(!may_list(&officer) && may_list(&sup));
    }

    #[test]
    fn every_error_has_a_listed_code() {
        let all = [
            AccountError::BadLogin,
            AccountError::BadDisplayName { max: 1 },
            AccountError::OfficeRequired {
                role: Role::Officer,
            },
            AccountError::OfficeNotAllowed {
                role: Role::Auditor,
            },
            AccountError::BadOffice,
            AccountError::UnknownOffice,
            AccountError::NotAllowed,
            AccountError::OwnAccount,
            AccountError::LoginTaken,
            AccountError::UnknownScope,
            AccountError::BadTokenName { max: 1 },
            AccountError::BadExpiry { max_days: 1 },
            AccountError::PasswordTooShort { min: 1 },
            AccountError::PasswordTooLong { max: 1 },
            AccountError::PasswordCommon,
            AccountError::PasswordIsLogin,
            AccountError::ReauthRequired,
            AccountError::NoPassword,
        ];
        assert_eq!(all.len(), ERROR_CODES.len());
        for e in all {
            assert!(ERROR_CODES.contains(&e.code()), "{e}");
        }
    }
}
