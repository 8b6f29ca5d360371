//! Users and API tokens in the cases' database (schema 10), through the one SQL layer: the
//! rows of [`crate::accounts`]' types and the check every authenticated request makes
//! ([`Records::authenticate_token`]): one indexed read of the token joined with its owner, so
//! a token revoked or an owner disabled by any process sharing the database stops at once
//! (nothing is cached in a process).

use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};

use chrono::{DateTime, Utc};

use crate::accounts::tokens::{self, ApiToken, Refused, Scope};
use crate::accounts::{User, UserState, has_office};
use crate::actor::Actor;
use crate::store::StoreError;
use crate::store::records::sql_records::{role, time};
use crate::store::sql::conn::{Conn, Param, Row};
use crate::store::sql::rows::{corrupt, timestamp};

const USER_COLUMNS: &str = "id, display_name, role, office, state, created_at, changed_at";
const TOKEN_COLUMNS: &str = "id, name, user_id, scopes, created_at, expires_at, revoked_at";

/// A user row from column 0 on.
pub(super) fn user_row(r: &mut Row) -> Result<User, StoreError> {
    Ok(User {
        id: r.text(0)?,
        display_name: r.text(1)?,
        role: role(r.text(2)?)?,
        office: r.opt_text(3)?.filter(|o| !o.is_empty()),
        state: UserState::from_name(&r.text(4)?)
            .ok_or_else(|| corrupt("a user row holds an unknown state"))?,
        created_at: time(&r.text(5)?)?,
        changed_at: time(&r.text(6)?)?,
    })
}

/// A token row from column `at` on.
fn token_row(r: &mut Row, at: usize) -> Result<ApiToken, StoreError> {
    let opt_time = |t: Option<String>| t.as_deref().map(time).transpose();
    Ok(ApiToken {
        id: r.text(at)?,
        name: r.text(at + 1)?,
        user_id: r.text(at + 2)?,
        scopes: Scope::split(&r.text(at + 3)?)
            .map_err(|_| corrupt("a token row holds an unknown scope"))?,
        created_at: time(&r.text(at + 4)?)?,
        expires_at: time(&r.text(at + 5)?)?,
        revoked_at: opt_time(r.opt_text(at + 6)?)?,
    })
}

fn get_user(c: &mut dyn Conn, id: &str) -> Result<Option<User>, StoreError> {
    c.query_opt(
        &format!("SELECT {USER_COLUMNS} FROM users WHERE id = ?1"),
        &[Param::Str(id)],
    )?
    .map(|mut r| user_row(&mut r))
    .transpose()
}

fn insert_user(c: &mut dyn Conn, user: &User) -> Result<Option<u64>, StoreError> {
    c.try_execute(
        "INSERT INTO users (id, display_name, role, office, state, created_at, changed_at)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)",
        &[
            Param::Str(&user.id),
            Param::Str(&user.display_name),
            Param::Str(user.role.as_str()),
            Param::opt(user.office.as_deref()),
            Param::Str(user.state.as_str()),
            Param::Text(timestamp(&user.created_at)),
            Param::Text(timestamp(&user.changed_at)),
        ],
    )
}

fn insert_token(
    c: &mut dyn Conn,
    hash: &str,
    token: &ApiToken,
    owner: &Actor,
) -> Result<(), StoreError> {
    c.execute(
        "INSERT INTO server_tokens
             (hash, user_id, role, office, created_at, id, name, scopes, expires_at)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9)",
        &[
            Param::Str(hash),
            Param::Str(&token.user_id),
            Param::Str(owner.role.as_str()),
            Param::Str(&owner.office),
            Param::Text(timestamp(&token.created_at)),
            Param::Str(&token.id),
            Param::Str(&token.name),
            Param::Text(Scope::join(&token.scopes)),
            Param::Text(timestamp(&token.expires_at)),
        ],
    )
    .map(drop)
}

impl crate::store::Records {
    /// Stores a new user; `Ok(false)` (nothing written) when the login is taken.
    pub fn create_user(&self, user: &User) -> Result<bool, StoreError> {
        let taken = Arc::new(AtomicBool::new(false));
        let (flag, user) = (taken.clone(), user.clone());
        self.write(move |c| {
            let inserted = insert_user(c, &user)?;
            flag.store(inserted.is_none(), Ordering::Relaxed);
            Ok(())
        })?;
        Ok(!taken.load(Ordering::Relaxed))
    }

