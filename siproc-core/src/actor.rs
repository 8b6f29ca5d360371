//! Who acts: an [`Actor`] (a user, their [`Role`], the office they act from).
//!
//! Both the [`crate::workflow`] (which checks a command against the actor) and the
//! [`crate::history`] (which records who made each event) use it; neither owns it.

use serde::{Deserialize, Serialize};

/// What a user may do.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, schemars::JsonSchema)]
#[serde(rename_all = "snake_case")]
pub enum Role {
    /// Consular officer: works the cases of their office.
    Officer,
    /// Supervisor at an office: also approves closures, reopens and archives.
    Supervisor,
    /// The central directorate: supervises every office.
    Directorate,
    /// A partner organisation: aggregates only, no command.
    Partner,
    /// An auditor: reads cases and the access log, runs no command.
    Auditor,
}

impl Role {
    /// Every role, in the order of the docs.
    pub const ALL: &'static [Role] = &[
        Role::Officer,
        Role::Supervisor,
        Role::Directorate,
        Role::Partner,
        Role::Auditor,
    ];

    /// The wire name.
    pub fn as_str(self) -> &'static str {
        match self {
            Role::Officer => "officer",
            Role::Supervisor => "supervisor",
            Role::Directorate => "directorate",
            Role::Partner => "partner",
            Role::Auditor => "auditor",
        }
    }

    /// The role with this wire name.
    pub fn from_name(name: &str) -> Option<Role> {
        Role::ALL.iter().copied().find(|r| r.as_str() == name)
    }
}

/// Who acts: a user, their role, and the office they act from.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize, schemars::JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Actor {
    /// The user's id in the embedding system (not a name).
    pub user_id: String,
    /// Their role.
    pub role: Role,
    /// The office code they act from.
    pub office: String,
}

impl Actor {
    /// An actor.
    pub fn new(user_id: impl Into<String>, role: Role, office: impl Into<String>) -> Actor {
        Actor {
            user_id: user_id.into(),
            role,
            office: office.into(),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_role_has_one_wire_name_that_serde_agrees_with() {
        for role in Role::ALL {
            let json = serde_json::to_value(role).unwrap();
            assert_eq!(json, role.as_str());
            assert_eq!(Role::from_name(role.as_str()), Some(*role));
            assert_eq!(serde_json::from_value::<Role>(json).unwrap(), *role);
        }
        assert_eq!(Role::from_name("admin"), None);
    }
}
