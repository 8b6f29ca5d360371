//! The one wording of every enumerated value, in every locale.
//!
//! siproc's own enumerations (a case's status and priority, consent scopes, referral and
//! transfer statuses, the roles of users, the workflow's commands, the history's events, the
//! document kinds and their short names) are labelled in `data/vocabulary.json`; a pack labels
//! its own lists (categories, offices, flags, services, partners, forms).
//! [`Catalog::labels`] gathers all of them, by vocabulary and code, for a locale: it is the
//! `labels` of the catalog view ([`Catalog::view`]) that siproc-wasm and the server's web
//! application read, and the PDF forms print the same words through [`label`].

use std::collections::BTreeMap;
use std::sync::OnceLock;

use serde::{Deserialize, Serialize};

use super::{Catalog, Choice, Text};
use crate::issue::Locale;

/// The labels of a catalog in one locale: vocabulary name (`status`, `priority`,
/// `consent_scope`, `command`, `category`, …) → wire code → label.
pub type Labels = BTreeMap<String, BTreeMap<String, String>>;

/// The vocabularies of siproc's own enumerations, in `data/vocabulary.json`.
pub const VOCABULARIES: [&str; 10] = [
    "status",
    "priority",
    "consent_scope",
    "referral_status",
    "transfer_status",
    "role",
    "command",
    "event",
    "document_kind",
    "document_kind_short",
];

/// `data/vocabulary.json`.
#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct VocabularyFile {
    /// What the file is, for its readers.
    #[serde(rename = "$comment")]
    _comment: String,
    /// Vocabulary name → its values, in the order pages list them.
    vocabularies: BTreeMap<String, Vec<Choice>>,
}

fn vocabulary_file() -> Option<&'static VocabularyFile> {
    static FILE: OnceLock<Option<VocabularyFile>> = OnceLock::new();
    FILE.get_or_init(|| serde_json::from_str(include_str!("../../data/vocabulary.json")).ok())
        .as_ref()
}

/// The values of vocabulary `name` of `data/vocabulary.json` (empty for another name).
pub(crate) fn vocabulary(name: &str) -> &'static [Choice] {
    vocabulary_file()
        .and_then(|f| f.vocabularies.get(name))
        .map_or(&[], Vec::as_slice)
}

/// The label of `code` in vocabulary `name` of `data/vocabulary.json`, in `locale`: what the
/// forms print and the catalog view publishes. Empty when the vocabulary lacks the code (a test
/// checks that none of siproc's values is missing).
pub(crate) fn label(name: &str, code: &str, locale: Locale) -> &'static str {
    vocabulary(name)
        .iter()
        .find(|c| c.code == code)
        .map_or("", |c| c.label.get(locale))
}

/// [`label`] of an enumerated value, by its wire form (a string).
#[cfg_attr(not(feature = "pdf"), allow(dead_code))] // forms print these
pub(crate) fn label_of<T: Serialize>(name: &str, value: T, locale: Locale) -> &'static str {
    let code = serde_json::to_value(value).ok();
    label(
        name,
        code.as_ref()
            .and_then(serde_json::Value::as_str)
            .unwrap_or_default(),
        locale,
    )
}

