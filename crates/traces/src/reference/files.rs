//! The reference data files as typed records: their TOML shape, the copies embedded in the
//! binary, and parsing. Unknown keys are refused, so a misspelt field fails at start instead
//! of being silently dropped.

use super::ReferenceError;
use serde::{Deserialize, Serialize};

/// The text of the four files; [`Sources::SHIPPED`] are the ones embedded in the binary.
#[derive(Debug, Clone, Copy)]
pub struct Sources<'a> {
    pub countries: &'a str,
    pub competences: &'a str,
    pub activities: &'a str,
    pub authorities: &'a str,
}

impl Sources<'static> {
    /// `crates/traces/reference/*.toml`, embedded at compile time.
    pub const SHIPPED: Sources<'static> = Sources {
        countries: include_str!("../../reference/countries.toml"),
        competences: include_str!("../../reference/competences.toml"),
        activities: include_str!("../../reference/activities.toml"),
        authorities: include_str!("../../reference/authorities.toml"),
    };
}

/// One reference dataset: one file, one row in `reference_datasets`. The order of
/// [`Dataset::ALL`] is the loading order (a dataset only refers to those before it).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Dataset {
    Countries,
    Competences,
    Activities,
    Authorities,
}

impl Dataset {
    pub const ALL: [Dataset; 4] = [
        Dataset::Countries,
        Dataset::Competences,
        Dataset::Activities,
        Dataset::Authorities,
    ];

    /// The name in `reference_datasets`.
    pub fn name(self) -> &'static str {
        match self {
            Dataset::Countries => "countries",
            Dataset::Competences => "competences",
            Dataset::Activities => "activities",
            Dataset::Authorities => "authorities",
        }
    }

    /// The file under `crates/traces/reference/`.
    pub fn file(self) -> &'static str {
        match self {
            Dataset::Countries => "countries.toml",
            Dataset::Competences => "competences.toml",
            Dataset::Activities => "activities.toml",
            Dataset::Authorities => "authorities.toml",
        }
    }
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct CountriesFile {
    pub version: i32,
    pub countries: Vec<CountryRecord>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct CountryRecord {
    /// ISO 3166-1 alpha-2.
    pub code: String,
    pub name: String,
    pub eu_member: bool,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct CompetencesFile {
    pub version: i32,
    pub competences: Vec<CompetenceRecord>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct CompetenceRecord {
    pub code: String,
    pub name: String,
}

/// The activity taxonomy: chapters → sections → activity types, in display order.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ActivitiesFile {
    pub version: i32,
    #[serde(rename = "chapter", default)]
    pub chapters: Vec<ChapterRecord>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ChapterRecord {
    pub code: String,
    pub name: String,
    #[serde(rename = "section", default)]
    pub sections: Vec<SectionRecord>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct SectionRecord {
    pub code: String,
    pub name: String,
    #[serde(default)]
    pub activities: Vec<ActivityTypeRecord>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ActivityTypeRecord {
    pub code: String,
    pub name: String,
    /// The competence an authority needs to be responsible for this activity.
    pub competence: String,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct AuthoritiesFile {
    pub version: i32,
    #[serde(rename = "authority", default)]
    pub authorities: Vec<AuthorityRecord>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct AuthorityRecord {
    pub code: String,
    pub kind: AuthorityKind,
    pub name: String,
    /// ISO 3166-1 alpha-2, a code of the countries file.
    pub country: String,
    #[serde(default)]
    pub city: String,
    #[serde(default)]
    pub email: String,
    /// Codes of the competences file.
    pub competences: Vec<String>,
}

/// What an authority is; stored as its snake_case name in `authorities.kind`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum AuthorityKind {
    BorderControlPost,
    Phytosanitary,
    Veterinary,
    CentralCompetent,
    Customs,
}

impl AuthorityKind {
    pub const ALL: [AuthorityKind; 5] = [
        AuthorityKind::BorderControlPost,
        AuthorityKind::Phytosanitary,
        AuthorityKind::Veterinary,
        AuthorityKind::CentralCompetent,
        AuthorityKind::Customs,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            AuthorityKind::BorderControlPost => "border_control_post",
            AuthorityKind::Phytosanitary => "phytosanitary",
            AuthorityKind::Veterinary => "veterinary",
            AuthorityKind::CentralCompetent => "central_competent",
            AuthorityKind::Customs => "customs",
        }
    }

    pub fn parse(text: &str) -> Option<AuthorityKind> {
        AuthorityKind::ALL.into_iter().find(|k| k.as_str() == text)
    }
}

/// All four files, parsed and validated together (they refer to each other).
#[derive(Debug, Clone, PartialEq)]
pub struct ReferenceData {
    pub countries: CountriesFile,
    pub competences: CompetencesFile,
    pub activities: ActivitiesFile,
    pub authorities: AuthoritiesFile,
}

/// What identifies the content of a dataset: its declared version and a checksum of its
/// records (not of the text: comments and layout do not count).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Stamp {
    pub version: i32,
    pub checksum: String,
}

impl ReferenceData {
    /// The files embedded in the binary, parsed and validated.
    pub fn shipped() -> Result<ReferenceData, ReferenceError> {
        ReferenceData::parse(&Sources::SHIPPED)
    }

    /// Parses the four files and validates them together.
    pub fn parse(sources: &Sources<'_>) -> Result<ReferenceData, ReferenceError> {
        let data = ReferenceData {
            countries: parse_file(Dataset::Countries, sources.countries)?,
            competences: parse_file(Dataset::Competences, sources.competences)?,
            activities: parse_file(Dataset::Activities, sources.activities)?,
            authorities: parse_file(Dataset::Authorities, sources.authorities)?,
        };
        data.validate()?;
        Ok(data)
    }

    /// Checks what the types cannot: unique codes, references that resolve, names present
    /// (see `validate.rs`). Every problem found is reported, not just the first.
    pub fn validate(&self) -> Result<(), ReferenceError> {
        let problems = super::validate::problems(self);
        if problems.is_empty() {
            Ok(())
        } else {
            Err(ReferenceError::Invalid { problems })
        }
    }

    pub fn version(&self, dataset: Dataset) -> i32 {
        match dataset {
            Dataset::Countries => self.countries.version,
            Dataset::Competences => self.competences.version,
            Dataset::Activities => self.activities.version,
            Dataset::Authorities => self.authorities.version,
        }
    }

    /// The version and checksum of one dataset. The checksum is SHA-256 over the records
    /// serialised as JSON, so reformatting a file or editing its comments changes nothing.
    pub fn stamp(&self, dataset: Dataset) -> Result<Stamp, ReferenceError> {
        let json = match dataset {
            Dataset::Countries => serde_json::to_vec(&self.countries),
            Dataset::Competences => serde_json::to_vec(&self.competences),
            Dataset::Activities => serde_json::to_vec(&self.activities),
            Dataset::Authorities => serde_json::to_vec(&self.authorities),
        }
        .map_err(|e| ReferenceError::Syntax {
            file: dataset.file(),
            message: format!("cannot be serialised for its checksum: {e}"),
        })?;
        Ok(Stamp {
            version: self.version(dataset),
            checksum: infra::crypto::sha256_hex(&json),
        })
    }
}

fn parse_file<T: serde::de::DeserializeOwned>(
    dataset: Dataset,
    text: &str,
) -> Result<T, ReferenceError> {
    toml::from_str(text).map_err(|e| ReferenceError::Syntax {
        file: dataset.file(),
        message: e.to_string(),
    })
}
