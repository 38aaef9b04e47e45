//! Each demo service's local offer: telephone numbers, email, web address, where you go,
//! opening hours, how to get in and what to bring. All made up: telephone numbers come from
//! Ofcom's ranges kept for drama ("Telephone numbers for use in TV and radio drama
//! programmes", https://www.ofcom.org.uk/phones-and-broadband/phone-numbers/numbers-for-drama):
//! 01632 960000–960999 (geographic), 07700 900000–900999 (mobile, for texts) and
//! 08081 570000–570999 (freephone); web and email addresses are under `example.org`
//! (reserved by RFC 2606); postcodes use the unit `9ZZ`, which no real address in these
//! districts has. No real helpline appears here: the national ones are on Urgent help from
//! `config/urgent-help.toml`, with their sources.

use nwd_domain::directory::{
    OpeningHours, OpeningTimes, PhoneKind, PhysicalAddress, ServiceOffer, ServicePhone, Weekday,
};

/// When a demo service is open.
#[derive(Clone, Copy)]
enum Hours {
    /// Monday to Friday, 9am to 5pm.
    Office,
    /// 24 hours a day, every day.
    Always,
    /// Monday to Friday, 8:30am to 4pm, school terms.
    School,
    /// Monday to Thursday 4pm to 8pm, Saturday 10am to 2pm.
    Evenings,
    /// Monday to Friday 10am to 6pm, Saturday 10am to 1pm.
    Hub,
    /// Every day, midday to 10pm.
    Online,
}

