//! HTML form bodies (`application/x-www-form-urlencoded`), with repeated names kept (a group
//! of checkboxes sends one pair per ticked box).

/// The pairs of a submitted form, in order.
#[derive(Debug, Clone, Default)]
pub struct FormData(Vec<(String, String)>);

impl FormData {
    /// Parses a form body. Bytes that are not a form give no pairs (each field then reads
    /// as empty and fails its own check).
    pub fn parse(body: &[u8]) -> FormData {
        FormData(
            form_urlencoded::parse(body)
                .map(|(k, v)| (k.into_owned(), v.into_owned()))
                .collect(),
        )
    }

    /// The first value for `name`, or "".
    pub fn first(&self, name: &str) -> &str {
        self.0
            .iter()
            .find(|(k, _)| k == name)
            .map(|(_, v)| v.as_str())
            .unwrap_or("")
    }

    /// Every non-empty value for `name`.
    pub fn all(&self, name: &str) -> Vec<&str> {
        self.0
            .iter()
            .filter(|(k, v)| k == name && !v.is_empty())
            .map(|(_, v)| v.as_str())
            .collect()
    }

    /// Replaces the values for `name` with one.
    pub fn set(&mut self, name: &str, value: String) {
        self.0.retain(|(k, _)| k != name);
        self.0.push((name.to_owned(), value));
    }

    /// Every pair.
    pub fn pairs(&self) -> &[(String, String)] {
        &self.0
    }

    /// A form from stored pairs (a journey's draft).
    pub fn from_pairs(pairs: Vec<(String, String)>) -> FormData {
        FormData(pairs)
    }

    /// Replaces the values of each of `names` with those `posted` has (none when it has none:
    /// a group of checkboxes with nothing ticked sends nothing).
    pub fn replace_from(&mut self, posted: &FormData, names: &[&str]) {
        self.0.retain(|(k, _)| !names.contains(&k.as_str()));
        self.0.extend(
            posted
                .0
                .iter()
                .filter(|(k, _)| names.contains(&k.as_str()))
                .cloned(),
        );
    }
}

#[cfg(test)]
mod tests {
    use super::FormData;

    #[test]
    fn repeated_names_are_kept_and_missing_ones_read_empty() {
        let form = FormData::parse(b"reasons=anxiety&reasons=self_harm&name=A+B%26C&empty=");
        assert_eq!(form.all("reasons"), vec!["anxiety", "self_harm"]);
        assert_eq!(form.first("name"), "A B&C");
        assert_eq!(form.first("missing"), "");
        assert!(form.all("empty").is_empty());
    }

    #[test]
    fn replacing_a_pages_fields_keeps_the_others_and_clears_unticked_boxes() {
        let mut draft = FormData::parse(b"journey=j&reasons=anxiety&reasons=self_harm&name=A");
        draft.replace_from(&FormData::parse(b"name=B&other=x"), &["reasons", "name"]);
        assert_eq!(draft.first("journey"), "j");
        assert_eq!(draft.first("name"), "B");
        assert!(draft.all("reasons").is_empty());
        assert_eq!(draft.first("other"), "");
    }
}
