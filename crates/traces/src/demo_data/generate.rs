//! Making the operators: a small deterministic random generator (SplitMix64, so the same seed
//! gives the same data on every machine without a dependency), and, per operator, its name,
//! addresses, identifiers (checked by `domain::identifiers` like typed ones), status and one
//! to three activities with their responsible authorities (of the operator's country, holding
//! the competence the activity type needs, as the operator form requires).
//!
//! Each operator draws from its own generator, seeded by the run's seed and its position, so
//! the data does not depend on how it is cut into batches.

use super::places::{COUNTRIES, City, Country, NAME_STEMS, NAME_TRADES, RegisterFormat};
use crate::domain::identifiers::{IdentifierKind, normalise_and_check};
use crate::store::operators::{NewAddressRecord, NewIdentifierRecord, NewOperatorRecord};
use std::collections::HashMap;
use time::{Date, Duration, OffsetDateTime};

/// SplitMix64 (Steele, Lea and Flood): tiny, fast, and good enough to spread test data.
#[derive(Debug, Clone)]
pub struct Rng(u64);

impl Rng {
    pub fn new(seed: u64) -> Rng {
        Rng(seed)
    }

    /// The generator of the operator at `position` in a run seeded with `seed`.
    pub fn for_operator(seed: u64, position: u64) -> Rng {
        let mut mixer = Rng(seed ^ position.wrapping_mul(0xA076_1D64_78BD_642F));
        Rng(mixer.next_u64())
    }

    pub fn next_u64(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }

    /// A number in `0..n` (0 when `n` is 0).
    pub fn below(&mut self, n: u64) -> u64 {
        if n == 0 { 0 } else { self.next_u64() % n }
    }

    /// True `percent` times out of a hundred.
    pub fn percent(&mut self, percent: u64) -> bool {
        self.below(100) < percent
    }

    /// One of `items`, or `None` when there is none.
    pub fn pick<'a, T>(&mut self, items: &'a [T]) -> Option<&'a T> {
        let len = u64::try_from(items.len()).unwrap_or(u64::MAX);
        items.get(usize::try_from(self.below(len)).unwrap_or(0))
    }

    /// A random (version 4) UUID made from this generator: deterministic ids.
    pub fn uuid(&mut self) -> String {
        let bytes = (u128::from(self.next_u64()) << 64 | u128::from(self.next_u64())).to_be_bytes();
        uuid::Builder::from_random_bytes(bytes)
            .into_uuid()
            .to_string()
    }

    /// `digits` decimal digits.
    pub fn digits(&mut self, digits: usize) -> String {
        (0..digits)
            .map(|_| char::from(b'0' + u8::try_from(self.below(10)).unwrap_or(0)))
            .collect()
    }
}

/// An activity type as the generator needs it.
#[derive(Debug, Clone)]
pub struct ActivityKind {
    pub code: String,
    pub competence: String,
}

/// An authority as the generator needs it.
#[derive(Debug, Clone)]
pub struct AuthorityRef {
    pub code: String,
    pub is_border_control_post: bool,
    pub competences: Vec<String>,
}

/// The reference data the operators point to, read from the database.
#[derive(Debug, Clone, Default)]
pub struct Catalogue {
    pub activity_kinds: Vec<ActivityKind>,
    pub authorities_by_country: HashMap<String, Vec<AuthorityRef>>,
}

/// A country the generator can use, with the activity types it can assign there.
#[derive(Debug, Clone)]
struct Usable {
    country: &'static Country,
    /// (activity type, the authorities that may be responsible for it)
    kinds: Vec<(ActivityKind, Vec<String>)>,
}

/// The countries and activity types that have responsible authorities, ready to draw from.
#[derive(Debug, Clone)]
pub struct Generator {
    seed: u64,
    now: OffsetDateTime,
    usable: Vec<Usable>,
    total_weight: u64,
}

/// One generated activity.
#[derive(Debug, Clone)]
pub struct DemoActivity {
    pub id: String,
    pub activity_code: String,
    pub identifier: Option<String>,
    pub valid_from: Option<OffsetDateTime>,
    pub time_zone: String,
    pub publication_date: Option<Date>,
    pub application_date: Option<Date>,
    /// Position of the operator's address the activity is carried out at.
    pub address_index: usize,
    pub status: &'static str,
    pub status_reason: Option<&'static str>,
    pub created_at: OffsetDateTime,
    pub decided_at: Option<OffsetDateTime>,
    pub authority_codes: Vec<String>,
}

