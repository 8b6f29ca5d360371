//! A case as the fold of its history: [`replay`], [`open`] from the first event and [`apply`]
//! for each next one. Structure is checked, hashes are not (that is [`super::verify`]'s job).

use super::correction::apply_correction;
use super::{
    Event, EventKind, GENESIS_HASH, HistoryError, NoteData, ReferralData, Sealed, ServiceData,
};
use crate::case::{
    Case, ConsentScope, Facts, GeneratedForm, Note, Referral, ReferralStatus, Service, SignedCopy,
    Status, Transfer, TransferStatus, withdraws_sharing,
};
use crate::person::{Person, PersonRole};
use crate::transitions::{self, CommandKind};

/// Rebuilds the case from its history. Checks structure (see the module docs), not hashes.
pub fn replay(events: &[Event]) -> Result<Case, HistoryError> {
    let (first, rest) = events.split_first().ok_or(HistoryError::Empty)?;
    let mut case = open(first)?;
    for event in rest {
        apply(&mut case, event)?;
    }
    Ok(case)
}

/// Builds the case from its `case_opened` event.
pub fn open(event: &Event) -> Result<Case, HistoryError> {
    let invalid = |reason| HistoryError::Invalid {
        seq: event.seq,
        reason,
    };
    let EventKind::CaseOpened(o) = &event.kind else {
        return Err(invalid("not_opened"));
    };
    if event.seq != 1 || event.prev_hash != GENESIS_HASH {
        return Err(invalid("not_first"));
    }
    let mut erased = Vec::new();
    let persons = o
        .persons
        .iter()
        .enumerate()
        .map(|(i, p)| unseal_or(p, erased_person, &mut erased, || format!("/persons/{i}")))
        .collect();
    let facts = unseal_or(&o.facts, Facts::new, &mut erased, || "/facts".to_owned());
    let notes = o
        .notes
        .iter()
        .enumerate()
        .map(|(i, n)| note(n, i, &mut erased))
        .collect();
    let services = o
        .services
        .iter()
        .enumerate()
        .map(|(i, s)| service(s, i, &mut erased))
        .collect();
    let referrals = o
        .referrals
        .iter()
        .enumerate()
        .map(|(i, r)| referral(r, i, &mut erased))
        .collect();
    Ok(Case {
        id: event.case_id,
        number: o.number.clone(),
        office: o.office.clone(),
        category: o.category.clone(),
        flags: o.flags.clone(),
        priority: o.priority,
        status: Status::Registered,
        opened_on: o.opened_on,
        persons,
        consent: o.consent.clone(),
        sharing_withdrawn: false,
        facts,
        notes,
        services,
        referrals,
        attachments: o.attachments.clone(),
        legacy: o.legacy.clone(),
        transfer: None,
        closure_requested: false,
        closure_approved: false,
        outcome: None,
        forms: Vec::new(),
        erased,
        version: event.seq,
        created_at: event.at,
        updated_at: event.at,
        head: event.hash.clone(),
    })
}

/// A person whose sealed value was erased: no names, no details, the role unknown (`other`).
fn erased_person() -> Person {
    Person {
        role: PersonRole::Other,
        relationship: None,
        given_names: String::new(),
        surnames: String::new(),
        birth_date: None,
        sex: None,
        nationality: None,
        documents: Vec::new(),
        contacts: Vec::new(),
        locations: Vec::new(),
    }
}

/// The value of `s`, or `placeholder()` when it was erased, noting where (`at()`, a pointer
/// into the case) in `erased`.
fn unseal_or<T: Clone>(
    s: &Sealed<T>,
    placeholder: impl FnOnce() -> T,
    erased: &mut Vec<String>,
    at: impl FnOnce() -> String,
) -> T {
    match s.value() {
        Some(v) => v.clone(),
        None => {
            erased.push(at());
            placeholder()
        }
    }
}

/// [`unseal_or`] for an optional sealed value, whose placeholder is `None`.
fn unseal_opt<T: Clone>(
    s: &Option<Sealed<T>>,
    erased: &mut Vec<String>,
    at: impl FnOnce() -> String,
) -> Option<T> {
    let s = s.as_ref()?;
    let value = s.value().cloned();
    if value.is_none() {
        erased.push(at());
    }
    value
}

/// The note at position `i` of the case.
fn note(n: &NoteData, i: usize, erased: &mut Vec<String>) -> Note {
    Note {
        text: unseal_or(&n.text, String::new, erased, || format!("/notes/{i}/text")),
        written_on: n.written_on,
    }
}

/// The service at position `i` of the case.
fn service(s: &ServiceData, i: usize, erased: &mut Vec<String>) -> Service {
    Service {
        kind: s.kind.clone(),
        given_on: s.given_on,
        description: unseal_opt(&s.description, erased, || {
            format!("/services/{i}/description")
        }),
    }
}

/// The referral at position `i` of the case.
fn referral(r: &ReferralData, i: usize, erased: &mut Vec<String>) -> Referral {
    Referral {
        id: r.referral_id,
        partner: r.partner.clone(),
        reason: unseal_opt(&r.reason, erased, || format!("/referrals/{i}/reason")),
        status: ReferralStatus::Pending,
    }
}

