//! The addresses of the operator form ("Addresses", "+ Add address"): at least one, each with
//! a city and a street address, optionally a region, a postal code and coordinates (both or
//! neither, in decimal degrees, within range). Activities refer to them by position.

use super::operator_form::{FieldErrors, bounded_text, optional};

/// At most this many addresses per operator.
pub const MAX_ADDRESSES: usize = 20;
const MAX_CITY_CHARS: usize = 100;
const MAX_ADDRESS_CHARS: usize = 300;
const MAX_REGION_CHARS: usize = 100;
const MAX_POSTAL_CODE_CHARS: usize = 20;

/// One address as typed.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct NewAddress {
    /// Region, county or state; optional.
    pub region: Option<String>,
    /// Required.
    pub city: String,
    /// Street and number; required.
    pub address: String,
    /// Optional.
    pub postal_code: Option<String>,
    /// Decimal degrees, −90 to 90; given together with the longitude or not at all.
    pub latitude: Option<String>,
    /// Decimal degrees, −180 to 180.
    pub longitude: Option<String>,
}

/// A checked address.
#[derive(Debug, Clone, PartialEq)]
pub struct ValidAddress {
    /// Optional.
    pub region: Option<String>,
    /// City.
    pub city: String,
    /// Street and number.
    pub address: String,
    /// Optional.
    pub postal_code: Option<String>,
    /// Both coordinates, or none.
    pub coordinates: Option<Coordinates>,
}

/// A point in decimal degrees (WGS 84).
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Coordinates {
    /// −90 to 90.
    pub latitude: f64,
    /// −180 to 180.
    pub longitude: f64,
}

/// Checks the addresses of an operator; `None` if any problem was added to `errors`.
pub(super) fn check_addresses(
    inputs: &[NewAddress],
    errors: &mut FieldErrors,
) -> Option<Vec<ValidAddress>> {
    if inputs.is_empty() {
        errors.add("addresses", "at_least_one_address");
        return None;
    }
    if inputs.len() > MAX_ADDRESSES {
        errors.add("addresses", "too_many_addresses");
        return None;
    }
    let checked: Vec<Option<ValidAddress>> = inputs
        .iter()
        .enumerate()
        .map(|(index, input)| address(&format!("addresses[{index}]."), input, errors))
        .collect();
    checked.into_iter().collect()
}

fn address(prefix: &str, input: &NewAddress, errors: &mut FieldErrors) -> Option<ValidAddress> {
    let mut required = |field: &str, raw: &str, max| {
        bounded_text(raw, 1, max)
            .and_then(|text| text.ok_or("required"))
            .map_err(|code| errors.add(format!("{prefix}{field}"), code))
            .ok()
    };
    let city = required("city", &input.city, MAX_CITY_CHARS);
    let street = required("address", &input.address, MAX_ADDRESS_CHARS);
    let mut optional_text = |field: &str, raw: Option<&String>, max| {
        bounded_text(raw.map_or("", String::as_str), 1, max)
            .map_err(|code| errors.add(format!("{prefix}{field}"), code))
    };
    let region = optional_text("region", input.region.as_ref(), MAX_REGION_CHARS);
    let postal_code = optional_text(
        "postal_code",
        input.postal_code.as_ref(),
        MAX_POSTAL_CODE_CHARS,
    );
    let coordinates = coordinates(prefix, input, errors);
    Some(ValidAddress {
        region: region.ok()?,
        city: city?,
        address: street?,
        postal_code: postal_code.ok()?,
        coordinates: coordinates.ok()?,
    })
}

/// Both coordinates or neither; each a decimal number (a comma is read as the decimal point)
/// within its range.
fn coordinates(
    prefix: &str,
    input: &NewAddress,
    errors: &mut FieldErrors,
) -> Result<Option<Coordinates>, ()> {
    let latitude = optional(input.latitude.as_deref());
    let longitude = optional(input.longitude.as_deref());
    let mut degrees = |field: &str, raw: &str, limit: f64, out_of_range| {
        decimal_degrees(raw)
            .ok_or("not_a_number")
            .and_then(|value| {
                if value.abs() <= limit {
                    Ok(value)
                } else {
                    Err(out_of_range)
                }
            })
            .map_err(|code| errors.add(format!("{prefix}{field}"), code))
    };
    match (latitude, longitude) {
        (None, None) => Ok(None),
        (Some(latitude), Some(longitude)) => {
            let latitude = degrees("latitude", latitude, 90.0, "latitude_out_of_range");
            let longitude = degrees("longitude", longitude, 180.0, "longitude_out_of_range");
            Ok(Some(Coordinates {
                latitude: latitude?,
                longitude: longitude?,
            }))
        }
        (Some(_), None) => {
            errors.add(format!("{prefix}longitude"), "coordinates_incomplete");
            Err(())
        }
        (None, Some(_)) => {
            errors.add(format!("{prefix}latitude"), "coordinates_incomplete");
            Err(())
        }
    }
}

/// `59.3293`, `-18.07`, `+18,07`: a sign, digits, and a decimal part after a point or comma.
/// No exponents, no `inf` or `NaN`.
fn decimal_degrees(raw: &str) -> Option<f64> {
    let unsigned = raw.strip_prefix(['-', '+']).unwrap_or(raw);
    let (whole, fraction) = match unsigned.split_once(['.', ',']) {
        Some((whole, fraction)) => (whole, Some(fraction)),
        None => (unsigned, None),
    };
    let digits = |text: &str| !text.is_empty() && text.chars().all(|c| c.is_ascii_digit());
    if !digits(whole) || fraction.is_some_and(|fraction| !digits(fraction)) || whole.len() > 3 {
        return None;
    }
    raw.replace(',', ".")
        .parse::<f64>()
        .ok()
        .filter(|value| value.is_finite())
}

