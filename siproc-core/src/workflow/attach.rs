//! `add_attachment`: the event that files a kept file into the case, once the table's checks
//! pass. The file itself is checked and kept by [`crate::attachments::attach`], which calls
//! [`attachment_event`] before anything is written.

use chrono::{DateTime, Utc};

use super::WorkflowError;
use super::check::{Standing, admit};
use crate::actor::Actor;
use crate::case::Case;
use crate::history::{AddedAttachment, Event, EventKind};
use crate::transitions::CommandKind;

/// The longest description of an attachment, in characters.
pub const MAX_ATTACHMENT_DESCRIPTION_CHARS: usize = 300;

/// The `attachment_added` event that files `attachment` into `case`, checked against the table
/// (role, office, status), the digest and the description's length. A signed copy must name a
/// printing of a form `case` generated (its id and verification code): another is
/// `workflow.unknown_form`.
pub fn attachment_event(
    case: &Case,
    actor: &Actor,
    attachment: &AddedAttachment,
    now: DateTime<Utc>,
) -> Result<Event, WorkflowError> {
    admit(
        Standing::from(case),
        actor,
        CommandKind::AddAttachment,
        None,
    )?;
    if !crate::hex::is_sha256_hex(&attachment.sha256) {
        return Err(WorkflowError::BadDigest);
    }
    if let Some(d) = &attachment.description
        && d.chars().count() > MAX_ATTACHMENT_DESCRIPTION_CHARS
    {
        return Err(WorkflowError::TooLong {
            field: "description",
            max: MAX_ATTACHMENT_DESCRIPTION_CHARS,
        });
    }
    if let Some(signs) = &attachment.signs
        && !case
            .forms
            .iter()
            .any(|f| f.code == signs.code && f.form == signs.form)
    {
        return Err(WorkflowError::UnknownForm);
    }
    let kind = EventKind::AttachmentAdded(attachment.clone());
    Ok(Event::next(case, actor.clone(), now, kind)?)
}
