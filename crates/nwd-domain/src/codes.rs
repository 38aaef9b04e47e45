//! National codes the model projects onto (MHSDS v5 and the NHS Data Dictionary).
//!
//! Each enum is our own vocabulary, serialised as `snake_case` in the API, with the national
//! code it maps to beside each variant. Sources are cited per enum; where the domain guide
//! marks a meaning as "believed", the mapping is recorded in `docs/codes.md` to confirm.

use serde::{Deserialize, Serialize};

/// Declares a coded enum: variants with a national code and a human label.
macro_rules! coded_enum {
    ($(#[$doc:meta])* $name:ident { $( $(#[$vdoc:meta])* $variant:ident = ($api:expr, $code:expr, $label:expr) ),+ $(,)? }) => {
        $(#[$doc])*
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
        #[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
        #[serde(rename_all = "snake_case")]
        pub enum $name {
            $( $(#[$vdoc])* $variant ),+
        }

        impl $name {
            /// Every variant, in declaration order.
            pub const ALL: &'static [$name] = &[$($name::$variant),+];

            /// The national code this variant maps to.
            pub fn code(&self) -> &'static str {
                match self { $($name::$variant => $code),+ }
            }

            /// A plain-English label.
            pub fn label(&self) -> &'static str {
                match self { $($name::$variant => $label),+ }
            }

            /// The API name (`snake_case`), as serialised.
            pub fn as_str(&self) -> &'static str {
                match self { $($name::$variant => $api),+ }
            }

            /// Parses the API name (`snake_case`).
            pub fn parse(value: &str) -> Result<Self, String> {
                $name::ALL.iter().copied().find(|v| v.as_str() == value).ok_or_else(|| {
                    let allowed: Vec<&str> = $name::ALL.iter().map(|v| v.as_str()).collect();
                    format!("unknown value {value:?}; allowed: {}", allowed.join(", "))
                })
            }

            /// Finds the variant for a national code.
            pub fn from_code(code: &str) -> Option<Self> {
                $name::ALL.iter().copied().find(|v| v.code() == code)
            }
        }

        impl std::fmt::Display for $name {
            fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
                f.write_str(self.as_str())
            }
        }
    };
}

pub(crate) use coded_enum;

mod plain_reason;
pub use plain_reason::PlainReason;

coded_enum!(
    /// Who referred. Maps to MHSDS `SourceOfReferralMH` (NHS Data Dictionary "Source of
    /// referral for mental health"; codes accepted by NHS England's pipeline are listed in
    /// NHSDigital/mental-health-monthly-statistics `0.5_VersionChanges.py`).
    ReferralSource {
        /// B1 Self referral: self.
        SelfReferral = ("self_referral", "B1", "Self-referral"),
        /// B2 Self referral: carer/relative.
        ParentCarer = ("parent_carer", "B2", "Parent or carer"),
        /// A1 Primary health care: general medical practitioner practice.
        Gp = ("gp", "A1", "GP practice"),
        /// C2 Local authority and other public services: education service / educational establishment.
        School = ("school", "C2", "School or education service"),
        /// C1 Local authority and other public services: social services.
        SocialCare = ("social_care", "C1", "Social care"),
        /// E6 Justice system: youth offending team.
        YouthJustice = ("youth_justice", "E6", "Youth justice"),
        /// E1 Justice system: police.
        Police = ("police", "E1", "Police"),
        /// H1 Acute secondary care: emergency care department.
        EmergencyDepartment = ("emergency_department", "H1", "Emergency department"),
        /// G4 Independent/voluntary sector: voluntary sector.
        VoluntarySector = ("voluntary_sector", "G4", "Voluntary or community sector"),
        /// I2 Permanent transfer from another mental health NHS trust.
        Transfer = ("transfer", "I2", "Transfer from another NHS mental health trust"),
        /// M3 Other: other service or agency.
        Other = ("other", "M3", "Other service or agency"),
    }
);

impl ReferralSource {
    /// True for the sources that come from the young person or family themselves.
    pub fn is_self_or_family(&self) -> bool {
        matches!(
            self,
            ReferralSource::SelfReferral | ReferralSource::ParentCarer
        )
    }
}

