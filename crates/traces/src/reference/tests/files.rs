//! The shipped files, and what validation and parsing say about broken ones.

use super::shipped;
use crate::reference::{
    AuthorityKind, AuthorityRecord, Dataset, ReferenceData, ReferenceError, Sources, activity_codes,
};
use std::collections::HashSet;

#[test]
fn shipped_files_are_valid() {
    if let Err(e) = ReferenceData::shipped() {
        panic!("{e}");
    }
}

#[test]
fn shipped_countries_are_iso_3166_with_the_27_eu_members() {
    let data = shipped();
    let countries = &data.countries.countries;
    assert_eq!(countries.len(), 249);
    let eu: Vec<&str> = countries
        .iter()
        .filter(|c| c.eu_member)
        .map(|c| c.code.as_str())
        .collect();
    assert_eq!(eu.len(), 27, "{eu:?}");
    for code in ["SE", "DE", "FR", "GR", "HR", "CY"] {
        assert!(eu.contains(&code), "{code} is an EU member");
    }
    for code in ["GB", "NO", "CH", "US"] {
        assert!(!eu.contains(&code), "{code} is not an EU member");
    }
}

#[test]
fn shipped_taxonomy_has_what_importers_pick() {
    let data = shipped();
    let find = |code: &str| {
        data.activities.chapters.iter().find_map(|chapter| {
            chapter.sections.iter().find_map(|section| {
                section
                    .activities
                    .iter()
                    .find(|a| a.code == code)
                    .map(|a| (chapter, section, a))
            })
        })
    };
    let (chapter, _, eurpo) = find(activity_codes::EURPO).expect("EURPO");
    assert_eq!(chapter.name, "Plant health");
    assert_eq!(
        eurpo.name,
        "Professional operators referred to in Article 45(1)(l) IMSOC (EURPO)"
    );
    assert_eq!(eurpo.competence, "plant_health");
    let (_, _, eupo) = find(activity_codes::EUPO).expect("EUPO");
    assert_eq!(eupo.competence, "plant_health");
    let (chapter, section, rfl) = find(activity_codes::RFL).expect("RFL");
    assert_eq!(chapter.name, "Other");
    assert_eq!(
        section.name,
        "Responsible For the Load (Freight Forwarder) (RFL)"
    );
    assert_eq!(rfl.name, "Responsible for the load");
    for competence in [
        "food",
        "feed",
        "organic",
        "animal_by_products",
        "animal_health",
    ] {
        assert!(
            data.activities
                .chapters
                .iter()
                .flat_map(|c| &c.sections)
                .flat_map(|s| &s.activities)
                .any(|a| a.competence == competence),
            "an activity type needs {competence}"
        );
    }
}

#[test]
fn shipped_authorities_cover_the_member_states() {
    let data = shipped();
    let all = &data.authorities.authorities;
    let bcps: Vec<&AuthorityRecord> = all
        .iter()
        .filter(|a| a.kind == AuthorityKind::BorderControlPost)
        .collect();
    assert!((30..=60).contains(&bcps.len()), "{} BCPs", bcps.len());
    let arlanda = bcps.iter().find(|a| a.code == "SEARN4").expect("SEARN4");
    assert!(arlanda.competences.iter().any(|c| c == "plant_health"));
    let bcp_countries: HashSet<&str> = bcps.iter().map(|a| a.country.as_str()).collect();
    assert!(bcp_countries.len() >= 10, "{bcp_countries:?}");
    for country in [
        "SE", "DE", "FR", "NL", "BE", "ES", "IT", "IE", "DK", "FI", "AT", "PL",
    ] {
        for kind in [
            AuthorityKind::Phytosanitary,
            AuthorityKind::Veterinary,
            AuthorityKind::CentralCompetent,
            AuthorityKind::Customs,
        ] {
            assert!(
                all.iter().any(|a| a.country == country && a.kind == kind),
                "{country} has no {} authority",
                kind.as_str()
            );
        }
    }
    let phyto = all.iter().find(|a| a.code == "SE-PHYTO").expect("SE-PHYTO");
    assert_eq!(phyto.name, "Swedish Board of Agriculture – Plant health");
    assert_eq!(phyto.email, "plant-health@jordbruksverket.example");
    for a in all {
        assert!(a.email.ends_with(".example"), "{}: {}", a.code, a.email);
    }
}

