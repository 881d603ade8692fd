//! `itm-gate run`: dispatches the live workflow and follows it to completion (runbook section 4).

use std::time::Duration;

use super::{Failure, Outcome};
use crate::dispatch::{
    self, DEFAULT_POLL_INTERVAL_SECS, DEFAULT_TIMEOUT_SECS, FIND_TIMEOUT, Print, RunSettings,
};
use crate::readiness::DEFAULT_STATUS_FILE;
use crate::settings::{self, SettingsError, Target, TargetArgs};

/// Flags of the `run` command (each also readable from its `INPUT_*` variable in Actions).
#[derive(Debug, Default, clap::Args)]
pub struct Args {
    /// The staging backend URL, passed as the workflow input `backend_url` (http or https, no
    /// credentials) [default: the `backend-url` input].
    #[arg(value_name = "BACKEND_URL")]
    pub backend_url: Option<String>,
    /// Repository, branch, workflow and token (the token needs Actions: Read and write).
    #[command(flatten)]
    pub target: TargetArgs,
    /// The status document the evidence is read back from
    /// [default: docs/ai-coach/AI_COACH_V2_PRODUCTION_STATUS.md].
    #[arg(long = "status-file")]
    pub status_file: Option<String>,
    /// Seconds between two polls of the run [default: 10].
    #[arg(long = "poll-interval")]
    pub poll_interval: Option<f64>,
    /// Seconds to follow the run at most before giving up (the run goes on) [default: 3600].
    #[arg(long)]
    pub timeout: Option<u64>,
    /// Dispatch even when preflight is NOT READY (preflight is not run).
    #[arg(long = "skip-preflight")]
    pub skip_preflight: bool,
    /// Print the run URL once the run is found, and return without following it.
    #[arg(long = "no-wait")]
    pub no_wait: bool,
}

impl Args {
    /// Resolves every setting: the flag, else the `INPUT_*` variable, else the default; the
    /// repository and branch by [`Target::resolve`].
    pub fn settings(&self) -> Result<RunSettings, SettingsError> {
        let raw_url = settings::setting(self.backend_url.as_deref(), "backend-url").ok_or(
            SettingsError::Invalid(
                "no backend URL: pass it as the argument, e.g. itm-gate run \
                 https://staging-api.example.com"
                    .to_string(),
            ),
        )?;
        let backend_url =
            dispatch::validate_backend_url(&raw_url).map_err(SettingsError::Invalid)?;
        let target = Target::resolve(&self.target)?;
        let poll = match self.poll_interval {
            Some(secs) if secs.is_finite() && (0.0..=3600.0).contains(&secs) => secs,
            Some(_) => {
                return Err(SettingsError::Invalid(
                    "--poll-interval must be between 0 and 3600 seconds".into(),
                ));
            }
            None => DEFAULT_POLL_INTERVAL_SECS,
        };
        let timeout = match self.timeout {
            Some(0) => {
                return Err(SettingsError::Invalid(
                    "--timeout must be at least 1 second".into(),
                ));
            }
            Some(secs) => secs,
            None => DEFAULT_TIMEOUT_SECS,
        };
        let timeout = Duration::from_secs(timeout);
        Ok(RunSettings {
            repository: target.repository,
            branch: target.branch,
            workflow: target.workflow,
            status_file: settings::setting(self.status_file.as_deref(), "status-file")
                .unwrap_or_else(|| DEFAULT_STATUS_FILE.to_string()),
            backend_url,
            poll_interval: Duration::from_secs_f64(poll),
            timeout,
            find_timeout: FIND_TIMEOUT.min(timeout),
            skip_preflight: self.skip_preflight,
            no_wait: self.no_wait,
        })
    }
}

fn emit(print: Print) {
    match print {
        Print::Line(line) => crate::runner::print_line(&line),
        Print::Untrusted(text) => crate::runner::print_untrusted(&text),
    }
}

/// Runs the command: 0 the run succeeded (or was left running with `--no-wait`), 1 it failed
/// or preflight was NOT READY, 2 bad flags, 3 a GitHub API call failed.
pub fn run(args: Args) -> Outcome {
    let settings = args.settings().map_err(Failure::usage)?;
    let client = settings::client(args.target.token.as_deref()).map_err(Failure::usage)?;
    let in_actions = crate::runner::in_github_actions();
    let outcome = super::block_on(dispatch::execute(
        &client,
        &settings,
        &crate::runner::env_value,
        in_actions,
        &mut emit,
    ))?
    .map_err(Failure::github)?;
    for print in dispatch::closing(&outcome, &settings) {
        emit(print);
    }
    Ok(outcome.exit())
}
