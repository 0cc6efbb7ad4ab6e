//! VAT identification numbers: the format of each EU member state (as published with the
//! Commission's VIES service) and, where the algorithm is public and simple, the check digits.
//!
//! The number may be typed with or without its country prefix, with spaces, dots, hyphens or
//! slashes; it is normalised to the prefix and the number, upper case, without separators
//! (`SE556012579001`). The prefix is the ISO country code, except `EL` for Greece (`GR` is
//! accepted as a common slip and normalised to `EL`).
//!
//! | state | number after the prefix | check digits |
//! |---|---|---|
//! | AT | `U` and 8 digits | yes (Luhn variant) |
//! | BE | 10 digits, the first 0 or 1 | yes (97 − first 8 mod 97) |
//! | BG | 9 or 10 digits | no |
//! | CY | 8 digits and a letter | no |
//! | CZ | 8, 9 or 10 digits | no |
//! | DE | 9 digits, the first not 0 | yes (ISO 7064 MOD 11,10) |
//! | DK | 8 digits, the first not 0 | yes (weights 2765 4321, mod 11) |
//! | EE | 9 digits | yes (weights 371, mod 10) |
//! | EL | 9 digits | yes (powers of 2, mod 11) |
//! | ES | 9 characters: letter or digit, 7 digits, letter or digit; not digits at both ends | no |
//! | FI | 8 digits | yes (weights 7 9 10 5 8 4 2 1, mod 11) |
//! | FR | 2 key characters (digits or letters but I and O) and the 9-digit SIREN | numeric key checked against the SIREN (mod 97), SIREN Luhn (except Monaco's `000…`); letter keys not checked |
//! | HR | 11 digits | yes (ISO 7064 MOD 11,10) |
//! | HU | 8 digits | yes (weights 9731, mod 10) |
//! | IE | 7 digits and 1–2 letters (`1234567T`, `1234567FA`), or the old `1X23456T` | no |
//! | IT | 11 digits, a province office code in digits 8–10 | yes (Luhn) |
//! | LT | 9 or 12 digits | no |
//! | LU | 8 digits | yes (first 6 mod 89) |
//! | LV | 11 digits | no |
//! | MT | 8 digits | no |
//! | NL | 9 digits, `B` and 2 digits | yes (11-test, or since 2020 mod 97 over the whole number) |
//! | PL | 10 digits | yes (weights 657 234 567, mod 11) |
//! | PT | 9 digits, the first not 0 | yes (weights 9…2, mod 11) |
//! | RO | 2 to 10 digits, the first not 0 | no |
//! | SE | 12 digits: the organisation number and `01` | yes (Luhn on the organisation number) |
//! | SI | 8 digits, the first not 0 | yes (weights 8…2, mod 11) |
//! | SK | 10 digits, the first not 0 | no |
//!
//! For an operator outside the EU, a number with an EU prefix (a foreign company registered
//! for VAT in a member state) is checked as that state's; any other number only for its shape:
//! 4 to 20 letters and digits once the separators are removed.

use super::{IdentifierError, luhn_is_valid};

/// The prefix of the VAT numbers of `country` (upper-case ISO 3166-1 code), if it is an EU
/// member state: its code, except `EL` for Greece.
pub fn vat_prefix(country: &str) -> Option<&'static str> {
    const PREFIXES: [(&str, &str); 27] = [
        ("AT", "AT"),
        ("BE", "BE"),
        ("BG", "BG"),
        ("CY", "CY"),
        ("CZ", "CZ"),
        ("DE", "DE"),
        ("DK", "DK"),
        ("EE", "EE"),
        ("ES", "ES"),
        ("FI", "FI"),
        ("FR", "FR"),
        ("GR", "EL"),
        ("HR", "HR"),
        ("HU", "HU"),
        ("IE", "IE"),
        ("IT", "IT"),
        ("LT", "LT"),
        ("LU", "LU"),
        ("LV", "LV"),
        ("MT", "MT"),
        ("NL", "NL"),
        ("PL", "PL"),
        ("PT", "PT"),
        ("RO", "RO"),
        ("SE", "SE"),
        ("SI", "SI"),
        ("SK", "SK"),
    ];
    PREFIXES
        .iter()
        .find(|(code, _)| *code == country)
        .map(|(_, prefix)| *prefix)
}

