//! Errors of the loaders: bad data names its file, line and field; database errors pass through.

use sea_orm::DbErr;

/// A problem with one field of one row, found while parsing (before the file name is known
/// to the parser, which works on bytes).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct FieldError {
    /// Line of the file where the row starts (1-based; the header is line 1 in CSV files).
    pub line: u64,
    /// The column or element that is wrong.
    pub field: String,
    /// What is wrong, quoting the value (``"`19x8` is not a year"``).
    pub problem: String,
}

impl FieldError {
    /// A problem with `field` on `line`.
    pub fn new(line: u64, field: impl Into<String>, problem: impl Into<String>) -> Self {
        Self { line, field: field.into(), problem: problem.into() }
    }

    /// The error as a message naming `file`, as in the run report.
    pub fn in_file(&self, file: &str) -> String {
        format!("{file} line {}, field `{}`: {}", self.line, self.field, self.problem)
    }
}

/// A problem that makes the whole file unreadable (not one row).
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum ParseError {
    /// One field of one row is wrong.
    Field(FieldError),
    /// The file as a whole is wrong (missing column, not CSV, not XML …).
    File(String),
}

impl From<FieldError> for ParseError {
    fn from(error: FieldError) -> Self {
        Self::Field(error)
    }
}

/// Why an import failed. Nothing was changed in the database when this is returned, except
/// the `import_run` row that records the failure.
#[derive(Debug, thiserror::Error)]
pub enum ImportError {
    /// A field of a row is wrong; `Display` names file, line and field.
    #[error("{file} line {line}, field `{field}`: {problem}")]
    BadField {
        /// The file's name.
        file: String,
        /// Line where the row starts.
        line: u64,
        /// The column or element.
        field: String,
        /// What is wrong, quoting the value.
        problem: String,
    },
    /// The file as a whole cannot be read as the dataset's format.
    #[error("{file}: {problem}")]
    BadFile {
        /// The file's name.
        file: String,
        /// What is wrong.
        problem: String,
    },
    /// The file could not be read from disk.
    #[error("cannot read {path}: {}", io_reason(.source))]
    Io {
        /// The path given.
        path: String,
        /// The cause.
        #[source]
        source: std::io::Error,
    },
    /// A dataset refers to rows another dataset provides, and those are missing.
    #[error("{dataset} needs {needs} imported first")]
    MissingPrerequisite {
        /// The dataset being imported.
        dataset: &'static str,
        /// The dataset it needs.
        needs: &'static str,
    },
    /// A dataset name that the crate does not know.
    #[error(
        "unknown dataset `{0}`; known: country-codes, blocs, sectors, iati-codelists, aiddata-gcof, desta, unctad-iia, \
         wb-class, wb-income-history, aiddata-tuff-qatar, aiddata-tuff-saudi-arabia, aiddata-brazil-abc, \
         iati-activities, yotov-trade, expert-roster"
    )]
    UnknownDataset(String),
    /// A file of the IATI code lists that names no list imported.
    #[error(
        "`{0}` is not one of the IATI code lists imported: FlowType.xml, AidType.xml, FinanceType.xml, \
         CollaborationType.xml, TiedStatus.xml, ActivityStatus.xml, TransactionType.xml"
    )]
    UnknownCodeList(String),
    /// The dataset has no bundled copy (an expert roster): import it from a file.
    #[error("{0} is not bundled: import it from a file")]
    NotBundled(&'static str),
    /// The storage under the database refused: the disk is full, the database is read-only,
    /// or its file cannot be opened. `Display` names the file.
    #[error(transparent)]
    Storage(#[from] crate::StorageError),
    /// The database refused a statement.
    #[error("database error: {0}")]
    Database(#[from] DbErr),
}

impl ImportError {
    /// Attaches the file name to a parse error.
    pub(crate) fn from_parse(file: &str, error: ParseError) -> Self {
        match error {
            ParseError::Field(field) => Self::from_field(file, field),
            ParseError::File(problem) => Self::BadFile { file: file.to_owned(), problem },
        }
    }

    /// Attaches the file name to a field error.
    pub(crate) fn from_field(file: &str, error: FieldError) -> Self {
        Self::BadField { file: file.to_owned(), line: error.line, field: error.field, problem: error.problem }
    }
}

/// What an I/O error on a path given by the user means, in words that say what to fix.
fn io_reason(error: &std::io::Error) -> String {
    use std::io::ErrorKind;
    match error.kind() {
        ErrorKind::NotFound => "it does not exist".to_owned(),
        ErrorKind::PermissionDenied => "permission denied: it is not readable by this user".to_owned(),
        ErrorKind::IsADirectory => "it is a directory; give the file".to_owned(),
        ErrorKind::NotADirectory => "a part of the path is not a directory".to_owned(),
        _ => error.to_string(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn bad_field_names_file_line_and_field() {
        let error = ImportError::from_field(
            "desta_list_of_treaties_02_02.txt",
            FieldError::new(17, "year", "`19x8` is not a year"),
        );
        assert_eq!(error.to_string(), "desta_list_of_treaties_02_02.txt line 17, field `year`: `19x8` is not a year");
    }
}