coded_enum!(
    /// Clinical response priority (MHSDS `ClinRespPriorityType`): 1 emergency, 4 very urgent,
    /// 2 urgent, 3 routine (domain guide §3).
    Priority {
        /// 1 Emergency.
        Emergency = ("emergency", "1", "Emergency"),
        /// 4 Very urgent.
        VeryUrgent = ("very_urgent", "4", "Very urgent"),
        /// 2 Urgent.
        Urgent = ("urgent", "2", "Urgent"),
        /// 3 Routine.
        Routine = ("routine", "3", "Routine"),
    }
);

impl Priority {
    /// Sort rank: 0 is seen first. Waiting lists order by this, then clock start.
    pub fn rank(&self) -> i64 {
        match self {
            Priority::Emergency => 0,
            Priority::VeryUrgent => 1,
            Priority::Urgent => 2,
            Priority::Routine => 3,
        }
    }
}

coded_enum!(
    /// Primary reason for referral (MHSDS v5 `PrimReasonReferralMH`, codes 01–31; domain guide §3
    /// lists the ones most used in children's services).
    ReasonCode {
        /// 01 (Suspected) first episode psychosis.
        FirstEpisodePsychosis = ("first_episode_psychosis", "01", "(Suspected) first episode psychosis"),
        /// 02 Ongoing or recurrent psychosis.
        OngoingPsychosis = ("ongoing_psychosis", "02", "Ongoing or recurrent psychosis"),
        /// 03 Bipolar disorder.
        Bipolar = ("bipolar", "03", "Bipolar disorder"),
        /// 04 Depression.
        Depression = ("depression", "04", "Depression"),
        /// 05 Anxiety.
        Anxiety = ("anxiety", "05", "Anxiety"),
        /// 06 Obsessive compulsive disorder.
        Ocd = ("ocd", "06", "Obsessive compulsive disorder"),
        /// 07 Phobias.
        Phobias = ("phobias", "07", "Phobias"),
        /// 08 Organic brain disorder.
        OrganicBrainDisorder = ("organic_brain_disorder", "08", "Organic brain disorder"),
        /// 09 Drug and alcohol difficulties.
        DrugAlcohol = ("drug_alcohol", "09", "Drug and alcohol difficulties"),
        /// 10 Unexplained physical symptoms.
        UnexplainedPhysicalSymptoms = ("unexplained_physical_symptoms", "10", "Unexplained physical symptoms"),
        /// 11 Post-traumatic stress disorder.
        Ptsd = ("ptsd", "11", "Post-traumatic stress disorder"),
        /// 12 Eating disorders.
        EatingDisorder = ("eating_disorder", "12", "Eating disorders"),
        /// 13 Perinatal mental health issues.
        Perinatal = ("perinatal", "13", "Perinatal mental health issues"),
        /// 14 Personality disorders.
        PersonalityDisorder = ("personality_disorder", "14", "Personality disorders"),
        /// 15 Self-harm behaviours.
        SelfHarm = ("self_harm", "15", "Self-harm behaviours"),
        /// 16 Conduct disorders.
        ConductDisorder = ("conduct_disorder", "16", "Conduct disorders"),
        /// 17 Neurodevelopmental conditions (historical code; 24–26 are preferred).
        Neurodevelopmental = ("neurodevelopmental", "17", "Neurodevelopmental conditions"),
        /// 18 In crisis.
        InCrisis = ("in_crisis", "18", "In crisis"),
        /// 19 Relationship difficulties.
        RelationshipDifficulties = ("relationship_difficulties", "19", "Relationship difficulties"),
        /// 20 Gender discomfort issues.
        GenderDiscomfort = ("gender_discomfort", "20", "Gender discomfort issues"),
        /// 21 Attachment difficulties.
        AttachmentDifficulties = ("attachment_difficulties", "21", "Attachment difficulties"),
        /// 22 Self-care issues.
        SelfCare = ("self_care", "22", "Self-care issues"),
        /// 23 Adjustment to health issues.
        AdjustmentToHealth = ("adjustment_to_health", "23", "Adjustment to health issues"),
        /// 24 Neurodevelopmental conditions, excluding autism spectrum disorder.
        NeurodevelopmentalExclAutism = ("neurodevelopmental_excl_autism", "24", "Neurodevelopmental conditions, excluding autism"),
        /// 25 Suspected autism spectrum disorder.
        SuspectedAutism = ("suspected_autism", "25", "Suspected autism"),
        /// 26 Diagnosed autism spectrum disorder.
        DiagnosedAutism = ("diagnosed_autism", "26", "Diagnosed autism"),
        /// 27 Preconception perinatal mental health concern.
        PreconceptionPerinatal = ("preconception_perinatal", "27", "Preconception perinatal mental health concern"),
        /// 28 Gambling disorder.
        Gambling = ("gambling", "28", "Gambling disorder"),
        /// 29 Community perinatal mental health partner assessment.
        PerinatalPartner = ("perinatal_partner", "29", "Community perinatal mental health partner assessment"),
        /// 30 Suspected ADHD.
        SuspectedAdhd = ("suspected_adhd", "30", "Suspected ADHD"),
        /// 31 Diagnosed ADHD.
        DiagnosedAdhd = ("diagnosed_adhd", "31", "Diagnosed ADHD"),
    }
);

