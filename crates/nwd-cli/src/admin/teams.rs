//! `nowrongdoor teams …`: adding a team.

use anyhow::bail;
use nwd_store::auth::TeamKind;
use nwd_store::Store;

use super::as_operator;

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
