//! The offer form's values as typed, read into a `ServiceOffer` (naming each field it cannot
//! read), written back as hidden fields on the confirmation page, and compared with the
//! saved offer to say what a change would remove.

use nwd_domain::directory::hours::parse_clock;
use nwd_domain::directory::{
    OpeningHours, OpeningTimes, PhoneKind, PhysicalAddress, ServiceOffer, ServicePhone, Weekday,
};

use crate::form::FormData;
use crate::layout::FieldMessage;

/// Telephone rows on the form (the most a service lists: `offer::MAX_PHONES`).
pub const PHONE_ROWS: usize = nwd_domain::directory::offer::MAX_PHONES;
/// Sessions per day on the form (a morning and an afternoon, for a lunch closure).
pub const SESSIONS_PER_DAY: usize = 2;

/// One telephone row as typed.
#[derive(Debug, Clone, Default)]
pub struct PhoneRow {
    /// Row number.
    pub row: usize,
    /// Number.
    pub number: String,
    /// Label.
    pub label: String,
    /// `voice` or `text`.
    pub kind: String,
}

/// One day's sessions as typed: `(opens, closes)` per session.
#[derive(Debug, Clone, Default)]
pub struct DayRow {
    /// API name of the day (`monday`).
    pub day: &'static str,
    /// Name in words.
    pub label: &'static str,
    /// Sessions.
    pub sessions: Vec<(String, String)>,
}

/// The offer form as typed.
#[derive(Debug, Clone, Default)]
pub struct OfferForm {
    /// Telephone rows.
    pub phones: Vec<PhoneRow>,
    /// Email.
    pub email: String,
    /// Web address.
    pub url: String,
    /// `visit` or `remote`.
    pub location: String,
    /// Address lines.
    pub address_1: String,
    /// Second line.
    pub address_2: String,
    /// Town.
    pub city: String,
    /// Postcode.
    pub postal_code: String,
    /// `yes` when open 24/7.
    pub open_24_7: String,
    /// Each weekday.
    pub days: Vec<DayRow>,
    /// Note about the hours.
    pub hours_note: String,
    /// `yes` or `no`.
    pub drop_in: String,
    /// Who can refer.
    pub referral_from: String,
    /// How to get in.
    pub application_process: String,
    /// What to bring.
    pub what_to_bring: String,
    /// `yes` or `no`.
    pub crisis_line: String,
}

fn yes_no(value: bool) -> String {
    if value { "yes" } else { "no" }.to_owned()
}

impl OfferForm {
    /// The form showing a saved offer.
    pub fn from_offer(offer: &ServiceOffer) -> OfferForm {
        let phones = (0..PHONE_ROWS)
            .map(|row| match offer.phones.get(row) {
                Some(p) => PhoneRow {
                    row,
                    number: p.number.clone(),
                    label: p.label.clone(),
                    kind: p.kind.as_str().to_owned(),
                },
                None => PhoneRow {
                    row,
                    kind: "voice".into(),
                    ..PhoneRow::default()
                },
            })
            .collect();
        let days = Weekday::ALL
            .iter()
            .map(|day| {
                let mut sessions: Vec<(String, String)> = offer
                    .opening_hours
                    .regular
                    .iter()
                    .filter(|t| t.weekday == *day)
                    .map(|t| (t.opens_at.clone(), t.closes_at.clone()))
                    .collect();
                sessions.sort();
                sessions.resize(SESSIONS_PER_DAY.max(sessions.len()), Default::default());
                DayRow {
                    day: day.as_str(),
                    label: day.label(),
                    sessions,
                }
            })
            .collect();
        let address = offer.physical_address.clone();
        OfferForm {
            phones,
            email: offer.email.clone().unwrap_or_default(),
            url: offer.url.clone().unwrap_or_default(),
            location: if offer.remote_only { "remote" } else { "visit" }.to_owned(),
            address_1: address
                .as_ref()
                .map(|a| a.address_1.clone())
                .unwrap_or_default(),
            address_2: address
                .as_ref()
                .map(|a| a.address_2.clone())
                .unwrap_or_default(),
            city: address.as_ref().map(|a| a.city.clone()).unwrap_or_default(),
            postal_code: address.map(|a| a.postal_code).unwrap_or_default(),
            open_24_7: yes_no(offer.opening_hours.open_24_7),
            days,
            hours_note: offer.opening_hours.note.clone(),
            drop_in: yes_no(offer.drop_in),
            referral_from: offer.referral_from.clone(),
            application_process: offer.application_process.clone(),
            what_to_bring: offer.what_to_bring.clone(),
            crisis_line: yes_no(offer.crisis_line),
        }
    }

