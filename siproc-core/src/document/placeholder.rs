//! Placeholders: numbers typed where the real one was unknown.
//!
//! Legacy spreadsheets and hurried intakes fill a required document number with zeros, nines or
//! a generic number. Some of them even pass their kind's checks (`00000000-0` is a DUI with a
//! correct check digit), and two unrelated people who share one would be linked as duplicates.
//! A placeholder gets the warning `document.placeholder` and links nobody
//! ([`crate::duplicates`]).
//!
//! A number is a placeholder when the part that tells people apart (its serial, check digits
//! and place codes aside) is one repeated character:
//!
//! | kind          | serial                                   | placeholders, for example |
//! |---------------|------------------------------------------|---------------------------|
//! | `hn_dni`      | all 13 digits                            | `0000-0000-00000`, `9999-9999-99999` |
//! | `hn_passport` | the digits after the letter              | `A0000000`, `X1111111` |
//! | `sv_dui`      | the 8 digits before the check digit      | `00000000-0`, `11111111-6` |
//! | `gt_dpi`      | the 8 digits before the check digit      | `0000000000101` |
//! | `mrz_td3`     | the document number (line 2, 1–9)        | `<<<<<<<<<`, `000000000` |
//! | `mx_curp`     | the name letters (1, 3, 4 and 14–16) are all `X` | `XEXX010101HNEXXXA4` (the generic CURP of foreigners in Mexican payrolls) |
//! | `mx_clave_elector` | the six name letters (1–6)          | `XXXXXX900101090000` |
//!
//! Only numbers with their kind's shape ([`super::normalize_document`]) are looked at: a value
//! such as `NO TIENE` is already a shape error.

use super::{DocumentKind, normalize_document};

/// Whether `value`, a number of `kind`, is a placeholder (see the module documentation).
pub fn is_placeholder(kind: DocumentKind, value: &str) -> bool {
    let Some(number) = normalize_document(kind, value) else {
        return false;
    };
    let digits = || number.bytes().filter(u8::is_ascii_digit);
    match kind {
        DocumentKind::HnDni | DocumentKind::HnPassport => one_repeated(digits()),
        DocumentKind::SvDui | DocumentKind::GtDpi => one_repeated(digits().take(8)),
        DocumentKind::MrzTd3 => number
            .split('\n')
            .nth(1)
            .is_some_and(|line| one_repeated(line.bytes().take(9))),
        DocumentKind::MxCurp => [0, 2, 3, 13, 14, 15]
            .iter()
            .all(|&i| number.as_bytes().get(i) == Some(&b'X')),
        DocumentKind::MxClaveElector => one_repeated(number.bytes().take(6)),
    }
}

/// Whether `chars` holds at least one character and every one equals the first.
fn one_repeated(mut chars: impl Iterator<Item = u8>) -> bool {
    match chars.next() {
        Some(first) => chars.all(|c| c == first),
        None => false,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn placeholders_of_every_kind() {
        for (kind, value) in [
            (DocumentKind::HnDni, "0000-0000-00000"),
            (DocumentKind::HnDni, "9999 9999 99999"),
            (DocumentKind::HnPassport, "A0000000"),
            (DocumentKind::HnPassport, "x111111111"),
            (DocumentKind::SvDui, "00000000-0"),
            (DocumentKind::SvDui, "11111111-6"),
            (DocumentKind::GtDpi, "0000000000101"),
            (DocumentKind::GtDpi, "0000 00000 0000"),
            (DocumentKind::MxCurp, "XEXX010101HNEXXXA4"),
            (DocumentKind::MxCurp, "XEXX010101MNEXXXA4"),
            (DocumentKind::MxClaveElector, "XXXXXX900101090000"),
            (
                DocumentKind::MrzTd3,
                "P<HNDMEJIA<ANDINO<<KARLA<IVETH<<<<<<<<<<<<<<\n0000000000HND9001011F3001019<<<<<<<<<<<<<<06",
            ),
        ] {
            assert!(is_placeholder(kind, value), "{kind} {value}");
        }
        // Every kind has at least one placeholder above.
        assert_eq!(DocumentKind::ALL.len(), 7);
    }

    #[test]
    fn real_numbers_are_not_placeholders() {
        for (kind, value) in [
            (DocumentKind::HnDni, "0801-1990-12345"),
            (DocumentKind::HnDni, "1111-1111-11112"),
            (DocumentKind::HnPassport, "E1234567"),
            (DocumentKind::SvDui, "04567890-3"),
            (DocumentKind::SvDui, "00000001-8"),
            (DocumentKind::GtDpi, "2435123450101"),
            (DocumentKind::MxCurp, "PEGJ850315HJCRRN06"),
            (DocumentKind::MxCurp, "XIXA850315HNEXXX09"),
            (DocumentKind::MxClaveElector, "SNAGGR90010109H123"),
            (DocumentKind::MrzTd3, "not an mrz"),
            (DocumentKind::SvDui, "NO TIENE"),
            (DocumentKind::SvDui, ""),
        ] {
            assert!(!is_placeholder(kind, value), "{kind} {value}");
        }
    }
}
