//! Operator commands. `admin reset-password EMAIL` helps someone locked out
//! without ever letting the operator choose or learn their password
//! (SECURITY.md R11): it prints a one-time link, valid for 24 hours, that
//! lets its holder choose a new one. The account's owner sees in their
//! security events that a link was made.

use clap::Subcommand;
use domain::values::Email;

use crate::config::DatabaseArgs;
use crate::engine;

#[derive(Debug, Subcommand)]
pub enum AdminCommand {
    /// Print a one-time link that lets the account's owner set a new password.
    ResetPassword {
        /// The account's e-mail address.
        email: String,
        #[command(flatten)]
        db: DatabaseArgs,
        /// The address people use to reach the server, for a full link
        /// (without it the link is a path to open on the server's address).
        #[arg(long, env = "RECIPROCITY_PUBLIC_URL")]
        public_url: Option<String>,
    },
}

pub async fn run(command: AdminCommand) -> anyhow::Result<()> {
    match command {
        AdminCommand::ResetPassword {
            email,
            db,
            public_url,
        } => {
            let email = Email::parse(&email).map_err(|e| anyhow::anyhow!("{}", e.message))?;
            let url = crate::config::resolve_database_url(db)?;
            let store = engine::open(&url).await?;
            store.migrate().await?;
            let app = domain::App::new(store);
            let Some(link) =
                domain::accounts::issue_reset_link(&app, &email, chrono::Utc::now()).await?
            else {
                anyhow::bail!("no account has the address {}", email.as_str());
            };
            let base = public_url.unwrap_or_default();
            println!(
                "{}/reset/{}",
                base.trim_end_matches('/'),
                link.token.expose()
            );
            eprintln!(
                "Give this link to the account's owner in person or over a channel only they \
                 read. It works once, until {} UTC. You cannot see or choose their new password.",
                link.expires_at.format("%Y-%m-%d %H:%M")
            );
            Ok(())
        }
    }
}
