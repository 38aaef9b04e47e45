//! The role → permission table from a TOML file (`--roles`, `config/roles.toml`). A role
//! listed replaces its defaults; a role left out keeps them. Every error names the line and
//! the field, and the domain's hard rules (`Role::may_hold`: no person-level or break-glass
//! rights for commissioners and external referrers; parents and carers hold only their own
//! view) are checked here, at start-up, not at first use.

use std::collections::{BTreeMap, BTreeSet};

use nwd_domain::authz::{Permission, Role, RoleTable};
use serde::Deserialize;
use toml::Spanned;

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct RolesFile {
    roles: BTreeMap<Spanned<String>, RoleEntry>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct RoleEntry {
    permissions: Vec<Spanned<String>>,
}

fn line_of(text: &str, offset: usize) -> usize {
    text[..offset.min(text.len())].matches('\n').count() + 1
}

/// Parses a roles file into a table, starting from the defaults.
pub fn parse_roles(text: &str) -> anyhow::Result<RoleTable> {
    let file: RolesFile = toml::from_str(text).map_err(|e| anyhow::anyhow!("{e}"))?;
    let mut table = RoleTable::default();
    for (name, entry) in file.roles {
        let line = line_of(text, name.span().start);
        let role = Role::parse(name.get_ref())
            .map_err(|e| anyhow::anyhow!("line {line}, roles.{}: {e}", name.get_ref()))?;
        let mut permissions = BTreeSet::new();
        for p in &entry.permissions {
            let line = line_of(text, p.span().start);
            let permission = Permission::parse(p.get_ref())
                .map_err(|e| anyhow::anyhow!("line {line}, roles.{role}.permissions: {e}"))?;
            role.may_hold(permission)
                .map_err(|e| anyhow::anyhow!("line {line}, roles.{role}.permissions: {e}"))?;
            permissions.insert(permission);
        }
        table
            .set(role, permissions)
            .map_err(|e| anyhow::anyhow!("line {line}, roles.{role}: {e}"))?;
    }
    Ok(table)
}

/// Reads and parses a roles file.
pub fn load(path: &std::path::Path) -> anyhow::Result<RoleTable> {
    let text = std::fs::read_to_string(path)
        .map_err(|e| anyhow::anyhow!("could not read the roles file {}: {e}", path.display()))?;
    parse_roles(&text).map_err(|e| anyhow::anyhow!("{}: {e}", path.display()))
}

#[cfg(test)]
mod tests {
    use super::*;

    const SHIPPED: &str = include_str!("../../../config/roles.toml");

    #[test]
    fn the_shipped_file_is_the_defaults() {
        assert_eq!(parse_roles(SHIPPED).unwrap(), RoleTable::default());
    }

    #[test]
    fn a_role_can_be_narrowed_and_the_rest_keep_their_defaults() {
        let table =
            parse_roles("[roles.team_manager]\npermissions = [\"read_aggregates\"]\n").unwrap();
        assert!(!table.grants(Role::TeamManager, Permission::ReadClinical));
        assert!(table.grants(Role::Clinician, Permission::ReadClinical));
    }

    #[test]
    fn errors_name_the_line_and_the_field() {
        let check = |text: &str, wanted: &[&str]| {
            let error = parse_roles(text).unwrap_err().to_string();
            for w in wanted {
                assert!(error.contains(w), "{error:?} lacks {w:?}");
            }
        };
        // Hard rules: no person-level or break-glass rights for commissioners or referrers.
        check(
            "[roles.commissioner]\npermissions = [\"read_aggregates\",\n  \"read_clinical\"]\n",
            &["line 3", "roles.commissioner.permissions", "read_clinical"],
        );
        check(
            "[roles.external_referrer]\npermissions = [\"break_glass\"]\n",
            &["line 2", "external_referrer", "break_glass"],
        );
        check(
            "[roles.parent_carer]\npermissions = [\"read_clinical\"]\n",
            &["line 2", "parent_carer"],
        );
        // Unknown names list the allowed ones.
        check(
            "[roles.clinician]\npermissions = [\"read_everything\"]\n",
            &["line 2", "roles.clinician.permissions", "read_clinical"],
        );
        check(
            "\n[roles.superuser]\npermissions = []\n",
            &["line 2", "roles.superuser", "triage"],
        );
        // Syntax and unknown fields: toml names the line.
        check(
            "[roles.clinician]\npermission = []\n",
            &["line 2", "permission"],
        );
    }
}
