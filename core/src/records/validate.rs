//! Input checks shared by every record: names, phone numbers, licence plates, dates. Each check
//! returns [`Error::InvalidInput`] naming the field.

use chrono::NaiveDate;

use super::gate_log::{FEVER_FROM_C, MAX_TEMPERATURE_C, MIN_TEMPERATURE_C};
use crate::error::{Error, ErrorCode, Result};

/// The longest free-text field accepted, in characters.
pub const MAX_TEXT_CHARS: usize = 2000;
/// The longest name accepted, in characters.
pub const MAX_NAME_CHARS: usize = 64;

/// A body temperature in °C as it is kept, shown and judged: within
/// [`MIN_TEMPERATURE_C`]–[`MAX_TEMPERATURE_C`] and rounded to one decimal, so that 37.25 is kept
/// as 37.3 and flagged like any other 37.3.
pub fn temperature(field: &str, celsius: f64) -> Result<f64> {
    if !celsius.is_finite() || !(MIN_TEMPERATURE_C..=MAX_TEMPERATURE_C).contains(&celsius) {
        return Err(Error::invalid(
            field,
            ErrorCode::OutOfRange,
            format!("{celsius} °C is outside {MIN_TEMPERATURE_C}–{MAX_TEMPERATURE_C} °C"),
        ));
    }
    Ok((celsius * 10.0).round() / 10.0)
}

/// Whether a temperature kept by [`temperature`] is a fever (at or above [`FEVER_FROM_C`]),
/// compared in tenths of a degree so that no binary fraction decides it.
pub fn is_fever(celsius: f64) -> bool {
    (celsius * 10.0).round() >= (FEVER_FROM_C * 10.0).round()
}

/// A required short name: trimmed, non-empty, at most [`MAX_NAME_CHARS`] characters.
pub fn name(field: &str, value: &str) -> Result<String> {
    let v = value.trim();
    if v.is_empty() {
        return Err(Error::invalid(field, ErrorCode::Empty, "must not be empty"));
    }
    if v.chars().count() > MAX_NAME_CHARS {
        return Err(Error::invalid(
            field,
            ErrorCode::TooLong,
            format!("at most {MAX_NAME_CHARS} characters"),
        ));
    }
    if v.chars().any(char::is_control) {
        return Err(Error::invalid(
            field,
            ErrorCode::ControlCharacters,
            "must not contain control characters",
        ));
    }
    Ok(v.to_owned())
}

/// Optional free text: trimmed, at most [`MAX_TEXT_CHARS`] characters.
pub fn text(field: &str, value: &str) -> Result<String> {
    let v = value.trim();
    if v.chars().count() > MAX_TEXT_CHARS {
        return Err(Error::invalid(
            field,
            ErrorCode::TooLong,
            format!("at most {MAX_TEXT_CHARS} characters"),
        ));
    }
    Ok(v.to_owned())
}

/// Required free text.
pub fn required_text(field: &str, value: &str) -> Result<String> {
    let v = text(field, value)?;
    if v.is_empty() {
        return Err(Error::invalid(field, ErrorCode::Empty, "must not be empty"));
    }
    Ok(v)
}

/// A phone number, or empty: a mainland mobile number (11 digits starting with 1), a landline with
/// its area code (10–12 digits starting with 0, an optional dash after the code), or a local
/// landline of 7–8 digits; spaces and a leading +86 are accepted.
pub fn phone(field: &str, value: &str) -> Result<String> {
    let compact: String = value.chars().filter(|c| !c.is_whitespace()).collect();
    if compact.is_empty() {
        return Ok(compact);
    }
    let national = compact.strip_prefix("+86").unwrap_or(&compact);
    let digits: String = national.chars().filter(|c| *c != '-').collect();
    let dashes = national.chars().filter(|c| *c == '-').count();
    let ok = digits.chars().all(|c| c.is_ascii_digit())
        && dashes <= 1
        && ((digits.len() == 11 && digits.starts_with('1') && dashes == 0)
            || digits.starts_with('0') && (10..=12).contains(&digits.len())
            || (7..=8).contains(&digits.len()) && !digits.starts_with(['0', '1']) && dashes == 0);
    if !ok {
        return Err(Error::invalid(
            field,
            ErrorCode::NotAPhone,
            format!("{value:?} is not a phone number (11-digit mobile or landline)"),
        ));
    }
    Ok(national.to_owned())
}

/// A phone number as lists show it: the middle digits hidden (13812340001 → 138****0001), so
/// that a list glanced at over a shoulder, or copied, gives no number away; the record's own
/// screen shows it whole to those who may call.
pub fn masked_phone(phone: &str) -> String {
    let chars: Vec<char> = phone.chars().collect();
    let n = chars.len();
    let (head, tail) = match n {
        0 => return String::new(),
        8.. => (3, 4),
        3..=7 => (0, 2),
        _ => (0, 0),
    };
    chars
        .iter()
        .enumerate()
        .map(|(i, c)| if i < head || i >= n - tail { *c } else { '*' })
        .collect()
}

const PROVINCES: &str = "京津沪渝冀豫云辽黑湘皖鲁新苏浙赣鄂桂甘晋蒙陕吉闽贵粤青藏川宁琼使领";

