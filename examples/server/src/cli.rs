//! The `user` and `token` verbs: accounts managed at the server's shell (the first
//! administrator, scripts' tokens). Each change goes to the audit log without a user (made at
//! the shell, by whoever runs the server); a token's secret is printed once, on standard
//! output alone, and never stored.

use std::process::ExitCode;

use chrono::Utc;
use siproc_core::accounts::tokens::{self, NewToken, Scope};
use siproc_core::accounts::{AccountError, NewUser, User, UserChange, UserState};
use siproc_core::audit::{AuditEntry, AuditEvent};
use siproc_core::keys::MasterKey;
use siproc_core::store::{Records, StoreUrl};
use siproc_server::db::{new_token, parse_role, token_hash};

use super::{DatabaseArgs, EnrolmentArgs, TokenCommand, UserCommand};

type Outcome = Result<ExitCode, Box<dyn std::error::Error>>;

fn records(database: &DatabaseArgs) -> Result<Records, Box<dyn std::error::Error>> {
    let key = database
        .master_key_file
        .as_ref()
        .map(MasterKey::from_file)
        .transpose()?;
    let (_, db) = siproc_server::store::open(&StoreUrl::parse(&database.database)?, key.as_ref())?;
    Ok(db)
}

/// An audit entry for a change made at the shell: no user, no client.
fn audit(db: &Records, event: AuditEvent) -> Result<(), Box<dyn std::error::Error>> {
    Ok(db.log_audit(&AuditEntry {
        at: Utc::now(),
        user_id: None,
        role: None,
        office: None,
        client: None,
        event,
    })?)
}

fn refused(e: AccountError) -> Box<dyn std::error::Error> {
    format!("{} ({})", e, e.code()).into()
}

/// `user …`.
pub fn user(command: UserCommand) -> Outcome {
    match command {
        UserCommand::Create {
            login,
            role,
            office,
            name,
            enrolment,
            database,
        } => {
            let role = parse_role(&role).ok_or("unknown role")?;
            let user = NewUser {
                login,
                display_name: name,
                role,
                office,
            }
            .user(Utc::now())
            .map_err(refused)?;
            siproc_core::accounts::check_office_known(&user, &siproc_core::Catalog::honduras()?)
                .map_err(refused)?;
            let db = records(&database)?;
            if !db.create_user(&user)? {
                return Err(refused(AccountError::LoginTaken));
            }
            audit(
                &db,
                AuditEvent::UserCreated {
                    target: user.id.clone(),
                    role: user.role,
                    office: user.office.clone(),
                },
            )?;
            println!("user {} created ({})", user.id, describe(&user));
            print_enrolment(&db, &user.id, &enrolment)
        }
        UserCommand::Enrol {
            login,
            enrolment,
            database,
        } => {
            let db = records(&database)?;
            let user = db.user(&login)?.ok_or("no such user")?;
            if user.state != UserState::Active {
                return Err("the user is disabled: enable them first".into());
            }
            print_enrolment(&db, &user.id, &enrolment)
        }
        UserCommand::List { database } => {
            for user in records(&database)?.users()? {
                println!("{:<24} {}  {}", user.id, describe(&user), user.display_name);
            }
            Ok(ExitCode::SUCCESS)
        }
        UserCommand::Disable { login, database } => {
            set_state(&login, &database, UserState::Disabled)
        }
        UserCommand::Enable { login, database } => set_state(&login, &database, UserState::Active),
    }
}

/// Issues an enrolment link for `login`, audits it, and prints it (once, on standard output).
fn print_enrolment(db: &Records, login: &str, args: &EnrolmentArgs) -> Outcome {
    let (secret, expires_at) =
        siproc_server::routes::enrolment::issue(db, login, args.link_hours, Utc::now())
            .map_err(|e| e.to_string())?;
    audit(
        db,
        AuditEvent::EnrolmentIssued {
            target: login.to_owned(),
            expires_at,
        },
    )?;
    println!(
        "enrolment link for {login} (works once, until {}; give it to them alone):\n{}",
        expires_at.format("%Y-%m-%d %H:%M UTC"),
        siproc_server::routes::enrolment::link(&args.origin, &secret)
    );
    Ok(ExitCode::SUCCESS)
}

fn describe(user: &User) -> String {
    format!(
        "{} {} {}",
        user.role.as_str(),
        user.office.as_deref().unwrap_or("-"),
        user.state.as_str()
    )
}

