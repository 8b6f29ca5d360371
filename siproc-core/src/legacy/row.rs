//! One row of a legacy log ([`LegacyRow`]) in the log's documented [`COLUMNS`].

use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

/// One row of a legacy log, as text, in the documented columns (named as in the log's header).
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
pub struct LegacyRow {
    /// `No.`: the log's own number.
    #[serde(rename = "No.", default)]
    pub number: String,
    /// `Fecha`: the day the case was opened.
    #[serde(rename = "Fecha", default)]
    pub opened_on: String,
    /// `Consulado`: the office, as written.
    #[serde(rename = "Consulado", default)]
    pub office: String,
    /// `Tipo de caso`: the case type, as written.
    #[serde(rename = "Tipo de caso", default)]
    pub category: String,
    /// `Nombre completo`: `GIVEN NAMES SURNAMES` or `SURNAMES, GIVEN NAMES`.
    #[serde(rename = "Nombre completo", default)]
    pub full_name: String,
    /// `Identidad`: a national identity number (with or without separators) or, starting
    /// with a letter, a passport number.
    #[serde(rename = "Identidad", default)]
    pub identity: String,
    /// `Fecha de nacimiento`.
    #[serde(rename = "Fecha de nacimiento", default)]
    pub birth_date: String,
    /// `Sexo`.
    #[serde(rename = "Sexo", default)]
    pub sex: String,
    /// `Teléfono`.
    #[serde(rename = "Teléfono", default)]
    pub phone: String,
    /// `Correo`.
    #[serde(rename = "Correo", default)]
    pub email: String,
    /// `País`: the country the national is in.
    #[serde(rename = "País", default)]
    pub country: String,
    /// `Lugar`: the place (a detention centre, a hospital, a city).
    #[serde(rename = "Lugar", default)]
    pub place: String,
    /// `Observaciones`: free-text notes, kept as the case's first note.
    #[serde(rename = "Observaciones", default)]
    pub notes: String,
    /// `Archivos` ([`FILES_COLUMN`], optional): the names of the row's files, relative to the
    /// log's folder, separated by `;` or line breaks (attached by
    /// `legacy::import_with_files`, feature `attachments`).
    #[serde(rename = "Archivos", default)]
    pub files: String,
}

/// The optional column of a legacy log that names the row's files (scans of the paper file,
/// photos), relative to the log's folder.
pub const FILES_COLUMN: &str = "Archivos";

/// The documented columns of a legacy log, as its header names them, in [`LegacyRow`]'s order.
pub const COLUMNS: [&str; 13] = [
    "No.",
    "Fecha",
    "Consulado",
    "Tipo de caso",
    "Nombre completo",
    "Identidad",
    "Fecha de nacimiento",
    "Sexo",
    "Teléfono",
    "Correo",
    "País",
    "Lugar",
    "Observaciones",
];

impl LegacyRow {
    /// The cell of the column `COLUMNS[i]`, or of [`FILES_COLUMN`] for `i` = `COLUMNS.len()`.
    pub(super) fn cell_mut(&mut self, i: usize) -> Option<&mut String> {
        Some(match i {
            0 => &mut self.number,
            1 => &mut self.opened_on,
            2 => &mut self.office,
            3 => &mut self.category,
            4 => &mut self.full_name,
            5 => &mut self.identity,
            6 => &mut self.birth_date,
            7 => &mut self.sex,
            8 => &mut self.phone,
            9 => &mut self.email,
            10 => &mut self.country,
            11 => &mut self.place,
            12 => &mut self.notes,
            13 => &mut self.files,
            _ => return None,
        })
    }

    /// The cells, in [`COLUMNS`] order (the files column apart).
    pub fn cells(&self) -> [&str; 13] {
        [
            &self.number,
            &self.opened_on,
            &self.office,
            &self.category,
            &self.full_name,
            &self.identity,
            &self.birth_date,
            &self.sex,
            &self.phone,
            &self.email,
            &self.country,
            &self.place,
            &self.notes,
        ]
    }

    /// Whether every cell is blank.
    pub fn is_blank(&self) -> bool {
        self.cells().iter().all(|c| c.trim().is_empty())
    }
}
