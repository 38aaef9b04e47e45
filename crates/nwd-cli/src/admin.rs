//! Accounts and the audit trail from the command line: the one-time first administrator
//! (there are no default accounts), teams, users, API tokens, disabling, and `audit verify`.

use std::collections::BTreeSet;
use std::io::BufRead as _;

use anyhow::{bail, Context as _};
use nwd_domain::authz::{Permission, Role};
use nwd_store::audit::AuditContext;
use nwd_store::auth::{NewUser, TeamKind};
use nwd_store::Store;

/// `users …`
#[derive(clap::Subcommand)]
pub enum UsersCommand {
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

/// `teams …`
#[derive(clap::Subcommand)]
pub enum TeamsCommand {
    /// Add a team to an organisation.
    Add {
        /// Organisation id.
        #[arg(long)]
        organisation_id: String,
        /// Team name.
        #[arg(long)]
        name: String,
        /// single_point_of_access, service (with --service-id) or other.
        #[arg(long)]
        kind: String,
        /// The service a service team runs.
        #[arg(long)]
        service_id: Option<String>,
    },
}

/// `tokens …`
#[derive(clap::Subcommand)]
pub enum TokensCommand {
    /// Create an API token for a user, limited to some permissions; printed once.
    Create {
        /// User id.
        #[arg(long)]
        user_id: String,
        /// What the token is for.
        #[arg(long)]
        name: String,
        /// Comma-separated permissions, e.g. make_referral.
        #[arg(long)]
        scopes: String,
    },
    /// Revoke a token.
    Revoke {
        /// Token id.
        #[arg(long)]
        id: String,
    },
}

/// `admin …`
#[derive(clap::Subcommand)]
pub enum AdminCommand {
    /// Link an OpenID Connect identity (the provider's issuer and the person's subject
    /// identifier) to an existing staff account, so that the person can sign in through the
    /// provider. Accounts are never created from a sign-in: link each one first.
    LinkOidc {
        /// The staff account's user id.
        #[arg(long)]
        user_id: String,
        /// The provider's issuer identifier, exactly as in its discovery document (`issuer`).
        #[arg(long)]
        issuer: String,
        /// The person's subject identifier at that provider (`sub`; for CIS2, the UUID).
        #[arg(long)]
        subject: String,
    },
    /// Remove a link made with link-oidc.
    UnlinkOidc {
        /// The provider's issuer identifier.
        #[arg(long)]
        issuer: String,
        /// The person's subject identifier at that provider.
        #[arg(long)]
        subject: String,
    },
}

/// `audit …`
#[derive(clap::Subcommand)]
pub enum AuditCommand {
    /// Recompute the audit chain; name the first broken entry (exit status 1 if any).
    Verify,
}

fn read_password() -> anyhow::Result<String> {
    if let Ok(p) = std::env::var("NWD_ADMIN_PASSWORD") {
        return Ok(p);
    }
    eprintln!("password (8+ characters, 15+ recommended), then Enter:");
    let mut line = String::new();
    std::io::stdin()
        .lock()
        .read_line(&mut line)
        .context("could not read the password from standard input")?;
    Ok(line.trim_end_matches(['\r', '\n']).to_owned())
}

/// Who runs the command, as the audit trail records them: `NWD_OPERATOR`, else the login
/// name (`USER`).
pub fn operator() -> String {
    std::env::var("NWD_OPERATOR")
        .or_else(|_| std::env::var("USER"))
        .ok()
        .map(|name| name.trim().to_owned())
        .filter(|name| !name.is_empty())
        .unwrap_or_else(|| "unknown".to_owned())
}

/// The audit context of a command run by the operator at the command line: the store writes
/// the change's audit entry — who (`cli:<operator>`), what and about whom — in the change's
/// own transaction, as it does for the pages and the API.
pub fn as_operator(route: &str, record_type: &str) -> AuditContext {
    AuditContext::operator(&operator(), route, record_type)
}

fn show(created: &nwd_store::auth::CreatedUser) {
    eprintln!("account created: id {}", created.id);
    for grant in &created.pending_role_grants {
        eprintln!(
            "its clinical role waits for a second administrator's approval (request {grant})"
        );
    }
    if let Some(url) = &created.totp_url {
        eprintln!(
            "enrol this in an authenticator app now (it is not shown again):\n  {url}\n  secret: {}",
            created.totp_secret.as_deref().unwrap_or_default()
        );
    }
}

/// Runs a `users` subcommand.
pub async fn users(store: &Store, command: UsersCommand) -> anyhow::Result<()> {
    match command {
        UsersCommand::CreateFirstAdmin {
            organisation,
            username,
            display_name,
        } => {
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

/// Runs a `teams` subcommand.
pub async fn teams(store: &Store, command: TeamsCommand) -> anyhow::Result<()> {
    let TeamsCommand::Add {
        organisation_id,
        name,
        kind,
        service_id,
    } = command;
    let kind = match kind.as_str() {
        "single_point_of_access" => TeamKind::SinglePointOfAccess,
        "service" => TeamKind::Service,
        "other" => TeamKind::Other,
        other => bail!("unknown team kind {other:?}; use single_point_of_access, service or other"),
    };
    // The same checks as the administration page (name unique in the organisation, the
    // organisation known, a service exactly for a service team), all reported at once.
    let id = store
        .add_team(
            &as_operator("cli teams add", "team"),
            &nwd_store::admin::NewTeam {
                organisation_id,
                name,
                kind: Some(kind),
                service_id,
            },
        )
        .await?;
    eprintln!("team created: id {id}");
    Ok(())
}

/// Runs a `tokens` subcommand.
pub async fn tokens(store: &Store, command: TokensCommand) -> anyhow::Result<()> {
    match command {
        TokensCommand::Create {
            user_id,
            name,
            scopes,
        } => {
            let scopes = scopes
                .split(',')
                .map(str::trim)
                .filter(|s| !s.is_empty())
                .map(|s| Permission::parse(s).map_err(anyhow::Error::msg))
                .collect::<anyhow::Result<BTreeSet<_>>>()?;
            if scopes.is_empty() {
                bail!("give at least one scope, e.g. --scopes make_referral");
            }
            // The operator (who can reach the database anyway) may create a token for any live
            // account; the token records them as its creator and the audit entry says so.
            let (id, token) = store
                .issue_api_token(
                    &as_operator("cli tokens create", "api_token"),
                    &user_id,
                    &name,
                    &scopes,
                )
                .await?;
            eprintln!(
                "token {id} created; send it as `Authorization: Bearer <token>` (shown once):"
            );
            eprintln!("{token}");
        }
        TokensCommand::Revoke { id } => {
            store
                .revoke_api_token(&as_operator("cli tokens revoke", "api_token"), None, &id)
                .await?;
            eprintln!("token {id} revoked");
        }
    }
    Ok(())
}

/// Runs an `admin` subcommand; each change is audited in its own transaction.
pub async fn admin(store: &Store, command: AdminCommand) -> anyhow::Result<()> {
    match command {
        AdminCommand::LinkOidc {
            user_id,
            issuer,
            subject,
        } => {
            store
                .link_oidc(
                    &as_operator("cli admin link-oidc", "oidc_link"),
                    &issuer,
                    &subject,
                    &user_id,
                )
                .await?;
            eprintln!("account {user_id} linked to subject {subject:?} at {issuer}");
        }
        AdminCommand::UnlinkOidc { issuer, subject } => {
            let audit = as_operator("cli admin unlink-oidc", "oidc_link");
            if !store.unlink_oidc(&audit, None, &issuer, &subject).await? {
                bail!("no account is linked to subject {subject:?} at {issuer}");
            }
            eprintln!("subject {subject:?} at {issuer} unlinked");
        }
    }
    Ok(())
}

/// Runs an `audit` subcommand.
pub async fn audit(store: &Store, command: AuditCommand) -> anyhow::Result<()> {
    let AuditCommand::Verify = command;
    let report = store.verify_audit().await?;
    match report.first_broken {
        None => {
            eprintln!("audit trail intact: {} entries verified", report.entries);
            Ok(())
        }
        Some(broken) => {
            bail!(
                "audit trail BROKEN at entry {}: {} ({} entries before it verified)",
                broken.seq,
                broken.problem,
                report.entries
            )
        }
    }
}