    /// The user with this id (login), if any.
    pub fn user(&self, id: &str) -> Result<Option<User>, StoreError> {
        self.with(|c| get_user(c, id))
    }

    /// Every user, by id.
    pub fn users(&self) -> Result<Vec<User>, StoreError> {
        self.with(|c| {
            c.query(
                &format!("SELECT {USER_COLUMNS} FROM users ORDER BY id"),
                &[],
            )?
            .iter_mut()
            .map(user_row)
            .collect()
        })
    }

    /// Writes a changed user (its id names it). A user disabled here can no longer use any
    /// credential: every request reads the state ([`Records::authenticate_token`]).
    pub fn update_user(&self, user: &User) -> Result<(), StoreError> {
        let user = user.clone();
        self.write(move |c| {
            let changed = c.execute(
                "UPDATE users SET display_name = ?2, role = ?3, office = ?4, state = ?5,
                     changed_at = ?6
                 WHERE id = ?1",
                &[
                    Param::Str(&user.id),
                    Param::Str(&user.display_name),
                    Param::Str(user.role.as_str()),
                    Param::opt(user.office.as_deref()),
                    Param::Str(user.state.as_str()),
                    Param::Text(timestamp(&user.changed_at)),
                ],
            )?;
            if changed == 1 {
                Ok(())
            } else {
                Err(StoreError::NotFound)
            }
        })
    }

    /// Stores a new API token of `token.user_id` under the SHA-256 of its secret (never the
    /// secret).
    pub fn add_api_token(&self, hash: &str, token: &ApiToken) -> Result<(), StoreError> {
        let (hash, token) = (hash.to_owned(), token.clone());
        self.write(move |c| {
            let owner = get_user(c, &token.user_id)?.ok_or(StoreError::NotFound)?;
            insert_token(c, &hash, &token, &owner.actor())
        })
    }

    /// The tokens of `user_id`, newest first (revoked and expired ones too).
    pub fn tokens_of(&self, user_id: &str) -> Result<Vec<ApiToken>, StoreError> {
        self.with(|c| {
            c.query(
                &format!(
                    "SELECT {TOKEN_COLUMNS} FROM server_tokens WHERE user_id = ?1
                     ORDER BY created_at DESC, id"
                ),
                &[Param::Str(user_id)],
            )?
            .iter_mut()
            .map(|r| token_row(r, 0))
            .collect()
        })
    }

    /// The token with this id, if any.
    pub fn api_token(&self, id: &str) -> Result<Option<ApiToken>, StoreError> {
        self.with(|c| {
            c.query_opt(
                &format!("SELECT {TOKEN_COLUMNS} FROM server_tokens WHERE id = ?1"),
                &[Param::Str(id)],
            )?
            .map(|mut r| token_row(&mut r, 0))
            .transpose()
        })
    }

    /// Revokes the token with this id at `now` (a token already revoked keeps its first
    /// revocation time).
    pub fn revoke_token(&self, id: &str, now: DateTime<Utc>) -> Result<(), StoreError> {
        let (id, now) = (id.to_owned(), timestamp(&now));
        self.write(move |c| {
            c.execute(
                "UPDATE server_tokens SET revoked_at = ?2 WHERE id = ?1 AND revoked_at IS NULL",
                &[Param::Str(&id), Param::Str(&now)],
            )
            .map(drop)
        })
    }

    /// Who a bearer token (by the SHA-256 of its secret) lets in at `now`: its owner and the
    /// token, or why not ([`tokens::check_token`]: unknown, expired, revoked, owner disabled).
    /// Read from the database on every call.
    pub fn authenticate_token(
        &self,
        hash: &str,
        now: DateTime<Utc>,
    ) -> Result<Result<(User, ApiToken), Refused>, StoreError> {
        let found = self.with(|c| {
            c.query_opt(
                "SELECT u.id, u.display_name, u.role, u.office, u.state, u.created_at,
                        u.changed_at, t.id, t.name, t.user_id, t.scopes, t.created_at,
                        t.expires_at, t.revoked_at
                 FROM server_tokens t JOIN users u ON u.id = t.user_id
                 WHERE t.hash = ?1",
                &[Param::Str(hash)],
            )?
            .map(|mut r| Ok::<_, StoreError>((user_row(&mut r)?, token_row(&mut r, 7)?)))
            .transpose()
        })?;
        Ok(match found {
            None => Err(Refused::Unknown),
            Some((user, token)) => tokens::check_token(&token, &user, now).map(|()| (user, token)),
        })
    }

