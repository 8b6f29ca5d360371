//! Phone numbers, parsed, validated and written in E.164 with libphonenumber's rules and metadata
//! (through [`rlibphonenumber`], a port of Google's library checked against it by differential
//! fuzzing).
//!
//! libphonenumber describes every numbering plan with regular expressions. With the default
//! feature `fast` they run on the `regex` crate; without it on `regex-lite`, whose engine is much
//! smaller and about ten times slower: the WebAssembly package builds that way for its download
//! size. The verdicts are the same either way.

use std::str::FromStr;

use rlibphonenumber::{PhoneNumber, PhoneNumberFormat, Region};

/// The longest text read as a phone number; longer ones are not numbers (and are not parsed).
const MAX_LEN: usize = 64;

/// Parses a phone number and keeps it only when it is a valid number of its country. Numbers
/// without a `+` prefix are read in `region` (ISO 3166-1 alpha-2, upper case).
pub(crate) fn parse(value: &str, region: Option<&str>) -> Option<PhoneNumber> {
    if value.len() > MAX_LEN {
        return None;
    }
    let region = region.and_then(|r| Region::from_str(r).ok());
    let number = PhoneNumber::parse(value, region).ok()?;
    number.is_valid().then_some(number)
}

/// Parses a phone number with libphonenumber's rules and returns it in E.164 (`+13055550100`).
/// Numbers without a `+` prefix are read in `region` (ISO 3166-1 alpha-2). `None` when the
/// number is not a valid number.
///
/// ```
/// use siproc_core::normalize_phone;
///
/// assert_eq!(normalize_phone("9999-1234", Some("HN")).as_deref(), Some("+50499991234"));
/// assert_eq!(normalize_phone("+1 (713) 555-0142", None).as_deref(), Some("+17135550142"));
/// assert_eq!(normalize_phone("12", Some("HN")), None);
/// ```
pub fn normalize_phone(value: &str, region: Option<&str>) -> Option<String> {
    let number = parse(value, region)?;
    let e164 = number.format_as(PhoneNumberFormat::E164).to_string();
    // Kept only if the E.164 text reads back as itself. libphonenumber's rules accept a few
    // texts whose E.164 form they do not accept (fuzzing found `+810003 768*0812320LEFS`,
    // written `+8100376808123205337`: 19 digits where E.164 allows 15); such a text is not a
    // number, so that a normalised number always normalises to itself.
    let again = parse(&e164, None)?;
    (again.format_as(PhoneNumberFormat::E164) == e164).then_some(e164)
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    #[test]
    fn national_numbers_are_read_in_their_region() {
        assert_eq!(
            normalize_phone("55 1234 5678", Some("MX")).as_deref(),
            Some("+525512345678")
        );
        assert_eq!(
            normalize_phone("7012 3456", Some("SV")).as_deref(),
            Some("+50370123456")
        );
        // Without a region, a national number cannot be placed.
        assert_eq!(normalize_phone("9999-1234", None), None);
    }

    #[test]
    fn unknown_regions_and_hostile_text_are_not_numbers() {
        assert_eq!(normalize_phone("9999-1234", Some("ZZ")), None);
        assert_eq!(normalize_phone("9999-1234", Some("honduras")), None);
        assert_eq!(normalize_phone(&"9".repeat(65), Some("HN")), None);
        assert_eq!(normalize_phone("+504 9999\u{0}1234", None), None);
        assert_eq!(normalize_phone("", Some("HN")), None);
        assert_eq!(normalize_phone("+", None), None);
    }

    /// Fuzzing's finding (`normalise`): a text libphonenumber's rules take for a valid number
    /// whose E.164 form is not one. Every region the target tries gives no number.
    #[test]
    fn a_number_whose_e164_form_does_not_read_back_is_not_a_number() {
        let regions = [
            None,
            Some("HN"),
            Some("MX"),
            Some("US"),
            Some("ES"),
            Some("XX"),
        ];
        for region in regions {
            let normal = normalize_phone("+810003 768*0812320LEFS", region);
            assert_eq!(normal, None, "{region:?}");
        }
    }

    /// Text that looks like phone numbers, half-typed or hostile: digits of several scripts, the
    /// punctuation and extension words libphonenumber reads, letters, controls.
    fn phone_like() -> impl Strategy<Value = String> {
        let piece = prop_oneof![
            "[0-9]{1,4}",
            Just("+".to_owned()),
            Just("00".to_owned()),
            "[ ().\\-/]",
            Just(" ext. ".to_owned()),
            Just(";ext=".to_owned()),
            Just(" anexo ".to_owned()),
            Just(" доб ".to_owned()),
            "[٠-٩０-９]{1,3}",
            "[A-Za-z]{1,3}",
            any::<char>().prop_map(String::from),
        ];
        proptest::collection::vec(piece, 0..12).prop_map(|parts| parts.concat())
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(3000))]

        #[test]
        fn never_panics_and_e164_is_a_fixed_point(
            value in phone_like(),
            region in proptest::option::of(prop_oneof![
                Just("HN".to_owned()), Just("US".to_owned()), Just("MX".to_owned()), "[A-Z]{2}", "\\PC{0,3}",
            ]),
        ) {
            if let Some(e164) = normalize_phone(&value, region.as_deref()) {
                prop_assert!(e164.starts_with('+') && e164[1..].bytes().all(|b| b.is_ascii_digit()), "{}", e164);
                // A number written in E.164 reads back as itself, without a region.
                let again = normalize_phone(&e164, None);
                prop_assert_eq!(again.as_deref(), Some(e164.as_str()));
            }
        }
    }
}
