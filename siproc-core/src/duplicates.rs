//! Duplicate detection: which records are probably the same national.
//!
//! Legacy registers are full of duplicates: the same person on several rows, typed by different
//! officers, with and without accents, with and without the dashes of a DNI. [`find_duplicates`]
//! compares the **national** of each intake (the first person with the role `national`; intakes
//! without one take no part) and returns candidate pairs, each with the reasons it was found and
//! a score for sorting the review list. Relatives and guardians are not compared: the same mother
//! asking about two children is not a duplicate case.
//!
//! # Reasons
//!
//! | reason | when |
//! |---|---|
//! | [`DuplicateReason::SameDocument`] | both have a document of the same kind whose numbers have the same canonical form ([`normalize_document`]); only numbers that pass their kind's checks and are not placeholders ([`crate::document::is_placeholder`]) are compared, so `00000000-0`, `0000-0000-00000` or `NO TIENE` link nobody |
//! | [`DuplicateReason::SameNameAndBirthDate`] | the folded full names ([`fold_name`] of given names and surnames) are equal and so are the birth dates |
//! | [`DuplicateReason::SimilarName`] | the folded full names have a Jaro-Winkler similarity of at least [`SIMILAR_NAME_THRESHOLD`] and the birth dates do not contradict each other (equal, or one missing); not given when the previous reason is |
//!
//! # Score
//!
//! A number in `0..=1` for ordering the review, not a probability:
//!
//! - `1.0`: the same document and the same or a similar name;
//! - `0.95`: the same name and birth date, without a shared document;
//! - `0.9`: the same document but names that are not similar (a typing error in the number, or a
//!   relative's document entered as the national's);
//! - `0.9 × similarity` (from 0.828 to 0.9): a similar name only.
//!
//! # Scale
//!
//! Records are never compared all against all. Candidate pairs come from blocks: records sharing
//! a valid canonical document number, records sharing folded name and birth date, and for similar names
//! records sharing a birth date and the initial of the folded name, or (when a birth date is
//! missing) the first letters of the folded surnames. Within a block, records are sorted by folded
//! name and each is compared with the next [`WINDOW`] ones (in a surname block, each record
//! without a birth date with the [`WINDOW`] before and after it); a block smaller than the window is
//! thus compared in full, and a huge block (a placeholder number such as `0000-0000-00000` shared
//! by thousands of rows) costs linear time. The work is `O(n · WINDOW)` whatever the data.

use std::collections::{BTreeMap, HashMap};
use std::str::FromStr;

use chrono::NaiveDate;
use serde::{Deserialize, Serialize};

use crate::case::Intake;
use crate::document::{DocumentKind, identifies_a_person, normalize_document};
use crate::names::fold_name;
use crate::person::Person;

/// Lowest Jaro-Winkler similarity of two folded full names for [`DuplicateReason::SimilarName`].
///
/// At 0.92, `jose luis hernandez` and `jose luis hernandes` (0.98) or `maria lopez` and
/// `mario lopez` (0.96) match; `maria lopez` and `marta perez` (0.87) do not.
pub const SIMILAR_NAME_THRESHOLD: f64 = 0.92;

/// How many following records (in folded-name order) each record is compared with inside one
/// block.
pub const WINDOW: usize = 32;

/// Letters of the folded surnames that make the blocking key of records without a birth date.
const SURNAME_KEY_CHARS: usize = 4;

/// Why two records may be the same national.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum DuplicateReason {
    /// A document of the same kind with the same canonical number.
    SameDocument,
    /// The same folded full name and the same birth date.
    SameNameAndBirthDate,
    /// Folded full names at least [`SIMILAR_NAME_THRESHOLD`] alike (Jaro-Winkler), birth dates
    /// not contradicting.
    SimilarName,
}

impl DuplicateReason {
    /// The wire name: `same_document`, `same_name_and_birth_date` or `similar_name`.
    pub fn as_str(self) -> &'static str {
        match self {
            DuplicateReason::SameDocument => "same_document",
            DuplicateReason::SameNameAndBirthDate => "same_name_and_birth_date",
            DuplicateReason::SimilarName => "similar_name",
        }
    }
}