/// A mainland licence plate such as 沪A12345 or 粤B·D12345 (new-energy plates have 6 characters
/// after the letter); normalised to upper case without separators.
pub fn plate(field: &str, value: &str) -> Result<String> {
    let compact: String = value
        .chars()
        .filter(|c| !c.is_whitespace() && *c != '·' && *c != '-')
        .flat_map(char::to_uppercase)
        .collect();
    let mut chars = compact.chars();
    let province = chars.next();
    let letter = chars.next();
    let rest: Vec<char> = chars.collect();
    let ok = province.is_some_and(|p| PROVINCES.contains(p))
        && letter.is_some_and(|l| l.is_ascii_uppercase())
        && (rest.len() == 5 || rest.len() == 6)
        && rest
            .iter()
            .all(|c| c.is_ascii_uppercase() || c.is_ascii_digit() || "学警港澳挂".contains(*c));
    if !ok {
        return Err(Error::invalid(
            field,
            ErrorCode::NotAPlate,
            format!("{value:?} is not a licence plate (e.g. 沪A12345)"),
        ));
    }
    Ok(compact)
}

/// A date written `YYYY-MM-DD`.
pub fn date(field: &str, value: &str) -> Result<NaiveDate> {
    NaiveDate::parse_from_str(value.trim(), "%Y-%m-%d").map_err(|_| {
        Error::invalid(
            field,
            ErrorCode::NotADate,
            format!("{value:?} is not a date (YYYY-MM-DD)"),
        )
    })
}

/// An id that must not be empty.
pub fn id(field: &str, value: &str) -> Result<String> {
    let v = value.trim();
    if v.is_empty() {
        return Err(Error::invalid(field, ErrorCode::Empty, "must not be empty"));
    }
    if v.len() > 64
        || !v
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || matches!(c, '-' | '_' | '.'))
    {
        return Err(Error::invalid(
            field,
            ErrorCode::Malformed,
            "an id is 1–64 ASCII letters, digits, '-', '_' or '.'",
        ));
    }
    Ok(v.to_owned())
}

/// A sha-256 as 64 hex digits, lowercased: how photos are named.
pub fn sha256_hex(field: &str, s: &str) -> Result<String> {
    let s = s.trim().to_ascii_lowercase();
    if s.len() != 64 || !s.chars().all(|c| c.is_ascii_hexdigit()) {
        return Err(Error::invalid(
            field,
            ErrorCode::Malformed,
            "a photo is named by its sha-256 (64 hex digits)",
        ));
    }
    Ok(s)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn phones_are_masked_in_the_middle() {
        assert_eq!(masked_phone("13812340001"), "138****0001");
        assert_eq!(masked_phone("021-62345678"), "021*****5678");
        assert_eq!(masked_phone("6234567"), "*****67");
        assert_eq!(masked_phone(""), "");
        assert_eq!(masked_phone("12"), "**");
    }

    fn field_of(e: Error) -> String {
        match e {
            Error::InvalidInput { field, .. } => field,
            other => panic!("expected InvalidInput, got {other:?}"),
        }
    }

    #[test]
    fn names_are_trimmed_and_bounded() {
        assert_eq!(name("name", "  王阿姨 ").unwrap(), "王阿姨");
        assert_eq!(field_of(name("name", "   ").unwrap_err()), "name");
        assert_eq!(
            field_of(name("name", &"长".repeat(65)).unwrap_err()),
            "name"
        );
        assert_eq!(field_of(name("name", "a\u{7}b").unwrap_err()), "name");
    }

    #[test]
    fn phones() {
        assert_eq!(phone("phone", "138 1234 5678").unwrap(), "13812345678");
        assert_eq!(phone("phone", "+8613812345678").unwrap(), "13812345678");
        assert_eq!(phone("phone", "021-62345678").unwrap(), "021-62345678");
        assert_eq!(phone("phone", "").unwrap(), "");
        assert_eq!(field_of(phone("phone", "1381234567").unwrap_err()), "phone");
        assert_eq!(field_of(phone("phone", "abc").unwrap_err()), "phone");
        assert_eq!(
            field_of(phone("phone", "23812345678").unwrap_err()),
            "phone"
        );
    }

    #[test]
    fn plates() {
        assert_eq!(plate("plate", "沪a 12345").unwrap(), "沪A12345");
        assert_eq!(plate("plate", "粤B·D12345").unwrap(), "粤BD12345");
        assert_eq!(field_of(plate("plate", "XA12345").unwrap_err()), "plate");
        assert_eq!(field_of(plate("plate", "沪A123").unwrap_err()), "plate");
    }

    #[test]
    fn dates_and_text() {
        assert_eq!(
            date("due", "2026-11-23").unwrap(),
            NaiveDate::from_ymd_opt(2026, 11, 23).unwrap()
        );
        assert_eq!(field_of(date("due", "23/11/2026").unwrap_err()), "due");
        assert_eq!(
            field_of(required_text("description", " ").unwrap_err()),
            "description"
        );
        assert_eq!(
            field_of(text("note", &"字".repeat(MAX_TEXT_CHARS + 1)).unwrap_err()),
            "note"
        );
    }
}