coded_enum!(
    /// Service or team type (MHSDS `ServTeamTypeRefToMH`, a selection for children's services;
    /// domain guide §3).
    TeamType {
        /// A18 Single point of access service.
        SinglePointOfAccess = ("single_point_of_access", "A18", "Single point of access"),
        /// A19 24/7 crisis response line.
        CrisisLine = ("crisis_line", "A19", "24/7 crisis response line"),
        /// A02 Crisis resolution team / home treatment service.
        CrisisResolution = ("crisis_resolution", "A02", "Crisis resolution / home treatment"),
        /// C04 Neurodevelopment team.
        Neurodevelopment = ("neurodevelopment", "C04", "Neurodevelopment team"),
        /// C06 Looked after children mental health service.
        LookedAfterChildren = ("looked_after_children", "C06", "Looked-after children's mental health"),
        /// C07 Youth offending service.
        YouthOffending = ("youth_offending", "C07", "Youth offending service"),
        /// C10 Community eating disorder service.
        EatingDisorder = ("eating_disorder", "C10", "Community eating disorder service"),
        /// D06 Mental health in education service.
        MentalHealthInEducation = ("mental_health_in_education", "D06", "Mental health in education"),
        /// F01 Mental health support team (education-based).
        MentalHealthSupportTeam = ("mental_health_support_team", "F01", "Mental health support team in schools"),
        /// F06 Mental health and wellbeing hub.
        WellbeingHub = ("wellbeing_hub", "F06", "Mental health and wellbeing hub"),
        /// C05 Paediatric liaison / community CYP mental health (general community team).
        Community = ("community", "C05", "Community children and young people's mental health"),
    }
);

coded_enum!(
    /// Consultation mechanism (MHSDS `ConsMechanismMH`; domain guide §3).
    ConsultationMechanism {
        /// 01 Face to face.
        FaceToFace = ("face_to_face", "01", "Face to face"),
        /// 02 Telephone.
        Telephone = ("telephone", "02", "Telephone"),
        /// 04 Talk type for a person unable to speak.
        TalkType = ("talk_type", "04", "Talk type (unable to speak)"),
        /// 05 Email.
        Email = ("email", "05", "Email"),
        /// 09 Text message (asynchronous).
        TextMessage = ("text_message", "09", "Text message"),
        /// 10 Instant messaging (synchronous).
        InstantMessaging = ("instant_messaging", "10", "Instant messaging"),
        /// 11 Video consultation.
        Video = ("video", "11", "Video"),
        /// 12 Message board (asynchronous).
        MessageBoard = ("message_board", "12", "Message board"),
        /// 13 Chat room (synchronous).
        ChatRoom = ("chat_room", "13", "Chat room"),
        /// 98 Other.
        Other = ("other", "98", "Other"),
    }
);

impl ConsultationMechanism {
    /// Mechanisms counted for the CYP access measures: 01, 02, 04, 11 (domain guide §3).
    pub fn counts_for_access(&self) -> bool {
        matches!(
            self,
            ConsultationMechanism::FaceToFace
                | ConsultationMechanism::Telephone
                | ConsultationMechanism::TalkType
                | ConsultationMechanism::Video
        )
    }
}

