//! The free text the demo writes: presenting needs in referrers' words, triage rationales,
//! preferences, advice, signposting destinations, reasons for declining, and the invented
//! staff who record events. All of it is invented.

use nwd_domain::codes::ReasonCode as R;
use nwd_domain::need::NeedGroup;

use crate::draw::{one_of, DemoRng};

/// Presenting needs as a referrer might put them.
pub(crate) fn presenting_needs(rng: &mut DemoRng, reason: R) -> &'static str {
    match reason {
        R::Anxiety | R::Phobias => one_of(rng, &[
            "Worries most days, stomach aches before school and has stopped going to clubs.",
            "Panic attacks on the bus and in crowded places; avoiding school since half term.",
        ]),
        R::Depression => one_of(rng, &[
            "Low mood for several months, withdrawn, sleeping badly and not enjoying things.",
            "Tearful and flat, says there is no point; grades have dropped this term.",
        ]),
        R::SelfHarm => one_of(rng, &[
            "Cutting arms for the last two months; school noticed marks in PE.",
            "Disclosed self-harm to a friend, who told a teacher. Says it helps with feelings.",
        ]),
        R::InCrisis => one_of(rng, &[
            "Expressed thoughts of ending their life last night; family very worried.",
            "Found by police in distress near the railway; says they cannot keep themselves safe.",
        ]),
        R::EatingDisorder => one_of(rng, &[
            "Restricting food, weight loss over three months, exercising excessively.",
            "Skipping meals, preoccupied with weight and shape; GP concerned about heart rate.",
        ]),
        R::SuspectedAutism | R::DiagnosedAutism => one_of(rng, &[
            "Difficulties with change and social communication; school asks about autism.",
            "Meltdowns after school, sensory sensitivities, struggles with friendships.",
        ]),
        R::SuspectedAdhd | R::DiagnosedAdhd => one_of(rng, &[
            "Cannot settle in class, impulsive, losing things; parents ask for an ADHD assessment.",
            "Hyperactive at home and school, at risk of exclusion.",
        ]),
        R::NeurodevelopmentalExclAutism | R::Neurodevelopmental => {
            "Developmental concerns raised by school; tics and learning difficulties."
        }
        R::ConductDisorder => one_of(rng, &[
            "Aggressive outbursts at home, damaging property, fixed-term exclusion.",
            "Defiant and angry, getting into fights; known to youth justice.",
        ]),
        R::RelationshipDifficulties | R::AttachmentDifficulties => one_of(rng, &[
            "Conflict at home since parents separated; struggling to trust adults.",
            "Placement breakdown last month; finds it hard to settle with new carers.",
        ]),
        R::Ptsd => "Nightmares and flashbacks after a traumatic event last year.",
        R::Ocd => "Hand washing and checking rituals taking hours a day.",
        R::GenderDiscomfort => "Distress about gender identity; wants someone to talk to.",
        R::DrugAlcohol => "Using cannabis daily and drinking at weekends; mood swings.",
        R::FirstEpisodePsychosis | R::OngoingPsychosis | R::Bipolar => {
            "Hearing voices and increasingly suspicious of family; not sleeping."
        }
        _ => "Struggling with emotional wellbeing; referrer would like advice on next steps.",
    }
}

/// Why triage agreed this need group.
pub(crate) fn rationale(rng: &mut DemoRng, group: NeedGroup) -> &'static str {
    match group {
        NeedGroup::Thriving => "Coping well overall; information on looking after wellbeing agreed with the family.",
        NeedGroup::GettingAdvice => one_of(rng, &[
            "Mild, recent difficulties; advice and self-management agreed with the young person and family.",
            "Difficulties are manageable with light-touch support close to home.",
        ]),
        NeedGroup::GettingHelp => one_of(rng, &[
            "Would benefit from focused, goal-based help; goals agreed at the triage call.",
            "Moderate difficulties affecting school and home; evidence-based help agreed.",
        ]),
        NeedGroup::GettingMoreHelp => one_of(rng, &[
            "Complex needs requiring extensive, multi-professional help.",
            "Severe and persistent difficulties; specialist assessment and treatment needed.",
        ]),
        NeedGroup::GettingRiskSupport => one_of(rng, &[
            "Significant current risk; crisis plan and interagency risk management needed.",
            "Immediate safety concerns; urgent assessment arranged and safety plan shared.",
        ]),
    }
}