impl Catalog {
    /// Every label this catalog's pages and forms show, in `locale`: siproc's own vocabularies
    /// ([`VOCABULARIES`]), the pack's lists (`category`, `office`, `flag`, `service`,
    /// `partner`, `form`) and the choices of the common
    /// fields of `data/fields.json` (`person_role`, `sex`, `relationship`, `contact_kind`,
    /// `location_kind`).
    pub fn labels(&self, locale: Locale) -> Labels {
        let list = |items: &mut dyn Iterator<Item = (&String, &Text)>| -> BTreeMap<String, String> {
            items
                .map(|(code, text)| (code.clone(), text.get(locale).to_owned()))
                .collect()
        };
        let mut out = Labels::new();
        for name in VOCABULARIES {
            out.insert(
                name.to_owned(),
                list(&mut vocabulary(name).iter().map(|c| (&c.code, &c.label))),
            );
        }
        for (name, path) in super::FIELD_VOCABULARIES {
            out.insert(
                name.to_owned(),
                list(
                    &mut super::field_choices(path)
                        .iter()
                        .map(|c| (&c.code, &c.label)),
                ),
            );
        }
        let pack: [(&str, BTreeMap<String, String>); 6] = [
            (
                "category",
                list(&mut self.categories.iter().map(|c| (&c.code, &c.label))),
            ),
            (
                "office",
                list(&mut self.offices.iter().map(|o| (&o.code, &o.name))),
            ),
            (
                "flag",
                list(&mut self.flags.iter().map(|f| (&f.code, &f.label))),
            ),
            (
                "service",
                list(&mut self.services.iter().map(|s| (&s.code, &s.label))),
            ),
            (
                "partner",
                list(&mut self.partners.iter().map(|p| (&p.code, &p.name))),
            ),
            (
                "form",
                list(&mut self.forms.iter().map(|f| (&f.id, &f.title))),
            ),
        ];
        for (name, labels) in pack {
            out.insert(name.to_owned(), labels);
        }
        out
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::actor::Role;
    use crate::case::{ConsentScope, Priority, ReferralStatus, Status, TransferStatus};
    use crate::document::DocumentKind;
    use crate::transitions::CommandKind;

    /// Every code of `name`, and nothing else, is labelled in both locales.
    fn labels_exactly<T: Serialize + Copy>(name: &str, values: &[T]) {
        let codes: Vec<String> = values
            .iter()
            .map(|v| {
                serde_json::to_value(v)
                    .unwrap()
                    .as_str()
                    .unwrap()
                    .to_owned()
            })
            .collect();
        let listed: Vec<&str> = vocabulary(name).iter().map(|c| c.code.as_str()).collect();
        assert_eq!(listed, codes, "{name}");
        for v in values {
            for l in [Locale::Es, Locale::En] {
                assert!(!label_of(name, v, l).is_empty(), "{name}");
            }
        }
        for c in vocabulary(name) {
            assert!(c.label.en.is_some(), "{name}/{} has no English", c.code);
        }
    }

    #[test]
    fn every_value_of_every_vocabulary_has_one_label_per_locale() {
        labels_exactly(
            "status",
            &[
                Status::Registered,
                Status::InProgress,
                Status::AwaitingAuthority,
                Status::Resolved,
                Status::Closed,
                Status::Archived,
            ],
        );
        labels_exactly(
            "priority",
            &[
                Priority::Low,
                Priority::Normal,
                Priority::High,
                Priority::Urgent,
            ],
        );
        labels_exactly(
            "consent_scope",
            &[
                ConsentScope::Processing,
                ConsentScope::ShareWithPartners,
                ConsentScope::ShareWithAuthorities,
                ConsentScope::ContactFamily,
            ],
        );
        labels_exactly(
            "referral_status",
            &[
                ReferralStatus::Pending,
                ReferralStatus::Accepted,
                ReferralStatus::Rejected,
                ReferralStatus::Done,
            ],
        );
        labels_exactly(
            "transfer_status",
            &[
                TransferStatus::Pending,
                TransferStatus::Accepted,
                TransferStatus::Rejected,
            ],
        );
        labels_exactly("role", Role::ALL);
        labels_exactly("command", CommandKind::ALL);
        let kinds: Vec<&str> = DocumentKind::ALL.iter().map(|k| k.as_str()).collect();
        labels_exactly("document_kind", &kinds);
        labels_exactly("document_kind_short", &kinds);
        // Events: one per command, named as the history names them.
        let events: Vec<&str> = vocabulary("event")
            .iter()
            .map(|c| c.code.as_str())
            .collect();
        assert_eq!(events.len(), CommandKind::ALL.len());
        assert!(events.contains(&"case_opened") && events.contains(&"facts_corrected"));
        assert_eq!(
            label("status", Status::InProgress.as_str(), Locale::Es),
            "En trámite"
        );
    }

    #[test]
    fn the_catalog_labels_hold_every_vocabulary_in_each_locale() {
        let hn = Catalog::honduras().unwrap();
        for l in [Locale::Es, Locale::En] {
            let labels = hn.labels(l);
            for name in VOCABULARIES {
                for c in vocabulary(name) {
                    assert_eq!(labels[name][&c.code], c.label.get(l));
                }
            }
            assert_eq!(labels["category"].len(), hn.categories.len());
            assert_eq!(labels["office"].len(), hn.offices.len());
            assert_eq!(labels["form"].len(), hn.forms.len());
            assert_eq!(labels["document_kind"].len(), DocumentKind::ALL.len());
            assert_eq!(labels["sex"].len(), 3);
        }
        assert_eq!(
            hn.labels(Locale::En)["form"]["intake_sheet"],
            "Case intake sheet"
        );
    }
}
