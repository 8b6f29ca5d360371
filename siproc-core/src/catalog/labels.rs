//! The one wording of every enumerated value, in every locale.
//!
//! siproc's own enumerations (a case's status and priority, consent scopes, referral and
//! transfer statuses, the roles of users, the workflow's commands, the history's events, the
//! document kinds and their short names) are labelled in `data/vocabulary.json`; a pack labels
//! its own lists (categories, offices, flags, services, partners, forms).
//! [`Catalog::labels`] gathers all of them, by vocabulary and code, for a locale: it is the
//! `labels` of the catalog view ([`Catalog::view`]) that siproc-wasm and the server's web
//! application read, and the PDF forms print the same words through [`label`].

use serde::ser::SerializeMap;
use serde::{Serialize, Serializer};

use super::{Catalog, Text};
use crate::issue::Locale;

/// One value of a vocabulary: (code, Spanish, English).
type Entry = (&'static str, &'static str, &'static str);

include!(concat!(env!("OUT_DIR"), "/vocabulary.rs"));

/// The labels of a catalog in one locale, by vocabulary (`status`, `priority`,
/// `consent_scope`, `command`, `category`, …) and wire code. Serialised as an object of objects:
/// `{"status": {"in_progress": "En trámite", …}, …}`.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Labels(Vec<(String, Vec<(String, String)>)>);

impl Labels {
    /// The label of `code` in vocabulary `name`.
    pub fn get(&self, name: &str, code: &str) -> Option<&str> {
        self.vocabulary(name)?
            .iter()
            .find(|(c, _)| c == code)
            .map(|(_, label)| label.as_str())
    }

    /// Vocabulary `name`: its (code, label) pairs, in the order pages list them.
    pub fn vocabulary(&self, name: &str) -> Option<&[(String, String)]> {
        self.0
            .iter()
            .find(|(n, _)| n == name)
            .map(|(_, values)| values.as_slice())
    }

    /// The names of the vocabularies.
    pub fn names(&self) -> impl Iterator<Item = &str> {
        self.0.iter().map(|(n, _)| n.as_str())
    }
}

/// (code, text) pairs serialised as one object: a vocabulary of [`Labels`], the offices' time
/// zones of the catalog view.
pub(crate) struct Values<'a>(pub(crate) &'a [(String, String)]);

impl Serialize for Values<'_> {
    fn serialize<S: Serializer>(&self, out: S) -> Result<S::Ok, S::Error> {
        let mut map = out.serialize_map(Some(self.0.len()))?;
        for (code, label) in self.0 {
            map.serialize_entry(code, label)?;
        }
        map.end()
    }
}

impl Serialize for Labels {
    fn serialize<S: Serializer>(&self, out: S) -> Result<S::Ok, S::Error> {
        let mut map = out.serialize_map(Some(self.0.len()))?;
        for (name, values) in &self.0 {
            map.serialize_entry(name, &Values(values))?;
        }
        map.end()
    }
}

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

/// The values of vocabulary `name` of `data/vocabulary.json`, as (code, Spanish, English);
/// empty for another name.
pub(crate) fn vocabulary(name: &str) -> &'static [Entry] {
    VOCABULARY
        .iter()
        .find(|(n, _)| *n == name)
        .map_or(&[], |(_, values)| values)
}

/// The label of `code` in vocabulary `name` of `data/vocabulary.json`, in `locale`: what the
/// forms print and the catalog view publishes. Empty when the vocabulary lacks the code (a test
/// checks that none of siproc's values is missing).
pub(crate) fn label(name: &str, code: &str, locale: Locale) -> &'static str {
    vocabulary(name)
        .iter()
        .find(|(c, _, _)| *c == code)
        .map_or("", |(_, es, en)| match locale {
            Locale::Es => es,
            Locale::En => en,
        })
}

/// [`label`] of an enumerated value, by its wire form (a string).
#[cfg(any(feature = "pdf", test))] // forms print these
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
    /// `partner`, `form`, `access_reason`) and the choices of the common
    /// fields of `data/fields.json` (`person_role`, `sex`, `relationship`, `contact_kind`,
    /// `location_kind`).
    pub fn labels(&self, locale: Locale) -> Labels {
        let pairs = |items: &mut dyn Iterator<Item = (&String, &Text)>| -> Vec<(String, String)> {
            items
                .map(|(code, text)| (code.clone(), text.get(locale).to_owned()))
                .collect()
        };
        let mut out = Vec::new();
        for name in VOCABULARIES {
            let values = vocabulary(name)
                .iter()
                .map(|(code, _, _)| ((*code).to_owned(), label(name, code, locale).to_owned()))
                .collect();
            out.push((name.to_owned(), values));
        }
        for (name, path) in super::fields::FIELD_VOCABULARIES {
            let choices = super::fields::field_choices(path);
            out.push((
                name.to_owned(),
                pairs(&mut choices.iter().map(|c| (&c.code, &c.label))),
            ));
        }
        let pack = [
            (
                "category",
                pairs(&mut self.categories.iter().map(|c| (&c.code, &c.label))),
            ),
            (
                "office",
                pairs(&mut self.offices.iter().map(|o| (&o.code, &o.name))),
            ),
            (
                "flag",
                pairs(&mut self.flags.iter().map(|f| (&f.code, &f.label))),
            ),
            (
                "service",
                pairs(&mut self.services.iter().map(|s| (&s.code, &s.label))),
            ),
            (
                "partner",
                pairs(&mut self.partners.iter().map(|p| (&p.code, &p.name))),
            ),
            (
                "form",
                pairs(&mut self.forms.iter().map(|f| (&f.id, &f.title))),
            ),
            (
                "access_reason",
                pairs(&mut self.pack.access_reasons.iter().map(|r| (&r.code, &r.label))),
            ),
        ];
        for (name, values) in pack {
            out.push((name.to_owned(), values));
        }
        Labels(out)
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
        let listed: Vec<&str> = vocabulary(name).iter().map(|(c, _, _)| *c).collect();
        assert_eq!(listed, codes, "{name}");
        for v in values {
            for l in [Locale::Es, Locale::En] {
                assert!(!label_of(name, v, l).is_empty(), "{name}");
            }
        }
        for (code, es, en) in vocabulary(name) {
            assert!(!es.is_empty() && !en.is_empty(), "{name}/{code}");
        }
    }

    #[test]
    fn every_value_of_every_vocabulary_has_one_label_per_locale() {
        labels_exactly("status", &Status::ALL);
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
                ReferralStatus::Cancelled,
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
        let events: Vec<&str> = vocabulary("event").iter().map(|(c, _, _)| *c).collect();
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
                for (code, _, _) in vocabulary(name) {
                    assert_eq!(labels.get(name, code), Some(label(name, code, l)));
                }
            }
            let len = |name: &str| labels.vocabulary(name).map_or(0, <[_]>::len);
            assert_eq!(len("category"), hn.categories.len());
            assert_eq!(len("office"), hn.offices.len());
            assert_eq!(len("form"), hn.forms.len());
            assert_eq!(len("document_kind"), DocumentKind::ALL.len());
            assert_eq!(len("sex"), 3);
            let json = serde_json::to_value(&labels).unwrap();
            assert_eq!(
                json["status"]["in_progress"],
                label("status", "in_progress", l)
            );
            assert_eq!(json.as_object().unwrap().len(), labels.names().count());
        }
        assert_eq!(
            hn.labels(Locale::En).get("form", "intake_sheet"),
            Some("Case intake sheet")
        );
    }
}