    /// The form as posted.
    pub fn from_form(form: &FormData) -> OfferForm {
        let text = |name: &str| form.first(name).to_owned();
        OfferForm {
            phones: (0..PHONE_ROWS)
                .map(|row| PhoneRow {
                    row,
                    number: text(&format!("phone_number-{row}")),
                    label: text(&format!("phone_label-{row}")),
                    kind: text(&format!("phone_kind-{row}")),
                })
                .collect(),
            email: text("email"),
            url: text("url"),
            location: text("location"),
            address_1: text("address_1"),
            address_2: text("address_2"),
            city: text("city"),
            postal_code: text("postal_code"),
            open_24_7: text("open_24_7"),
            days: Weekday::ALL
                .iter()
                .map(|day| DayRow {
                    day: day.as_str(),
                    label: day.label(),
                    sessions: (0..SESSIONS_PER_DAY)
                        .map(|n| {
                            (
                                text(&format!("opens-{}-{n}", day.as_str())),
                                text(&format!("closes-{}-{n}", day.as_str())),
                            )
                        })
                        .collect(),
                })
                .collect(),
            hours_note: text("hours_note"),
            drop_in: text("drop_in"),
            referral_from: text("referral_from"),
            application_process: text("application_process"),
            what_to_bring: text("what_to_bring"),
            crisis_line: text("crisis_line"),
        }
    }

    /// Every field as `(name, value)`, to carry the answers through the confirmation page.
    pub fn hidden_fields(&self) -> Vec<(String, String)> {
        let mut fields = Vec::new();
        for p in &self.phones {
            fields.push((format!("phone_number-{}", p.row), p.number.clone()));
            fields.push((format!("phone_label-{}", p.row), p.label.clone()));
            fields.push((format!("phone_kind-{}", p.row), p.kind.clone()));
        }
        for d in &self.days {
            for (n, (opens, closes)) in d.sessions.iter().enumerate() {
                fields.push((format!("opens-{}-{n}", d.day), opens.clone()));
                fields.push((format!("closes-{}-{n}", d.day), closes.clone()));
            }
        }
        for (name, value) in [
            ("email", &self.email),
            ("url", &self.url),
            ("location", &self.location),
            ("address_1", &self.address_1),
            ("address_2", &self.address_2),
            ("city", &self.city),
            ("postal_code", &self.postal_code),
            ("open_24_7", &self.open_24_7),
            ("hours_note", &self.hours_note),
            ("drop_in", &self.drop_in),
            ("referral_from", &self.referral_from),
            ("application_process", &self.application_process),
            ("what_to_bring", &self.what_to_bring),
            ("crisis_line", &self.crisis_line),
        ] {
            fields.push((name.to_owned(), value.clone()));
        }
        fields
    }

    /// The offer, or a message per field that cannot be read (the domain's own checks run in
    /// the store; [`field_id`] places their messages).
    pub fn offer(&self) -> Result<ServiceOffer, Vec<FieldMessage>> {
        let mut errors = Vec::new();
        let mut phones = Vec::new();
        for p in &self.phones {
            let (number, label) = (p.number.trim(), p.label.trim());
            if number.is_empty() && label.is_empty() {
                continue;
            }
            if number.is_empty() {
                errors.push(FieldMessage::new(
                    &format!("phone_number-{}", p.row),
                    "Enter the telephone number, or clear what it is for",
                ));
                continue;
            }
            let kind = PhoneKind::parse(&p.kind).unwrap_or_default();
            let label = match (label.is_empty(), kind) {
                (false, _) => label.to_owned(),
                (true, PhoneKind::Voice) => "Call".to_owned(),
                (true, PhoneKind::Text) => "Text".to_owned(),
            };
            phones.push(ServicePhone {
                number: number.to_owned(),
                label,
                kind,
            });
        }
        let remote_only = self.location == "remote";
        let address_given = [
            &self.address_1,
            &self.address_2,
            &self.city,
            &self.postal_code,
        ]
        .iter()
        .any(|v| !v.trim().is_empty());
        let physical_address = (!remote_only && address_given).then(|| PhysicalAddress {
            address_1: self.address_1.trim().to_owned(),
            address_2: self.address_2.trim().to_owned(),
            city: self.city.trim().to_owned(),
            postal_code: self.postal_code.trim().to_uppercase(),
        });
        let open_24_7 = self.open_24_7 == "yes";
        let mut regular = Vec::new();
        if !open_24_7 {
            for (day, row) in Weekday::ALL.iter().zip(&self.days) {
                for (n, (opens, closes)) in row.sessions.iter().enumerate() {
                    let (opens, closes) = (opens.trim(), closes.trim());
                    if opens.is_empty() && closes.is_empty() {
                        continue;
                    }
                    let opens_ok = parse_clock(opens, false).map_err(|_| {
                        errors.push(FieldMessage::new(
                            &format!("opens-{}-{n}", row.day),
                            format!(
                                "Enter the time {} opens on the 24-hour clock, like 09:00",
                                row.label
                            ),
                        ))
                    });
                    let closes_ok = parse_clock(closes, true).map_err(|_| {
                        errors.push(FieldMessage::new(
                            &format!("closes-{}-{n}", row.day),
                            format!(
                                "Enter the time it closes on {} on the 24-hour clock, like 17:00",
                                row.label
                            ),
                        ))
                    });
                    if opens_ok.is_ok() && closes_ok.is_ok() {
                        regular.push(OpeningTimes {
                            weekday: *day,
                            opens_at: opens.to_owned(),
                            closes_at: closes.to_owned(),
                        });
                    }
                }
            }
        }
        let optional = |v: &str| Some(v.trim().to_owned()).filter(|v| !v.is_empty());
        if !errors.is_empty() {
            return Err(errors);
        }
        Ok(ServiceOffer {
            phones,
            email: optional(&self.email),
            url: optional(&self.url),
            physical_address,
            remote_only,
            opening_hours: OpeningHours {
                open_24_7,
                regular,
                note: self.hours_note.trim().to_owned(),
            },
            drop_in: self.drop_in == "yes",
            referral_from: self.referral_from.trim().to_owned(),
            application_process: self.application_process.trim().to_owned(),
            what_to_bring: self.what_to_bring.trim().to_owned(),
            crisis_line: self.crisis_line == "yes",
        })
    }
}

