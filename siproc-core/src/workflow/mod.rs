//! The workflow: commands checked against the case's state and the actor's role and office,
//! producing an [`Event`](crate::history::Event) or a typed [`WorkflowError`].
//!
//! Opening a case is [`open`] (from a valid intake; the [`Opening`] it makes is sealed with the
//! case number a store or the caller gives); every other change is a [`Command`] run by
//! [`execute`] (or decided without sealing by [`decide`]). Commands never change a case: the event they produce does, through
//! [`crate::history::apply`].
//!
//! Roles: an *officer* works the cases of their office; a *supervisor* also approves closures,
//! reopens and archives; the *directorate* may act on every office's cases; a *partner*
//! organisation only ever sees aggregates and an *auditor* only reads cases and the access log:
//! neither issues any command (each is refused with [`WorkflowError::RoleNotAllowed`]). Everyone except the
//! directorate acts only on cases of their own office (or, for a transfer, of the receiving
//! office).
//!
//! # State machine
//!
//! Checked in this order: role, office, status, then the command's own requirements. The table
//! is rendered from [`RULES`](crate::transitions::RULES), which the code enforces; a test keeps the two identical.
//!
//! <!-- rules:begin -->
//! | command | from | to | roles | office | requires |
//! |---|---|---|---|---|---|
//! | open | — | registered | officer, supervisor, directorate | intake's | a valid intake (no validation errors) |
//! | change_status | registered | in_progress | officer, supervisor, directorate | case's | — |
//! | change_status | in_progress | awaiting_authority | officer, supervisor, directorate | case's | — |
//! | change_status | awaiting_authority | in_progress | officer, supervisor, directorate | case's | — |
//! | change_status | in_progress, awaiting_authority | resolved | officer, supervisor, directorate | case's | — |
//! | change_status | resolved | in_progress | officer, supervisor, directorate | case's | withdraws a closure request |
//! | correct | registered, in_progress, awaiting_authority, resolved | (same) | officer, supervisor, directorate | case's | a correctable path; the case still validates there; a different value |
//! | add_note | registered, in_progress, awaiting_authority, resolved, closed | (same) | officer, supervisor, directorate | case's | non-empty text |
//! | record_service | registered, in_progress, awaiting_authority, resolved | (same) | officer, supervisor, directorate | case's | a service kind of the catalog; not in the future |
//! | record_form | registered, in_progress, awaiting_authority, resolved, closed | (same) | officer, supervisor, directorate | case's | a form of the catalog; a SHA-256 |
//! | add_attachment | registered, in_progress, awaiting_authority, resolved, closed | (same) | officer, supervisor, directorate | case's | a checked file kept in the case's blob storage |
//! | request_transfer | registered, in_progress, awaiting_authority, resolved | (same) | officer, supervisor, directorate | case's | a known other office; no transfer pending |
//! | accept_transfer | registered, in_progress, awaiting_authority, resolved | (same) | officer, supervisor, directorate | receiving | a transfer pending |
//! | reject_transfer | registered, in_progress, awaiting_authority, resolved | (same) | officer, supervisor, directorate | receiving | a transfer pending |
//! | refer | registered, in_progress, awaiting_authority, resolved | (same) | officer, supervisor, directorate | case's | a known partner; consent to share with partners |
//! | accept_referral | registered, in_progress, awaiting_authority, resolved, closed | (same) | officer, supervisor, directorate | case's | the referral pending |
//! | reject_referral | registered, in_progress, awaiting_authority, resolved, closed | (same) | officer, supervisor, directorate | case's | the referral pending |
//! | complete_referral | registered, in_progress, awaiting_authority, resolved, closed | (same) | officer, supervisor, directorate | case's | the referral accepted |
//! | record_consent | registered, in_progress, awaiting_authority, resolved, closed | (same) | officer, supervisor, directorate | case's | given by a person of the case |
//! | withdraw_consent | registered, in_progress, awaiting_authority, resolved, closed | (same) | officer, supervisor, directorate | case's | consent given |
//! | request_closure | resolved | (same) | officer, supervisor, directorate | case's | an outcome; no request pending |
//! | approve_closure | resolved | (same) | supervisor, directorate | case's | a closure request not yet approved |
//! | close | resolved | closed | officer, supervisor, directorate | case's | an outcome (given or requested); approval for a sensitive category |
//! | reopen | closed | in_progress | supervisor, directorate | case's | — |
//! | archive | closed | archived | supervisor, directorate | case's | — |
//! | erase | closed, archived | (same) | directorate | case's | a reason; for `erase --due`, a retention rule that ran out |
//! <!-- rules:end -->
//!
//! # Layout
//!
//! One concept a file: [`Command`] (`command.rs`), [`WorkflowError`] (`error.rs`), opening a
//! case ([`open`], `open.rs`), the table's checks and what the case must show (`check.rs`),
//! [`decide`] and one function per command (`decide.rs`), the `correct` command
//! (`correct.rs`), and what an actor may do now ([`available`], `available.rs`).

mod attach;
mod available;
mod check;
mod command;
mod correct;
mod decide;
mod error;
mod open;

pub use attach::attachment_event;
pub use available::{AvailableCommand, CaseState, Param, available, available_in};
pub(crate) use check::admit_kind;
pub use check::is_sensitive;
pub use command::{Command, MAX_NOTE_CHARS, MAX_SHORT_TEXT_CHARS};
pub use decide::{decide, execute};
pub use error::{ERROR_CODES, WorkflowError};
pub(crate) use open::may_open;
pub use open::{Opening, open};

#[cfg(test)]
mod tests {
    #[test]
    fn the_documented_table_is_the_one_the_code_enforces() {
        let source = include_str!("mod.rs");
        let begin = source.find("<!-- rules:begin -->").unwrap();
        let end = source.find("<!-- rules:end -->").unwrap();
        let documented: String = source[begin..end]
            .lines()
            .skip(1)
            .map(|l| l.trim_start_matches("//!").trim_start())
            .filter(|l| !l.is_empty())
            .map(|l| format!("{l}\n"))
            .collect();
        assert_eq!(
            documented,
            crate::transitions::rules_table(),
            "update the table in workflow/mod.rs docs"
        );
    }
}