/// One generated operator with everything it is written with.
#[derive(Debug, Clone)]
pub struct DemoOperator {
    pub id: String,
    pub record: NewOperatorRecord,
    pub address_ids: Vec<String>,
    pub status: &'static str,
    pub status_reason: Option<&'static str>,
    pub created_at: OffsetDateTime,
    pub updated_at: OffsetDateTime,
    pub activities: Vec<DemoActivity>,
}

/// Operator statuses, out of a hundred: mostly valid, some waiting for a decision.
const STATUS_SHARES: [(&str, u64); 5] = [
    ("valid", 88),
    ("requested", 7),
    ("suspended", 2),
    ("rejected", 2),
    ("withdrawn", 1),
];

fn reason_of(status: &str) -> Option<&'static str> {
    match status {
        "suspended" => Some("Official controls found non-compliances; suspended until corrected."),
        "rejected" => Some("The registration documents were incomplete."),
        "withdrawn" => Some("The operator ceased this business."),
        _ => None,
    }
}

/// The Luhn check digit of `digits` (Swedish organisation numbers end with one).
fn luhn_digit(digits: &str) -> u32 {
    let sum: u32 = digits
        .chars()
        .filter_map(|c| c.to_digit(10))
        .enumerate()
        .map(|(i, d)| {
            if i % 2 == 0 {
                let twice = d * 2;
                if twice > 9 { twice - 9 } else { twice }
            } else {
                d
            }
        })
        .sum();
    (10 - sum % 10) % 10
}

/// The national register number of the operator at `position`: unique per country.
fn register_number(format: RegisterFormat, position: u64) -> String {
    match format {
        RegisterFormat::Prefixed(prefix, digits) => {
            let first = 10u64.saturating_pow(u32::try_from(digits).unwrap_or(1).saturating_sub(1));
            format!("{prefix} {}", first + position)
        }
        RegisterFormat::Grouped(groups) => {
            let width: usize = groups.iter().sum();
            let first = 10u64.saturating_pow(u32::try_from(width).unwrap_or(1).saturating_sub(1));
            let number = (first + position).to_string();
            let mut out = String::new();
            let mut rest = number.as_str();
            for (i, len) in groups.iter().enumerate() {
                let last = i + 1 == groups.len();
                let take = if last {
                    rest.len()
                } else {
                    (*len).min(rest.len())
                };
                let (head, tail) = rest.split_at(take);
                if !out.is_empty() && !head.is_empty() {
                    out.push(' ');
                }
                out.push_str(head);
                rest = tail;
            }
            out
        }
        RegisterFormat::SwedishOrganisationNumber => {
            // 55xxxxxxx: limited companies; the third digit is 2 or more in every
            // organisation number (it is never a month).
            let nine = format!("{}", 556_000_000 + position % 444_000_000);
            let check = luhn_digit(&nine);
            format!("{}-{}{check}", &nine[..6], &nine[6..])
        }
    }
}

/// Letters of `text` for an e-mail domain: lower case ASCII, accents dropped, others `-`.
fn domain_label(text: &str) -> String {
    let mut out = String::new();
    for c in text.to_lowercase().chars() {
        let plain = match c {
            'á' | 'à' | 'â' | 'ä' | 'å' => 'a',
            'é' | 'è' | 'ê' | 'ë' => 'e',
            'í' | 'ì' | 'î' | 'ï' => 'i',
            'ó' | 'ò' | 'ô' | 'ö' | 'ø' => 'o',
            'ú' | 'ù' | 'û' | 'ü' => 'u',
            'ñ' | 'ń' => 'n',
            'ś' => 's',
            'ç' => 'c',
            c if c.is_ascii_alphanumeric() => c,
            _ => '-',
        };
        if plain != '-' || !out.ends_with('-') {
            out.push(plain);
        }
    }
    out.trim_matches('-').to_owned()
}

