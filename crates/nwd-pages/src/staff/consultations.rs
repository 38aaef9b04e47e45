//! Anonymous consultations waiting for advice, as the triage queue shows them
//! ([`waiting`]): a professional's question about a child they did not name — the age band,
//! the area, what they are worried about and who asked. Never a person, never matched.

use crate::layout::PageError;
use crate::staff::triage::shown;
use nwd_http::AppState;

/// The most consultations the queue shows.
const LIMIT: u32 = 100;

/// One consultation on the queue.
#[derive(Debug, Clone)]
pub struct ConsultationRow {
    /// Its reference.
    pub reference: String,
    /// When received, as shown.
    pub received: String,
    /// Age band and area.
    pub child: String,
    /// What the professional is worried about, in their plain words.
    pub worried: String,
    /// The question.
    pub question: String,
    /// Who asked and how to reach them.
    pub asked_by: String,
    /// How soon.
    pub priority: &'static str,
}

/// Consultations awaiting advice, oldest first.
pub async fn waiting(state: &AppState) -> Result<Vec<ConsultationRow>, PageError> {
    let found = state
        .store
        .consultations_waiting(LIMIT)
        .await
        .map_err(PageError::staff)?;
    Ok(found
        .into_iter()
        .map(|c| {
            let r = &c.referrer;
            let asked_by = [
                Some(r.name.as_str()),
                r.role.as_deref(),
                r.organisation.as_deref(),
                r.phone.as_deref(),
                r.email.as_deref(),
            ]
            .into_iter()
            .flatten()
            .collect::<Vec<_>>()
            .join(", ");
            ConsultationRow {
                reference: c.reference(),
                received: shown(c.received_at, state),
                child: format!("Aged {}, {}", c.age_band.label().to_lowercase(), c.area),
                worried: c
                    .plain_reasons
                    .iter()
                    .map(|p| p.label())
                    .collect::<Vec<_>>()
                    .join(", "),
                question: c.question.clone(),
                asked_by,
                priority: c.priority.label(),
            }
        })
        .collect())
}