#[cfg(test)]
mod tests {
    use super::super::operator_form::tests::listed;
    use super::*;

    fn some(text: &str) -> Option<String> {
        Some(text.to_owned())
    }

    fn office() -> NewAddress {
        NewAddress {
            region: some(" Stockholms   län "),
            city: "Stockholm".into(),
            address: "Sveavägen 1".into(),
            postal_code: some("111 57"),
            latitude: some("59.3326"),
            longitude: some("18,0649"),
        }
    }

    fn check(inputs: &[NewAddress]) -> Result<Vec<ValidAddress>, Vec<(String, &'static str)>> {
        let mut errors = FieldErrors::default();
        let checked = check_addresses(inputs, &mut errors);
        match checked {
            Some(addresses) if errors.is_empty() => Ok(addresses),
            _ => Err(errors.into_vec().into_iter().map(listed).collect()),
        }
    }

    fn error(field: &str, code: &'static str) -> (String, &'static str) {
        (field.to_owned(), code)
    }

    #[test]
    fn an_address_is_cleaned_up() {
        assert_eq!(
            check(&[office()]),
            Ok(vec![ValidAddress {
                region: some("Stockholms län"),
                city: "Stockholm".into(),
                address: "Sveavägen 1".into(),
                postal_code: some("111 57"),
                coordinates: Some(Coordinates {
                    latitude: 59.3326,
                    longitude: 18.0649
                }),
            }])
        );
        let bare = NewAddress {
            city: "Kiruna".into(),
            address: "Box 1".into(),
            region: some(""),
            ..NewAddress::default()
        };
        let checked = check(&[bare]).unwrap();
        assert_eq!(checked[0].region, None);
        assert_eq!(checked[0].postal_code, None);
        assert_eq!(checked[0].coordinates, None);
    }

    #[test]
    fn addresses_need_a_city_and_a_street() {
        assert_eq!(
            check(&[]),
            Err(vec![error("addresses", "at_least_one_address")])
        );
        assert!(check(&vec![office(); MAX_ADDRESSES]).is_ok());
        assert_eq!(
            check(&vec![office(); MAX_ADDRESSES + 1]),
            Err(vec![error("addresses", "too_many_addresses")])
        );
        let too_long = NewAddress {
            city: "C".repeat(MAX_CITY_CHARS + 1),
            address: " ".into(),
            postal_code: some(&"1".repeat(MAX_POSTAL_CODE_CHARS + 1)),
            region: some(&"R".repeat(MAX_REGION_CHARS + 1)),
            ..NewAddress::default()
        };
        assert_eq!(
            check(&[office(), too_long]),
            Err(vec![
                error("addresses[1].city", "too_long"),
                error("addresses[1].address", "required"),
                error("addresses[1].region", "too_long"),
                error("addresses[1].postal_code", "too_long"),
            ])
        );
        let longest = NewAddress {
            city: "C".repeat(MAX_CITY_CHARS),
            address: "A".repeat(MAX_ADDRESS_CHARS),
            postal_code: some(&"1".repeat(MAX_POSTAL_CODE_CHARS)),
            region: some(&"R".repeat(MAX_REGION_CHARS)),
            ..NewAddress::default()
        };
        assert!(check(&[longest]).is_ok());
        let street = NewAddress {
            address: "A".repeat(MAX_ADDRESS_CHARS + 1),
            ..office()
        };
        assert_eq!(
            check(&[street]),
            Err(vec![error("addresses[0].address", "too_long")])
        );
    }

    #[test]
    fn coordinates_come_in_pairs_within_range() {
        let with = |latitude: Option<&str>, longitude: Option<&str>| {
            let address = NewAddress {
                latitude: latitude.map(str::to_owned),
                longitude: longitude.map(str::to_owned),
                ..office()
            };
            check(&[address]).map(|checked| checked[0].coordinates)
        };
        let point = |latitude, longitude| {
            Ok(Some(Coordinates {
                latitude,
                longitude,
            }))
        };
        assert_eq!(with(Some("90"), Some("180")), point(90.0, 180.0));
        assert_eq!(with(Some("-90.0"), Some("-180,000")), point(-90.0, -180.0));
        assert_eq!(with(Some("+0"), Some("0")), point(0.0, 0.0));
        assert_eq!(with(Some(" 59.3326 "), Some("18")), point(59.3326, 18.0));
        assert_eq!(with(Some(" "), None), Ok(None));
        assert_eq!(
            with(Some("90.0001"), Some("180.0001")),
            Err(vec![
                error("addresses[0].latitude", "latitude_out_of_range"),
                error("addresses[0].longitude", "longitude_out_of_range"),
            ])
        );
        assert_eq!(
            with(Some("-90.0001"), Some("-180.0001")),
            Err(vec![
                error("addresses[0].latitude", "latitude_out_of_range"),
                error("addresses[0].longitude", "longitude_out_of_range"),
            ])
        );
        assert_eq!(
            with(Some("59.3"), None),
            Err(vec![error(
                "addresses[0].longitude",
                "coordinates_incomplete"
            )])
        );
        assert_eq!(
            with(Some(""), Some("18.06")),
            Err(vec![error(
                "addresses[0].latitude",
                "coordinates_incomplete"
            )])
        );
        for not_a_number in [
            "NaN", "inf", "-inf", "1e1", "59°20'", "59.", ".5", "5,9.1", "--5", "0x10", "1000",
            "+", "٥٩",
        ] {
            assert_eq!(
                with(Some(not_a_number), Some("18")),
                Err(vec![error("addresses[0].latitude", "not_a_number")]),
                "{not_a_number}"
            );
        }
    }
}