impl Generator {
    /// Keeps the countries of [`COUNTRIES`] where at least one activity type has an authority.
    pub fn new(catalogue: &Catalogue, seed: u64, now: OffsetDateTime) -> Generator {
        let mut usable = Vec::new();
        for country in COUNTRIES {
            let authorities = catalogue
                .authorities_by_country
                .get(country.code)
                .map(Vec::as_slice)
                .unwrap_or_default();
            let kinds: Vec<(ActivityKind, Vec<String>)> = catalogue
                .activity_kinds
                .iter()
                .filter_map(|kind| {
                    let holders: Vec<&AuthorityRef> = authorities
                        .iter()
                        .filter(|a| a.competences.contains(&kind.competence))
                        .collect();
                    // A competent authority rather than a border post, when there is one.
                    let preferred: Vec<String> = holders
                        .iter()
                        .filter(|a| !a.is_border_control_post)
                        .map(|a| a.code.clone())
                        .collect();
                    let codes = if preferred.is_empty() {
                        holders.iter().map(|a| a.code.clone()).collect()
                    } else {
                        preferred
                    };
                    (!codes.is_empty()).then(|| (kind.clone(), codes))
                })
                .collect();
            if !kinds.is_empty() {
                usable.push(Usable { country, kinds });
            }
        }
        let total_weight = usable.iter().map(|u| u64::from(u.country.weight)).sum();
        Generator {
            seed,
            now,
            usable,
            total_weight,
        }
    }

