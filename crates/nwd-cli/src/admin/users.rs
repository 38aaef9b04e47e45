//! `nowrongdoor users …`: the one-time first administrator (there are no default accounts),
//! adding users, disabling them and approving a role.

use nwd_domain::authz::Role;
use nwd_store::auth::NewUser;
use nwd_store::Store;

use super::{as_operator, read_password, show};

/// `users …`
#[derive(clap::Subcommand)]
pub enum UsersCommand {
    /// List every staff account: id, username, name, organisation, teams and roles, second
    /// factor and state (tab-separated, on standard output). Audited as a read: the list
    /// names staff.
    List,
    /// Create the first administrator of a fresh install (refused once any account exists).
    /// The password is read from NWD_ADMIN_PASSWORD or the first line of standard input; the
    /// TOTP secret to enrol in an authenticator app is printed once.
    CreateFirstAdmin {
        /// The commissioning organisation's name.
        #[arg(long)]
        organisation: String,
        /// Sign-in name.
        #[arg(long)]
        username: String,
        /// Shown name.
        #[arg(long)]
        display_name: String,
    },
    /// Add a staff account with a role in a team (password as for create-first-admin).
    Add {
        /// Sign-in name.
        #[arg(long)]
        username: String,
        /// Shown name.
        #[arg(long)]
        display_name: String,
        /// Organisation id.
        #[arg(long)]
        organisation_id: String,
        /// Team id.
        #[arg(long)]
        team_id: String,
        /// Role: triage, clinician, team_manager, administrator, privacy_officer,
        /// commissioner, external_referrer.
        #[arg(long)]
        role: String,
    },
    /// Disable an account: every session ends and every token is revoked.
    Disable {
        /// User id.
        #[arg(long)]
        user_id: String,
    },
    /// Approve a clinical role (triage, clinician, team manager) that waits for a second
    /// administrator. Refused to the operator who asked for it.
    ApproveRole {
        /// The waiting request's id (`GET /api/admin/role-grants`).
        #[arg(long)]
        grant_id: String,
    },
}

/// Runs a `users` subcommand.
pub async fn users(store: &Store, command: UsersCommand) -> anyhow::Result<()> {
    match command {
        UsersCommand::List => list(store).await?,
        UsersCommand::CreateFirstAdmin {
            organisation,
            username,
            display_name,
        } => {
            let existing = store.organisations().await?.into_iter().find(|(o, _)| {
                o.details.name.trim().to_lowercase() == organisation.trim().to_lowercase()
            });
            if let Some((existing, _)) = &existing {
                eprintln!(
                    "the organisation {:?} is in the directory already (id {}): the administrator joins it",
                    existing.details.name, existing.id
                );
            }
            let password = read_password()?;
            let created = store
                .create_first_administrator(
                    &as_operator("cli users create-first-admin", "user"),
                    &organisation,
                    &username,
                    &display_name,
                    &password,
                )
                .await?;
            show(&created);
        }
        UsersCommand::Add {
            username,
            display_name,
            organisation_id,
            team_id,
            role,
        } => {
            let role = Role::parse(&role).map_err(anyhow::Error::msg)?;
            let password = read_password()?;
            // The store refuses what the administration page refuses (the parent/carer role, a
            // team of another organisation, …), inside the write transaction.
            let created = store
                .create_account(
                    &as_operator("cli users add", "user"),
                    NewUser {
                        username,
                        display_name,
                        organisation_id,
                        password: Some(password),
                        memberships: vec![(team_id, role)],
                    },
                )
                .await?;
            show(&created);
        }
        UsersCommand::Disable { user_id } => {
            store
                .disable_user(&as_operator("cli users disable", "user"), &user_id)
                .await?;
            eprintln!("account {user_id} disabled; its sessions ended and tokens revoked");
        }
        UsersCommand::ApproveRole { grant_id } => {
            let user_id = store
                .decide_role_grant(
                    &as_operator("cli users approve-role", "role_grant"),
                    &grant_id,
                    true,
                )
                .await?;
            eprintln!("role approved: account {user_id} has it now");
        }
    }
    Ok(())
}

/// `users list`: every account, written to standard output after its read is audited (as
/// the administration page's user list is), so that no list leaves unrecorded.
async fn list(store: &Store) -> anyhow::Result<()> {
    let users = store.users().await?;
    let operator = super::operator();
    let mut entry = nwd_store::audit::AuditEntry::new("cli users list", "read");
    entry.user_id = Some(format!("cli:{operator}"));
    entry.username = entry.user_id.clone();
    entry.record_type = "user".into();
    entry.why = "operator at the command line".into();
    entry.detail = Some(format!("{} accounts listed", users.len()));
    store.append_audit(entry).await?;
    let mut out = String::from(
        "id\tusername\tdisplay_name\torganisation\tteams_and_roles\tsecond_factor\tstate\n",
    );
    for user in users {
        let memberships = user
            .memberships
            .iter()
            .map(|m| format!("{} ({}): {}", m.team_name, m.team_id, m.role.as_str()))
            .collect::<Vec<_>>()
            .join("; ");
        let second_factor = match (user.totp, user.has_password) {
            (nwd_store::admin::TotpState::Enrolled, _) => "enrolled",
            (nwd_store::admin::TotpState::Issued, _) => "issued, not yet used",
            (nwd_store::admin::TotpState::None, true) => "none",
            (nwd_store::admin::TotpState::None, false) => "none (no password)",
        };
        out.push_str(&format!(
            "{}\t{}\t{}\t{}\t{}\t{}\t{}\n",
            user.id,
            user.username,
            user.display_name,
            user.organisation_name,
            memberships,
            second_factor,
            if user.disabled_at.is_some() {
                "disabled"
            } else {
                "active"
            }
        ));
    }
    super::write_out(&out)?;
    Ok(())
}