fn set_state(login: &str, database: &DatabaseArgs, state: UserState) -> Outcome {
    let db = records(database)?;
    let before = db.user(login)?.ok_or("no such user")?;
    let after = UserChange {
        state: Some(state),
        ..UserChange::default()
    }
    .apply(&before, Utc::now())
    .map_err(refused)?;
    if after.state != before.state {
        db.update_user(&after)?;
        if state == UserState::Disabled {
            db.end_sessions_of(&after.id, Utc::now())?;
        }
        audit(
            &db,
            AuditEvent::UserChanged {
                target: after.id.clone(),
                fields: vec!["state".to_owned()],
                role: after.role,
                office: after.office.clone(),
                state,
            },
        )?;
    }
    println!("user {} {}", after.id, state.as_str());
    Ok(ExitCode::SUCCESS)
}

/// The owner of a token made at the shell: the user, or a new one when `role` is given and
/// there is none (its office kept for the roles that have one).
fn owner(
    db: &Records,
    login: &str,
    role: Option<&str>,
    office: &str,
) -> Result<User, Box<dyn std::error::Error>> {
    let role = role
        .map(|r| parse_role(r).ok_or("unknown role"))
        .transpose()?;
    if let Some(user) = db.user(login)? {
        return match role {
            Some(role) if role != user.role => {
                Err("the user exists with another role (tokens act as their owner)".into())
            }
            _ => Ok(user),
        };
    }
    let role = role.ok_or("no such user (give --role to create it)")?;
    let office = Some(office.to_owned())
        .filter(|o| !o.is_empty() && siproc_core::accounts::has_office(role));
    let user = NewUser {
        login: login.to_owned(),
        display_name: None,
        role,
        office,
    }
    .user(Utc::now())
    .map_err(refused)?;
    if db.create_user(&user)? {
        audit(
            db,
            AuditEvent::UserCreated {
                target: user.id.clone(),
                role: user.role,
                office: user.office.clone(),
            },
        )?;
    }
    Ok(user)
}

/// `token …`.
pub fn token(command: TokenCommand) -> Outcome {
    match command {
        TokenCommand::Create {
            user,
            role,
            office,
            name,
            scopes,
            expires_in,
            database,
        } => {
            let scopes = scopes
                .iter()
                .map(|s| Scope::from_name(s).ok_or(AccountError::UnknownScope))
                .collect::<Result<Vec<_>, _>>()
                .map_err(refused)?;
            let days = tokens::parse_days(&expires_in).map_err(refused)?;
            let db = records(&database)?;
            let owner = owner(&db, &user, role.as_deref(), &office)?;
            let ask = NewToken {
                name,
                scopes: Some(scopes).filter(|s| !s.is_empty()),
                expires_in_days: Some(days),
            };
            let id = uuid::Uuid::now_v7().simple().to_string();
            let token = ask.token(&owner, id, Utc::now()).map_err(refused)?;
            let secret = new_token()?;
            db.add_api_token(&token_hash(&secret), &token)?;
            audit(
                &db,
                AuditEvent::TokenCreated {
                    token_id: token.id.clone(),
                    owner: token.user_id.clone(),
                    scopes: token.scopes.clone(),
                    expires_at: token.expires_at,
                },
            )?;
            eprintln!(
                "token {} for {} (expires {})",
                token.id,
                token.user_id,
                token.expires_at.format("%Y-%m-%d")
            );
            println!("{secret}");
            Ok(ExitCode::SUCCESS)
        }
        TokenCommand::List { user, database } => {
            let db = records(&database)?;
            let owners = match user {
                Some(user) => vec![user],
                None => db.users()?.into_iter().map(|u| u.id).collect(),
            };
            let now = Utc::now();
            for owner in owners {
                for t in db.tokens_of(&owner)? {
                    let state = match (t.revoked_at, t.is_live(now)) {
                        (Some(_), _) => "revoked",
                        (None, true) => "live",
                        (None, false) => "expired",
                    };
                    println!(
                        "{}  {:<20} {:<8} expires {}  {:<24} {}",
                        t.id,
                        t.user_id,
                        state,
                        t.expires_at.format("%Y-%m-%d"),
                        t.name,
                        Scope::join(&t.scopes)
                    );
                }
            }
            Ok(ExitCode::SUCCESS)
        }
        TokenCommand::Revoke { id, database } => {
            let db = records(&database)?;
            let token = db.api_token(&id)?.ok_or("no such token")?;
            if token.revoked_at.is_none() {
                db.revoke_token(&token.id, Utc::now())?;
                audit(
                    &db,
                    AuditEvent::TokenRevoked {
                        token_id: token.id.clone(),
                        owner: token.user_id.clone(),
                    },
                )?;
            }
            println!("token {} revoked", token.id);
            Ok(ExitCode::SUCCESS)
        }
    }
}
