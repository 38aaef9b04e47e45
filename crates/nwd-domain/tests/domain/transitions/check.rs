//! The one `check()` helper: runs a command, renders the outcome (`status(destination kind):
//! events` or `refused: error kind`), compares it with the expected text, and asserts that a
//! refused command changed nothing and that an accepted one replays to the same state.

use jiff::civil::date;

use nwd_domain::referral::{Command, RecordedEvent, Referral, ReferralStatus};
use nwd_domain::DomainError;
use nwd_domain::ValidationErrors;

use super::*;

/// Renders an outcome: `status(destination kind): event, event` or `refused: error kind`.
pub(super) fn render(
    referral: &Referral,
    result: &Result<Vec<RecordedEvent>, DomainError>,
) -> String {
    match result {
        Ok(events) => {
            let destination = match &referral.closure {
                Some(closure) => format!("({})", closure.destination.kind()),
                None if referral.status == ReferralStatus::Closed => "(NO DESTINATION)".to_string(),
                None => String::new(),
            };
            let names: Vec<&str> = events.iter().map(|e| e.event.type_name()).collect();
            format!(
                "{}{destination}: {}",
                referral.status.as_str(),
                names.join(", ")
            )
        }
        Err(error) => format!("refused: {}", error_kind(error)),
    }
}

pub(super) fn error_kind(error: &DomainError) -> String {
    match error {
        DomainError::IllegalTransition(_) => "illegal_transition".to_string(),
        DomainError::NotFound(_) => "not_found".to_string(),
        DomainError::Forbidden(_) => "forbidden".to_string(),
        DomainError::Invalid(ValidationErrors(fields)) => {
            let names: Vec<&str> = fields.iter().map(|f| f.field.as_str()).collect();
            format!("invalid [{}]", names.join(", "))
        }
    }
}

/// Runs `command` at `NOW` on `referral` and compares the rendered outcome with `expected`.
/// Whatever the outcome, checks that a refusal changed nothing and that an acceptance is
/// recorded as consecutive events that replay to the new state.
pub(super) fn check_command(
    desk: &mut Desk,
    referral: &mut Referral,
    command: Command,
    expected: &str,
    case: &str,
) {
    let before = referral.clone();
    let history_before = desk.history.len();
    let result = desk.run(referral, NOW, command);
    let actual = render(referral, &result);
    assert_eq!(actual, expected, "{case}");
    match &result {
        Err(_) => {
            assert_eq!(
                *referral, before,
                "{case}: a refused command must change nothing"
            );
            assert_eq!(
                desk.history.len(),
                history_before,
                "{case}: no events on refusal"
            );
        }
        Ok(events) => {
            assert!(
                !events.is_empty(),
                "{case}: an accepted command records an event"
            );
            let seqs: Vec<u32> = events.iter().map(|e| e.seq).collect();
            let first = before.version + 1;
            let expected_seqs: Vec<u32> = (first..first + events.len() as u32).collect();
            assert_eq!(seqs, expected_seqs, "{case}: seqs continue the history");
            assert_eq!(
                referral.version,
                before.version + events.len() as u32,
                "{case}"
            );
            assert_eq!(
                Referral::replay(&desk.history).as_ref(),
                Ok(&*referral),
                "{case}: replay"
            );
            assert_eq!(
                referral.status == ReferralStatus::Closed,
                referral.closure.is_some(),
                "{case}: closed if and only if a destination is recorded"
            );
        }
    }
}

pub(super) fn check(start: Start, cmd: Cmd, expected: &str) {
    let mut desk = Desk::new(date(2011, 5, 20));
    let mut referral = start.build(&mut desk);
    let command = cmd.build(&referral);
    check_command(
        &mut desk,
        &mut referral,
        command,
        expected,
        &format!("{start:?} + {cmd:?}"),
    );
}