/// Whether a two-letter prefix names some country's VAT numbers: a member state's prefix,
/// Greece's ISO code (a common slip), or the United Kingdom's (`GB`, `XI` for Northern
/// Ireland).
fn names_a_country(prefix: &str) -> bool {
    member_state_of_prefix(prefix).is_some() || matches!(prefix, "GR" | "GB" | "XI")
}

/// The member state (ISO code) whose VAT numbers carry `prefix`.
fn member_state_of_prefix(prefix: &str) -> Option<&'static str> {
    match prefix {
        "EL" => Some("GR"),
        "GR" => None,
        _ => super::EU_MEMBER_STATES
            .iter()
            .find(|code| **code == prefix)
            .copied(),
    }
}

/// Checks a VAT number typed for an operator of `country` and returns its normalised form.
pub(super) fn check(country: &str, value: &str) -> Result<String, IdentifierError> {
    let compact: String = value
        .chars()
        .filter(|c| !(c.is_whitespace() || matches!(c, '.' | '-' | '/')))
        .collect::<String>()
        .to_ascii_uppercase();
    if compact.is_empty() {
        return Err(IdentifierError::BadFormat);
    }
    match vat_prefix(country) {
        Some(prefix) => check_for_member_state(prefix, &compact),
        None => check_outside_the_eu(&compact),
    }
}

fn check_for_member_state(prefix: &str, compact: &str) -> Result<String, IdentifierError> {
    let typed_prefix = compact.get(..2).unwrap_or_default();
    let body = if typed_prefix == prefix || (prefix == "EL" && typed_prefix == "GR") {
        &compact[2..]
    } else if has_member_state_shape(prefix, compact) {
        compact
    } else if names_a_country(typed_prefix) {
        return Err(IdentifierError::WrongCountry);
    } else {
        return Err(IdentifierError::BadFormat);
    };
    check_member_state_number(prefix, body)?;
    Ok(format!("{prefix}{body}"))
}

fn check_outside_the_eu(compact: &str) -> Result<String, IdentifierError> {
    let typed_prefix = compact.get(..2).unwrap_or_default();
    if member_state_of_prefix(typed_prefix).is_some() {
        let body = &compact[2..];
        check_member_state_number(typed_prefix, body)?;
        return Ok(compact.to_owned());
    }
    let shape_ok =
        (4..=20).contains(&compact.len()) && compact.chars().all(|c| c.is_ascii_alphanumeric());
    if !shape_ok {
        return Err(IdentifierError::BadFormat);
    }
    Ok(compact.to_owned())
}

fn has_member_state_shape(prefix: &str, body: &str) -> bool {
    !matches!(
        check_member_state_number(prefix, body),
        Err(IdentifierError::BadFormat)
    )
}

