//! Reading a legacy log: the CSV a spreadsheet exports, into numbered [`LegacyRow`]s.
//!
//! A migrated case's id is derived from its source and **row number** ([`legacy_case_id`]),
//! so the numbers must be the spreadsheet's: the header is row 1 and every record after it
//! counts, blank lines included, a cell that spans lines (quoted) counting once. That is how
//! Python's `csv.reader` numbers them with `enumerate(reader, start=2)`, and a log read here
//! or by a Python script that way gives every row the same number, and so every case the same
//! id: re-running a migration with the other reader imports nothing twice.
//!
//! The records are parsed by the `csv` crate (the Rust ecosystem's CSV reader, RFC 4180 plus
//! the loose line endings spreadsheets write); it skips blank lines, so the blank lines between
//! two records are counted from the bytes it skipped. Cells are mapped to the columns by the
//! header's names (trimmed, as a person would read them): extra columns are ignored, a short
//! row has blanks, a name repeated takes the row's last cell under it. A leading byte-order
//! mark is dropped (Excel writes one).
//!
//! [`legacy_case_id`]: super::legacy_case_id

use super::{COLUMNS, FILES_COLUMN, LegacyRow};

/// Why a log could not be read. Never holds a cell's text.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum LogError {
    /// The header lacks some of the documented columns (their names).
    #[error("the header lacks the log's columns: {}", .0.join(", "))]
    MissingColumns(Vec<&'static str>),
    /// A row is not UTF-8 text (the spreadsheet was exported in another encoding).
    #[error("row {row} is not UTF-8 text: export the spreadsheet as CSV UTF-8")]
    NotUtf8 {
        /// The row, numbered as the spreadsheet numbers it.
        row: u64,
    },
    /// The file could not be read as CSV.
    #[error("row {row} could not be read as CSV")]
    Malformed {
        /// The row, numbered as the spreadsheet numbers it.
        row: u64,
    },
}

impl LogError {
    /// The stable machine code: `legacy.missing_columns`, `legacy.not_utf8` or
    /// `legacy.malformed_csv`.
    pub fn code(&self) -> &'static str {
        match self {
            LogError::MissingColumns(_) => "legacy.missing_columns",
            LogError::NotUtf8 { .. } => "legacy.not_utf8",
            LogError::Malformed { .. } => "legacy.malformed_csv",
        }
    }
}

/// The data rows of a log (the CSV's bytes), each with its spreadsheet row number (the header
/// is row 1), blank rows included as blank [`LegacyRow`]s.
pub fn read_log(bytes: &[u8]) -> Result<Vec<(u64, LegacyRow)>, LogError> {
    let bytes = bytes.strip_prefix("\u{feff}".as_bytes()).unwrap_or(bytes);
    let mut reader = csv::ReaderBuilder::new()
        .has_headers(false)
        .flexible(true)
        .from_reader(bytes);
    let mut record = csv::ByteRecord::new();
    let mut row = 1;
    // The header: row 1, unless blank lines come first (then the header row is blank).
    let read = reader
        .read_byte_record(&mut record)
        .map_err(|_| LogError::Malformed { row })?;
    if !read || blank_lines(bytes, 0) > 0 {
        return Err(LogError::MissingColumns(COLUMNS.to_vec()));
    }
    let mut end = consumed(&reader);
    let header = text(&record, row)?;
    let header: Vec<&str> = header.iter().map(|h| h.trim()).collect();
    let missing: Vec<&'static str> = COLUMNS
        .iter()
        .copied()
        .filter(|c| !header.contains(c))
        .collect();
    if !missing.is_empty() {
        return Err(LogError::MissingColumns(missing));
    }
    // For each cell position, the column it fills (the optional files column after the
    // documented ones); cells are taken in order, so of a name repeated the last cell the row
    // has wins.
    let targets: Vec<Option<usize>> = header
        .iter()
        .map(|name| {
            COLUMNS
                .iter()
                .chain(std::iter::once(&FILES_COLUMN))
                .position(|c| c == name)
        })
        .collect();
    let mut rows = Vec::new();
    loop {
        let read = reader
            .read_byte_record(&mut record)
            .map_err(|_| LogError::Malformed { row: row + 1 })?;
        for _ in 0..blank_lines(bytes, end) {
            row += 1;
            rows.push((row, LegacyRow::default()));
        }
        if !read {
            break;
        }
        row += 1;
        end = consumed(&reader);
        let mut legacy = LegacyRow::default();
        for (cell, target) in text(&record, row)?.into_iter().zip(&targets) {
            if let Some(slot) = target.and_then(|t| legacy.cell_mut(t)) {
                *slot = cell.to_owned();
            }
        }
        rows.push((row, legacy));
    }
    Ok(rows)
}

/// Where the reader stands: the end of the record it just read (possibly inside its line
/// ending).
fn consumed(reader: &csv::Reader<&[u8]>) -> usize {
    usize::try_from(reader.position().byte()).unwrap_or(usize::MAX)
}

