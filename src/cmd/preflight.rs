//! `itm-gate preflight`: checks the repository before the live workflow is dispatched
//! (runbook section 3).

use super::{Failure, Outcome};
use crate::github::GitHubClient;
use crate::preflight::{
    self, DEFAULT_MIGRATIONS_DIR, DEFAULT_OPTIONAL_SECRETS, DEFAULT_SECRETS, PreflightSettings,
};
use crate::settings::{self, SettingsError, Target, TargetArgs};

/// Flags of the `preflight` command (each also readable from its `INPUT_*` variable in Actions).
#[derive(Debug, Default, clap::Args)]
pub struct Args {
    /// Repository, branch, workflow and token.
    #[command(flatten)]
    pub target: TargetArgs,
    /// Required secret names, comma- or newline-separated [default: the runbook's three].
    #[arg(long)]
    pub secrets: Option<String>,
    /// Optional secret names [default: E2E_BYPASS_USER_ID, E2E_BYPASS_SHARED_SECRET].
    #[arg(long = "optional-secrets")]
    pub optional_secrets: Option<String>,
    /// Migrations folder compared between the branches [default: supabase/migrations].
    #[arg(long = "migrations-dir")]
    pub migrations_dir: Option<String>,
    /// Branch the migrations are compared with [default: the repository's default branch].
    #[arg(long = "base-branch")]
    pub base_branch: Option<String>,
}

impl Args {
    /// Resolves every setting: the flag, else the `INPUT_*` variable, else the default.
    pub fn settings(&self) -> Result<PreflightSettings, SettingsError> {
        let target = Target::resolve(&self.target)?;
        Ok(PreflightSettings {
            repository: target.repository.to_string(),
            branch: target.branch,
            workflow: target.workflow,
            secrets: settings::list_or(self.secrets.as_deref(), "secrets", &DEFAULT_SECRETS),
            optional_secrets: settings::list_or(
                self.optional_secrets.as_deref(),
                "optional-secrets",
                &DEFAULT_OPTIONAL_SECRETS,
            ),
            migrations_dir: settings::setting(self.migrations_dir.as_deref(), "migrations-dir")
                .unwrap_or_else(|| DEFAULT_MIGRATIONS_DIR.to_string()),
            base_branch: settings::setting(self.base_branch.as_deref(), "base-branch"),
        })
    }
}

impl Args {
    /// The settings and the API client: everything the command reads from flags, inputs and
    /// the environment, before any work is done (a failure here is a usage error).
    pub fn resolve(&self) -> Result<(PreflightSettings, GitHubClient), Failure> {
        let settings = self.settings().map_err(Failure::usage)?;
        let client = settings::client(self.target.token.as_deref()).map_err(Failure::usage)?;
        Ok((settings, client))
    }
}

/// Runs the command: 0 READY, 1 NOT READY, 2 bad flags.
pub fn run(args: Args) -> Outcome {
    let (settings, client) = args.resolve()?;
    let in_actions = crate::runner::in_github_actions();
    let report = super::block_on(preflight::check(
        &client,
        &settings,
        &crate::runner::env_value,
        in_actions,
    ))?;
    Ok(report.emit())
}