/// Two records that may be the same national: indices into the input, `a < b`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct DuplicatePair {
    /// Index of the first record.
    pub a: usize,
    /// Index of the second record, greater than `a`.
    pub b: usize,
    /// How strong the match is, for ordering a review (see the module documentation).
    pub score: f64,
    /// Every reason that applies, in the order of [`DuplicateReason`].
    pub reasons: Vec<DuplicateReason>,
}

/// What duplicate detection needs of one national, computed once.
struct Key {
    /// Folded full name; empty when the person has no name.
    name: String,
    /// Folded surnames, for blocking when a birth date is missing.
    surnames: String,
    birth: Option<NaiveDate>,
    /// `(kind, canonical number)` of each document that passes its kind's checks.
    documents: Vec<(DocumentKind, String)>,
}

impl Key {
    fn of(person: &Person) -> Key {
        let name = fold_name(&format!("{} {}", person.given_names, person.surnames));
        let mut documents: Vec<(DocumentKind, String)> = person
            .documents
            .iter()
            .filter_map(|d| {
                let kind = DocumentKind::from_str(&d.kind).ok()?;
                let number = normalize_document(kind, &d.number)?;
                identifies_a_person(kind, &number).then_some((kind, number))
            })
            .collect();
        documents.sort();
        documents.dedup();
        Key {
            name,
            surnames: fold_name(&person.surnames),
            birth: person.birth_date,
            documents,
        }
    }
}

/// Finds the candidate duplicates among `intakes`, comparing their nationals.
///
/// Pairs are sorted by `(a, b)`. See the module documentation for the reasons, the score and how
/// the work stays linear.
pub fn find_duplicates(intakes: &[Intake]) -> Vec<DuplicatePair> {
    let persons: Vec<Option<&Person>> = intakes.iter().map(Intake::national).collect();
    find_duplicate_persons(&persons)
}

/// Finds the candidate duplicates among `persons` (`None` entries take no part), as
/// [`find_duplicates`] does for the nationals of intakes. Indices are positions in `persons`.
pub fn find_duplicate_persons(persons: &[Option<&Person>]) -> Vec<DuplicatePair> {
    let keys: Vec<Option<Key>> = persons.iter().map(|p| p.map(Key::of)).collect();
    let present = || {
        keys.iter()
            .enumerate()
            .filter_map(|(i, k)| k.as_ref().map(|k| (i, k)))
    };

    // Blocks, by key; each block lists record indices.
    let mut blocks: HashMap<Block<'_>, Vec<usize>> = HashMap::new();
    let mut surname_blocks: HashMap<String, Vec<usize>> = HashMap::new();
    for (i, key) in present() {
        for (kind, number) in &key.documents {
            blocks
                .entry(Block::Document(*kind, number))
                .or_default()
                .push(i);
        }
        let Some(initial) = key.name.chars().next() else {
            continue;
        };
        match key.birth {
            Some(birth) => blocks
                .entry(Block::BirthInitial(birth, initial))
                .or_default()
                .push(i),
            None => surname_blocks
                .entry(surname_prefix(&key.surnames))
                .or_default()
                .push(i),
        }
    }
    // A record without a birth date can match one with a birth date: named records with a birth
    // date join the surname block of their prefix, when there is one.
    for (i, key) in present() {
        if key.birth.is_some()
            && !key.name.is_empty()
            && let Some(block) = surname_blocks.get_mut(&surname_prefix(&key.surnames))
        {
            block.push(i);
        }
    }

    let name = |i: usize| {
        keys.get(i)
            .and_then(Option::as_ref)
            .map(|k| k.name.as_str())
    };
    let by_name = |x: &usize, y: &usize| name(*x).cmp(&name(*y)).then(x.cmp(y));
    let mut out = Vec::new();
    let mut consider = |x: usize, y: usize| {
        let (a, b) = (x.min(y), x.max(y));
        if a == b {
            return;
        }
        if let (Some(Some(ka)), Some(Some(kb))) = (keys.get(a), keys.get(b))
            && let Some((score, reasons)) = compare(ka, kb)
        {
            out.push(DuplicatePair {
                a,
                b,
                score,
                reasons,
            });
        }
    };
    for members in blocks.values_mut() {
        members.sort_by(by_name);
        for (n, &x) in members.iter().enumerate() {
            for &y in members.iter().skip(n + 1).take(WINDOW) {
                consider(x, y);
            }
        }
    }
    // In a surname block only pairs with a record lacking a birth date are new: each such record
    // is compared with its neighbours on both sides in name order.
    for members in surname_blocks.values_mut() {
        members.sort_by(by_name);
        for (n, &x) in members.iter().enumerate() {
            let lacks_birth = keys
                .get(x)
                .and_then(Option::as_ref)
                .is_some_and(|k| k.birth.is_none());
            if !lacks_birth {
                continue;
            }
            let before = members.iter().take(n).rev().take(WINDOW);
            let after = members.iter().skip(n + 1).take(WINDOW);
            for &y in before.chain(after) {
                consider(x, y);
            }
        }
    }
    // A pair found in several blocks was compared each time, with the same result.
    out.sort_by_key(|p| (p.a, p.b));
    out.dedup_by_key(|p| (p.a, p.b));
    out
}