/// The format, then the check digits, of the number after the prefix.
fn check_member_state_number(prefix: &str, body: &str) -> Result<(), IdentifierError> {
    // Every format below is ASCII; checking it first makes the slicing below safe.
    if !body.is_ascii() {
        return Err(IdentifierError::BadFormat);
    }
    let format_ok = match prefix {
        "AT" => body.strip_prefix('U').is_some_and(|n| digits(n, &[8])),
        "BE" => digits(body, &[10]) && body.starts_with(['0', '1']),
        "BG" => digits(body, &[9, 10]),
        "CY" => {
            body.len() == 9
                && digits(&body[..8], &[8])
                && body[8..].chars().all(|c| c.is_ascii_uppercase())
        }
        "CZ" => digits(body, &[8, 9, 10]),
        "DE" | "SI" | "SK" | "PT" | "DK" => {
            let length = match prefix {
                "DE" | "PT" => 9,
                "SK" => 10,
                _ => 8,
            };
            digits(body, &[length]) && !body.starts_with('0')
        }
        "EE" | "EL" => digits(body, &[9]),
        "ES" => spanish_shape(body),
        "FI" | "HU" | "LU" | "MT" => digits(body, &[8]),
        "FR" => french_shape(body),
        "HR" => digits(body, &[11]),
        "IE" => irish_shape(body),
        "IT" => italian_shape(body),
        "LT" => digits(body, &[9, 12]),
        "LV" => digits(body, &[11]),
        "NL" => dutch_shape(body),
        "PL" => digits(body, &[10]),
        "RO" => digits(body, &[2, 3, 4, 5, 6, 7, 8, 9, 10]) && !body.starts_with('0'),
        "SE" => digits(body, &[12]) && body.ends_with("01"),
        _ => false,
    };
    if !format_ok {
        return Err(IdentifierError::BadFormat);
    }
    let checksum_ok = match prefix {
        "AT" => austrian_checksum(&body[1..]),
        "BE" => belgian_checksum(body),
        "DE" | "HR" => mod_11_10(body),
        "DK" => weighted(body, &[2, 7, 6, 5, 4, 3, 2, 1]).rem_euclid(11) == 0,
        "EE" => weighted(body, &[3, 7, 1, 3, 7, 1, 3, 7, 1]).rem_euclid(10) == 0,
        "EL" => greek_checksum(body),
        "FI" => weighted(body, &[7, 9, 10, 5, 8, 4, 2, 1]).rem_euclid(11) == 0,
        "FR" => french_checksum(body),
        "HU" => weighted(body, &[9, 7, 3, 1, 9, 7, 3, 1]).rem_euclid(10) == 0,
        "IT" => luhn_is_valid(body),
        "LU" => luxembourg_checksum(body),
        "NL" => dutch_checksum(body),
        "PL" => weighted(body, &[6, 5, 7, 2, 3, 4, 5, 6, 7, -1]).rem_euclid(11) == 0,
        "PT" => portuguese_checksum(body),
        "SE" => luhn_is_valid(&body[..10]),
        "SI" => slovenian_checksum(body),
        _ => true,
    };
    if !checksum_ok {
        return Err(IdentifierError::BadChecksum);
    }
    Ok(())
}

/// Whether `text` is ASCII digits only, of one of the `lengths`.
fn digits(text: &str, lengths: &[usize]) -> bool {
    lengths.contains(&text.len()) && text.chars().all(|c| c.is_ascii_digit())
}

/// The digits of an all-digit string (checked by the caller).
fn digit_values(text: &str) -> impl Iterator<Item = i64> + '_ {
    text.chars()
        .map(|c| i64::from(c.to_digit(10).unwrap_or_default()))
}

/// The sum of the digits times the weights, position by position.
fn weighted(text: &str, weights: &[i64]) -> i64 {
    digit_values(text).zip(weights).map(|(d, w)| d * w).sum()
}

/// The number an all-digit string stands for (at most 18 digits here).
fn number(text: &str) -> i64 {
    digit_values(text).fold(0, |n, d| n * 10 + d)
}

/// ISO 7064 MOD 11,10, used by Germany and Croatia: the running check must end at 1.
fn mod_11_10(text: &str) -> bool {
    let check = digit_values(text).fold(5, |check, digit| {
        let doubled = (if check == 0 { 10 } else { check }) * 2 % 11;
        (doubled + digit) % 10
    });
    check == 1
}

fn spanish_shape(body: &str) -> bool {
    let chars: Vec<char> = body.chars().collect();
    let [first, middle @ .., last] = chars.as_slice() else {
        return false;
    };
    let letter_or_digit = |c: &char| c.is_ascii_uppercase() || c.is_ascii_digit();
    chars.len() == 9
        && letter_or_digit(first)
        && letter_or_digit(last)
        && middle.iter().all(char::is_ascii_digit)
        && !(first.is_ascii_digit() && last.is_ascii_digit())
}

