//! Accounts and the audit trail from the command line: the one-time first administrator
//! (there are no default accounts), teams, users, API tokens, disabling, and `audit verify`.

use std::io::BufRead as _;

use anyhow::Context as _;
use nwd_store::audit::AuditContext;

mod audit;
mod oidc;
mod teams;
mod tokens;
mod users;

pub use audit::{audit, AuditCommand};
pub use oidc::{admin, AdminCommand};
pub use teams::{organisations, teams, OrganisationsCommand, TeamsCommand};
pub use tokens::{tokens, TokensCommand};
pub use users::{users, UsersCommand};

/// Writes a list to standard output (the lists go there, messages to standard error).
fn write_out(text: &str) -> anyhow::Result<()> {
    use std::io::Write as _;
    let mut out = std::io::stdout().lock();
    out.write_all(text.as_bytes())?;
    out.flush()?;
    Ok(())
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
