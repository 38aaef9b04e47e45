//! The uptake groups the commissioner dashboard counts young people by ([`UptakeGroup`]): broad
//! ethnic groups over the NHS Data Dictionary's codes ([`EthnicityGroup`]), gender groups, and
//! the groups the area's plans name. "Not asked" and "prefer not to say" stay apart.

use crate::codes::EthnicCategory;

/// Broad ethnic groups (the NHS Data Dictionary's 2001-census headings over the A–S codes).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum EthnicityGroup {
    /// A–C.
    White,
    /// D–G.
    Mixed,
    /// H–L.
    Asian,
    /// M–P.
    Black,
    /// R, S.
    Other,
    /// Z "not stated": asked, and they chose not to say.
    PreferNotToSay,
    /// Not asked, or 99 "not known".
    NotRecorded,
}

impl EthnicityGroup {
    /// The broad group of an ethnic category.
    pub fn of(category: Option<EthnicCategory>) -> EthnicityGroup {
        use EthnicCategory as E;
        match category {
            None | Some(E::NotKnown) => EthnicityGroup::NotRecorded,
            Some(E::NotStated) => EthnicityGroup::PreferNotToSay,
            Some(E::WhiteBritish | E::WhiteIrish | E::WhiteOther) => EthnicityGroup::White,
            Some(
                E::MixedWhiteBlackCaribbean
                | E::MixedWhiteBlackAfrican
                | E::MixedWhiteAsian
                | E::MixedOther,
            ) => EthnicityGroup::Mixed,
            Some(E::AsianIndian | E::AsianPakistani | E::AsianBangladeshi | E::AsianOther) => {
                EthnicityGroup::Asian
            }
            Some(E::BlackCaribbean | E::BlackAfrican | E::BlackOther) => EthnicityGroup::Black,
            Some(E::Chinese | E::OtherEthnicGroup) => EthnicityGroup::Other,
        }
    }
}

/// Trans or not, as far as recorded (ONS 2021's "same as sex registered at birth").
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum GenderGroup {
    /// Gender not the same as the sex registered at birth.
    Trans,
    /// The same.
    NotTrans,
    /// Asked, and they chose not to say.
    PreferNotToSay,
    /// Not asked.
    NotRecorded,
}

/// One row of the dashboard's uptake table.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum UptakeGroup {
    /// A broad ethnic group.
    Ethnicity(EthnicityGroup),
    /// Trans or not.
    Gender(GenderGroup),
    /// Looked-after children.
    LookedAfter,
    /// Care leavers.
    CareLeaver,
    /// Youth justice involvement.
    YouthJustice,
    /// SEND or an EHC plan.
    SendEhcp,
    /// Autistic (diagnosed or suspected).
    Autistic,
    /// ADHD (diagnosed or suspected).
    Adhd,
    /// Young carers.
    YoungCarer,
    /// Disabled (Equality Act 2010 s.6).
    Disabled,
    /// None of the group questions answered.
    NoGroupRecorded,
}

impl UptakeGroup {
    /// Every row, in the order shown.
    pub const ALL: [UptakeGroup; 20] = [
        UptakeGroup::Ethnicity(EthnicityGroup::White),
        UptakeGroup::Ethnicity(EthnicityGroup::Mixed),
        UptakeGroup::Ethnicity(EthnicityGroup::Asian),
        UptakeGroup::Ethnicity(EthnicityGroup::Black),
        UptakeGroup::Ethnicity(EthnicityGroup::Other),
        UptakeGroup::Ethnicity(EthnicityGroup::PreferNotToSay),
        UptakeGroup::Ethnicity(EthnicityGroup::NotRecorded),
        UptakeGroup::Gender(GenderGroup::Trans),
        UptakeGroup::Gender(GenderGroup::NotTrans),
        UptakeGroup::Gender(GenderGroup::PreferNotToSay),
        UptakeGroup::Gender(GenderGroup::NotRecorded),
        UptakeGroup::LookedAfter,
        UptakeGroup::CareLeaver,
        UptakeGroup::YouthJustice,
        UptakeGroup::SendEhcp,
        UptakeGroup::Autistic,
        UptakeGroup::Adhd,
        UptakeGroup::YoungCarer,
        UptakeGroup::Disabled,
        UptakeGroup::NoGroupRecorded,
    ];

