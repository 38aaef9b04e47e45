//! `nowrongdoor admin …`: linking and unlinking an OpenID Connect identity to an existing staff
//! account (accounts are never created from a sign-in), each change audited in its own
//! transaction.

use anyhow::bail;
use nwd_store::Store;

use super::as_operator;

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