/// The form field a domain error about the offer belongs to (`phones[1].number` →
/// `phone_number-1`; `opening_hours.regular[3].closes_at` → that session's field in
/// `offer`'s order).
pub fn field_id(field: &str, offer: &ServiceOffer) -> String {
    let index = |path: &str| -> Option<usize> {
        let start = path.find('[')? + 1;
        let end = path.find(']')?;
        path.get(start..end)?.parse().ok()
    };
    if let Some(rest) = field.strip_prefix("phones") {
        let row = index(rest).unwrap_or(0);
        return if rest.ends_with("label") {
            format!("phone_label-{row}")
        } else {
            format!("phone_number-{row}")
        };
    }
    if let Some(rest) = field.strip_prefix("physical_address.") {
        return rest.to_owned();
    }
    if let Some(rest) = field.strip_prefix("opening_hours.regular") {
        if let Some(times) = index(rest).and_then(|i| offer.opening_hours.regular.get(i)) {
            let n = offer
                .opening_hours
                .regular
                .iter()
                .take_while(|t| !std::ptr::eq(*t, times))
                .filter(|t| t.weekday == times.weekday)
                .count();
            let which = if rest.ends_with("closes_at") {
                "closes"
            } else {
                "opens"
            };
            return format!("{which}-{}-{n}", times.weekday.as_str());
        }
        return "open_24_7".to_owned();
    }
    match field {
        "opening_hours.note" => "hours_note".to_owned(),
        "email" | "url" | "referral_from" | "application_process" | "what_to_bring" => {
            field.to_owned()
        }
        "physical_address" => "location".to_owned(),
        _ => "phone_number-0".to_owned(),
    }
}

/// What saving `new` over `old` would remove, in words (empty when nothing is removed).
pub fn removals(old: &ServiceOffer, new: &ServiceOffer) -> Vec<String> {
    let mut removed = Vec::new();
    for phone in &old.phones {
        if !new.phones.iter().any(|p| p.number == phone.number) {
            removed.push(format!(
                "the telephone number {} ({})",
                phone.number, phone.label
            ));
        }
    }
    if old.email.is_some() && new.email.is_none() {
        removed.push("the email address".to_owned());
    }
    if old.url.is_some() && new.url.is_none() {
        removed.push("the web address".to_owned());
    }
    if old.physical_address.is_some() && new.physical_address.is_none() {
        removed.push("the address where people go".to_owned());
    }
    if old.opening_hours.open_24_7 && !new.opening_hours.open_24_7 {
        removed.push("open 24 hours a day, 7 days a week".to_owned());
    }
    for day in Weekday::ALL {
        let open = |o: &ServiceOffer| o.opening_hours.regular.iter().any(|t| t.weekday == day);
        if open(old) && !open(new) && !new.opening_hours.open_24_7 {
            removed.push(format!("the opening hours on {}", day.label()));
        }
    }
    if old.crisis_line && !new.crisis_line {
        removed.push("the crisis line: its number will no longer show on Urgent help".to_owned());
    }
    removed
}