/// The characters of a French key: digits and letters but `I` and `O`.
fn is_french_key_char(c: char) -> bool {
    c.is_ascii_digit() || (c.is_ascii_uppercase() && c != 'I' && c != 'O')
}

fn french_shape(body: &str) -> bool {
    body.len() == 11 && body[..2].chars().all(is_french_key_char) && digits(&body[2..], &[9])
}

fn irish_shape(body: &str) -> bool {
    let chars: Vec<char> = body.chars().collect();
    let check_letter = |c: &char| ('A'..='W').contains(c);
    let all_digits = |cs: &[char]| cs.iter().all(char::is_ascii_digit);
    match chars.as_slice() {
        // Current format: 7 digits and a check letter, since 2013 with a second letter A–I or W.
        [seven @ .., check] if seven.len() == 7 && all_digits(seven) => check_letter(check),
        [seven @ .., check, extra] if seven.len() == 7 && all_digits(seven) => {
            check_letter(check) && (('A'..='I').contains(extra) || *extra == 'W')
        }
        // Old format: a digit, a letter (or + or *), 5 digits and a check letter.
        [first, second, five @ .., check] if five.len() == 5 => {
            first.is_ascii_digit()
                && (second.is_ascii_uppercase() || matches!(second, '+' | '*'))
                && all_digits(five)
                && check_letter(check)
        }
        _ => false,
    }
}

fn italian_shape(body: &str) -> bool {
    if !digits(body, &[11]) || body[..7].chars().all(|c| c == '0') {
        return false;
    }
    // Digits 8 to 10 name the provincial tax office that issued the number.
    let office = number(&body[7..10]);
    (1..=100).contains(&office) || matches!(office, 120 | 121 | 888 | 999)
}

fn dutch_shape(body: &str) -> bool {
    body.len() == 12
        && digits(&body[..9], &[9])
        && number(&body[..9]) > 0
        && &body[9..10] == "B"
        && digits(&body[10..], &[2])
        && &body[10..] != "00"
}

fn austrian_checksum(eight: &str) -> bool {
    let Some(sum) = super::luhn_sum(&eight[..7]) else {
        return false;
    };
    let check = (16 - sum % 10) % 10;
    number(&eight[7..]) == i64::from(check)
}

fn belgian_checksum(body: &str) -> bool {
    (number(&body[..8]) + number(&body[8..])) % 97 == 0
}

fn greek_checksum(body: &str) -> bool {
    let running = digit_values(&body[..8]).fold(0, |c, d| c * 2 + d);
    running * 2 % 11 % 10 == number(&body[8..])
}

fn french_checksum(body: &str) -> bool {
    let (key, siren) = body.split_at(2);
    // Companies of Monaco have French VAT numbers but no SIREN: `000` and a Monaco number.
    if !siren.starts_with("000") && !luhn_is_valid(siren) {
        return false;
    }
    if !key.chars().all(|c| c.is_ascii_digit()) {
        // The letter keys of the newer numbers follow an unpublished scheme: not checked.
        return true;
    }
    number(key) == (number(siren) * 100 + 12) % 97
}

fn luxembourg_checksum(body: &str) -> bool {
    number(&body[..6]) % 89 == number(&body[6..])
}

fn dutch_checksum(body: &str) -> bool {
    // Companies: the 11-test over the 9 digits (weights 9 to 2, minus the last).
    let eleven_test = weighted(&body[..9], &[9, 8, 7, 6, 5, 4, 3, 2, -1]).rem_euclid(11) == 0;
    // Sole traders since 2020: ISO 7064 MOD 97-10 over `NL` and the number, letters as 10–35.
    eleven_test || mod_97_10(&format!("NL{body}")) == 1
}

/// ISO 7064 MOD 97-10 remainder, letters counting as 10 (`A`) to 35 (`Z`).
fn mod_97_10(text: &str) -> u32 {
    text.chars().fold(0, |remainder, c| match c.to_digit(36) {
        Some(value) if value >= 10 => (remainder * 100 + value) % 97,
        Some(value) => (remainder * 10 + value) % 97,
        None => remainder,
    })
}

