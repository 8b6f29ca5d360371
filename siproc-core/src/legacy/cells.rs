//! Reading one cell as consulates write it: text folded for look-ups, dates day first, full
//! names split into given names and surnames.

use std::collections::BTreeMap;

use chrono::{Datelike, Duration, NaiveDate};

use crate::names::fold_name;

/// Folds text for table look-ups: lower case, no accents, punctuation as single spaces
/// (`"CONSULADO  Tapachula, Chis."` → `"consulado tapachula chis"`).
pub fn fold(text: &str) -> String {
    fold_name(text)
}

/// Reads a date as consulates write them, day first: `2024-11-20`, `23-11-2020`, `11/7/1979`,
/// `14.03.2019`, `14-03-19`, `7 de marzo de 2021`, `14-mar-2019`, and Excel serial numbers.
/// A two-digit year is 20yy unless that is after `today`'s year, then 19yy. Returns the date
/// and the name of the format.
pub fn parse_date(
    text: &str,
    months: &BTreeMap<String, u32>,
    today: NaiveDate,
) -> Option<(NaiveDate, &'static str)> {
    let t = text.trim().to_lowercase();
    if t.is_empty() {
        return None;
    }
    let digits = |s: &str| !s.is_empty() && s.bytes().all(|b| b.is_ascii_digit());
    // An Excel serial number: days since 1899-12-30.
    if t.len() == 5 && digits(&t) {
        let days: i64 = t.parse().ok()?;
        let base = NaiveDate::from_ymd_opt(1899, 12, 30)?;
        return Some((
            base.checked_add_signed(Duration::days(days))?,
            "excel_serial",
        ));
    }
    let parts: Vec<&str> = t
        .split(['/', '-', '.', ' '])
        .filter(|p| !p.is_empty() && *p != "de" && *p != "del")
        .collect();
    let [a, b, c] = parts.as_slice() else {
        return None;
    };
    let year = |y: &str| -> Option<i32> {
        let n: i32 = y.parse().ok()?;
        match y.len() {
            4 => Some(n),
            2 => {
                let this = today.year();
                let century = this - this % 100;
                Some(if century + n > this {
                    century - 100 + n
                } else {
                    century + n
                })
            }
            _ => None,
        }
    };
    if a.len() == 4 && digits(a) && digits(b) && digits(c) {
        let date = NaiveDate::from_ymd_opt(a.parse().ok()?, b.parse().ok()?, c.parse().ok()?)?;
        return Some((date, "yyyy-mm-dd"));
    }
    if !digits(a) || a.len() > 2 || !digits(c) {
        return None;
    }
    let day: u32 = a.parse().ok()?;
    let (month, format) = if digits(b) && b.len() <= 2 {
        let sep = t.chars().find(|ch| matches!(ch, '/' | '-' | '.'))?;
        let format = match (sep, c.len()) {
            ('/', 4) => "d/m/yyyy",
            ('/', _) => "d/m/yy",
            ('-', 4) => "d-m-yyyy",
            ('-', _) => "d-m-yy",
            (_, 4) => "d.m.yyyy",
            _ => "d.m.yy",
        };
        (b.parse().ok()?, format)
    } else {
        let name = b.trim_end_matches('.');
        let format = if t.contains(" de ") {
            "d de mes de yyyy"
        } else {
            "d-mes-yyyy"
        };
        (*months.get(name)?, format)
    };
    let date = NaiveDate::from_ymd_opt(year(c)?, month, day)?;
    Some((date, format))
}

/// (given names, surnames) from a full name: `SURNAMES, GIVEN NAMES`, or `GIVEN NAMES SURNAMES`
/// where the last two words are the surnames (one when there are two or three words in all).
/// Text in parentheses or after a `/`, and digits, are notes, not name.
pub fn split_name(text: &str) -> (String, String) {
    let mut clean = String::with_capacity(text.len());
    let mut depth = 0u32;
    for ch in text.split('/').next().unwrap_or_default().chars() {
        match ch {
            '(' => depth += 1,
            ')' => depth = depth.saturating_sub(1),
            c if depth == 0 && !c.is_ascii_digit() => clean.push(c),
            _ => {}
        }
    }
    if let Some((surnames, given)) = clean.split_once(',') {
        return (squash(given), squash(surnames));
    }
    let words: Vec<&str> = clean.split_whitespace().collect();
    let cut = match words.len() {
        0 | 1 => words.len(),
        2 | 3 => 1,
        n => n - 2,
    };
    let (given, surnames) = words.split_at(cut);
    (given.join(" "), surnames.join(" "))
}

fn squash(s: &str) -> String {
    s.split_whitespace().collect::<Vec<_>>().join(" ")
}