/// The young person's and family's preference, when they stated one.
pub(crate) fn preference(rng: &mut DemoRng) -> Option<&'static str> {
    one_of(
        rng,
        &[
            None,
            None,
            Some("Would prefer appointments after school."),
            Some("Would like to be seen at school."),
            Some("Prefers to talk online or by text."),
            Some("Wants a parent present at the first appointment."),
            Some("Would rather not be seen at school."),
        ],
    )
}

/// Advice given to a professional who asked for it.
pub(crate) fn advice(rng: &mut DemoRng) -> &'static str {
    one_of(rng, &[
        "Consultation with the school: strategies for anxiety in class and a staged return plan.",
        "Advice to the GP on sleep and low mood; re-refer if no improvement in six weeks.",
        "Discussed safety planning with the social worker; no referral needed at present.",
        "Advised the school SENCo on reasonable adjustments while awaiting assessment.",
    ])
}

/// Signposting destinations outside the directory, and whether the handover is usually warm.
pub(crate) const EXTERNAL_SIGNPOSTS: [&str; 9] = [
    "Early Help family support (county council)",
    "School nursing service",
    "Family hub parenting programme",
    "Bereavement support group for young people",
    "Adult talking therapies (18+)",
    "GP review of physical health",
    "Young people's substance misuse service",
    "Domestic abuse support for families",
    "Educational psychology via the school SENCo",
];

/// Why a young person or family declined.
pub(crate) fn declined(rng: &mut DemoRng) -> &'static str {
    one_of(
        rng,
        &[
            "Does not want help at the moment.",
            "Family would prefer to wait and see over the summer.",
            "Already seeing a private counsellor.",
            "Would rather manage with support from school.",
        ],
    )
}

/// Why support was ended early by the young person or family.
pub(crate) fn ended_support(rng: &mut DemoRng) -> &'static str {
    one_of(
        rng,
        &[
            "Feels better and does not want more sessions.",
            "Family moving house and want to pause support.",
            "Did not find the sessions helpful.",
        ],
    )
}

/// Single point of access staff who triage.
pub(crate) const TRIAGE_STAFF: [&str; 8] = [
    "Priya Shah (SPA senior practitioner)",
    "Tom Ellis (SPA mental health nurse)",
    "Grace Adeyemi (SPA clinical psychologist)",
    "Hannah Cole (SPA social worker)",
    "Daniel Price (SPA duty clinician)",
    "Aisha Rahman (SPA senior practitioner)",
    "Mark Fenn (SPA mental health nurse)",
    "Chloe Barker (SPA wellbeing practitioner)",
];

/// Who records a referral's arrival.
pub(crate) const RECEIVERS: [&str; 3] = [
    "SPA administrator",
    "Online referral form",
    "SPA duty telephone line",
];

/// Practitioners across the county's services.
pub(crate) const CLINICIANS: [&str; 32] = [
    "Dr Sarah Okoro",
    "Dr James Whitfield",
    "Dr Leila Haddad",
    "Dr Owen Marsh",
    "Emma Lowe (CBT therapist)",
    "Ben Carter (mental health nurse)",
    "Ruth Kemp (family therapist)",
    "Sanjay Mehta (clinical psychologist)",
    "Lucy Dunn (education mental health practitioner)",
    "Nadia Kowalczyk (education mental health practitioner)",
    "Joe Parry (youth worker)",
    "Fiona Grant (counsellor)",
    "Kwame Boateng (counsellor)",
    "Helen Shaw (art therapist)",
    "Marta Silva (music therapist)",
    "Rosie Turner (wellbeing practitioner)",
    "Callum Reid (crisis practitioner)",
    "Anya Petrova (crisis practitioner)",
    "Ian Booth (speech and language therapist)",
    "Dr Meera Iyer (paediatrician)",
    "Zoe Fletcher (dietitian)",
    "Paul Greene (mental health nurse)",
    "Kate Morley (social worker)",
    "Dev Patel (online counsellor)",
    "Amy Chan (online counsellor)",
    "Lewis Hart (youth justice practitioner)",
    "Jade Robinson (young carers worker)",
    "Sam Osei (psychotherapist)",
    "Dr Claire Benson",
    "Ellie Ward (assistant psychologist)",
    "Mo Hussain (peer support worker)",
    "Gail Pearce (occupational therapist)",
];
