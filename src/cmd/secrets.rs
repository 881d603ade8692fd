//! `itm-gate secrets`: sets the gate's repository secrets from an env file (runbook section 2).

use std::path::Path;

use super::{Failure, Outcome};
use crate::exit::Exit;
use crate::secrets::{self, DEFAULT_ENV_FILE, SecretsError};
use crate::settings;

/// Flags of the `secrets` command (each also readable from its `INPUT_*` variable in Actions).
#[derive(Debug, Default, clap::Args)]
pub struct Args {
    /// Repository, `owner/repo` [default: GITHUB_REPOSITORY, else the `origin` remote].
    #[arg(long)]
    pub repository: Option<String>,
    /// The env file holding the values (dotenv syntax) [default: .env.local].
    #[arg(long = "env-file")]
    pub env_file: Option<String>,
    /// Say which secrets would be set, without calling GitHub (no token needed).
    #[arg(long = "dry-run")]
    pub dry_run: bool,
    /// GitHub token with repository Secrets write [default: the `token` input, else GITHUB_TOKEN].
    #[arg(long)]
    pub token: Option<String>,
}

/// Runs the command: 0 all set, 2 bad flags or env file (nothing written), 3 a GitHub API call
/// failed, 4 encryption failed.
pub fn run(args: Args) -> Outcome {
    let repo = settings::repository(args.repository.as_deref()).map_err(Failure::usage)?;
    let env_file = settings::setting(args.env_file.as_deref(), "env-file")
        .unwrap_or_else(|| DEFAULT_ENV_FILE.to_string());
    let plan = secrets::read_env_file(Path::new(&env_file))
        .and_then(|vars| secrets::plan(&vars, &env_file))
        .map_err(failure)?;
    if args.dry_run {
        for line in secrets::dry_run_lines(&plan, &repo.to_string()) {
            println!("{line}");
        }
        return Ok(Exit::Success);
    }
    let client = settings::client(args.token.as_deref()).map_err(Failure::usage)?;
    super::block_on(secrets::apply(&client, &repo, &plan, &mut |line| {
        println!("{line}")
    }))?
    .map_err(failure)?;
    for line in secrets::skip_lines(&plan) {
        println!("{line}");
    }
    println!("{} secrets set in {repo}", plan.set.len());
    Ok(Exit::Success)
}

/// The failure for a [`SecretsError`], with its exit code, and what to do when the token may not
/// write secrets.
fn failure(err: SecretsError) -> Failure {
    let permission = matches!(&err, SecretsError::GitHub(e) if e.is_permission());
    let failure = Failure::new(err.exit(), err);
    if permission {
        failure.with_hint(
            "the token needs repository Secrets: Read and write (fine-grained token) or the \
             `repo` scope (classic token); the workflow's GITHUB_TOKEN cannot write secrets",
        )
    } else {
        failure
    }
}
