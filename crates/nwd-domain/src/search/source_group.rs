//! The source-of-referral groups a list can be filtered by ([`SourceGroup`]), each holding its
//! referral sources.

use crate::codes::ReferralSource;

/// The group of a source of referral: the letter its MHSDS code starts with (NHS England's
/// `referral_dim` groups, domain guide §3).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct SourceGroup(pub(super) char);

impl SourceGroup {
    /// The groups our sources fall in, with their names, in code order.
    pub const ALL: &'static [(char, &'static str)] = &[
        ('A', "Primary health care"),
        ('B', "Self-referral (young person, parent or carer)"),
        ('C', "Local authority and other public services"),
        ('E', "Justice system"),
        ('G', "Independent or voluntary sector"),
        ('H', "Acute secondary care"),
        ('I', "Other mental health NHS trust"),
        ('M', "Other"),
    ];

    /// A group from its letter.
    pub fn parse(text: &str) -> Result<SourceGroup, String> {
        let letter = text.trim().to_ascii_uppercase();
        SourceGroup::ALL
            .iter()
            .find(|(l, _)| letter.len() == 1 && letter.starts_with(*l))
            .map(|(l, _)| SourceGroup(*l))
            .ok_or_else(|| {
                let allowed: Vec<String> = SourceGroup::ALL
                    .iter()
                    .map(|(l, _)| l.to_string())
                    .collect();
                format!("allowed: {}", allowed.join(", "))
            })
    }

    /// The letter.
    pub fn letter(&self) -> char {
        self.0
    }

    /// The sources in this group.
    pub fn sources(&self) -> Vec<ReferralSource> {
        ReferralSource::ALL
            .iter()
            .copied()
            .filter(|s| s.code().starts_with(self.0))
            .collect()
    }
}
