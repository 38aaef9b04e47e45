//! `nowrongdoor teams …`: listing teams, adding a team; `organisations list`.

use anyhow::bail;
use nwd_store::auth::TeamKind;
use nwd_store::Store;

use super::as_operator;

/// `teams …`
#[derive(clap::Subcommand)]
pub enum TeamsCommand {
    /// List every team: id, organisation, name, kind, service and how many members (tab-
    /// separated, on standard output).
    List,
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
    } = command
    else {
        let mut out =
            String::from("id\torganisation_id\torganisation\tname\tkind\tservice\tmembers\n");
        for team in store.teams().await? {
            out.push_str(&format!(
                "{}\t{}\t{}\t{}\t{}\t{}\t{}\n",
                team.id,
                team.organisation_id,
                team.organisation_name,
                team.name,
                nwd_store::admin::team_kind_name(team.kind),
                team.service_name.unwrap_or_default(),
                team.members
            ));
        }
        super::write_out(&out)?;
        return Ok(());
    };
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

/// `organisations …`
#[derive(clap::Subcommand)]
pub enum OrganisationsCommand {
    /// List every organisation in the directory: id, name, kind (tab-separated, on standard
    /// output) — the ids `teams add` and `users add` ask for.
    List,
}

/// Runs an `organisations` subcommand. The directory is public (`GET /api/organisations`):
/// listing it is not an access to anyone's data, so it writes no audit entry.
pub async fn organisations(store: &Store, command: OrganisationsCommand) -> anyhow::Result<()> {
    let OrganisationsCommand::List = command;
    let mut out = String::from("id\tname\tkind\n");
    for (organisation, _) in store.organisations().await? {
        out.push_str(&format!(
            "{}\t{}\t{}\n",
            organisation.id,
            organisation.details.name,
            organisation.details.kind.as_str()
        ));
    }
    super::write_out(&out)?;
    Ok(())
}