coded_enum!(
    /// What happened to a contact (NHS Data Dictionary "Attended or did not attend").
    /// `Scheduled` is ours: a booked contact with no outcome yet (code 0 "not applicable").
    ContactStatus {
        /// Booked, outcome not yet recorded.
        Scheduled = ("scheduled", "0", "Scheduled"),
        /// 5 Attended on time (or before the professional was ready).
        Attended = ("attended", "5", "Attended"),
        /// 6 Arrived late but was seen.
        AttendedLate = ("attended_late", "6", "Arrived late, seen"),
        /// 7 Arrived late and could not be seen.
        LateNotSeen = ("late_not_seen", "7", "Arrived late, not seen"),
        /// 3 Did not attend, no advance warning.
        DidNotAttend = ("did_not_attend", "3", "Did not attend"),
        /// 2 Cancelled by, or on behalf of, the patient.
        CancelledByPatient = ("cancelled_by_patient", "2", "Cancelled by patient"),
        /// 4 Cancelled or postponed by the provider.
        CancelledByProvider = ("cancelled_by_provider", "4", "Cancelled by provider"),
    }
);

impl ContactStatus {
    /// Attended (codes 5 and 6): the only statuses that stop a wait and count for access.
    pub fn is_attended(&self) -> bool {
        matches!(self, ContactStatus::Attended | ContactStatus::AttendedLate)
    }

    /// Its part in the did-not-attend rate: `Some(true)` for a DNA (code 3, no advance
    /// warning), `Some(false)` for the other appointments the young person was expected at
    /// (5, 6, 7), `None` for those that did not go ahead or have no outcome yet (2 and 4,
    /// cancelled; scheduled). The rate is DNAs over those expected, our definition on the NHS
    /// Data Dictionary's attendance codes: NHS England publishes care contacts by attendance
    /// status (`DNA_Reason` in `menh_analysis/notebooks/01_Prepare/0.Generic_prep.py` lines
    /// 2029–2037, NHSDigital/mental-health-monthly-statistics at commit 7b4d742), not one
    /// rate, and the area may count arriving late and not seen (7) differently.
    pub fn did_not_attend(&self) -> Option<bool> {
        match self {
            ContactStatus::DidNotAttend => Some(true),
            ContactStatus::Attended | ContactStatus::AttendedLate | ContactStatus::LateNotSeen => {
                Some(false)
            }
            ContactStatus::Scheduled
            | ContactStatus::CancelledByPatient
            | ContactStatus::CancelledByProvider => None,
        }
    }
}

coded_enum!(
    /// Ethnic category (NHS Data Dictionary "Ethnic category", 2001 census groups; 99 not known).
    EthnicCategory {
        /// A White British.
        WhiteBritish = ("white_british", "A", "White - British"),
        /// B White Irish.
        WhiteIrish = ("white_irish", "B", "White - Irish"),
        /// C Any other White background.
        WhiteOther = ("white_other", "C", "White - any other White background"),
        /// D Mixed White and Black Caribbean.
        MixedWhiteBlackCaribbean = ("mixed_white_black_caribbean", "D", "Mixed - White and Black Caribbean"),
        /// E Mixed White and Black African.
        MixedWhiteBlackAfrican = ("mixed_white_black_african", "E", "Mixed - White and Black African"),
        /// F Mixed White and Asian.
        MixedWhiteAsian = ("mixed_white_asian", "F", "Mixed - White and Asian"),
        /// G Any other mixed background.
        MixedOther = ("mixed_other", "G", "Mixed - any other mixed background"),
        /// H Asian or Asian British Indian.
        AsianIndian = ("asian_indian", "H", "Asian or Asian British - Indian"),
        /// J Asian or Asian British Pakistani.
        AsianPakistani = ("asian_pakistani", "J", "Asian or Asian British - Pakistani"),
        /// K Asian or Asian British Bangladeshi.
        AsianBangladeshi = ("asian_bangladeshi", "K", "Asian or Asian British - Bangladeshi"),
        /// L Any other Asian background.
        AsianOther = ("asian_other", "L", "Asian or Asian British - any other Asian background"),
        /// M Black or Black British Caribbean.
        BlackCaribbean = ("black_caribbean", "M", "Black or Black British - Caribbean"),
        /// N Black or Black British African.
        BlackAfrican = ("black_african", "N", "Black or Black British - African"),
        /// P Any other Black background.
        BlackOther = ("black_other", "P", "Black or Black British - any other Black background"),
        /// R Chinese.
        Chinese = ("chinese", "R", "Other ethnic groups - Chinese"),
        /// S Any other ethnic group.
        OtherEthnicGroup = ("other_ethnic_group", "S", "Other ethnic groups - any other ethnic group"),
        /// Z Not stated.
        NotStated = ("not_stated", "Z", "Not stated"),
        /// 99 Not known.
        NotKnown = ("not_known", "99", "Not known"),
    }
);