struct OfferSpec {
    /// Last three digits of the 01632 960 number.
    line: u16,
    /// Last three digits of a 07700 900 number to text, if any.
    text: Option<u16>,
    /// `{slug}.example.org`, `hello@{slug}.example.org`.
    slug: &'static str,
    /// First line, town, postcode; `None` for online or telephone only.
    address: Option<(&'static str, &'static str, &'static str)>,
    hours: Hours,
    drop_in: bool,
    referral_from: &'static str,
    application_process: &'static str,
    what_to_bring: &'static str,
    crisis_line: bool,
}

/// One per service of `county::SERVICES`, in the same order.
const OFFERS: [OfferSpec; 21] = [
    spec(100, Some(100), "spa", Some(("Oakwood House, 12 Hermitage Lane", "Maidstone", "ME16 9ZZ")), Hours::Office, false,
        "Anyone: yourself, a parent or carer, your GP, school, social worker or another professional",
        "Fill in the Get help form on this website, call us, or ask a professional to refer you. We reply within 2 working days.",
        "Your NHS number if you know it, and the name of your GP practice and school", false),
    spec(110, None, "crisis-home-treatment", None, Hours::Always, false,
        "The 24/7 crisis line, A&E, the single point of access or a mental health professional",
        "Call the 24/7 crisis line: if you need the team, they will arrange for someone to see you at home.",
        "A list of any medicines you take", false),
    spec(247, Some(247), "crisis-line", None, Hours::Always, false,
        "",
        "Call or text at any time. You do not need a referral or an appointment.",
        "Nothing: you can call from any phone", true),
    spec(120, None, "cypmhs-north-west", Some(("Riverside Centre, 3 Medway Street", "Maidstone", "ME14 9ZZ")), Hours::Office, false,
        "Your GP, school, social worker or the single point of access",
        "Ask a professional to refer you, or use the Get help form and the single point of access will pass it on.",
        "Any letters about your referral and a list of medicines you take", false),
    spec(130, None, "cypmhs-east", Some(("Harbour View Clinic, 40 Dover Road", "Canterbury", "CT1 9ZZ")), Hours::Office, false,
        "Your GP, school, social worker or the single point of access",
        "Ask a professional to refer you, or use the Get help form and the single point of access will pass it on.",
        "Any letters about your referral and a list of medicines you take", false),
    spec(140, Some(140), "eating-disorders", Some(("Orchard Wing, Preston Hall", "Aylesford", "ME20 9ZZ")), Hours::Office, false,
        "You can refer yourself, or your GP, school or a parent can",
        "Call us or use the Get help form. Urgent requests are seen within a week.",
        "Your GP practice's name; a recent weight and height if you have them", false),
    spec(150, None, "neurodevelopmental", Some(("Kingfisher Centre, 7 Bower Mount Road", "Maidstone", "ME16 9ZZ")), Hours::Office, false,
        "Your GP, school (the special educational needs co-ordinator) or a paediatrician",
        "A professional refers with reports from home and school. We write to you when an assessment date is near.",
        "School reports and any earlier assessments", false),
    spec(160, None, "looked-after-children", Some(("Beacon House, 21 Week Street", "Maidstone", "ME14 9ZZ")), Hours::Office, false,
        "The child's social worker or the virtual school",
        "The social worker refers; we agree a plan with the child, their carers and the social worker.",
        "The care plan and any recent assessments", false),
    spec(170, None, "youth-justice", Some(("Youth Justice Office, 1 Castle Hill", "Rochester", "ME1 9ZZ")), Hours::Office, false,
        "The youth justice team working with the young person",
        "Your youth justice worker will talk to you about it and refer you.",
        "Nothing: your worker will bring what is needed", false),
    spec(180, None, "mhst-maidstone", None, Hours::School, false,
        "Your school's mental health lead",
        "Talk to your school's mental health lead or a teacher you trust; we see you at school.",
        "Nothing: sessions take place in school", false),
    spec(190, None, "mhst-dartford", None, Hours::School, false,
        "Your school's mental health lead",
        "Talk to your school's mental health lead or a teacher you trust; we see you at school.",
        "Nothing: sessions take place in school", false),
    spec(200, None, "mhst-thanet", None, Hours::School, false,
        "Your school's mental health lead",
        "Talk to your school's mental health lead or a teacher you trust; we see you at school.",
        "Nothing: sessions take place in school", false),
    spec(210, None, "mhst-canterbury", None, Hours::School, false,
        "Your school's mental health lead",
        "Talk to your school's mental health lead or a teacher you trust; we see you at school.",
        "Nothing: sessions take place in school", false),
    spec(220, None, "mhst-tunbridge-wells", None, Hours::School, false,
        "Your school's mental health lead",
        "Talk to your school's mental health lead or a teacher you trust; we see you at school.",
        "Nothing: sessions take place in school", false),
    spec(230, None, "health-needs-education", Some(("Health Needs Education Service, 5 Tonbridge Road", "Maidstone", "ME16 9ZZ")), Hours::School, false,
        "Your school, with a letter from a doctor",
        "Your school applies for you; we contact your family to plan lessons and support.",
        "The letter from your doctor", false),
    spec(240, Some(240), "hopfield", Some(("Hopfield Youth Counselling, 18 Pudding Lane", "Maidstone", "ME14 9ZZ")), Hours::Evenings, true,
        "",
        "Call, text or drop in to book a first chat. Counselling is free and confidential.",
        "Nothing: just yourself", false),
    spec(250, Some(250), "saltmarsh", Some(("Saltmarsh Wellbeing Hub, 9 Harbour Street", "Whitstable", "CT5 9ZZ")), Hours::Hub, true,
        "",
        "Drop in when we are open, or call to talk to someone first.",
        "Nothing: come as you are", false),
    spec(260, Some(260), "clearwater", None, Hours::Online, false,
        "",
        "Sign up on our website with a made-up name if you like, then chat or message a counsellor.",
        "A phone, tablet or computer with internet access", false),
    spec(270, None, "young-adults", Some(("Riverside Centre, 3 Medway Street", "Maidstone", "ME14 9ZZ")), Hours::Office, false,
        "You can refer yourself, or your GP or another professional can",
        "Use the Get help form or call us; we offer a first appointment to talk about what would help.",
        "The name of your GP practice and any medicines you take", false),
    spec(280, None, "wealdway", Some(("Wealdway Studio, 2 Mill Yard", "Tonbridge", "TN9 9ZZ")), Hours::Office, false,
        "Your GP, school, social worker or mental health team",
        "A professional refers you; we invite you and your family to visit the studio first.",
        "Comfortable clothes you do not mind getting paint on", false),
    spec(290, Some(290), "stourside", Some(("Stourside Young Carers, 14 Stour Street", "Canterbury", "CT1 9ZZ")), Hours::Evenings, true,
        "",
        "Call or text us, or come to a drop-in evening; a parent, school or social worker can also tell us about you.",
        "Nothing: we will ask about who you care for when you are ready", false),
];

#[allow(clippy::too_many_arguments)]
const fn spec(
    line: u16,
    text: Option<u16>,
    slug: &'static str,
    address: Option<(&'static str, &'static str, &'static str)>,
    hours: Hours,
    drop_in: bool,
    referral_from: &'static str,
    application_process: &'static str,
    what_to_bring: &'static str,
    crisis_line: bool,
) -> OfferSpec {
    OfferSpec {
        line,
        text,
        slug,
        address,
        hours,
        drop_in,
        referral_from,
        application_process,
        what_to_bring,
        crisis_line,
    }
}

fn sessions(days: &[Weekday], opens_at: &str, closes_at: &str) -> Vec<OpeningTimes> {
    days.iter()
        .map(|weekday| OpeningTimes {
            weekday: *weekday,
            opens_at: opens_at.to_owned(),
            closes_at: closes_at.to_owned(),
        })
        .collect()
}

fn opening_hours(hours: Hours) -> OpeningHours {
    use Weekday::*;
    let weekdays = [Monday, Tuesday, Wednesday, Thursday, Friday];
    let (open_24_7, regular, note) = match hours {
        Hours::Always => (true, Vec::new(), ""),
        Hours::Office => (
            false,
            sessions(&weekdays, "09:00", "17:00"),
            "Closed on bank holidays",
        ),
        Hours::School => (
            false,
            sessions(&weekdays, "08:30", "16:00"),
            "School terms only",
        ),
        Hours::Evenings => {
            let mut regular = sessions(&[Monday, Tuesday, Wednesday, Thursday], "16:00", "20:00");
            regular.extend(sessions(&[Saturday], "10:00", "14:00"));
            (false, regular, "")
        }
        Hours::Hub => {
            let mut regular = sessions(&weekdays, "10:00", "18:00");
            regular.extend(sessions(&[Saturday], "10:00", "13:00"));
            (false, regular, "Drop-in until an hour before closing")
        }
        Hours::Online => (false, sessions(&Weekday::ALL, "12:00", "22:00"), ""),
    };
    OpeningHours {
        open_24_7,
        regular,
        note: note.to_owned(),
    }
}

/// The offer of the service at `index` of `county::SERVICES` (an empty offer past the end).
pub(crate) fn offer(index: usize) -> ServiceOffer {
    let Some(spec) = OFFERS.get(index) else {
        return ServiceOffer::default();
    };
    let mut phones = vec![ServicePhone {
        number: if spec.crisis_line {
            format!("0808 157 0{:03}", spec.line)
        } else {
            format!("01632 960 {:03}", spec.line)
        },
        label: if spec.crisis_line {
            "Call free, day or night".to_owned()
        } else {
            "Call".to_owned()
        },
        kind: PhoneKind::Voice,
    }];
    if let Some(text) = spec.text {
        phones.push(ServicePhone {
            number: format!("07700 900 {text:03}"),
            label: "Text".to_owned(),
            kind: PhoneKind::Text,
        });
    }
    ServiceOffer {
        phones,
        email: Some(format!("hello@{}.example.org", spec.slug)),
        url: Some(format!("https://{}.example.org", spec.slug)),
        physical_address: spec.address.map(|(line, city, postcode)| PhysicalAddress {
            address_1: line.to_owned(),
            address_2: String::new(),
            city: city.to_owned(),
            postal_code: postcode.to_owned(),
        }),
        remote_only: spec.address.is_none(),
        opening_hours: opening_hours(spec.hours),
        drop_in: spec.drop_in,
        referral_from: spec.referral_from.to_owned(),
        application_process: spec.application_process.to_owned(),
        what_to_bring: spec.what_to_bring.to_owned(),
        crisis_line: spec.crisis_line,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::county::SERVICES;

    #[test]
    fn every_demo_service_has_a_valid_offer_with_a_number_and_opening_hours() {
        assert_eq!(OFFERS.len(), SERVICES.len());
        for (index, service) in SERVICES.iter().enumerate() {
            let offer = offer(index);
            let mut errors = nwd_domain::ValidationErrors::new();
            offer.validate(&mut errors);
            assert!(errors.is_empty(), "{}: {errors}", service.name);
            assert!(!offer.phones.is_empty(), "{}", service.name);
            assert!(offer.opening_hours.summary().is_some(), "{}", service.name);
            assert!(offer
                .url
                .as_deref()
                .is_some_and(|u| u.ends_with(".example.org")));
        }
        let crisis: Vec<&str> = (0..SERVICES.len())
            .filter(|i| offer(*i).crisis_line)
            .map(|i| SERVICES[i].name)
            .collect();
        assert_eq!(crisis, ["24/7 Mental Health Crisis Line (0–25)"]);
    }
}
