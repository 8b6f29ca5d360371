//! Mexico: the *clave de elector* of the voter credential (credencial para votar, issued by the
//! Instituto Nacional Electoral, INE, formerly IFE).
//!
//! 18 characters:
//!
//! | position (0-based) | content |
//! |---|---|
//! | 0–5   | six letters: the first letter and the first internal consonant of the first surname, of the second surname and of the given name (`SANMIGUEL AGUILAR GERARDO` gives `SNAGGR`) |
//! | 6–11  | birth date `YYMMDD` |
//! | 12–13 | state of birth, the INE's numeric code `01`–`32` |
//! | 14    | sex: `H` (hombre), `M` (mujer), `X` (no binario) |
//! | 15–17 | three digits: a homonymy key the INE assigns (no published check digit) |
//!
//! What is certain and what is not (see also `packs/mx/README.md`):
//!
//! - The length, the letter/digit positions, the birth date and the sex are public and stable:
//!   they are errors when wrong.
//! - The INE publishes no check-digit algorithm for the last three digits: they are checked as
//!   digits only, so a mistyped digit there is not detected.
//! - The letters are derived from the names, but how the INE writes names beginning with a
//!   vowel, compound surnames, a missing second surname or `Ñ` is not published: any letter is
//!   accepted in positions 0–5, and `Ñ` is a character error.
//! - The state code of a Mexican born abroad is not published: a code outside `01`–`32` is a
//!   warning (`clave_elector.unknown_state`), not an error.
//! - `X` for sex follows the CURP rule ([`super::mx_curp`]); that the INE prints it on the
//!   credential is likely but not confirmed.

use super::{Alphabet, Prefix, Sink, ascii_string, compact_exact, number, scan_exact};

const LEN: usize = 18;

const PREFIX: Prefix = Prefix {
    bad_length: "clave_elector.bad_length",
    bad_characters: "clave_elector.bad_characters",
};

pub(super) fn check(value: &str, sink: &mut Sink<'_>) {
    let Some(c) = scan_exact::<LEN>(value, Alphabet::Alphanumeric, PREFIX, sink) else {
        return;
    };
    let part = |from: usize, to: usize| c.get(from..to).unwrap_or_default();
    let at = |i: usize| c.get(i).copied().unwrap_or(0);
    if !part(0, 6).iter().all(u8::is_ascii_uppercase) {
        sink.push("clave_elector.bad_letters");
    }
    if !super::mx_curp::real_date(part(6, 12), None) {
        sink.push("clave_elector.bad_date");
    }
    match number(part(12, 14)) {
        Some(1..=32) => {}
        Some(_) => sink.push("clave_elector.unknown_state"),
        None => sink.push("clave_elector.bad_state"),
    }
    if !matches!(at(14), b'H' | b'M' | b'X') {
        sink.push("clave_elector.bad_sex");
    }
    if number(part(15, 18)).is_none() {
        sink.push("clave_elector.bad_homonymy_key");
    }
}

pub(super) fn normalize(value: &str) -> Option<String> {
    compact_exact::<LEN>(value, Alphabet::Alphanumeric).map(|c| ascii_string(&c))
}

#[cfg(test)]
mod tests {
    use super::super::{DocumentKind, check_document, normalize_document};

    fn codes(value: &str) -> Vec<String> {
        check_document("mx_clave_elector", value)
            .into_iter()
            .map(|i| i.code)
            .collect()
    }

    #[test]
    fn valid_keys() {
        // Invented people: Gerardo Sanmiguel Aguilar, born 1998-03-05 in Colima (06);
        // María López Pérez, born 2000-02-29 (a leap day) in Jalisco (14).
        for v in [
            "SNAGGR98030506H500",
            "snaggr98030506h500",
            "SNAGGR 980305 06 H 500",
            "LPPRMR00022914M001",
            "LPPRMR00022914X001",
        ] {
            assert!(codes(v).is_empty(), "{v}: {:?}", codes(v));
        }
    }

    #[test]
    fn each_rule_fails_alone() {
        assert_eq!(codes("SNAGGR9803050H500"), ["clave_elector.bad_length"]);
        assert_eq!(codes("SNAGGR98030506H5000"), ["clave_elector.bad_length"]);
        assert_eq!(
            codes("SNAGG_98030506H500"),
            ["clave_elector.bad_characters"]
        );
        assert_eq!(
            codes("SNÑGGR98030506H500"),
            ["clave_elector.bad_characters"]
        );
        assert_eq!(codes("SNAGG198030506H500"), ["clave_elector.bad_letters"]);
        assert_eq!(codes("SNAGGR98023006H500"), ["clave_elector.bad_date"]); // 30 February
        assert_eq!(codes("SNAGGR98130506H500"), ["clave_elector.bad_date"]); // month 13
        assert_eq!(codes("SNAGGR9803050AH500"), ["clave_elector.bad_state"]);
        assert_eq!(codes("SNAGGR98030533H500"), ["clave_elector.unknown_state"]);
        assert_eq!(codes("SNAGGR98030500H500"), ["clave_elector.unknown_state"]);
        assert_eq!(codes("SNAGGR98030506F500"), ["clave_elector.bad_sex"]);
        assert_eq!(
            codes("SNAGGR98030506H50A"),
            ["clave_elector.bad_homonymy_key"]
        );
        assert_eq!(codes(""), ["document.empty"]);
    }

    #[test]
    fn an_unknown_state_is_only_a_warning() {
        let issues = check_document("mx_clave_elector", "SNAGGR98030587H500");
        assert_eq!(issues.len(), 1);
        assert_eq!(issues[0].severity, crate::issue::Severity::Warning);
    }

    #[test]
    fn normalisation() {
        let n = |v: &str| normalize_document(DocumentKind::MxClaveElector, v);
        assert_eq!(
            n("snaggr-980305-06-h-500").as_deref(),
            Some("SNAGGR98030506H500")
        );
        assert_eq!(n("SNAGGR98030506H50"), None);
        assert_eq!(
            n("SNAGGR98030506H500").and_then(|v| n(&v)).as_deref(),
            Some("SNAGGR98030506H500")
        );
    }
}