/// Applies one event to the case: the step of [`replay`]. On error the case is left unchanged.
pub fn apply(case: &mut Case, event: &Event) -> Result<(), HistoryError> {
    let seq = event.seq;
    let invalid = |reason| HistoryError::Invalid { seq, reason };
    if event.case_id != case.id {
        return Err(invalid("foreign_case"));
    }
    if seq != case.version + 1 || event.prev_hash != case.head {
        return Err(invalid("out_of_sequence"));
    }
    // The status the event leaves the case in: the `to` column of the workflow's table, for
    // the row of the event's command that runs in the case's status.
    let target = match &event.kind {
        EventKind::CaseOpened(_) => return Err(invalid("opened_twice")),
        EventKind::StatusChanged { from, to } => {
            if *from != case.status {
                return Err(invalid("status_mismatch"));
            }
            transitions::transition(CommandKind::ChangeStatus, *from, *to).map(|_| *to)
        }
        kind => kind.command().target(case.status),
    }
    .ok_or(invalid("wrong_status"))?;
    match &event.kind {
        EventKind::CaseOpened(_) => return Err(invalid("opened_twice")),
        EventKind::FactsCorrected {
            path,
            new,
            resolves,
            ..
        } => {
            match new.value() {
                Some(value) => {
                    apply_correction(case, path, value).map_err(|_| invalid("bad_correction"))?;
                }
                None => case.erased.push(path.clone()),
            }
            if let Some(origin) = &mut case.legacy {
                origin.complete(resolves);
            }
        }
        EventKind::StatusChanged { from, .. } => {
            if *from == Status::Resolved {
                clear_closure(case);
            }
        }
        EventKind::NoteAdded(n) => case.notes.push(note(n, case.notes.len(), &mut case.erased)),
        EventKind::ServiceGiven(s) => {
            let i = case.services.len();
            case.services.push(service(s, i, &mut case.erased));
        }
        EventKind::FormGenerated { form, sha256 } => case.forms.push(GeneratedForm {
            form: form.clone(),
            sha256: sha256.clone(),
            generated_at: event.at,
            code: crate::forms::verification_code(&event.prev_hash),
            signed_copy: None,
        }),
        EventKind::AttachmentAdded(a) => {
            if let Some(signs) = &a.signs {
                // A signed copy names a printing of a form this case generated.
                let printed = case
                    .forms
                    .iter_mut()
                    .find(|f| f.code == signs.code && f.form == signs.form)
                    .ok_or(invalid("unknown_signed_form"))?;
                printed.signed_copy = Some(SignedCopy {
                    sha256: a.sha256.clone(),
                    received_at: event.at,
                });
            }
            if !case.attachments.iter().any(|k| k.sha256 == a.sha256) {
                case.attachments.push(a.attachment());
            }
        }
        EventKind::TransferRequested {
            from_office,
            to_office,
        } => {
            case.transfer = Some(Transfer {
                from_office: from_office.clone(),
                to_office: to_office.clone(),
                status: TransferStatus::Pending,
            });
        }
        EventKind::TransferAccepted { .. } | EventKind::TransferRejected { .. } => {
            let transfer = case
                .transfer
                .as_mut()
                .filter(|t| t.status == TransferStatus::Pending)
                .ok_or(invalid("no_pending_transfer"))?;
            if matches!(event.kind, EventKind::TransferAccepted { .. }) {
                transfer.status = TransferStatus::Accepted;
                case.office = transfer.to_office.clone();
            } else {
                transfer.status = TransferStatus::Rejected;
            }
        }
        EventKind::ReferralRequested(r) => {
            let i = case.referrals.len();
            case.referrals.push(referral(r, i, &mut case.erased));
        }
        EventKind::ReferralAccepted { referral_id }
        | EventKind::ReferralRejected { referral_id }
        | EventKind::ReferralDone { referral_id } => {
            let referral = case
                .referrals
                .iter_mut()
                .find(|r| r.id == *referral_id)
                .ok_or(invalid("unknown_referral"))?;
            referral.status = match event.kind {
                EventKind::ReferralAccepted { .. } => ReferralStatus::Accepted,
                EventKind::ReferralRejected { .. } => ReferralStatus::Rejected,
                _ => ReferralStatus::Done,
            };
        }
        EventKind::ConsentRecorded { consent } => {
            case.sharing_withdrawn &= !consent.covers(ConsentScope::ShareWithPartners);
            case.consent = Some(consent.clone());
            if let Some(origin) = &mut case.legacy {
                origin.consent_recorded(consent);
            }
        }
        EventKind::ConsentWithdrawn {
            scope,
            cancelled_referrals,
        } => {
            // Checked before anything changes: on error the case is left unchanged.
            if case.consent.is_none() {
                return Err(invalid("no_consent"));
            }
            let cancels = |r: &Referral| cancelled_referrals.contains(&r.id);
            let found = case.referrals.iter().filter(|r| cancels(r)).count();
            if found != cancelled_referrals.len() {
                return Err(invalid("unknown_referral"));
            }
            if case
                .referrals
                .iter()
                .any(|r| cancels(r) && r.status != ReferralStatus::Pending)
            {
                return Err(invalid("referral_not_pending"));
            }
            for r in case.referrals.iter_mut().filter(|r| cancels(r)) {
                r.status = ReferralStatus::Cancelled;
            }
            case.sharing_withdrawn |= withdraws_sharing(scope);
            if let Some(consent) = case.consent.as_mut() {
                if scope.is_empty() {
                    consent.given = false;
                    consent.scope.clear();
                } else {
                    consent.scope.retain(|s| !scope.contains(s));
                }
            }
        }
        EventKind::ClosureRequested { outcome } => {
            case.closure_requested = true;
            case.outcome = Some(outcome.clone());
        }
        EventKind::ClosureApproved => case.closure_approved = true,
        EventKind::Closed { outcome } => case.outcome = Some(outcome.clone()),
        EventKind::Reopened { .. } => clear_closure(case),
        EventKind::Archived | EventKind::PersonalDataErased { .. } => {}
    }
    case.status = target;
    case.version = seq;
    case.updated_at = event.at;
    case.head.clone_from(&event.hash);
    Ok(())
}

fn clear_closure(case: &mut Case) {
    case.closure_requested = false;
    case.closure_approved = false;
    case.outcome = None;
}