/// A blocking key.
#[derive(PartialEq, Eq, Hash)]
enum Block<'a> {
    /// The same canonical document.
    Document(DocumentKind, &'a str),
    /// The same birth date and initial of the folded full name.
    BirthInitial(NaiveDate, char),
}

fn surname_prefix(surnames: &str) -> String {
    surnames.chars().take(SURNAME_KEY_CHARS).collect()
}

/// The reasons and score of a pair, or `None` when no reason applies. Symmetric in its arguments.
fn compare(a: &Key, b: &Key) -> Option<(f64, Vec<DuplicateReason>)> {
    let mut reasons = Vec::new();
    let same_document = a.documents.iter().any(|d| b.documents.contains(d));
    if same_document {
        reasons.push(DuplicateReason::SameDocument);
    }
    let named = !a.name.is_empty() && !b.name.is_empty();
    // Jaro-Winkler is symmetric up to rounding; take both ways so the verdict is exactly so.
    // Jaro-Winkler cannot reach the threshold when one name is under 0.6 times the other's
    // length (the Jaro part would stay under 0.8667); skip the computation then.
    let (la, lb) = (a.name.chars().count(), b.name.chars().count());
    let comparable = la.min(lb) * 10 >= la.max(lb) * 6;
    let similarity = if named && comparable {
        strsim::jaro_winkler(&a.name, &b.name).min(strsim::jaro_winkler(&b.name, &a.name))
    } else {
        0.0
    };
    let same_name_and_birth = named && a.name == b.name && a.birth.is_some() && a.birth == b.birth;
    if same_name_and_birth {
        reasons.push(DuplicateReason::SameNameAndBirthDate);
    }
    let births_agree = match (a.birth, b.birth) {
        (Some(x), Some(y)) => x == y,
        _ => true,
    };
    let similar =
        named && !same_name_and_birth && births_agree && similarity >= SIMILAR_NAME_THRESHOLD;
    if similar {
        reasons.push(DuplicateReason::SimilarName);
    }
    let score = match (same_document, same_name_and_birth, similar) {
        (true, true, _) | (true, _, true) => 1.0,
        (false, true, _) => 0.95,
        (true, false, false) => 0.9,
        (false, false, true) => 0.9 * similarity.min(1.0),
        (false, false, false) => return None,
    };
    Some((score, reasons))
}