    /// Stores the hash of a token for `actor` with every scope for the default lifetime,
    /// creating the user first when there is none (with the actor's role, and its office for
    /// the roles that have one): how tests and embedders that only know an [`Actor`] make a
    /// credential. An existing user keeps their role and office, which the token then acts as.
    pub fn add_token(&self, hash: &str, actor: &Actor) -> Result<(), StoreError> {
        let now = Utc::now();
        let office = Some(actor.office.as_str()).filter(|o| !o.is_empty());
        let user = User {
            id: actor.user_id.clone(),
            display_name: actor.user_id.clone(),
            role: actor.role,
            office: office.filter(|_| has_office(actor.role)).map(str::to_owned),
            state: UserState::Active,
            created_at: now,
            changed_at: now,
        };
        let token = tokens::NewToken {
            name: "token".to_owned(),
            scopes: None,
            expires_in_days: None,
        }
        .token(&user, uuid::Uuid::now_v7().simple().to_string(), now)
        .map_err(|e| corrupt(e.code()))?;
        let hash = hash.to_owned();
        self.write(move |c| {
            insert_user(c, &user)?;
            let owner = get_user(c, &user.id)?.ok_or(StoreError::NotFound)?;
            insert_token(c, &hash, &token, &owner.actor())
        })
    }

    /// The actor a live token (by its hash) stands for now: its owner's current role and
    /// office.
    pub fn actor_for(&self, hash: &str) -> Result<Option<Actor>, StoreError> {
        Ok(self
            .authenticate_token(hash, Utc::now())?
            .ok()
            .map(|(user, _)| user.actor()))
    }
}

#[cfg(all(test, feature = "sqlite"))]
#[allow(clippy::unwrap_used)]
mod tests {
    use chrono::TimeDelta;

    use super::*;
    use crate::accounts::{NewUser, UserChange};
    use crate::actor::Role;
    use crate::store::Records;

    /// Now, to the microsecond the rows keep.
    fn now() -> DateTime<Utc> {
        chrono::SubsecRound::trunc_subsecs(Utc::now(), 6)
    }

    fn ana(now: DateTime<Utc>) -> User {
        NewUser {
            login: "ana".into(),
            display_name: Some("Ana Pérez".into()),
            role: Role::Officer,
            office: Some("TAP".into()),
        }
        .user(now)
        .unwrap()
    }

    #[test]
    fn users_are_created_once_read_listed_and_changed() {
        let records = Records::in_memory().unwrap();
        let now = now();
        let user = ana(now);
        assert!(records.create_user(&user).unwrap());
        assert!(!records.create_user(&user).unwrap(), "the login is taken");
        let read = records.user("ana").unwrap().unwrap();
        assert_eq!(read.display_name, "Ana Pérez");
        assert_eq!(read.office.as_deref(), Some("TAP"));
        assert_eq!(records.user("bob").unwrap(), None);
        let disabled = UserChange {
            state: Some(UserState::Disabled),
            ..UserChange::default()
        }
        .apply(&read, now)
        .unwrap();
        records.update_user(&disabled).unwrap();
        assert_eq!(records.users().unwrap(), vec![disabled.clone()]);
        let mut ghost = disabled;
        ghost.id = "ghost".into();
        assert_eq!(records.update_user(&ghost), Err(StoreError::NotFound));
    }

