//! A person written as a record: the register's record (with or without the NHS number) and a
//! referral's, drawn through the corruptions in `corrupt` with their names kept as labels.

use rand::Rng;

use crate::record::Record;

use super::corrupt::Draft;
use super::names::{STREET_KINDS, TOWNS};

use super::{corrupt, ErrorRates};
use super::{iso_date, Address, World};

impl World {
    pub(super) fn address_line(&self, address: &Address, style: &corrupt::AddressStyle) -> String {
        let street = &self.streets[address.street];
        let (kind_full, kind_short) = STREET_KINDS[street.kind];
        let kind = if style.abbreviate {
            kind_short
        } else {
            kind_full
        };
        let separator = if style.no_commas { " " } else { ", " };
        let mut line = String::new();
        if let Some(flat) = address.flat.filter(|_| !style.no_number) {
            line.push_str(&format!("Flat {flat}{separator}"));
        }
        if style.number_only {
            line.push_str(&address.number.to_string());
            return line;
        }
        if style.no_number {
            line.push_str(&format!("{} {}", street.name, kind));
        } else {
            line.push_str(&format!("{} {} {}", address.number, street.name, kind));
        }
        if !style.drop_town {
            line.push_str(separator);
            line.push_str(TOWNS[street.town].0);
        }
        if style.add_county {
            line.push_str(separator);
            line.push_str("Kent");
        }
        if style.lower_case {
            line = line.to_lowercase();
        }
        line
    }

    pub(super) fn register_record(&self, person: usize, id: String, with_nhs: bool) -> Record {
        let p = &self.people[person];
        let household = &self.households[p.household];
        Record {
            id,
            nhs_number: if with_nhs {
                p.nhs.map(|n| n.as_digits())
            } else {
                None
            },
            given_name: Some(p.given.to_owned()),
            family_name: Some(household.family.clone()),
            date_of_birth: Some(iso_date(p.dob)),
            address: Some(self.address_line(&household.address, &corrupt::AddressStyle::PLAIN)),
            postcode: Some(self.postcode(&household.address).to_owned()),
            sex: Some(p.sex.word().to_owned()),
        }
    }

    /// The referral record for `person` (id left empty) and the corruptions applied.
    pub(super) fn referral(
        &mut self,
        person: usize,
        rates: &ErrorRates,
        nhs_share: f64,
    ) -> (Record, Vec<&'static str>) {
        let carries = self.rng.gen_bool(nhs_share);
        // A form that insists on a number the child does not have gets a placeholder.
        let placeholder = carries && self.people[person].nhs.is_none() && self.rng.gen_bool(0.2);
        let p = &self.people[person];
        let household = &self.households[p.household];
        let draft = Draft {
            given: p.given.to_owned(),
            family: household.family.clone(),
            dob: p.dob,
            address: household.address,
            sex: p.sex,
            nhs: if carries { p.nhs } else { None },
            placeholder,
        };
        corrupt::apply(self, draft, rates)
    }
}