/// Groups pairs into clusters of records that are transitively linked: each cluster is sorted,
/// clusters are sorted by their first record, and records in no pair are left out.
pub fn clusters(pairs: &[DuplicatePair]) -> Vec<Vec<usize>> {
    let mut parent: BTreeMap<usize, usize> = BTreeMap::new();
    fn root(parent: &mut BTreeMap<usize, usize>, mut x: usize) -> usize {
        while let Some(&p) = parent.get(&x) {
            if p == x {
                break;
            }
            let grand = parent.get(&p).copied().unwrap_or(p);
            parent.insert(x, grand);
            x = p;
        }
        x
    }
    for pair in pairs {
        parent.entry(pair.a).or_insert(pair.a);
        parent.entry(pair.b).or_insert(pair.b);
        let (ra, rb) = (root(&mut parent, pair.a), root(&mut parent, pair.b));
        if ra != rb {
            parent.insert(ra.max(rb), ra.min(rb));
        }
    }
    let members: Vec<usize> = parent.keys().copied().collect();
    let mut groups: BTreeMap<usize, Vec<usize>> = BTreeMap::new();
    for x in members {
        let r = root(&mut parent, x);
        groups.entry(r).or_default().push(x);
    }
    groups.into_values().collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::person::{IdentityDocument, PersonRole};

    fn person(given: &str, surnames: &str, birth: Option<&str>, dni: Option<&str>) -> Person {
        Person {
            role: PersonRole::National,
            relationship: None,
            given_names: given.to_owned(),
            surnames: surnames.to_owned(),
            birth_date: birth.map(|b| b.parse().unwrap()),
            sex: None,
            nationality: None,
            documents: dni
                .map(|n| IdentityDocument {
                    kind: "hn_dni".to_owned(),
                    number: n.to_owned(),
                })
                .into_iter()
                .collect(),
            contacts: Vec::new(),
            locations: Vec::new(),
        }
    }

    fn find(persons: &[Person]) -> Vec<(usize, usize, Vec<&'static str>)> {
        let refs: Vec<Option<&Person>> = persons.iter().map(Some).collect();
        find_duplicate_persons(&refs)
            .into_iter()
            .map(|p| (p.a, p.b, p.reasons.iter().map(|r| r.as_str()).collect()))
            .collect()
    }

    #[test]
    fn the_same_dni_with_and_without_dashes() {
        let found = find(&[
            person("Ana", "Peña", None, Some("0801-1990-12345")),
            person("Carlos", "Reyes", None, None),
            person("ANA", "PENA", None, Some("0801199012345")),
        ]);
        assert_eq!(found, [(0, 2, vec!["same_document", "similar_name"])]);
    }

    #[test]
    fn placeholders_of_every_kind_link_nobody() {
        // Each passes (or nearly passes) its kind's checks; unrelated people share it.
        for (kind, number) in [
            ("sv_dui", "00000000-0"),
            ("sv_dui", "11111111-6"),
            ("hn_dni", "0000-0000-00000"),
            ("gt_dpi", "0000000000101"),
            ("hn_passport", "A0000000"),
            ("mx_curp", "XEXX010101HNEXXXA4"),
        ] {
            let with = |given: &str, surnames: &str| {
                let mut p = person(given, surnames, None, None);
                p.documents.push(IdentityDocument {
                    kind: kind.to_owned(),
                    number: number.to_owned(),
                });
                p
            };
            let found = find(&[with("Ana", "Peña"), with("Juan", "Zelaya")]);
            assert!(found.is_empty(), "{kind} {number}: {found:?}");
        }
        // A real DUI still links.
        let dui = |given: &str| {
            let mut p = person(given, "Peña", None, None);
            p.documents.push(IdentityDocument {
                kind: "sv_dui".to_owned(),
                number: "04567890-3".to_owned(),
            });
            p
        };
        assert_eq!(find(&[dui("Ana"), dui("Juan")]).len(), 1);
    }

    #[test]
    fn the_same_name_without_accents_and_birth_date() {
        let persons = [
            person("José Luis", "Hernández López", Some("1988-02-03"), None),
            person("JOSE LUIS", "HERNANDEZ LOPEZ", Some("1988-02-03"), None),
            person("José Luis", "Hernández López", Some("1990-05-06"), None),
        ];
        assert_eq!(find(&persons), [(0, 1, vec!["same_name_and_birth_date"])]);
        let refs: Vec<Option<&Person>> = persons.iter().map(Some).collect();
        assert_eq!(find_duplicate_persons(&refs)[0].score, 0.95);
    }

    #[test]
    fn near_names_with_a_missing_birth_date() {
        let found = find(&[
            person("María Fernanda", "Castillo Mejía", Some("1979-11-30"), None),
            person("Maria Fernanda", "Castilo Mejia", None, None),
            person("Marta", "Pérez", None, None),
        ]);
        assert_eq!(found, [(0, 1, vec!["similar_name"])]);
    }

    #[test]
    fn different_birth_dates_contradict_a_similar_name() {
        let found = find(&[
            person("Pedro", "Martínez", Some("1970-01-01"), None),
            person("Pedro", "Martinez", Some("1985-01-01"), None),
        ]);
        assert!(found.is_empty());
    }

    #[test]
    fn the_same_document_with_another_name_scores_lower() {
        let persons = [
            person("Rosa", "Amaya", None, Some("0501-1980-00012")),
            person("Juan", "Zelaya", None, Some("0501 1980 00012")),
        ];
        let refs: Vec<Option<&Person>> = persons.iter().map(Some).collect();
        let pairs = find_duplicate_persons(&refs);
        assert_eq!(pairs.len(), 1);
        assert_eq!(pairs[0].reasons, [DuplicateReason::SameDocument]);
        assert_eq!(pairs[0].score, 0.9);
    }

    #[test]
    fn intakes_compare_their_nationals_only() {
        let intake = |national: &str, relative: &str| {
            let json = format!(
                r#"{{"opened_on": "2026-01-05", "persons": [
                    {{"role": "relative", "relationship": "parent", "given_names": "{relative}",
                      "surnames": "Banegas", "birth_date": "1970-01-01"}},
                    {{"role": "national", "given_names": "{national}", "surnames": "Banegas",
                      "birth_date": "2001-04-04"}}]}}"#
            );
            crate::validation::parse_intake(&json, crate::Locale::Es).unwrap()
        };
        let mut no_national = intake("Lucía", "Rosa");
        no_national.persons.truncate(1);
        // The same mother in both cases, two different children: not a duplicate.
        let intakes = [
            intake("Lucía", "Rosa"),
            intake("Pedro", "Rosa"),
            no_national,
            intake("LUCIA", "Marta"),
        ];
        let pairs = find_duplicates(&intakes);
        assert_eq!(pairs.len(), 1);
        assert_eq!((pairs[0].a, pairs[0].b), (0, 3));
        assert!(find_duplicate_persons(&[None, None]).is_empty());
    }

    #[test]
    fn placeholder_and_invalid_numbers_link_nobody() {
        let found = find(&[
            person("Rosa", "Amaya", None, Some("0000-0000-00000")),
            person("Juan", "Zelaya", None, Some("0000000000000")),
            person("Marta", "Cruz", None, Some("1901-1990-12345")),
            person("Pedro", "Lagos", None, Some("1901 1990 12345")),
        ]);
        assert!(found.is_empty());
    }

    #[test]
    fn a_huge_block_costs_linear_work() {
        // Thousands of rows with the same default birth date and the same document.
        let persons: Vec<Person> = (0..5000)
            .map(|i| {
                let given = format!("Ana{i}");
                person(&given, "Uno", Some("1900-01-01"), Some("0101-1990-00001"))
            })
            .collect();
        let refs: Vec<Option<&Person>> = persons.iter().map(Some).collect();
        let pairs = find_duplicate_persons(&refs);
        assert!(pairs.len() <= 5000 * WINDOW);
        assert!(pairs.len() >= 4999);
    }

    #[test]
    fn the_threshold_examples_hold() {
        let jw = strsim::jaro_winkler;
        assert!(jw("jose luis hernandez", "jose luis hernandes") >= SIMILAR_NAME_THRESHOLD);
        assert!(jw("maria lopez", "mario lopez") >= SIMILAR_NAME_THRESHOLD);
        assert!(jw("maria lopez", "marta perez") < SIMILAR_NAME_THRESHOLD);
    }

    #[test]
    fn clusters_are_transitive() {
        let pair = |a, b| DuplicatePair {
            a,
            b,
            score: 1.0,
            reasons: vec![DuplicateReason::SameDocument],
        };
        assert_eq!(
            clusters(&[pair(0, 3), pair(3, 7), pair(1, 2)]),
            [vec![0, 3, 7], vec![1, 2]]
        );
    }
}

