//! Conversions between domain values and the portable column types (TEXT, BIGINT).

use jiff::civil::Date;
use jiff::Timestamp;
use uuid::Uuid;

use crate::StoreError;

/// An instant as stored: milliseconds since the epoch.
pub(crate) fn ms(ts: Timestamp) -> i64 {
    ts.as_millisecond()
}

/// An instant from its stored milliseconds.
pub(crate) fn ts(ms: i64) -> Result<Timestamp, StoreError> {
    Timestamp::from_millisecond(ms).map_err(|e| StoreError::Corrupt(format!("instant {ms}: {e}")))
}

/// A UUID from its stored text.
pub(crate) fn uuid(text: &str) -> Result<Uuid, StoreError> {
    Uuid::parse_str(text).map_err(|e| StoreError::Corrupt(format!("id {text:?}: {e}")))
}

/// A date from its stored ISO text.
pub(crate) fn date(text: &str) -> Result<Date, StoreError> {
    text.parse()
        .map_err(|e| StoreError::Corrupt(format!("date {text:?}: {e}")))
}

/// A boolean as stored (0/1).
pub(crate) fn flag(value: bool) -> i64 {
    i64::from(value)
}

/// Delimited list for LIKE filters: `|a|b|`.
pub(crate) fn delimited<'a>(items: impl IntoIterator<Item = &'a str>) -> String {
    let mut out = String::from("|");
    for item in items {
        out.push_str(item);
        out.push('|');
    }
    out
}
