//! `nowrongdoor tokens …`: creating and revoking API tokens.

use std::collections::BTreeSet;

use anyhow::bail;
use nwd_domain::authz::Permission;
use nwd_store::Store;

use super::as_operator;

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
