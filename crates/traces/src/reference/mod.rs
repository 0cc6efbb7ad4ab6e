//! The reference data (countries, competences, the activity taxonomy, authorities and Border
//! Control Posts) shipped as versioned data files under `crates/traces/reference/`, embedded
//! in the binary and loaded into the database at start when their version or content
//! changed (docs/reference-data.md).
//!
//! `files` holds the typed records and parsing, `validate` the rules between files, `load`
//! decides what to write and runs the transaction, `sync` writes the rows. Reading the loaded
//! data is `store::reference`.

mod files;
mod load;
mod sync;
mod validate;

#[cfg(test)]
mod tests;

pub use files::{
    ActivitiesFile, ActivityTypeRecord, AuthoritiesFile, AuthorityKind, AuthorityRecord,
    ChapterRecord, CompetenceRecord, CompetencesFile, CountriesFile, CountryRecord, Dataset,
    ReferenceData, SectionRecord, Sources, Stamp,
};
pub use load::{Changes, DatasetReport, LoadReport, Outcome, load, load_shipped};

/// Activity type codes that code relies upon; the files must have them (validated).
pub mod activity_codes {
    /// Professional operators referred to in Article 45(1)(l) IMSOC: plant importers.
    pub const EURPO: &str = "EURPO";
    /// Professional operators other than those of Article 45(1)(l) IMSOC.
    pub const EUPO: &str = "EUPO";
    /// Responsible for the load (freight forwarder, or an importer without one). Its
    /// competence is held by every Border Control Post (validated).
    pub const RFL: &str = "RFL";

    /// Every code the rules rely on: these three and the importer activities of
    /// `domain::notifications` (a validation test checks the shipped files have them all).
    pub const REQUIRED: [&str; 7] = [
        EURPO,
        EUPO,
        RFL,
        crate::domain::notifications::FOOD_OF_NON_ANIMAL_ORIGIN_IMPORTER,
        crate::domain::notifications::FEED_IMPORTER,
        crate::domain::notifications::PRODUCTS_OF_ANIMAL_ORIGIN_IMPORTER,
        crate::domain::notifications::LIVE_ANIMALS_IMPORTER,
    ];
}

/// Why the reference data could not be loaded; the service refuses to start with it.
#[derive(Debug, thiserror::Error)]
pub enum ReferenceError {
    #[error("reference data file {file} cannot be parsed: {message}")]
    Syntax { file: &'static str, message: String },
    #[error("reference data files are invalid:\n  - {}", problems.join("\n  - "))]
    Invalid { problems: Vec<String> },
    #[error("reference data cannot be stored: {0}")]
    Database(#[from] infra::db::DbError),
}

impl From<diesel::result::Error> for ReferenceError {
    fn from(e: diesel::result::Error) -> ReferenceError {
        ReferenceError::Database(infra::db::DbError::Query(e))
    }
}