    /// The countries operators will be placed in.
    pub fn countries(&self) -> Vec<&'static str> {
        self.usable.iter().map(|u| u.country.code).collect()
    }

    fn country(&self, rng: &mut Rng) -> Option<&Usable> {
        let mut ticket = rng.below(self.total_weight);
        for usable in &self.usable {
            let weight = u64::from(usable.country.weight);
            if ticket < weight {
                return Some(usable);
            }
            ticket -= weight;
        }
        self.usable.last()
    }

    /// The operator at `position` (0, 1, …): always the same for the same seed.
    pub fn operator(&self, position: u64) -> Option<DemoOperator> {
        let mut rng = Rng::for_operator(self.seed, position);
        let usable = self.country(&mut rng)?;
        let country = usable.country;
        let id = rng.uuid();
        let stem = rng.pick(NAME_STEMS).copied().unwrap_or("Demo");
        let trade = rng.pick(NAME_TRADES).copied().unwrap_or("Trading");
        let form = rng.pick(country.legal_forms).copied().unwrap_or_default();
        let name = format!("{stem} {trade} {form}").trim().to_owned();

        let address_count = match rng.below(100) {
            0..75 => 1,
            75..95 => 2,
            _ => 3,
        };
        let mut addresses = Vec::with_capacity(address_count);
        let mut address_ids = Vec::with_capacity(address_count);
        for _ in 0..address_count {
            let city: &City = rng.pick(country.cities).unwrap_or(&country.cities[0]);
            addresses.push(self.address(&mut rng, country, city));
            address_ids.push(rng.uuid());
        }

        let mut identifiers = Vec::new();
        let register = register_number(country.register, position);
        if let Ok(checked) = normalise_and_check(
            IdentifierKind::NationalCompanyRegister,
            country.code,
            &register,
        ) {
            identifiers.push(NewIdentifierRecord {
                kind: checked.kind.code().to_owned(),
                value: checked.value,
                normalized: checked.normalized,
            });
        }
        if rng.percent(60) {
            let eori = format!("{}{}", country.code, 100_000_000_000 + position);
            if let Ok(checked) = normalise_and_check(IdentifierKind::Eori, country.code, &eori) {
                identifiers.push(NewIdentifierRecord {
                    kind: checked.kind.code().to_owned(),
                    value: checked.value,
                    normalized: checked.normalized,
                });
            }
        }

        let status = {
            let mut ticket = rng.below(100);
            let mut chosen = "valid";
            for (status, share) in STATUS_SHARES {
                if ticket < share {
                    chosen = status;
                    break;
                }
                ticket -= share;
            }
            chosen
        };
        let days_ago = i64::try_from(rng.below(5 * 365)).unwrap_or(0);
        let created_at =
            self.now - Duration::days(days_ago) - Duration::seconds(rng.below(86_400) as i64);
        let decided_at = if status == "requested" {
            None
        } else {
            let days = i64::try_from(rng.below(30)).unwrap_or(0).min(days_ago);
            Some(created_at + Duration::days(days) + Duration::hours(2))
        };
        let updated_at = decided_at.unwrap_or(created_at).min(self.now);

        let activity_count = match rng.below(100) {
            0..60 => 1,
            60..90 => 2,
            _ => 3,
        };
        let mut activities: Vec<DemoActivity> = Vec::with_capacity(activity_count);
        for n in 0..activity_count {
            let Some((kind, holders)) = rng.pick(&usable.kinds) else {
                break;
            };
            if activities.iter().any(|a| a.activity_code == kind.code) {
                continue;
            }
            let authority = rng.pick(holders).cloned().unwrap_or_default();
            // The first activity came with the request; later ones were added once valid,
            // and some of those still wait for their decision.
            let added_later = n > 0 && status == "valid" && rng.percent(10);
            let activity_status = match status {
                "requested" => "new",
                "valid" if added_later => "new",
                "valid" => "valid",
                other => other,
            };
            let activity_created = if n == 0 {
                created_at
            } else {
                updated_at.max(created_at) + Duration::days(rng.below(200) as i64)
            }
            .min(self.now);
            let activity_decided = (activity_status != "new")
                .then(|| decided_at.unwrap_or(activity_created).max(activity_created));
            let identifier = rng
                .percent(40)
                .then(|| format!("{}-{}-{}", country.code, kind.code, rng.digits(6)));
            activities.push(DemoActivity {
                id: rng.uuid(),
                activity_code: kind.code.clone(),
                identifier,
                valid_from: activity_decided.filter(|_| activity_status == "valid"),
                time_zone: country.time_zone.to_owned(),
                publication_date: activity_decided.map(|t| t.date()),
                application_date: Some(activity_created.date()),
                address_index: usize::try_from(rng.below(address_count as u64)).unwrap_or(0),
                status: activity_status,
                status_reason: reason_of(activity_status),
                created_at: activity_created,
                decided_at: activity_decided,
                authority_codes: vec![authority],
            });
        }

        let label = domain_label(&format!("{stem} {trade}"));
        let record = NewOperatorRecord {
            organisation_type: "operator".to_owned(),
            name,
            country_code: country.code.to_owned(),
            phone: Some(format!(
                "{} {} {}",
                country.phone_prefix,
                rng.digits(2),
                rng.digits(7)
            )),
            email: Some(format!(
                "info{position}@{label}.{}.example",
                country.code.to_ascii_lowercase()
            )),
            addresses,
            identifiers,
        };
        Some(DemoOperator {
            id,
            record,
            address_ids,
            status,
            status_reason: reason_of(status),
            created_at,
            updated_at,
            activities,
        })
    }

    fn address(&self, rng: &mut Rng, country: &Country, city: &City) -> NewAddressRecord {
        let street = rng.pick(country.streets).copied().unwrap_or("Main Street");
        let number = 1 + rng.below(240);
        let postal_code = (country.postal_digits > 0).then(|| {
            let rest = country
                .postal_digits
                .saturating_sub(city.postal_prefix.len());
            format!("{}{}", city.postal_prefix, rng.digits(rest))
        });
        let jitter = |rng: &mut Rng| (rng.below(2001) as f64 - 1000.0) / 10_000.0;
        NewAddressRecord {
            region: Some(city.region.to_owned()),
            city: city.name.to_owned(),
            address: format!("{street} {number}"),
            postal_code,
            latitude: Some(city.latitude + jitter(rng)),
            longitude: Some(city.longitude + jitter(rng)),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn swedish_organisation_numbers_pass_the_domain_check() {
        for position in [0, 1, 99_999, 1_000_000] {
            let number = register_number(RegisterFormat::SwedishOrganisationNumber, position);
            assert!(
                normalise_and_check(IdentifierKind::NationalCompanyRegister, "SE", &number).is_ok(),
                "{number}"
            );
        }
        assert_eq!(
            register_number(RegisterFormat::SwedishOrganisationNumber, 0),
            "556000-0001"
        );
    }

    #[test]
    fn grouped_and_prefixed_numbers_look_like_their_country() {
        assert_eq!(
            register_number(RegisterFormat::Grouped(&[3, 3, 3]), 42),
            "100 000 042"
        );
        assert_eq!(
            register_number(RegisterFormat::Prefixed("HRB", 6), 7),
            "HRB 100007"
        );
    }

    #[test]
    fn the_same_seed_gives_the_same_numbers() {
        let mut a = Rng::for_operator(7, 3);
        let mut b = Rng::for_operator(7, 3);
        let mut c = Rng::for_operator(8, 3);
        let first = a.next_u64();
        assert_eq!(first, b.next_u64());
        assert_ne!(first, c.next_u64());
        assert_eq!(domain_label("Müller Seafood"), "muller-seafood");
    }
}