coded_enum!(
    /// Sex (person stated sex; NHS Data Dictionary "Person stated gender code" 1, 2, 9, X).
    Sex {
        /// 1 Male.
        Male = ("male", "1", "Male"),
        /// 2 Female.
        Female = ("female", "2", "Female"),
        /// 9 Indeterminate.
        Indeterminate = ("indeterminate", "9", "Indeterminate"),
        /// X Not known.
        NotKnown = ("not_known", "X", "Not known"),
    }
);

coded_enum!(
    /// Gender identity (MHSDS `GenderIDCode`: 1 male, 2 female, 3 non-binary, 4 other, X not
    /// known, Z not stated).
    GenderIdentity {
        /// 1 Male (including trans man).
        Male = ("male", "1", "Male"),
        /// 2 Female (including trans woman).
        Female = ("female", "2", "Female"),
        /// 3 Non-binary.
        NonBinary = ("non_binary", "3", "Non-binary"),
        /// 4 Other (not listed).
        Other = ("other", "4", "Other"),
        /// X Not known.
        NotKnown = ("not_known", "X", "Not known"),
        /// Z Not stated.
        NotStated = ("not_stated", "Z", "Not stated"),
    }
);

coded_enum!(
    /// How a service is delivered (our vocabulary; projects onto consultation mechanisms).
    DeliveryMode {
        /// Face to face.
        FaceToFace = ("face_to_face", "01", "Face to face"),
        /// Telephone.
        Telephone = ("telephone", "02", "Telephone"),
        /// Video or online chat.
        Online = ("online", "11", "Online"),
        /// Text messaging.
        Text = ("text", "09", "Text"),
    }
);

coded_enum!(
    /// Why an allocation ended. Our codes; the MHSDS projection (`ReferClosReason`) is recorded
    /// in `docs/codes.md` as pending confirmation against the NHS Data Dictionary.
    DischargeReason {
        /// Treatment or support completed; goals met.
        TreatmentCompleted = ("treatment_completed", "01", "Treatment completed"),
        /// No further intervention needed after assessment.
        NoFurtherInterventionNeeded = ("no_further_intervention_needed", "02", "No further intervention needed"),
        /// Moved on to another service (named in the destination).
        TransferredToAnotherService = ("transferred_to_another_service", "03", "Transferred to another service"),
        /// Transition to adult or 0–25 services.
        Transition = ("transition", "04", "Transition"),
        /// The young person or family chose to end support.
        DeclinedFurtherSupport = ("declined_further_support", "05", "Declined further support"),
        /// Did not attend and could not be re-engaged (after the service's DNA policy).
        DidNotEngage = ("did_not_engage", "06", "Did not engage"),
        /// Moved out of the area.
        MovedOutOfArea = ("moved_out_of_area", "07", "Moved out of area"),
        /// Stepped to another need group; re-allocated.
        SteppedUpOrDown = ("stepped_up_or_down", "08", "Stepped up or down"),
        /// Died.
        Died = ("died", "09", "Died"),
    }
);

impl DischargeReason {
    /// Whether the discharge action accepts this code: transitions are recorded with the
    /// transition action and step changes with step up/down, so those two codes are never
    /// chosen at discharge. Pages offer exactly the codes for which this is true.
    pub fn accepted_at_discharge(self) -> bool {
        !matches!(
            self,
            DischargeReason::Transition | DischargeReason::SteppedUpOrDown
        )
    }
}

coded_enum!(
    /// Where a young person goes at transition (issue: by need; services can run to 25).
    TransitionOutcome {
        /// Adult mental health service.
        AdultService = ("adult_service", "01", "Adult mental health service"),
        /// A 0–25 service (continues with the same or another young people's service).
        ZeroToTwentyFiveService = ("zero_to_twenty_five_service", "02", "0–25 service"),
        /// Back to the GP.
        Gp = ("gp", "03", "GP"),
        /// No further service needed.
        NoFurtherServiceNeeded = ("no_further_service_needed", "04", "No further service needed"),
    }
);

#[cfg(test)]
mod tests;