fn portuguese_checksum(body: &str) -> bool {
    let sum = weighted(&body[..8], &[9, 8, 7, 6, 5, 4, 3, 2]);
    (11 - sum % 11) % 11 % 10 == number(&body[8..])
}

fn slovenian_checksum(body: &str) -> bool {
    let check = 11 - weighted(&body[..7], &[8, 7, 6, 5, 4, 3, 2]) % 11;
    let check = match check {
        10 => 0,
        11 => return false,
        other => other,
    };
    check == number(&body[7..])
}

#[cfg(test)]
mod tests {
    use super::super::{IdentifierKind, normalise_and_check};
    use super::*;
    use IdentifierError::*;

    fn vat(country: &str, raw: &str) -> Result<String, IdentifierError> {
        normalise_and_check(IdentifierKind::Vat, country, raw).map(|id| id.normalized)
    }

    fn country_of(prefix: &str) -> &'static str {
        member_state_of_prefix(prefix).unwrap_or("??")
    }

    /// Published numbers of real companies, one line per member state, as people type them.
    const VALID: &[&str] = &[
        "ATU 142 43 102, ATU 15159209, ATU13585627, ATU46080404, ATU61195628",
        "BE 0202.239.951, BE 0402 918 402, BE 0462423150, BE0428759497, BE 0795 013 186",
        "BG 103873594, BG 124 551 319, BG7111042925, BG7523169263",
        "CY 10246672X, CY-10189098G, CY00632993 F",
        "CZ 25123891, CZ 640229/4448, CZ 640903926, CZ6956220612, CZ00023205",
        "DE 118619592, DE 181 207 708, DE 221.304.969, DE812847601, DE - 113866163",
        "DK 10 50 32 80, DK 2566 2202, DK-27630308, DK10150817",
        "EE 100 931 558, EE100523487, EE101256753",
        "EL 039868210, EL 998386804, EL-082857563, EL094501040, El 800 179 925",
        "ES A-28184661, ES B64240914, ES Q-2818015-F, ES X-5253868-R, ES 54362315K, ES-x-2482300w",
        "FI 02459042, FI 0982651-1, FI 2094606-3, FI18261444",
        "FR 04409414364, FR 114 248 728 36, FR K 7399859412, FR16000063601, fr 71383076817",
        "HR 33392005961, HR94577403194",
        "HU 10672101, HU-10402434, HU11377304",
        "IE 6388047V, IE 632 3420 C, IE6433435IH, IE6433435OA, IE8D79739I, IE9Y71814N, IE 8223200u",
        "IT 00118439991, IT 0 0 6 1 8 2 8 0 4 9 9, IT-01626160210, IT00743110157",
        "LT 100001354118, LT 119511515, LT-100000979812",
        "LU 10059929, LU 109 676 28, LU.248.70.640",
        "LV 4000 3521 600, LV 40003189718, LV-40003241337",
        "MT 1039-6417, MT 17025737, MT 2029 1423",
        "NL 009122746 B01, NL 8225.69.759 b01, NL001162938B28, NL.0094.10.806.B.01, NL802003217B01",
        "PL 5211355116, PL 584-030-44-72, PL-7532365958, PL5261025421",
        "PT 500 019 720, PT 500135.495, PT-505 856 468, PT503038083",
        "RO 11358544, RO 1822964, RO 241 30 20, RO 573768, RO-23867797",
        "SE 202 100-5000 01, SE 556.383.740.901, SE556043606401, SE-556666-4438-01",
        "SI 26808498, SI 3609 7152, SI-83815201",
        "SK 1078449064, SK 202 274 96 19, SK2022193459",
    ];

    /// The same numbers with one digit changed, so that their check digits no longer match.
    const BAD_CHECKSUM: &[&str] = &[
        "ATU 143 43 102, ATU 15169209, ATU46080904",
        "BE 0406.139.583, BE 0793 013 186, BE0428759496",
        "DE 125014855, DE 246 495 415, DE 813 91 38 75",
        "DK 11 96 56 58, DK 2565 2202, DK-27996592",
        "EE 100 941 558, EE 100525487, EE101256754",
        "EL 094013834, EL 094068733, EL094501140",
        "FI 02459043, FI 2094606-4",
        "FR 04409414264, FR 21 326 565 603, FR K 7399859312",
        "HR 33392005962",
        "HU 10672102, HU11377305",
        "IT 00118439992, IT00743110158",
        "LU 10059928, LU 109 676 29",
        "NL 009122747 B01, NL802003218B01",
        "PL 5211355117, PL5261025422",
        "PT 500 019 721, PT503038084",
        "SE 556.383.740.801, SE556043606501",
        "SI 26808499, SI-83815202",
    ];

    /// Numbers that are not in their state's format at all.
    const BAD_FORMAT: &[&str] = &[
        "AT1 142 43 102, ATU 1515B209, ATU 151592092, ATU1515920",
        "BE 02A2.239.951, BE 2202239951, BE 202239951, BE 02022399511",
        "BG 10X8735941, BG 12345678, BG 12345678901",
        "CY-102590Z3P, CY 1024667XX, CY 102466721",
        "CZ 1234567, CZ 12345678901",
        "DE 246X595 415, DE 011125440, DE 12345678, DE 1234567890",
        "DK 01234567, DK 1234567",
        "EE 10093155, EE 1009315581",
        "EL 09401283, EL 0940128341",
        "ES 123456789, ES AB1234567, ES A12345678901",
        "FI 0245904, FI 024590421",
        "FR 0440941436, FR I4409414364, FR O4409414364, FR 04 40941436A",
        "HR 3339200596, HR 333920059611",
        "HU 1067210, HU 106721011",
        "IE 4550C59S, IE 069385V8, IE 1234567X, IE 1234567AJ, IE 12345678",
        "IT 00687129980, IT 00000001234, IT 0011843999",
        "LT 1000013541, LT 1000013541181",
        "LU 1005992, LU 100599291",
        "LV 4000352160, LV 400035216001",
        "MT 1039641, MT 103964171",
        "NL 001241643801, NL 009122746B00, NL B06753742B01, NL 82X569759b01, NL 000000000B01",
        "PL 521135511, PL 52113551161",
        "PT 050 019 720, PT 50001972",
        "RO 1, RO 01822964, RO 12345678901",
        "SE 556043606402, SE 5560436064, SE 55604360640101",
        "SI 06808498, SI 2680849",
        "SK A078449064, SK 012 274 96 19, SK 107844906",
    ];

    fn entries(lines: &[&'static str]) -> impl Iterator<Item = &'static str> {
        lines.iter().flat_map(|line| line.split(", "))
    }

    #[test]
    fn real_numbers_of_every_member_state_are_accepted() {
        let mut states = std::collections::BTreeSet::new();
        for raw in entries(VALID) {
            let prefix = raw[..2].to_ascii_uppercase();
            let country = country_of(&prefix);
            states.insert(country);
            let normalized = vat(country, raw).unwrap_or_else(|e| panic!("{raw}: {e:?}"));
            assert!(normalized.starts_with(&prefix), "{raw} → {normalized}");
            assert!(
                normalized[2..].chars().all(|c| c.is_ascii_alphanumeric()),
                "{raw} → {normalized}"
            );
        }
        assert_eq!(states.len(), 27, "{states:?}");
    }

    #[test]
    fn a_changed_digit_breaks_the_check_digits() {
        for raw in entries(BAD_CHECKSUM) {
            let country = country_of(&raw[..2]);
            assert_eq!(vat(country, raw), Err(BadChecksum), "{raw}");
        }
    }

    #[test]
    fn numbers_outside_their_states_format_are_refused() {
        for raw in entries(BAD_FORMAT) {
            let country = country_of(&raw[..2]);
            assert_eq!(vat(country, raw), Err(BadFormat), "{raw}");
        }
    }

    #[test]
    fn the_prefix_may_be_left_out_and_is_added_back() {
        assert_eq!(vat("SE", "5560125790 01"), Ok("SE556012579001".into()));
        assert_eq!(vat("DE", "118 619 592"), Ok("DE118619592".into()));
        assert_eq!(vat("AT", "U13585627"), Ok("ATU13585627".into()));
        assert_eq!(vat("FR", "K7399859412"), Ok("FRK7399859412".into()));
        assert_eq!(vat("GR", "094501040"), Ok("EL094501040".into()));
        assert_eq!(vat("ES", "B64240914"), Ok("ESB64240914".into()));
    }

    #[test]
    fn greece_uses_el_and_gr_is_read_as_el() {
        assert_eq!(vat("GR", "EL094501040"), Ok("EL094501040".into()));
        assert_eq!(vat("GR", "GR 094501040"), Ok("EL094501040".into()));
        assert_eq!(vat_prefix("GR"), Some("EL"));
        assert_eq!(vat_prefix("EL"), None);
        assert_eq!(vat_prefix("NO"), None);
    }

    #[test]
    fn another_states_number_is_the_wrong_country() {
        assert_eq!(vat("SE", "DE118619592"), Err(WrongCountry));
        assert_eq!(vat("DE", "SE556043606401"), Err(WrongCountry));
        assert_eq!(vat("IE", "GB123456789"), Err(WrongCountry));
        assert_eq!(vat("IE", "XI123456789"), Err(WrongCountry));
        assert_eq!(vat("AT", "GR094501040"), Err(WrongCountry));
        assert_eq!(vat("AT", "EL094501040"), Err(WrongCountry));
        // Two letters that are no country's prefix: the number is just malformed.
        assert_eq!(vat("SE", "QQ556043606401"), Err(BadFormat));
    }

    #[test]
    fn outside_the_eu_an_eu_number_is_checked_as_such_and_others_for_their_shape() {
        assert_eq!(vat("NO", "SE556043606401"), Ok("SE556043606401".into()));
        assert_eq!(vat("NO", "SE556043606501"), Err(BadChecksum));
        assert_eq!(vat("CH", "DE 01"), Err(BadFormat));
        assert_eq!(vat("NO", "NO 923 609 016 MVA"), Ok("NO923609016MVA".into()));
        assert_eq!(
            vat("CH", "CHE-116.281.710 MWST"),
            Ok("CHE116281710MWST".into())
        );
        assert_eq!(vat("GB", "GB 123 4567 89"), Ok("GB123456789".into()));
        assert_eq!(vat("GB", "XI123456789"), Ok("XI123456789".into()));
        assert_eq!(vat("US", "123"), Err(BadFormat));
        assert_eq!(vat("US", "1234"), Ok("1234".into()));
        assert_eq!(vat("US", &"1".repeat(20)), Ok("1".repeat(20)));
        assert_eq!(vat("US", &"1".repeat(21)), Err(BadFormat));
        assert_eq!(vat("US", "12_34"), Err(BadFormat));
    }

    #[test]
    fn separators_alone_are_no_number() {
        assert_eq!(vat("SE", "- . /"), Err(BadFormat));
        assert_eq!(vat("US", "--"), Err(BadFormat));
    }

    #[test]
    fn check_digit_algorithms_on_their_textbook_examples() {
        assert!(mod_11_10("136695976")); // DE136695976, the example number of the German tax office
        assert!(!mod_11_10("136695978"));
        // The IBAN of the ISO 13616 example, rearranged as its check requires.
        assert_eq!(mod_97_10("WEST12345698765432GB82"), 1);
        assert_ne!(mod_97_10("WEST12345698765433GB82"), 1);
        assert_eq!(number("000123"), 123);
        assert_eq!(weighted("123", &[1, 10, 100]), 321);
    }
}