// --- Validation -----------------------------------------------------------------------------

fn problems_of(sources: &Sources<'_>) -> Vec<String> {
    match ReferenceData::parse(sources) {
        Err(ReferenceError::Invalid { problems }) => problems,
        other => panic!("expected validation problems, got {other:?}"),
    }
}

#[test]
fn a_dangling_country_fails_validation_with_a_clear_message() {
    let authorities =
        Sources::SHIPPED
            .authorities
            .replacen("country = \"SE\"", "country = \"XX\"", 1);
    let sources = Sources {
        authorities: &authorities,
        ..Sources::SHIPPED
    };
    let problems = problems_of(&sources);
    assert_eq!(
        problems,
        ["authorities.toml: authority \"SEARN4\": country \"XX\" is not in countries.toml"]
    );
    let message = ReferenceData::parse(&sources)
        .expect_err("invalid")
        .to_string();
    assert!(
        message.starts_with("reference data files are invalid:\n  - authorities.toml"),
        "{message}"
    );
}

#[test]
fn every_problem_is_reported() {
    let competences = Sources::SHIPPED.competences.replace(
        "{ code = \"feed\", name = \"Feed\" }",
        "{ code = \"food\", name = \" \" }",
    );
    let activities = Sources::SHIPPED
        .activities
        .replace("code = \"RFL\", competence", "code = \"RFL2\", competence");
    let sources = Sources {
        competences: &competences,
        activities: &activities,
        ..Sources::SHIPPED
    };
    let problems = problems_of(&sources);
    for expected in [
        "competences.toml: competence code \"food\" appears more than once",
        "competences.toml: competence \"food\" has no name",
        "activities.toml: activity type \"FEED-ADD\": competence \"feed\" is not in competences.toml",
        "activities.toml: activity type \"RFL\" is missing (code relies on it)",
        "authorities.toml: authority \"SEARN4\": competence \"feed\" is not in competences.toml",
    ] {
        assert!(
            problems.iter().any(|p| p == expected),
            "{expected}\nin {problems:#?}"
        );
    }
}

#[test]
fn a_bcp_without_the_competence_of_rfl_is_refused() {
    let authorities = Sources::SHIPPED.authorities.replacen(
        "\"organic\", \"border_control\"]",
        "\"organic\"]",
        1,
    );
    let sources = Sources {
        authorities: &authorities,
        ..Sources::SHIPPED
    };
    assert_eq!(
        problems_of(&sources),
        [
            "authorities.toml: border control post \"SEARN4\" lacks competence \"border_control\", \
          which activity type \"RFL\" needs"
        ]
    );
}

#[test]
fn syntax_errors_and_unknown_keys_name_the_file() {
    let authorities = Sources::SHIPPED
        .authorities
        .replacen("city = ", "town = ", 1);
    let sources = Sources {
        authorities: &authorities,
        ..Sources::SHIPPED
    };
    match ReferenceData::parse(&sources) {
        Err(ReferenceError::Syntax { file, message }) => {
            assert_eq!(file, "authorities.toml");
            assert!(message.contains("town"), "{message}");
        }
        other => panic!("expected a syntax error, got {other:?}"),
    }
    let kind = Sources::SHIPPED.authorities.replacen(
        "kind = \"border_control_post\"",
        "kind = \"harbour\"",
        1,
    );
    let sources = Sources {
        authorities: &kind,
        ..Sources::SHIPPED
    };
    assert!(matches!(
        ReferenceData::parse(&sources),
        Err(ReferenceError::Syntax {
            file: "authorities.toml",
            ..
        })
    ));
}

#[test]
fn comments_and_layout_do_not_change_the_checksum() {
    let data = shipped();
    let countries = format!("# a new comment\n{}\n\n", Sources::SHIPPED.countries);
    let reformatted = ReferenceData::parse(&Sources {
        countries: &countries,
        ..Sources::SHIPPED
    })
    .expect("valid");
    let stamp = |d: &ReferenceData| d.stamp(Dataset::Countries).expect("stamp");
    assert_eq!(stamp(&data), stamp(&reformatted));
    let mut renamed = data.clone();
    renamed.countries.countries[0].name.push('!');
    assert_ne!(stamp(&data).checksum, stamp(&renamed).checksum);
}