    #[test]
    fn a_token_lets_in_until_revoked_expired_or_its_owner_disabled() {
        let records = Records::in_memory().unwrap();
        let now = now();
        let user = ana(now);
        records.create_user(&user).unwrap();
        let token = tokens::NewToken {
            name: "sync".into(),
            scopes: Some(vec![Scope::CasesRead]),
            expires_in_days: Some(1),
        }
        .token(&user, "t1".into(), now)
        .unwrap();
        records.add_api_token("hash-1", &token).unwrap();
        let (owner, found) = records.authenticate_token("hash-1", now).unwrap().unwrap();
        assert_eq!(owner.id, "ana");
        assert_eq!(found, token);
        assert_eq!(records.tokens_of("ana").unwrap(), vec![token.clone()]);
        assert_eq!(records.api_token("t1").unwrap(), Some(token));
        assert_eq!(
            records.authenticate_token("nope", now).unwrap(),
            Err(Refused::Unknown)
        );
        assert_eq!(
            records
                .authenticate_token("hash-1", now + TimeDelta::days(2))
                .unwrap(),
            Err(Refused::Expired)
        );
        // The owner's role changes: the token acts as the owner is now.
        let moved = UserChange {
            office: Some("HOU".into()),
            ..UserChange::default()
        }
        .apply(&owner, now)
        .unwrap();
        records.update_user(&moved).unwrap();
        assert_eq!(
            records.actor_for("hash-1").unwrap(),
            Some(Actor::new("ana", Role::Officer, "HOU"))
        );
        let disabled = UserChange {
            state: Some(UserState::Disabled),
            ..UserChange::default()
        }
        .apply(&moved, now)
        .unwrap();
        records.update_user(&disabled).unwrap();
        assert_eq!(
            records.authenticate_token("hash-1", now).unwrap(),
            Err(Refused::OwnerDisabled)
        );
        records.revoke_token("t1", now).unwrap();
        assert_eq!(
            records.authenticate_token("hash-1", now).unwrap(),
            Err(Refused::Revoked)
        );
        assert!(
            records
                .api_token("t1")
                .unwrap()
                .unwrap()
                .revoked_at
                .is_some()
        );
    }

    #[test]
    fn add_token_makes_the_user_an_actor_names() {
        let records = Records::in_memory().unwrap();
        records
            .add_token("h-dir", &Actor::new("dir", Role::Directorate, "DGPHM"))
            .unwrap();
        records
            .add_token("h-ana", &Actor::new("ana", Role::Officer, "TAP"))
            .unwrap();
        // A second token for the same user keeps the user as created.
        records
            .add_token("h-ana-2", &Actor::new("ana", Role::Supervisor, "HOU"))
            .unwrap();
        assert_eq!(
            records.actor_for("h-dir").unwrap(),
            Some(Actor::new("dir", Role::Directorate, ""))
        );
        assert_eq!(
            records.actor_for("h-ana-2").unwrap(),
            Some(Actor::new("ana", Role::Officer, "TAP"))
        );
        let ana = records.user("ana").unwrap().unwrap();
        assert_eq!(ana.office.as_deref(), Some("TAP"));
        assert_eq!(records.tokens_of("ana").unwrap().len(), 2);
    }

    #[test]
    fn the_migration_gives_old_tokens_every_scope() {
        use crate::store::sql::schema::{MIGRATIONS, Step};
        // The scopes of the migration's time: every one but those added since (`metrics:read`,
        // which tokens of earlier releases do not get).
        let then: Vec<Scope> = Scope::ALL
            .into_iter()
            .filter(|s| *s != Scope::MetricsRead)
            .collect();
        let all = Scope::join(&then);
        // The accounts migration: the one that makes the users table (later ones follow it).
        let last = MIGRATIONS
            .iter()
            .find(|m| {
                m.iter()
                    .any(|s| matches!(s, Step::Both(sql) if sql.contains("CREATE TABLE users")))
            })
            .unwrap();
        let written = last.iter().all(|step| match step {
            Step::Both(sql) => !sql.contains("scopes =") || sql.contains(&all),
            Step::Each { sqlite, postgres } => [sqlite, postgres]
                .iter()
                .all(|sql| !sql.contains("scopes =") || sql.contains(&all)),
        });
        let said = last.iter().any(|step| {
            matches!(step, Step::Both(sql) if sql.contains(&all))
                || matches!(step, Step::Each { sqlite, .. } if sqlite.contains(&all))
        });
        assert!(written && said, "the migration's scopes are {all}");
    }
}