#[cfg(test)]
mod props {
    use proptest::prelude::*;

    use super::*;
    use crate::person::{IdentityDocument, PersonRole};

    fn person() -> impl Strategy<Value = Option<Person>> {
        let name = prop_oneof![
            Just("Ana".to_owned()),
            Just("ANA".to_owned()),
            Just("Ána".to_owned()),
            "[A-Za-zñÑáé ]{0,12}",
            any::<String>(),
        ];
        let surnames = prop_oneof![
            Just("Peña".to_owned()),
            Just("PENA".to_owned()),
            Just("Pena Lopez".to_owned()),
            "[A-Za-z' -]{0,12}",
        ];
        let birth = prop_oneof![Just(None), (0u32..3).prop_map(Some)];
        let doc = prop_oneof![
            Just(None),
            Just(Some(("hn_dni", "0801-1990-12345"))),
            Just(Some(("hn_dni", "0801199012345"))),
            Just(Some(("sv_dui", "00000000-0"))),
            Just(Some(("nope", "x"))),
        ];
        (name, surnames, birth, doc, any::<bool>()).prop_map(|(g, s, b, d, present)| {
            present.then(|| Person {
                role: PersonRole::National,
                relationship: None,
                given_names: g,
                surnames: s,
                birth_date: b.and_then(|d| NaiveDate::from_ymd_opt(1990, 1, 1 + d)),
                sex: None,
                nationality: None,
                documents: d
                    .map(|(k, n)| IdentityDocument {
                        kind: k.to_owned(),
                        number: n.to_owned(),
                    })
                    .into_iter()
                    .collect(),
                contacts: Vec::new(),
                locations: Vec::new(),
            })
        })
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(500))]

        #[test]
        fn pairs_are_ordered_unique_and_never_a_record_with_itself(
            persons in proptest::collection::vec(person(), 0..30)
        ) {
            let refs: Vec<Option<&Person>> = persons.iter().map(Option::as_ref).collect();
            let pairs = find_duplicate_persons(&refs);
            for w in pairs.windows(2) {
                prop_assert!((w[0].a, w[0].b) < (w[1].a, w[1].b));
            }
            for p in &pairs {
                prop_assert!(p.a < p.b && p.b < persons.len());
                prop_assert!(!p.reasons.is_empty());
                prop_assert!((0.0..=1.0).contains(&p.score));
            }
        }

        #[test]
        fn reversing_the_input_finds_the_same_pairs(
            persons in proptest::collection::vec(person(), 0..30)
        ) {
            // Small inputs (under WINDOW records): every block fits in the window, so the result does
            // not depend on order.
            let n = persons.len();
            let refs: Vec<Option<&Person>> = persons.iter().map(Option::as_ref).collect();
            let reversed: Vec<Option<&Person>> = refs.iter().rev().copied().collect();
            let forward = find_duplicate_persons(&refs);
            let mut backward: Vec<(usize, usize, Vec<DuplicateReason>, u64)> = find_duplicate_persons(&reversed)
                .into_iter()
                .map(|p| {
                    let (a, b) = (n - 1 - p.b, n - 1 - p.a);
                    (a, b, p.reasons, p.score.to_bits())
                })
                .collect();
            backward.sort_by_key(|x| (x.0, x.1));
            let forward: Vec<(usize, usize, Vec<DuplicateReason>, u64)> = forward
                .into_iter()
                .map(|p| (p.a, p.b, p.reasons, p.score.to_bits()))
                .collect();
            prop_assert_eq!(forward, backward);
        }

        #[test]
        fn comparing_is_symmetric(a in person(), b in person()) {
            if let (Some(a), Some(b)) = (a, b) {
                let (ka, kb) = (Key::of(&a), Key::of(&b));
                let ab = compare(&ka, &kb);
                let ba = compare(&kb, &ka);
                prop_assert_eq!(ab.map(|(s, r)| (s.to_bits(), r)), ba.map(|(s, r)| (s.to_bits(), r)));
            }
        }
    }
}
