//! Entry points for the fuzz targets in `fuzz/` (cargo-fuzz) and for the corpus regression
//! test (`tests/matching/fuzz_corpus.rs`), which feeds every committed corpus file through the same
//! functions on stable Rust. Each takes arbitrary bytes, must never panic, and asserts the
//! reader's and the matcher's invariants. Not part of the supported API.

use crate::import::read_records;
use crate::{Matcher, Params, Thresholds};

/// Most records matched per input, so that one input stays fast.
const MAX_RECORDS: usize = 64;

/// A person CSV, as `persons match-file` reads it: parse → write → parse gives the same
/// records; every record then goes into a matcher (default parameters) and is matched back,
/// every probability is a number from 0 to 1, and the best candidate is the first.
pub fn person_csv(data: &[u8]) {
    let Ok(records) = read_records(data) else {
        return;
    };
    let mut writer = csv::Writer::from_writer(Vec::new());
    let header = [
        "id",
        "nhs_number",
        "given_name",
        "family_name",
        "date_of_birth",
        "address",
        "postcode",
        "sex",
    ];
    assert!(writer.write_record(header).is_ok());
    for r in &records {
        let cells = [
            Some(&r.id),
            r.nhs_number.as_ref(),
            r.given_name.as_ref(),
            r.family_name.as_ref(),
            r.date_of_birth.as_ref(),
            r.address.as_ref(),
            r.postcode.as_ref(),
            r.sex.as_ref(),
        ]
        .map(|c| c.map(String::as_str).unwrap_or(""));
        assert!(writer.write_record(cells).is_ok());
    }
    let written = writer.into_inner().unwrap_or_default();
    match read_records(&written[..]) {
        Ok(again) => assert_eq!(again, records, "parse → write → parse changed the records"),
        Err(e) => unreachable!("a file we wrote did not read back: {e}"),
    }
    let records = &records[..records.len().min(MAX_RECORDS)];
    let Ok(mut matcher) = Matcher::new(&Params::default(), Thresholds::default()) else {
        unreachable!("the default parameters are valid");
    };
    for record in records {
        matcher.insert(record);
    }
    for record in records {
        let outcome = matcher.match_record(record);
        for candidate in &outcome.candidates {
            let p = candidate.match_probability;
            assert!((0.0..=1.0).contains(&p), "probability {p}");
            assert!(!candidate.match_weight.is_nan(), "weight is not a number");
        }
        if let Some(best) = &outcome.best {
            assert_eq!(Some(&best.id), outcome.candidates.first().map(|c| &c.id));
        }
    }
}