    /// Position in [`UptakeGroup::ALL`].
    pub fn index(self) -> usize {
        UptakeGroup::ALL
            .iter()
            .position(|g| *g == self)
            .unwrap_or(UptakeGroup::ALL.len() - 1)
    }

    /// The key used in the API and the CSV.
    pub fn key(self) -> &'static str {
        use EthnicityGroup as E;
        use GenderGroup as G;
        match self {
            UptakeGroup::Ethnicity(E::White) => "ethnicity_white",
            UptakeGroup::Ethnicity(E::Mixed) => "ethnicity_mixed",
            UptakeGroup::Ethnicity(E::Asian) => "ethnicity_asian",
            UptakeGroup::Ethnicity(E::Black) => "ethnicity_black",
            UptakeGroup::Ethnicity(E::Other) => "ethnicity_other",
            UptakeGroup::Ethnicity(E::PreferNotToSay) => "ethnicity_prefer_not_to_say",
            UptakeGroup::Ethnicity(E::NotRecorded) => "ethnicity_not_recorded",
            UptakeGroup::Gender(G::Trans) => "gender_trans",
            UptakeGroup::Gender(G::NotTrans) => "gender_not_trans",
            UptakeGroup::Gender(G::PreferNotToSay) => "gender_prefer_not_to_say",
            UptakeGroup::Gender(G::NotRecorded) => "gender_not_recorded",
            UptakeGroup::LookedAfter => "looked_after",
            UptakeGroup::CareLeaver => "care_leaver",
            UptakeGroup::YouthJustice => "youth_justice",
            UptakeGroup::SendEhcp => "send_ehcp",
            UptakeGroup::Autistic => "autistic",
            UptakeGroup::Adhd => "adhd",
            UptakeGroup::YoungCarer => "young_carer",
            UptakeGroup::Disabled => "disabled",
            UptakeGroup::NoGroupRecorded => "no_group_recorded",
        }
    }

    /// The plain-English row label.
    pub fn label(self) -> &'static str {
        use EthnicityGroup as E;
        use GenderGroup as G;
        match self {
            UptakeGroup::Ethnicity(E::White) => "Ethnicity: White",
            UptakeGroup::Ethnicity(E::Mixed) => "Ethnicity: Mixed",
            UptakeGroup::Ethnicity(E::Asian) => "Ethnicity: Asian or Asian British",
            UptakeGroup::Ethnicity(E::Black) => "Ethnicity: Black or Black British",
            UptakeGroup::Ethnicity(E::Other) => "Ethnicity: Chinese or other",
            UptakeGroup::Ethnicity(E::PreferNotToSay) => "Ethnicity: prefer not to say",
            UptakeGroup::Ethnicity(E::NotRecorded) => "Ethnicity: not recorded",
            UptakeGroup::Gender(G::Trans) => "Trans (gender not the same as sex at birth)",
            UptakeGroup::Gender(G::NotTrans) => "Not trans",
            UptakeGroup::Gender(G::PreferNotToSay) => "Gender: prefer not to say",
            UptakeGroup::Gender(G::NotRecorded) => "Gender: not recorded",
            UptakeGroup::LookedAfter => "Looked-after children",
            UptakeGroup::CareLeaver => "Care leavers",
            UptakeGroup::YouthJustice => "Youth justice",
            UptakeGroup::SendEhcp => "SEND or EHC plan",
            UptakeGroup::Autistic => "Autistic (diagnosed or suspected)",
            UptakeGroup::Adhd => "ADHD (diagnosed or suspected)",
            UptakeGroup::YoungCarer => "Young carers",
            UptakeGroup::Disabled => "Disabled",
            UptakeGroup::NoGroupRecorded => "No group question answered",
        }
    }
}