/// The cells of `record` as text.
fn text(record: &csv::ByteRecord, row: u64) -> Result<Vec<&str>, LogError> {
    record
        .iter()
        .map(|cell| std::str::from_utf8(cell).map_err(|_| LogError::NotUtf8 { row }))
        .collect()
}

/// How many blank lines the reader skipped from `at` (0, or where the last record it read
/// ended, possibly inside its line ending) to the next record or the end.
fn blank_lines(bytes: &[u8], at: usize) -> usize {
    let mut i = at;
    // The reader stops between the `\r` and `\n` of a record's CRLF ending.
    if i > 0 && bytes.get(i - 1) == Some(&b'\r') && bytes.get(i) == Some(&b'\n') {
        i += 1;
    }
    let mut lines = 0;
    while let Some(&b) = bytes.get(i) {
        match b {
            b'\r' if bytes.get(i + 1) == Some(&b'\n') => i += 2,
            b'\r' | b'\n' => i += 1,
            _ => break,
        }
        lines += 1;
    }
    lines
}

#[cfg(test)]
mod tests {
    use super::*;

    const HEADER: &str = "No.,Fecha,Consulado,Tipo de caso,Nombre completo,Identidad,\
        Fecha de nacimiento,Sexo,Teléfono,Correo,País,Lugar,Observaciones";

    fn numbers(rows: &[(u64, LegacyRow)]) -> Vec<(u64, String)> {
        rows.iter().map(|(n, r)| (*n, r.number.clone())).collect()
    }

    #[test]
    fn rows_are_numbered_as_a_spreadsheet_numbers_them() {
        let csv = format!("\u{feff}{HEADER}\n\n1,a\r\n\r\n\r\n2,\"two\nlines\"\n\n\r3\n 4\n\n");
        let rows = read_log(csv.as_bytes()).unwrap();
        let expected: Vec<(u64, String)> = [
            (2, ""),
            (3, "1"),
            (4, ""),
            (5, ""),
            (6, "2"),
            (7, ""),
            (8, ""),
            (9, "3"),
            (10, " 4"),
            (11, ""),
        ]
        .iter()
        .map(|(n, s)| (*n, s.to_string()))
        .collect();
        assert_eq!(numbers(&rows), expected);
        assert_eq!(rows[4].1.opened_on, "two\nlines");
    }

    #[test]
    fn cells_follow_the_header_names() {
        let csv = " Observaciones ,Extra,No.,Fecha,Consulado,Tipo de caso,Nombre completo,Identidad,\
            Fecha de nacimiento,Sexo,Teléfono,Correo,País,Lugar,No.\n\
            nota,x,1,2024-01-02,c,t,N,I,B,S,T,E,P,L,7,extra cell\nshort";
        let rows = read_log(csv.as_bytes()).unwrap();
        let (n, row) = &rows[0];
        assert_eq!(*n, 2);
        assert_eq!(row.notes, "nota");
        assert_eq!(row.number, "7", "a repeated column takes the last cell");
        assert_eq!(row.place, "L");
        assert_eq!(rows[1].1.notes, "short");
        assert_eq!(rows[1].1.full_name, "");
        let short = format!("{}\nn,x,9\n", csv.lines().next().unwrap());
        assert_eq!(
            read_log(short.as_bytes()).unwrap()[0].1.number,
            "9",
            "a row that stops before the repeated column's last cell keeps its first"
        );
    }

    #[test]
    fn columns_are_the_rows_serde_names() {
        let mut row = LegacyRow::default();
        for i in 0..COLUMNS.len() {
            *row.cell_mut(i).unwrap() = format!("cell {i}");
        }
        let json = serde_json::to_value(&row).unwrap();
        for (i, column) in COLUMNS.iter().enumerate() {
            assert_eq!(json[column], format!("cell {i}"));
        }
        *row.cell_mut(COLUMNS.len()).unwrap() = "scan.pdf".into();
        assert_eq!(
            serde_json::to_value(&row).unwrap()[FILES_COLUMN],
            "scan.pdf"
        );
        assert!(row.cell_mut(COLUMNS.len() + 1).is_none());
    }

    #[test]
    fn bad_files_are_typed_errors() {
        let missing = read_log(b"No.,Fecha\n1,2\n").unwrap_err();
        assert_eq!(missing.code(), "legacy.missing_columns");
        assert!(missing.to_string().contains("Consulado"));
        assert_eq!(read_log(b"").unwrap_err().code(), "legacy.missing_columns");
        assert_eq!(
            read_log(format!("\n{HEADER}\n").as_bytes())
                .unwrap_err()
                .code(),
            "legacy.missing_columns"
        );
        let latin1 = [HEADER.as_bytes(), b"\n1\n2,Jos\xe9\n"].concat();
        assert_eq!(read_log(&latin1).unwrap_err(), LogError::NotUtf8 { row: 3 });
    }
}
