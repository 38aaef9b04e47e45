//! Who runs this service and how the public reach them: the organisation-specific text of the
//! privacy notice, accessibility statement, cookie statement and contact page (the pages
//! render it; this is only the data, like the limits). Read by the command line from the
//! `[public]` table of a TOML file (`serve --public FILE`, `config/public.example.toml`);
//! every field is optional and has a sensible default, so a server without the file still
//! answers every statement, saying to ask the GP practice, school or college where no contact
//! details are set.

use serde::Deserialize;

/// The organisation-specific text of the public statements.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct PublicInfo {
    /// The organisation that runs the service and is the data controller.
    pub organisation: String,
    /// The contact e-mail address for the public.
    pub email: Option<String>,
    /// The contact telephone number for the public.
    pub phone: Option<String>,
    /// When the telephone is answered, e.g. "Monday to Friday, 9am to 5pm".
    pub opening_hours: Option<String>,
    /// The postal address, one line.
    pub address: Option<String>,
    /// The data protection officer's name or title.
    pub dpo_name: String,
    /// The data protection officer's e-mail address.
    pub dpo_email: Option<String>,
    /// When the accessibility statement was last reviewed, e.g. "5 December 2026".
    pub accessibility_reviewed: Option<String>,
}

impl Default for PublicInfo {
    fn default() -> PublicInfo {
        PublicInfo {
            organisation: "No Wrong Door".into(),
            email: None,
            phone: None,
            opening_hours: None,
            address: None,
            dpo_name: "Data Protection Officer".into(),
            dpo_email: None,
            accessibility_reviewed: None,
        }
    }
}

/// The file the command line reads: a `[public]` table.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct PublicFile {
    #[serde(default)]
    public: PublicInfo,
}

impl PublicInfo {
    /// Reads the `[public]` table of a TOML text and checks it; errors name the field.
    pub fn from_toml(text: &str) -> Result<PublicInfo, String> {
        let file: PublicFile = toml::from_str(text).map_err(|e| e.to_string())?;
        file.public.check()?;
        Ok(file.public)
    }

    /// Checks the fields: e-mail addresses look like one, nothing is blank.
    pub fn check(&self) -> Result<(), String> {
        let email = |field: &str, value: &Option<String>| match value {
            Some(value)
                if value.contains(char::is_whitespace)
                    || value.split('@').count() != 2
                    || value.starts_with('@')
                    || value.ends_with('@') =>
            {
                Err(format!(
                    "public.{field}: {value:?} is not an e-mail address"
                ))
            }
            _ => Ok(()),
        };
        email("email", &self.email)?;
        email("dpo_email", &self.dpo_email)?;
        for (field, value) in [
            ("organisation", Some(&self.organisation)),
            ("dpo_name", Some(&self.dpo_name)),
            ("phone", self.phone.as_ref()),
            ("opening_hours", self.opening_hours.as_ref()),
            ("address", self.address.as_ref()),
            (
                "accessibility_reviewed",
                self.accessibility_reviewed.as_ref(),
            ),
        ] {
            if value.is_some_and(|v| v.trim().is_empty()) {
                return Err(format!(
                    "public.{field} is blank: leave it out for the default"
                ));
            }
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_field_has_a_default_and_the_example_file_reads() {
        assert_eq!(PublicInfo::from_toml("").unwrap(), PublicInfo::default());
        let example = include_str!("../../../config/public.example.toml");
        let info = PublicInfo::from_toml(example).unwrap();
        assert_ne!(info.organisation, PublicInfo::default().organisation);
        assert!(info.email.is_some() && info.dpo_email.is_some() && info.phone.is_some());
    }

    #[test]
    fn bad_fields_are_named() {
        for (text, field) in [
            ("[public]\nemail = \"not an address\"", "public.email"),
            ("[public]\ndpo_email = \"x@\"", "public.dpo_email"),
            ("[public]\norganisation = \" \"", "public.organisation"),
        ] {
            let error = PublicInfo::from_toml(text).unwrap_err();
            assert!(error.contains(field), "{text}: {error}");
        }
        assert!(PublicInfo::from_toml("[public]\norganization = \"x\"").is_err());
    }
}
