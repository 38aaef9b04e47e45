//! The weighted tables planning draws from, per thousand or in relative weights: who refers
//! (MHSDS source), how urgent by source (emergency departments and the police apart), and the
//! reasons for referral by kind (routine, school, youth justice, urgent, crisis).

use nwd_domain::codes::{Priority, ReasonCode as R, ReferralSource as S};

/// Who refers (MHSDS source), per thousand: GP 30%, school 22%, self 10%, parent or carer
/// 10%, social care 8%, emergency department 5%, voluntary sector 5%, youth justice 2%,
/// police 2%, transfer 2%, other 4%.
pub(super) const SOURCES: [(S, u32); 11] = [
    (S::Gp, 300),
    (S::School, 220),
    (S::SelfReferral, 100),
    (S::ParentCarer, 100),
    (S::SocialCare, 80),
    (S::EmergencyDepartment, 50),
    (S::VoluntarySector, 50),
    (S::YouthJustice, 20),
    (S::Police, 20),
    (S::Transfer, 20),
    (S::Other, 40),
];

/// Priority for sources other than the emergency department and police, chosen so that the
/// overall mix is routine 80%, urgent 12%, very urgent 5%, emergency 3%.
pub(super) const PRIORITY: [(Priority, u32); 4] = [
    (Priority::Emergency, 17),
    (Priority::VeryUrgent, 34),
    (Priority::Urgent, 103),
    (Priority::Routine, 846),
];
pub(super) const PRIORITY_ED: [(Priority, u32); 4] = [
    (Priority::Emergency, 25),
    (Priority::VeryUrgent, 30),
    (Priority::Urgent, 35),
    (Priority::Routine, 10),
];
pub(super) const PRIORITY_POLICE: [(Priority, u32); 4] = [
    (Priority::Emergency, 10),
    (Priority::VeryUrgent, 15),
    (Priority::Urgent, 35),
    (Priority::Routine, 40),
];

pub(super) const REASONS_ROUTINE: [(R, u32); 20] = [
    (R::Anxiety, 240),
    (R::Depression, 130),
    (R::SuspectedAutism, 100),
    (R::SuspectedAdhd, 75),
    (R::NeurodevelopmentalExclAutism, 20),
    (R::SelfHarm, 70),
    (R::ConductDisorder, 45),
    (R::RelationshipDifficulties, 55),
    (R::AttachmentDifficulties, 25),
    (R::EatingDisorder, 30),
    (R::Ptsd, 25),
    (R::Ocd, 25),
    (R::Phobias, 15),
    (R::GenderDiscomfort, 12),
    (R::DrugAlcohol, 10),
    (R::SelfCare, 8),
    (R::AdjustmentToHealth, 10),
    (R::DiagnosedAutism, 25),
    (R::DiagnosedAdhd, 10),
    (R::InCrisis, 8),
];
pub(super) const REASONS_SCHOOL: [(R, u32); 8] = [
    (R::Anxiety, 260),
    (R::SuspectedAutism, 170),
    (R::SuspectedAdhd, 140),
    (R::Depression, 100),
    (R::SelfHarm, 90),
    (R::ConductDisorder, 80),
    (R::RelationshipDifficulties, 40),
    (R::EatingDisorder, 20),
];
pub(super) const REASONS_JUSTICE: [(R, u32); 6] = [
    (R::ConductDisorder, 350),
    (R::DrugAlcohol, 150),
    (R::Depression, 120),
    (R::Ptsd, 100),
    (R::SuspectedAdhd, 150),
    (R::SelfHarm, 130),
];
pub(super) const REASONS_URGENT: [(R, u32); 8] = [
    (R::SelfHarm, 280),
    (R::Depression, 180),
    (R::InCrisis, 150),
    (R::EatingDisorder, 120),
    (R::Anxiety, 120),
    (R::Ptsd, 60),
    (R::FirstEpisodePsychosis, 40),
    (R::DrugAlcohol, 30),
];
pub(super) const REASONS_CRISIS: [(R, u32); 5] = [
    (R::InCrisis, 400),
    (R::SelfHarm, 350),
    (R::Depression, 100),
    (R::EatingDisorder, 90),
    (R::FirstEpisodePsychosis, 60),
];
