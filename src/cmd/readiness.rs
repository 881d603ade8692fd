//! `itm-gate readiness`: checks the exit criteria for the production cut (runbook section 8).

use super::{Failure, Outcome};
use crate::github::GitHubClient;
use crate::readiness::{self, DEFAULT_BLOCKING_LABELS, DEFAULT_STATUS_FILE, ReadinessSettings};
use crate::settings::{self, SettingsError, Target, TargetArgs};

/// Flags of the `readiness` command (each also readable from its `INPUT_*` variable in Actions).
#[derive(Debug, Default, clap::Args)]
pub struct Args {
    /// Repository, branch (the release candidate), workflow and token.
    #[command(flatten)]
    pub target: TargetArgs,
    /// The status document [default: docs/ai-coach/AI_COACH_V2_PRODUCTION_STATUS.md].
    #[arg(long = "status-file")]
    pub status_file: Option<String>,
    /// Labels of open issues that block the cut, comma-separated [default: P0,P1].
    #[arg(long = "blocking-labels")]
    pub blocking_labels: Option<String>,
}

impl Args {
    /// Resolves every setting: the flag, else the `INPUT_*` variable, else the default.
    pub fn settings(&self) -> Result<ReadinessSettings, SettingsError> {
        let target = Target::resolve(&self.target)?;
        Ok(ReadinessSettings {
            repository: target.repository.to_string(),
            branch: target.branch,
            workflow: target.workflow,
            status_file: settings::setting(self.status_file.as_deref(), "status-file")
                .unwrap_or_else(|| DEFAULT_STATUS_FILE.to_string()),
            blocking_labels: settings::list_or(
                self.blocking_labels.as_deref(),
                "blocking-labels",
                &DEFAULT_BLOCKING_LABELS,
            ),
        })
    }
}

impl Args {
    /// The settings and the API client: everything the command reads from flags, inputs and
    /// the environment, before any work is done (a failure here is a usage error).
    pub fn resolve(&self) -> Result<(ReadinessSettings, GitHubClient), Failure> {
        let settings = self.settings().map_err(Failure::usage)?;
        let client = settings::client(self.target.token.as_deref()).map_err(Failure::usage)?;
        Ok((settings, client))
    }
}

/// Runs the command: 0 READY, 1 NOT READY, 2 bad flags.
pub fn run(args: Args) -> Outcome {
    let (settings, client) = args.resolve()?;
    let report = super::block_on(readiness::check(&client, &settings))?;
    Ok(report.emit())
}
